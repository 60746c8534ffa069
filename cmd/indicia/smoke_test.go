package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/theme"
	_ "github.com/mattn/go-sqlite3"

	"indicia/app/progress"
	"indicia/modules"
	"indicia/quiz"
)

// TestSmokeRealWindow builds the real binary, runs it in a real window under Xvfb,
// creates a learner and answers a question with xdotool, then checks the rows in the
// SQLite file and the log. Screenshots of each screen go to test-artifacts/smoke.
func TestSmokeRealWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("the smoke test needs a real window; skipped with -short")
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
	artefacts, _ := filepath.Abs(filepath.Join("..", "..", "test-artifacts", "smoke"))
	os.RemoveAll(artefacts)
	if err := os.MkdirAll(artefacts, 0o755); err != nil {
		t.Fatal(err)
	}

	bin := filepath.Join(dir, "indicia")
	build := exec.Command("go", "build", "-tags", buildTags, "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	display := startXvfb(t)
	seed, spot := seedWithSingleChoiceFirst(t)
	db := filepath.Join(dir, "smoke.db")
	logPath := filepath.Join(artefacts, "app.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	start := func() *exec.Cmd {
		app := exec.Command(bin, "--db", db)
		app.Env = append(os.Environ(), "DISPLAY="+display, "LANGUAGE=fr", "LANG=fr_BE.UTF-8",
			"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
			"XDG_DATA_HOME="+filepath.Join(dir, "data"), fmt.Sprintf("INDICIA_SEED=%d", seed))
		app.Stdout, app.Stderr = logFile, logFile
		if err := app.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			app.Process.Kill()
			app.Wait()
		})
		return app
	}
	t.Cleanup(func() { logFile.Close() })
	app := start()

	x := &xsession{t: t, display: display, dir: artefacts}
	x.run("search", "--sync", "--onlyvisible", "--name", "Indicia")
	time.Sleep(time.Second)

	// First start: the name field has the focus; Tab to the role, → twice picks the
	// second role (hospital staff); then the blue button creates the learner.
	x.shot("01-first-start")
	x.run("type", "--delay", "20", "Anais Dubois")
	x.run("key", "Tab", "Right", "Right")
	x.shot("02-learner-filled")
	x.clickPrimary("create the learner")
	x.shot("03-catalog")
	x.waitRows(db, "SELECT count(*) FROM learners WHERE name = 'Anais Dubois' AND role = 'hospital' AND language = 'fr'", 1)

	// The module offers its pre-test first: skipped here (the button beside the primary
	// one); TestMeasurementScreenshots takes it.
	x.clickPrimary("open the core module")
	x.shot("04-pretest-offer")
	x.clickBesidePrimary("skip the pre-test")
	x.waitRows(db, "SELECT count(*) FROM attempts WHERE kind = 'pretest' AND status = 'skipped'", 1)
	x.shot("04-module")
	x.clickPrimary("start the quiz")
	x.shot("05-question")
	x.waitRows(db, "SELECT count(*) FROM attempts WHERE status = 'open' AND kind = 'quiz'", 1)

	// Pick the first option with the number key, then click "check".
	x.run("key", "1")
	x.clickPrimary("check the answer")
	x.shot("06-feedback")
	x.waitRows(db, "SELECT count(*) FROM answers WHERE complete = 1 AND position = 0", 1)

	// Kill the app mid-quiz, start it again: the learner continues where they were.
	app.Process.Kill()
	app.Wait()
	start()
	x.run("search", "--sync", "--onlyvisible", "--name", "Indicia")
	time.Sleep(time.Second)
	x.shot("07-restarted")
	x.clickPrimary("continue as the learner")
	x.clickPrimary("open the core module")
	x.shot("08-module-resume")
	x.clickPrimary("resume the quiz")
	x.shot("09-second-question")
	x.run("key", "1")
	x.clickPrimary("check the answer")
	x.shot("10-second-feedback")
	x.waitRows(db, "SELECT count(*) FROM answers WHERE complete = 1 AND position IN (0, 1)", 2)
	x.waitRows(db, "SELECT count(*) FROM attempts WHERE kind = 'quiz'", 1)

	// The third question is a spot-the-signals situation: past its content note (Enter),
	// mark each sign with its number key, check with Enter.
	x.clickPrimary("go to the next question")
	x.shot("11-spot-note")
	x.run("key", "Return")
	x.shot("12-spot")
	var keys []string
	for i, o := range spot.Options {
		if _, sign := spot.Signs[o.ID]; sign {
			keys = append(keys, strconv.Itoa(i+1))
		}
	}
	x.run(append([]string{"key", "--delay", "150"}, keys...)...)
	x.shot("13-spot-marked")
	x.run("key", "Return")
	x.shot("14-spot-feedback")
	x.waitRows(db, fmt.Sprintf("SELECT count(*) FROM answers WHERE complete = 1 AND position = 2 AND question_id = '%s' AND correct = 1 AND score = 1 AND json_array_length(response, '$.chosen') = %d",
		spot.ID, len(keys)), 1)

	logFile.Sync()
	logData, _ := os.ReadFile(logPath)
	if bytes.Contains(logData, []byte("Error in Fyne call thread")) {
		t.Fatalf("the log shows a Fyne threading error:\n%s", logData)
	}
	if bytes.Contains(logData, []byte("Anais")) {
		t.Error("the log contains the learner's name")
	}
}

