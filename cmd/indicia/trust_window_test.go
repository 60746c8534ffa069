package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"indicia/app/progress"
	"indicia/app/report"
)

// ASCII only: xdotool types it through the X keymap.
const trustWindowPass = "formation Liege automne 2026"

// trustWindowDB makes the database the trust settings test opens: an organisation
// name, a trainer passphrase, this installation's key (sealed into the database), an
// issuer trusted from its key file and one revoked.
func trustWindowDB(t *testing.T, path string) (own string) {
	t.Helper()
	ctx := context.Background()
	s, err := progress.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetIssuerName(ctx, "Académie provinciale de police de Liège"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetupTrainer(ctx, "", trustWindowPass); err != nil {
		t.Fatal(err)
	}
	key, err := report.LoadSigningKeyFor(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.OpenVault(ctx, trustWindowPass)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.SyncSigningKey(ctx, s, v); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"Fedasil — centre de formation de Bruxelles", "Hôpital de la Citadelle, service social"} {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		fp := report.Fingerprint(pub)
		if err := s.TrustKey(ctx, progress.TrustedKey{Fingerprint: fp, PublicKey: pub, Name: name}); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if err := s.RevokeKey(ctx, fp, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return key.Fingerprint()
}

// TestTrustSettingsRealWindow opens the trainer's certificate and trust settings in the
// real binary under Xvfb, in French and in German (whose words run longest), leaves
// screenshots in test-artifacts/trust/<language>, and trusts a new issuer by its
// fingerprint through the window.
func TestTrustSettingsRealWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("the trust settings test needs a real window; skipped with -short")
	}
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing: run `make test-deps`", tool)
			}
			t.Skipf("%s is missing (make test-deps installs it)", tool)
		}
	}
	artefacts, _ := filepath.Abs(filepath.Join("..", "..", "test-artifacts", "trust"))
	os.RemoveAll(artefacts)
	bin := filepath.Join(t.TempDir(), "indicia")
	build := exec.Command("go", "build", "-tags", buildTags, "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	display := startXvfb(t)
	for _, lang := range []struct{ tag, locale string }{{"fr", "fr_BE.UTF-8"}, {"de", "de_BE.UTF-8"}} {
		t.Run(lang.tag, func(t *testing.T) {
			trustSettingsWindow(t, bin, display, lang.tag, lang.locale, filepath.Join(artefacts, lang.tag))
		})
	}
}

func trustSettingsWindow(t *testing.T, bin, display, lang, locale, artefacts string) {
	if err := os.MkdirAll(artefacts, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "trust.db")
	trustWindowDB(t, db)
	logPath := filepath.Join(artefacts, "app.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logFile.Close() })
	app := exec.Command(bin, "--db", db)
	app.Env = append(os.Environ(), "DISPLAY="+display, "LANGUAGE="+lang, "LANG="+locale,
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
	x.shot("01-first-start")

	// The trainer button is the fourth of the top bar's buttons from the right (trainer,
	// glossary, settings, then support, the primary-coloured one).
	bar := topBarButtons(x.screen())
	if len(bar) != 4 {
		x.shot("failed-top-bar")
		t.Fatalf("the top bar shows %d buttons, want 4", len(bar))
	}
	x.clickAt(bar[0])
	x.shot("02-passphrase")
	x.run("type", "--delay", "20", trustWindowPass)
	x.clickPrimary("open trainer mode")
	// The passphrase's hash takes a moment; trainer mode has no trainer button.
	x.waitFor("trainer mode to open", func(img image.Image) bool { return len(topBarButtons(img)) == 3 })
	img := x.shot("03-trainer")

	// The settings tab is the fifth of six (the learning gain comes last); the selected
	// tab is underlined in primary colour.
	tabs := tabLabels(img)
	if len(tabs) != 6 {
		t.Fatalf("trainer mode shows %d tabs, want 6 (%v)", len(tabs), tabs)
	}
	x.clickAt(tabs[4])
	x.waitFor("the settings tab to open", func(img image.Image) bool {
		u := tabUnderline(img)
		return !u.Empty() && u.Min.X < tabs[4].Max.X && u.Max.X > tabs[4].Min.X
	})
	x.shot("04-settings")

	// The trust settings are at the end of the settings. The wheel turns over the left
	// margin, where labels and buttons are: an entry under the pointer would take the
	// wheel for itself.
	margin := image.Pt(tabs[0].Min.X+10, tabs[0].Max.Y+300)
	x.scrollUntil(margin, 3, "05-trust-settings-top")
	img = x.scrollUntil(margin, 40, "06-trust-settings")

	// Trust an issuer by the fingerprint it read over the phone: the last two entries on
	// the page are its fingerprint and its name, then comes the button.
	entries := entryBoxes(img)
	if len(entries) < 2 {
		t.Fatalf("found %d entries at the end of the settings, want the fingerprint and the name", len(entries))
	}
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fp := report.Fingerprint(pub)
	const issuer = "Croix-Rouge de Belgique, formation"
	x.clickAt(entries[len(entries)-2])
	x.run("type", "--delay", "20", report.FormatFingerprint(fp))
	x.clickAt(entries[len(entries)-1])
	x.run("type", "--delay", "20", issuer)
	x.shot("07-issuer-typed")
	x.run("key", "Tab", "space")
	x.waitRows(db, fmt.Sprintf("SELECT count(*) FROM trusted_keys WHERE fingerprint = '%s' AND name = '%s' AND own = 0 AND revoked_from IS NULL", fp, issuer), 1)
	x.scrollUntil(margin, 40, "08-issuer-added")

	logFile.Sync()
	logData, _ := os.ReadFile(logPath)
	if bytes.Contains(logData, []byte("Error in Fyne call thread")) {
		t.Fatalf("the log shows a Fyne threading error:\n%s", logData)
	}
}

// scrollUntil turns the mouse wheel down at p, five notches at a time, at most times
// times or until the window stops moving, and keeps a screenshot named name.
func (x *xsession) scrollUntil(p image.Point, times int, name string) image.Image {
	x.t.Helper()
	var last []byte
	for i := 0; i < times; i++ {
		x.run("mousemove", fmt.Sprint(p.X), fmt.Sprint(p.Y), "click", "--repeat", "5", "--delay", "30", "5")
		shot := x.screenPNG()
		if bytes.Equal(shot, last) {
			break
		}
		last = shot
	}
	return x.shot(name)
}

// entryBoxes finds the text entries on screen, top to bottom: boxes of input colour
// (243) with a two-pixel grey border, at least 150 pixels wide. Buttons (245) and
// selects have no border.
func entryBoxes(img image.Image) []image.Rectangle {
	grey := func(x, y int, lo, hi uint32) bool {
		r, g, b, _ := img.At(x, y).RGBA()
		r, g, b = r>>8, g>>8, b>>8
		return lo <= r && r <= hi && max(r, g, b)-min(r, g, b) <= 2
	}
	border := func(x, y int) bool { return grey(x, y, 198, 218) }
	fill := func(x, y int) bool { return grey(x, y, 241, 244) }
	top := func(x, y int) bool { return border(x, y) && border(x, y+1) && fill(x, y+2) }
	b := img.Bounds()
	var out []image.Rectangle
	for y := b.Min.Y; y < b.Max.Y-3; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if !top(x, y) {
				continue
			}
			x0 := x
			for x < b.Max.X && top(x, y) {
				x++
			}
			if x-x0 < 150 {
				continue
			}
			// The bottom border, down the right end of the box, clear of the text.
			col := x - 4
			y1 := y + 2
			for y1 < b.Max.Y && !border(col, y1) {
				y1++
			}
			if y1-y >= 20 && y1-y <= 60 {
				out = append(out, image.Rect(x0, y, x, y1+2))
			}
		}
	}
	return out
}

