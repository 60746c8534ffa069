package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/modules"
	"indicia/quiz"
)

// TestMeasurementScreenshotsInEveryLanguage opens the real binary under Xvfb in each
// language on a database of demo learners: a learner is offered the core module's
// pre-test and starts it; another resumes one left after five answers, answers the last
// question with the keyboard and sees its end; then the trainer opens trainer mode's
// learning-gain tab. Screenshots of each step are left in test-artifacts/measure.
func TestMeasurementScreenshotsInEveryLanguage(t *testing.T) {
	if testing.Short() {
		t.Skip("needs a real window; skipped with -short")
	}
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing: run `make test-deps`", tool)
			}
			t.Skipf("%s is missing (make test-deps installs it)", tool)
		}
	}
	dir := t.TempDir()
	artefacts, _ := filepath.Abs(filepath.Join("..", "..", "test-artifacts", "measure"))
	os.RemoveAll(artefacts)
	if err := os.MkdirAll(artefacts, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "indicia")
	if out, err := exec.Command("go", "build", "-tags", buildTags, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cat, err := modules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	core, _ := cat.Module("core")
	const pass = "formation Namur printemps"
	// The trainer's passphrase first (no learner yet: no code needed), then 800 demo
	// learners.
	ctx := context.Background()
	base := filepath.Join(dir, "base.db")
	store, err := progress.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.SetTrainerPassphrase(ctx, "", pass); err != nil {
		t.Fatal(err)
	}
	if err := store.BulkDemo(ctx, 800, report.DemoModules(cat), 9, nil); err != nil {
		t.Fatal(err)
	}
	store.Close()
	display := startXvfb(t)
	for _, lang := range []string{"fr", "nl", "en", "de"} {
		t.Run(lang, func(t *testing.T) {
			db := filepath.Join(dir, lang+".db")
			copyFile(t, base, db)
			store, err := progress.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			// Bea left the pre-test after five answers; its sixth question is a single
			// choice, answered here with the keyboard. Alex has never opened the module.
			bea, err := store.CreateLearner(ctx, progress.NewLearner{Name: "Bea " + lang, Role: "hospital", Language: lang})
			if err != nil {
				t.Fatal(err)
			}
			var plan quiz.Plan
			for _, q := range core.In(lang).Bank {
				if quiz.Measured(&q) && (q.Kind == quiz.Single || q.Kind == quiz.TrueFalse) && len(plan) < quiz.PretestSize {
					plan = append(plan, quiz.DrawFor(q, rand.New(rand.NewPCG(1, uint64(len(plan))))))
				}
			}
			a, err := store.StartAttempt(ctx, progress.NewAttempt{LearnerID: bea.ID, ModuleID: "core", ContentVersion: core.Version,
				Language: lang, Plan: plan, Kind: progress.KindPretest})
			if err != nil {
				t.Fatal(err)
			}
			for i := range quiz.PretestSize - 1 {
				if err := store.RecordAnswer(ctx, a.ID, progress.Answer{Position: i, QuestionID: plan[i].QuestionID, Complete: true,
					Correct: i%2 == 0, Response: quiz.Response{Chosen: []string{"a"}}}); err != nil {
					t.Fatal(err)
				}
			}
			time.Sleep(5 * time.Millisecond)
			if _, err := store.CreateLearner(ctx, progress.NewLearner{Name: "Alex " + lang, Role: "police", Language: lang}); err != nil {
				t.Fatal(err)
			}
			store.Close()

			x := &xsession{t: t, display: display, dir: artefacts}
			run := func(steps func()) {
				t.Helper()
				stop := startApp(t, bin, db, display, dir, lang, artefacts)
				defer stop()
				x.run("search", "--sync", "--onlyvisible", "--name", "Indicia")
				time.Sleep(time.Second)
				steps()
			}
			// Alex: the offer, then the pre-test's first question.
			run(func() {
				x.clickPrimary("continue as the learner")
				x.clickPrimary("open the core module")
				x.shot(lang + "-01-pretest-offer")
				x.clickPrimary("start the pre-test")
				x.shot(lang + "-02-pretest-question")
				x.run("key", "Return") // past the note before a case, if it is one
				x.shot(lang + "-02b-pretest-question")
				x.waitRows(db, "SELECT count(*) FROM attempts a JOIN learners l ON l.id = a.learner_id WHERE l.name = 'Alex "+lang+"' AND a.kind = 'pretest' AND a.status = 'open'", 1)
			})
			// Bea: resume, the last question, the end.
			touch(t, db, bea.ID)
			run(func() {
				x.clickPrimary("continue as the learner")
				x.clickPrimary("open the core module")
				x.shot(lang + "-03-pretest-resume")
				x.clickPrimary("resume the pre-test")
				x.shot(lang + "-04-pretest-last-question")
				x.run("key", "1")
				x.run("key", "Return")
				x.waitRows(db, fmt.Sprintf("SELECT count(*) FROM attempts WHERE id = %d AND status = 'finished'", a.ID), 1)
				x.shot(lang + "-05-pretest-end")
				x.run("mousemove", "500", "400", "click", "--repeat", "6", "5")
				x.shot(lang + "-06-pretest-answers")
			})
			// The trainer: the learning-gain tab, then down its sections.
			run(func() {
				// The first screen's top bar: trainer mode, glossary, settings, support (the
				// buttons finder of trust_window_test.go).
				img := x.waitFor("the first screen's top bar", func(img image.Image) bool { return len(topBarButtons(img)) == 4 })
				x.clickAt(topBarButtons(img)[0])
				x.run("type", "--delay", "10", pass)
				x.clickPrimary("confirm the passphrase")
				img = x.waitFor("trainer mode's tabs", func(img image.Image) bool { return len(tabLabels(img)) >= 6 })
				x.clickAt(tabLabels(img)[5]) // the learning-gain tab, the last
				time.Sleep(2 * time.Second)  // the figures are read off the UI goroutine
				x.shot(lang + "-07-trainer-modules")
				// Down the page, a window at a time: the other modules, the signs of the
				// core module, confident and wrong, calibration, the workplace.
				for i := 8; i <= 17; i++ {
					x.run("mousemove", "500", "450", "click", "--repeat", "36", "5")
					x.shot(fmt.Sprintf("%s-%02d-trainer-down", lang, i))
				}
			})
		})
	}
}