// seedWithSingleChoiceFirst finds an INDICIA_SEED whose first draw of the core module
// starts with a single-choice question followed by one answered by choosing options
// (number key 1 then "check"), then a spot-the-signals situation, which it returns,
// drawing as the app does (see UI.rng): a first quiz after a skipped pre-test.
func seedWithSingleChoiceFirst(t *testing.T) (uint64, quiz.Question) {
	cat, err := modules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	core, _ := cat.Module("core")
	bank := core.In("fr").Bank
	for seed := uint64(1); seed < 1000; seed++ {
		plan, err := quiz.DrawQuiz(bank, core.QuizSize, quiz.Prior{}, rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			t.Fatal(err)
		}
		question := func(i int) quiz.Question {
			for _, q := range bank {
				if q.ID == plan[i].QuestionID {
					return q
				}
			}
			return quiz.Question{}
		}
		k := question(1).Kind
		if question(0).Kind == quiz.Single && (k == quiz.Single || k == quiz.TrueFalse || k == quiz.Multiple) &&
			question(2).Kind == quiz.Spot {
			return seed, question(2)
		}
	}
	t.Fatal("no seed starts with a single-choice question and has a spot question third")
	return 0, quiz.Question{}
}

// startXvfb starts an X server on a display it picks itself (-displayfd: no race with
// another test run choosing the same number) and stops it when the test ends.
func startXvfb(t testing.TB) string {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		w.Close()
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			t.Fatal("Xvfb did not start")
		}
		return ":" + n
	case <-time.After(30 * time.Second):
		t.Fatal("Xvfb did not start within 30 s")
	}
	return ""
}

type xsession struct {
	t       *testing.T
	display string
	dir     string
	shots   int
}

func (x *xsession) run(args ...string) {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		x.t.Fatalf("xdotool %v: %v\n%s", args, err, out)
	}
	time.Sleep(300 * time.Millisecond)
}

// screen takes a screenshot of the whole X screen, with the pointer moved off the
// window so no button is drawn hovered.
func (x *xsession) screen() image.Image {
	x.t.Helper()
	x.run("mousemove", "1270", "790")
	cmd := exec.Command("import", "-window", "root", "png:-")
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
	out, err := cmd.Output()
	if err != nil {
		x.t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		x.t.Fatalf("screenshot: %v", err)
	}
	return img
}

func (x *xsession) shot(name string) image.Image {
	x.t.Helper()
	img := x.screen()
	f, err := os.Create(filepath.Join(x.dir, name+".png"))
	if err != nil {
		x.t.Fatal(err)
	}
	defer f.Close()
	png.Encode(f, img)
	return img
}