// tabUnderline finds the primary-coloured line under the selected tab.
func tabUnderline(img image.Image) image.Rectangle {
	b := img.Bounds()
	// The line is wider than it is tall; the selected tab's label is primary too.
	u := primaryBoxIn(img, image.Rect(b.Min.X, 60, b.Max.X, 240))
	if u.Dy() > 6 {
		return image.Rectangle{}
	}
	return u
}

// tabLabels finds the tabs' labels in the row above the selected tab's underline:
// runs of ink separated by more than a word's gap.
func tabLabels(img image.Image) []image.Rectangle {
	u := tabUnderline(img)
	if u.Empty() {
		return nil
	}
	top, bottom := u.Min.Y-30, u.Min.Y-6
	ink := func(x int) bool {
		for y := top; y < bottom; y++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r>>8 < 200 || g>>8 < 200 || b>>8 < 200 {
				return true
			}
		}
		return false
	}
	var out []image.Rectangle
	start, gap := -1, 0
	for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
		if ink(x) {
			if start < 0 {
				start = x
			}
			gap = 0
			continue
		}
		if start >= 0 {
			gap++
			if gap > 14 {
				out = append(out, image.Rect(start, top, x-gap+1, bottom))
				start = -1
			}
		}
	}
	return out
}

// screenPNG is the screen as PNG bytes, to compare two moments.
func (x *xsession) screenPNG() []byte {
	x.t.Helper()
	var buf bytes.Buffer
	png.Encode(&buf, x.screen())
	return buf.Bytes()
}

// waitFor takes screenshots until ok holds for one, for up to 20 seconds.
func (x *xsession) waitFor(what string, ok func(image.Image) bool) image.Image {
	x.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		img := x.screen()
		if ok(img) {
			return img
		}
		if time.Now().After(deadline) {
			x.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
			x.t.Fatalf("waited 20 s for %s", what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// clickAt clicks the centre of box.
func (x *xsession) clickAt(box image.Rectangle) {
	x.t.Helper()
	c := box.Min.Add(box.Max).Div(2)
	x.run("mousemove", fmt.Sprint(c.X), fmt.Sprint(c.Y), "click", "1")
	time.Sleep(500 * time.Millisecond)
}

// topBarButtons finds the buttons of the top bar, left to right: the runs of button
// colour along a row just inside the support button, the primary-coloured one at the
// right end of the bar.
func topBarButtons(img image.Image) []image.Rectangle {
	support := primaryBoxIn(img, image.Rect(0, 0, img.Bounds().Dx(), 60))
	if support.Empty() {
		return nil
	}
	y := support.Min.Y + 3
	var out []image.Rectangle
	inRun, start := false, 0
	for x := img.Bounds().Min.X; x <= support.Max.X; x++ {
		filled := x < support.Max.X && !isWhite(img.At(x, y))
		switch {
		case filled && !inRun:
			inRun, start = true, x
		case !filled && inRun:
			inRun = false
			if x-start >= 40 {
				out = append(out, image.Rect(start, support.Min.Y, x, support.Max.Y))
			}
		}
	}
	return out
}

func isWhite(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r>>8 >= 252 && g>>8 >= 252 && b>>8 >= 252
}