// startApp starts the binary on db in lang at the normal text size and returns what
// stops it; a Fyne threading error in its log fails the test.
func startApp(t *testing.T, bin, db, display, dir, lang, artefacts string) func() {
	t.Helper()
	config := filepath.Join(dir, "config-"+lang)
	prefDir := filepath.Join(config, "fyne", appID)
	os.MkdirAll(prefDir, 0o755)
	if err := os.WriteFile(filepath.Join(prefDir, "preferences.json"), []byte(fmt.Sprintf(`{"language": %q}`, lang)), 0o644); err != nil {
		t.Fatal(err)
	}
	app := exec.Command(bin, "--db", db)
	app.Env = append(os.Environ(), "DISPLAY="+display, "XDG_CONFIG_HOME="+config,
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache-"+lang), "XDG_DATA_HOME="+filepath.Join(dir, "data-"+lang))
	logPath := filepath.Join(artefacts, lang+".log")
	logFile, _ := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	app.Stdout, app.Stderr = logFile, logFile
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	return func() {
		app.Process.Kill()
		app.Wait()
		logFile.Close()
		if data, _ := os.ReadFile(logPath); bytes.Contains(data, []byte("Error in Fyne call thread")) {
			t.Errorf("the log shows a Fyne threading error:\n%s", data)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// touch makes the learner the most recently active: the first screen's primary button.
func touch(t *testing.T, db string, learner int64) {
	t.Helper()
	s, err := progress.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	time.Sleep(5 * time.Millisecond)
	if err := s.Touch(context.Background(), learner); err != nil {
		t.Fatal(err)
	}
}
