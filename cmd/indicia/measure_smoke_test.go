package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
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
				x.clickTopBarButton("open trainer mode", 3)
				x.run("type", "--delay", "10", pass)
				x.clickPrimary("confirm the passphrase")
				x.clickLastTab("open the learning-gain tab")
				time.Sleep(2 * time.Second) // the figures are read off the UI goroutine
				x.shot(lang + "-07-trainer-modules")
				// Down the page, half a window at a time: the other modules, the signs of
				// the core module, confident and wrong, calibration, the workplace.
				for i := 8; i <= 22; i++ {
					x.run("mousemove", "500", "450", "click", "--repeat", "18", "5")
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

// isWhite reports whether c is the bar's background.
func isWhite(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r>>8 > 250 && g>>8 > 250 && b>>8 > 250
}

// clickTopBarButton clicks the top bar's button n places left of the primary one
// (support): on the first screen, 3 is trainer mode. Buttons are told apart by the
// bar's white between them, on a row near their bottom edge, below their text.
func (x *xsession) clickTopBarButton(what string, n int) {
	x.t.Helper()
	var img image.Image
	var support image.Rectangle
	for try := 0; try < 40 && support.Empty(); try++ { // the first screen may take a while
		time.Sleep(250 * time.Millisecond)
		img = x.screen()
		support = primaryBox(cropTop(img, 60), 0)
	}
	if support.Empty() {
		x.shot("failed-" + what)
		x.t.Fatalf("cannot find the top bar to %s", what)
	}
	y := support.Max.Y - 3
	var runs [][2]int // [right, left] of each button, right to left
	inButton, white := false, 0
	for px := support.Min.X - 1; px > 0; px-- {
		if isWhite(img.At(px, y)) {
			white++
			if inButton && white > 2 {
				runs[len(runs)-1][1] = px + white
				inButton = false
			}
			continue
		}
		white = 0
		if !inButton {
			runs = append(runs, [2]int{px, px})
			inButton = true
		}
	}
	// Antialiased edges make slivers: a button is wider than that.
	var buttons [][2]int
	for _, r := range runs {
		if r[0]-r[1] >= 20 {
			buttons = append(buttons, r)
		}
	}
	runs = buttons
	if len(runs) < n {
		x.shot("failed-" + what)
		x.t.Fatalf("%d buttons left of the primary one, want %d", len(runs), n)
	}
	b := runs[n-1]
	cx, cy := (b[0]+b[1])/2, (support.Min.Y+support.Max.Y)/2
	x.run("mousemove", fmt.Sprint(cx), fmt.Sprint(cy), "click", "1")
	time.Sleep(700 * time.Millisecond)
}

// cropTop is the top h pixels of img.
func cropTop(img image.Image, h int) image.Image {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(b.Min.X, b.Min.Y, b.Max.X, b.Min.Y+h))
	for y := b.Min.Y; y < b.Min.Y+h; y++ {
		for px := b.Min.X; px < b.Max.X; px++ {
			out.Set(px, y, img.At(px, y))
		}
	}
	return out
}

// clickLastTab clicks the last tab of the tab bar whose selected tab is underlined in
// the primary colour: its labels are the groups of dark pixels on the row above.
func (x *xsession) clickLastTab(what string) {
	x.t.Helper()
	var img image.Image
	underline := -1
	for try := 0; try < 20 && underline < 0; try++ {
		time.Sleep(300 * time.Millisecond)
		img = x.screen()
		b := img.Bounds()
		for y := 60; y < 300 && underline < 0; y++ {
			run := 0
			for px := b.Min.X; px < b.Max.X; px++ {
				if isPrimary(img.At(px, y)) {
					run++
				} else {
					run = 0
				}
				if run > 40 && !isPrimary(img.At(px-20, y+5)) {
					underline = y
					break
				}
			}
		}
	}
	if underline < 0 {
		x.shot("failed-" + what)
		x.t.Fatalf("cannot find the tabs to %s", what)
	}
	// The last tab's label ends with the rightmost dark pixel of the labels' row.
	row := underline - 18
	b := img.Bounds()
	// The window's right edge: past it, the screen is black.
	right := b.Max.X
	for right > b.Min.X {
		if r, g, bl, _ := img.At(right-1, 2).RGBA(); r|g|bl != 0 {
			break
		}
		right--
	}
	end := -1
	for px := b.Min.X; px < right; px++ {
		r, g, bl, _ := img.At(px, row).RGBA()
		if (r>>8)+(g>>8)+(bl>>8) < 3*170 {
			end = px
		}
	}
	if end < 0 {
		x.shot("failed-" + what)
		x.t.Fatalf("no tab label on row %d", row)
	}
	x.run("mousemove", fmt.Sprint(end-25), fmt.Sprint(row), "click", "1")
	time.Sleep(700 * time.Millisecond)
}

// isPrimary reports whether c is Fyne's default primary colour.
func isPrimary(c color.Color) bool {
	return !primaryBox(onePixel(c), 0).Empty()
}

// onePixel is an image of one pixel of colour c.
func onePixel(c color.Color) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, c)
	return img
}
