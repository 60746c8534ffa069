package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPortableDir(t *testing.T) {
	for exe, want := range map[string]string{
		"/media/stick/Indicia/indicia":                      "/media/stick/Indicia",
		"/Volumes/STICK/Indicia.app/Contents/MacOS/indicia": "/Volumes/STICK",
		"/opt/Contents/MacOS/indicia":                       "/opt/Contents/MacOS", // not in a bundle
	} {
		exe, want = filepath.FromSlash(exe), filepath.FromSlash(want)
		if got := portableDir(exe); got != want {
			t.Errorf("portableDir(%s) = %s, want %s", exe, got, want)
		}
	}
}

// TestPortableModeKeepsTheDataNextToTheProgram builds the real binary into a folder
// standing for a USB stick and asks it where its database is: in the user's data folder,
// then, with an indicia-portable file beside it or --portable, in a data folder beside
// it; --db and INDICIA_DB still win. Then it opens the app in portable mode under Xvfb
// and checks that the database and its first backup are made on the stick, and nothing
// in the user's folders.
func TestPortableModeKeepsTheDataNextToTheProgram(t *testing.T) {
	dir := t.TempDir()
	stick := filepath.Join(dir, "stick")
	os.MkdirAll(stick, 0o755)
	bin := filepath.Join(stick, "indicia")
	build := exec.Command("go", "build", "-tags", buildTags, "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	userData := filepath.Join(dir, "home", ".local", "share")
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "INDICIA_DB=") {
			env = append(env, e)
		}
	}
	env = append(env, "HOME="+filepath.Join(dir, "home"), "XDG_DATA_HOME="+userData,
		"XDG_CONFIG_HOME="+filepath.Join(dir, "home", ".config"), "XDG_CACHE_HOME="+filepath.Join(dir, "home", ".cache"))
	where := func(extraEnv []string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append(args, "--print-db-path")...)
		cmd.Env = append(env, extraEnv...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v --print-db-path: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	onStick := filepath.Join(stick, "data", "indicia.db")
	inUserData := filepath.Join(userData, "indicia", "indicia.db")
	if got := where(nil); got != inUserData {
		t.Errorf("without a marker: %s, want %s", got, inUserData)
	}
	if got := where(nil, "--portable"); got != onStick {
		t.Errorf("--portable: %s, want %s", got, onStick)
	}
	if err := os.WriteFile(filepath.Join(stick, portableMarker), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := where(nil); got != onStick {
		t.Errorf("with %s: %s, want %s", portableMarker, got, onStick)
	}
	if got := where([]string{"INDICIA_DB=/elsewhere/x.db"}); got != "/elsewhere/x.db" {
		t.Errorf("INDICIA_DB does not win over portable mode: %s", got)
	}
	if got := where(nil, "--db", "/other/y.db"); got != "/other/y.db" {
		t.Errorf("--db does not win over portable mode: %s", got)
	}
	// Started through a link elsewhere (as from a menu), it still finds its stick.
	link := filepath.Join(dir, "indicia-link")
	if err := os.Symlink(bin, link); err == nil {
		cmd := exec.Command(link, "--print-db-path")
		cmd.Env = env
		if out, err := cmd.Output(); err != nil || strings.TrimSpace(string(out)) != onStick {
			t.Errorf("through a link: %q, %v; want %s", out, err, onStick)
		}
	}

	// The real app, in portable mode.
	if testing.Short() {
		return
	}
	if _, err := exec.LookPath("Xvfb"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("Xvfb is missing: run `make test-deps`")
		}
		t.Skip("Xvfb is missing (make test-deps installs it)")
	}
	display := startXvfb(t)
	app := exec.Command(bin)
	app.Env = append(env, "DISPLAY="+display)
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		app.Process.Kill()
		app.Wait()
	})
	// The database is opened, and backed up once, as the app starts.
	deadline := time.Now().Add(time.Minute)
	for {
		backups, _ := os.ReadDir(filepath.Join(stick, "data", "backups"))
		if _, err := os.Stat(onStick); err == nil && len(backups) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the app made no database and backup on the stick")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(userData, "indicia")); err == nil {
		t.Error("portable mode wrote into the user's data folder")
	}
}