// clickPrimary clicks the one high-importance (primary-coloured) button in the window's
// content, below the top bar, whose own help button is primary too. Finding it by colour
// keeps the test independent of the layout and the language.
func (x *xsession) clickPrimary(what string) {
	x.t.Helper()
	var box image.Rectangle
	for try := 0; try < 20; try++ {
		img := x.screen()
		box = primaryBox(img, 60)
		if !box.Empty() {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if box.Empty() || box.Dx() > 700 || box.Dy() > 80 {
		x.shot(fmt.Sprintf("failed-%s", strings.ReplaceAll(what, " ", "-")))
		x.t.Fatalf("cannot find the button to %s (found %v)", what, box)
	}
	c := box.Min.Add(box.Max).Div(2)
	x.run("mousemove", fmt.Sprint(c.X), fmt.Sprint(c.Y), "click", "1")
	time.Sleep(500 * time.Millisecond)
}

// clickBesidePrimary clicks the button just left of the primary one (the secondary
// choice of a pair, such as skipping the pre-test beside starting it).
func (x *xsession) clickBesidePrimary(what string) {
	x.t.Helper()
	var box image.Rectangle
	for try := 0; try < 20; try++ {
		if box = primaryBox(x.screen(), 60); !box.Empty() {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if box.Empty() {
		x.shot(fmt.Sprintf("failed-%s", strings.ReplaceAll(what, " ", "-")))
		x.t.Fatalf("cannot find the button to %s", what)
	}
	y := (box.Min.Y + box.Max.Y) / 2
	x.run("mousemove", fmt.Sprint(box.Min.X-40), fmt.Sprint(y), "click", "1")
	time.Sleep(500 * time.Millisecond)
}

// scrollToPrimary scrolls the window's content down, a few wheel clicks at a time, until
// a primary button shows below the top bar: at the largest text size the button a test
// wants can start below the fold.
func (x *xsession) scrollToPrimary() {
	x.t.Helper()
	for try := 0; try < 12; try++ {
		time.Sleep(300 * time.Millisecond)
		if !primaryBox(x.screen(), 110).Empty() {
			return
		}
		x.run("mousemove", "500", "400", "click", "--repeat", "3", "5")
	}
}

// primaryBox returns the bounding box of the largest connected area of primary colour
// below minY: a high-importance button (a selected radio mark is primary too, but small).
func primaryBox(img image.Image, minY int) image.Rectangle {
	b := img.Bounds()
	return primaryBoxIn(img, image.Rect(b.Min.X, max(b.Min.Y, minY), b.Max.X, b.Max.Y))
}

// primaryBoxIn is primaryBox within the rectangle r.
func primaryBoxIn(img image.Image, r image.Rectangle) image.Rectangle {
	want := theme.PrimaryColorNamed(theme.ColorBlue) // Fyne's default primary colour
	wr, wg, wb, _ := want.RGBA()
	near := func(c color.Color) bool {
		r, g, b, _ := c.RGBA()
		d := func(a, b uint32) bool { return a>>8 <= b>>8+6 && b>>8 <= a>>8+6 }
		return d(r, wr) && d(g, wg) && d(b, wb)
	}
	b := r.Intersect(img.Bounds())
	seen := map[image.Point]bool{}
	var best image.Rectangle
	bestArea := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := image.Pt(x, y)
			if seen[p] || !near(img.At(x, y)) {
				continue
			}
			// Flood fill this area.
			box, area := image.Rectangle{}, 0
			stack := []image.Point{p}
			seen[p] = true
			for len(stack) > 0 {
				q := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				box, area = box.Union(image.Rect(q.X, q.Y, q.X+1, q.Y+1)), area+1
				for _, n := range []image.Point{{q.X + 1, q.Y}, {q.X - 1, q.Y}, {q.X, q.Y + 1}, {q.X, q.Y - 1}} {
					if n.In(b) && !seen[n] && near(img.At(n.X, n.Y)) {
						seen[n] = true
						stack = append(stack, n)
					}
				}
			}
			if area > bestArea {
				best, bestArea = box, area
			}
		}
	}
	return best
}

// waitRows waits until query returns want.
func (x *xsession) waitRows(db, query string, want int) {
	x.t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		x.t.Fatal(err)
	}
	defer conn.Close()
	got := -1
	for i := 0; i < 40; i++ {
		if err := conn.QueryRow(query).Scan(&got); err == nil && got == want {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	x.t.Fatalf("%s: got %d, want %d", query, got, want)
}

// TestSpotScreenshotsInEveryLanguage opens the real binary under Xvfb at the largest
// text size in each language on a spot-the-signals situation, answers it with the
// keyboard alone, and leaves screenshots of the situation and its feedback in
// test-artifacts/spot.
func TestSpotScreenshotsInEveryLanguage(t *testing.T) {
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
	artefacts, _ := filepath.Abs(filepath.Join("..", "..", "test-artifacts", "spot"))
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
	display := startXvfb(t)
	for _, lang := range []string{"fr", "nl", "en", "de"} {
		t.Run(lang, func(t *testing.T) {
			var spot quiz.Question
			for _, q := range core.In(lang).Bank {
				if q.Kind == quiz.Spot {
					spot = q
					break
				}
			}
			db := filepath.Join(dir, lang+".db")
			store, err := progress.Open(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			l, err := store.CreateLearner(context.Background(), progress.NewLearner{Name: "Test " + lang, Role: "police", Language: lang})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := store.StartAttempt(context.Background(), progress.NewAttempt{LearnerID: l.ID, ModuleID: "core",
				ContentVersion: core.Version, Language: lang, Plan: quiz.Plan{{QuestionID: spot.ID}}, PassMark: core.PassMark}); err != nil {
				t.Fatal(err)
			}
			store.Close()
			// The machine's preferences: this language, the largest text size.
			config := filepath.Join(dir, "config-"+lang)
			prefDir := filepath.Join(config, "fyne", appID)
			os.MkdirAll(prefDir, 0o755)
			if err := os.WriteFile(filepath.Join(prefDir, "preferences.json"),
				[]byte(fmt.Sprintf(`{"language": %q, "text_scale": 1.5}`, lang)), 0o644); err != nil {
				t.Fatal(err)
			}
			app := exec.Command(bin, "--db", db)
			app.Env = append(os.Environ(), "DISPLAY="+display, "XDG_CONFIG_HOME="+config,
				"XDG_CACHE_HOME="+filepath.Join(dir, "cache-"+lang), "XDG_DATA_HOME="+filepath.Join(dir, "data-"+lang))
			logPath := filepath.Join(artefacts, lang+".log")
			logFile, _ := os.Create(logPath)
			app.Stdout, app.Stderr = logFile, logFile
			if err := app.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				app.Process.Kill()
				app.Wait()
				logFile.Close()
				if data, _ := os.ReadFile(logPath); bytes.Contains(data, []byte("Error in Fyne call thread")) {
					t.Errorf("the log shows a Fyne threading error:\n%s", data)
				}
			}()
			x := &xsession{t: t, display: display, dir: artefacts}
			x.run("search", "--sync", "--onlyvisible", "--name", "Indicia")
			time.Sleep(time.Second)
			x.clickPrimary("continue as the learner")
			x.scrollToPrimary()
			x.clickPrimary("open the core module")
			x.scrollToPrimary()
			x.clickPrimary("resume the quiz")
			x.run("key", "Return") // past the content note
			x.shot(lang + "-1-situation")
			var keys []string
			for i, o := range spot.Options {
				if _, sign := spot.Signs[o.ID]; sign && i != 0 {
					keys = append(keys, strconv.Itoa(i+1))
				}
			}
			if _, sign := spot.Signs[spot.Options[0].ID]; !sign {
				keys = append(keys, "1") // one phrase that is not a sign: partly right
			}
			x.run(append([]string{"key", "--delay", "150"}, keys...)...)
			x.shot(lang + "-2-marked")
			x.run("key", "Return")
			x.shot(lang + "-3-feedback")
			// The feedback on every phrase runs below: three more screens of it.
			for i := range 3 {
				x.run("mousemove", "500", "450", "click", "--repeat", "14", "5")
				x.shot(fmt.Sprintf("%s-%d-feedback-more", lang, 4+i))
			}
			x.waitRows(db, fmt.Sprintf("SELECT count(*) FROM answers WHERE question_id = '%s' AND complete = 1 AND correct = 0", spot.ID), 1)
		})
	}
}

// TestSmokeTenThousandLearners opens the real binary in a real window under Xvfb on a
// database of 10,000 demo learners, finds a learner who has not trained for long (so not
// among those listed first) by typing their name in the first screen's search, and
// continues as them. Screenshots go to test-artifacts/smoke-10k.
func TestSmokeTenThousandLearners(t *testing.T) {
	if testing.Short() {
		t.Skip("the smoke test needs a real window; skipped with -short")
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
	artefacts, _ := filepath.Abs(filepath.Join("..", "..", "test-artifacts", "smoke-10k"))
	os.RemoveAll(artefacts)
	if err := os.MkdirAll(artefacts, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "indicia")
	if out, err := exec.Command("go", "build", "-tags", buildTags, "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "demo.db")
	if code, _, stderr := reportRun("demo", "--db", db, "--learners", "10000", "--seed", "7"); code != 0 {
		t.Fatalf("indicia demo: %s", stderr)
	}
	// A learner whose name no one else has, among the least recently active; a name in
	// plain ASCII, which xdotool types whatever the X server's keymap (it drops an é).
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	var name string
	var active int64
	err = conn.QueryRow(`SELECT id, name, last_active_at FROM learners WHERE name IN
		(SELECT name FROM learners GROUP BY name HAVING count(*) = 1) AND name NOT GLOB '*[^ -~]*'
		ORDER BY last_active_at LIMIT 1`).Scan(&id, &name, &active)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}

	display := startXvfb(t)
	logPath := filepath.Join(artefacts, "app.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	app := exec.Command(bin, "--db", db)
	app.Env = append(os.Environ(), "DISPLAY="+display, "LANGUAGE=fr", "LANG=fr_BE.UTF-8",
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"))
	app.Stdout, app.Stderr = logFile, logFile
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		app.Process.Kill()
		app.Wait()
	})
	x := &xsession{t: t, display: display, dir: artefacts}
	x.run("search", "--sync", "--onlyvisible", "--name", "Indicia")
	time.Sleep(time.Second)
	x.shot("01-first-screen-10000-learners")

	// The search field has the focus: type the name, then continue as the one match.
	x.run("type", "--delay", "20", name)
	time.Sleep(500 * time.Millisecond)
	x.shot("02-found-by-search")
	x.clickPrimary("continue as the learner found")
	x.shot("03-their-catalog")
	x.waitRows(db, fmt.Sprintf("SELECT count(*) FROM learners WHERE id = %d AND last_active_at > %d", id, active), 1)

	logFile.Sync()
	logData, _ := os.ReadFile(logPath)
	if bytes.Contains(logData, []byte("Error in Fyne call thread")) {
		t.Fatalf("the log shows a Fyne threading error:\n%s", logData)
	}
}
