package main

import (
	"bytes"
	"context"
	"database/sql"
	"debug/pe"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/BurntSushi/toml"
)

// The Windows build is tested from Linux: `make test` cross-compiles dist/Indicia.exe and
// its installer (make package-windows) and passes their paths in INDICIA_WINDOWS_EXE and
// INDICIA_WINDOWS_SETUP.

// identity is the id, name and version of the top-level FyneApp.toml.
type identity struct {
	ID, Name, Version string
	Build             int
}

func fyneAppIdentity(t *testing.T) identity {
	t.Helper()
	var meta struct{ Details identity }
	if _, err := toml.DecodeFile("../../FyneApp.toml", &meta); err != nil {
		t.Fatal(err)
	}
	return meta.Details
}

// windowsExe is the .exe `make package-windows` built, or skips the test (fails it in CI).
func windowsExe(t *testing.T) string {
	t.Helper()
	exe := os.Getenv("INDICIA_WINDOWS_EXE")
	if exe == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("INDICIA_WINDOWS_EXE is not set: run the tests with `make test`")
		}
		t.Skip("no Windows build to test (make test builds one)")
	}
	if _, err := os.Stat(exe); err != nil {
		t.Fatal(err)
	}
	return exe
}

// TestWindowsExeCarriesIdentity reads the .exe's resources: the icon, the version
// information and the manifest `fyne package -os windows` would give it, with the
// identity of FyneApp.toml. It is a GUI program (no console window) and has SQLite
// built in (it imports no sqlite3.dll).
func TestWindowsExeCarriesIdentity(t *testing.T) {
	exe := windowsExe(t)
	id := fyneAppIdentity(t)
	f, err := pe.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if oh, ok := f.OptionalHeader.(*pe.OptionalHeader64); !ok || oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		t.Errorf("not a 64-bit GUI program: %T", f.OptionalHeader)
	}
	libs, _ := f.ImportedLibraries()
	for _, l := range libs {
		if strings.Contains(strings.ToLower(l), "sqlite") {
			t.Errorf("imports %s: SQLite must be built in", l)
		}
	}
	res := resources(t, f)
	for _, typ := range []struct {
		id   uint32
		name string
	}{{3, "icon"}, {14, "icon group"}, {16, "version information"}, {24, "manifest"}} {
		if len(res[typ.id]) == 0 {
			t.Errorf("no %s resource", typ.name)
		}
	}
	if n := len(res[3]); n < 5 {
		t.Errorf("%d icon sizes, want the 6 of the icon file", n)
	}
	// Windows's four numbers: the version without a pre-release part, and the build.
	quad := fmt.Sprintf("%s.%d", strings.FieldsFunc(id.Version, func(r rune) bool { return r == '-' || r == '+' })[0], id.Build)
	if len(res[16]) > 0 {
		vi := res[16][0]
		for _, want := range []string{"ProductName", id.Name, "ProductVersion", quad, "FileDescription", id.ID} {
			if !bytes.Contains(vi, utf16le(want)) {
				t.Errorf("the version information lacks %q", want)
			}
		}
	}
	if len(res[24]) > 0 {
		m := string(res[24][0])
		for _, want := range []string{`version="` + quad + `"`, `name="` + id.ID + `"`, `level="asInvoker"`} {
			if !strings.Contains(m, want) {
				t.Errorf("the manifest lacks %s:\n%s", want, m)
			}
		}
	}
}

// TestWindowsInstallerAsksNoAdminRights reads the installer's manifest: it runs as the
// user who starts it (asInvoker), so Windows asks for no administrator password, and it
// carries the app's icon and version.
func TestWindowsInstallerAsksNoAdminRights(t *testing.T) {
	windowsExe(t)
	setup := os.Getenv("INDICIA_WINDOWS_SETUP")
	if setup == "" {
		t.Skip("no installer to check (make test builds one)")
	}
	id := fyneAppIdentity(t)
	f, err := pe.Open(setup)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res := resources(t, f)
	if len(res[24]) == 0 || !strings.Contains(string(res[24][0]), `level="asInvoker"`) {
		t.Errorf("the installer may ask for administrator rights: its manifest is\n%s", res[24])
	}
	if len(res[16]) == 0 || !bytes.Contains(res[16][0], utf16le(id.Version)) {
		t.Error("the installer's version information lacks the version")
	}
	if len(res[3]) == 0 {
		t.Error("the installer has no icon")
	}
}

// resources returns the data of each resource of the PE file by type id.
func resources(t *testing.T, f *pe.File) map[uint32][][]byte {
	t.Helper()
	sec := f.Section(".rsrc")
	if sec == nil {
		t.Fatal("the .exe has no resources")
	}
	data, err := sec.Data()
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	out := map[uint32][][]byte{}
	// A resource directory: 16 bytes of header, whose last two words count the named
	// and numbered entries, then 8-byte entries (id, offset; the offset's high bit
	// marks a subdirectory). Three levels: type, id, language; the leaves give the
	// data's address and size.
	var walk func(off uint32, level int, typ uint32)
	walk = func(off uint32, level int, typ uint32) {
		if int(off)+16 > len(data) || level > 3 {
			t.Fatalf("damaged resource directory at %#x", off)
		}
		n := int(le.Uint16(data[off+12:])) + int(le.Uint16(data[off+14:]))
		for i := range n {
			e := off + 16 + uint32(i)*8
			name, target := le.Uint32(data[e:]), le.Uint32(data[e+4:])
			if level == 0 {
				typ = name
			}
			if target&0x80000000 != 0 {
				walk(target&0x7fffffff, level+1, typ)
				continue
			}
			rva, size := le.Uint32(data[target:]), le.Uint32(data[target+4:])
			start := rva - sec.VirtualAddress
			if int(start+size) > len(data) {
				t.Fatalf("resource data out of the section")
			}
			out[typ] = append(out[typ], data[start:start+size])
		}
	}
	walk(0, 0, 0)
	return out
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// wine runs Windows programs in a Wine prefix of its own, on an X display.
type wine struct {
	t       *testing.T
	prefix  string
	tmp     string // where the Wine server puts its socket (TMPDIR), removed with the test
	display string
	user    string // the Windows user's folder name
}

// env is the environment of a Windows program: later NAME=value entries win.
func (w *wine) env(extra ...string) []string {
	env := append(os.Environ(),
		"WINEPREFIX="+w.prefix, "TMPDIR="+w.tmp, "WINEDEBUG=-all", "WINEARCH=win64", "DISPLAY="+w.display,
		// No Mono or Gecko installer on first start: the app needs neither.
		"WINEDLLOVERRIDES=mscoree,mshtml=")
	return append(env, extra...)
}

// run runs a Windows program to its end and returns its output.
func (w *wine) run(what string, args ...string) string {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "wine", args...)
	cmd.Env = w.env()
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		w.t.Fatalf("%s: wine %v: %v\n%s", what, args, err, out.Bytes())
	}
	w.t.Logf("%s: %v", what, time.Since(start).Round(100*time.Millisecond))
	return out.String()
}

// wait waits until every program of the prefix has ended and the Wine server has
// written the registry out and stopped.
func (w *wine) wait() {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "wineserver", "-w")
	cmd.Env = w.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		w.t.Fatalf("wineserver -w: %v\n%s", err, out)
	}
}

// c is the Linux path of a file on the prefix's drive C:, given as a Windows path
// relative to C:\ with forward slashes.
func (w *wine) c(path string) string {
	return filepath.Join(w.prefix, "drive_c", filepath.FromSlash(path))
}

func (w *wine) registry() string {
	data, err := os.ReadFile(filepath.Join(w.prefix, "user.reg"))
	if err != nil {
		w.t.Fatal(err)
	}
	return string(data)
}

// TestWindowsBuildUnderWine installs the Windows build with its installer under Wine,
// in an X server of its own, opens it, creates a learner and answers a question with
// xdotool as the Linux smoke test does, checks the rows in the SQLite file in the
// user's %AppData%, closes the app, and uninstalls it: the learner data stays unless
// asked to go. It also checks portable mode: a copy next to an indicia-portable file
// keeps its data next to itself. Screenshots go to test-artifacts/wine.
func TestWindowsBuildUnderWine(t *testing.T) {
	if testing.Short() {
		t.Skip("the Wine test needs Wine and a real window; skipped with -short")
	}
	exe := windowsExe(t)
	if runtime.GOOS != "linux" {
		t.Skip("the Wine test runs on Linux")
	}
	for _, tool := range []string{"wine", "wineserver", "Xvfb", "xdotool", "import", "x86_64-w64-mingw32-gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing: run `make test-deps` and `make windows-deps`", tool)
			}
			t.Skipf("%s is missing (make test-deps and make windows-deps install it)", tool)
		}
	}
	setup := os.Getenv("INDICIA_WINDOWS_SETUP")
	if setup == "" && os.Getenv("CI") != "" {
		t.Fatal("INDICIA_WINDOWS_SETUP is not set: run the tests with `make test`")
	}
	id := fyneAppIdentity(t)
	began := time.Now()
	dir := t.TempDir()
	artefacts, _ := filepath.Abs(filepath.Join("..", "..", "test-artifacts", "wine"))
	os.RemoveAll(artefacts)
	if err := os.MkdirAll(artefacts, 0o755); err != nil {
		t.Fatal(err)
	}

	w := &wine{t: t, prefix: filepath.Join(dir, "prefix"), tmp: filepath.Join(dir, "tmp"), display: startXvfb(t)}
	if err := os.Mkdir(w.tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	// Registered after the temporary folder and the X server, so it runs before they
	// go: every Windows program of the prefix, and the Wine server, are stopped.
	t.Cleanup(func() {
		kill := exec.Command("wineserver", "-k")
		kill.Env = w.env()
		kill.Run()
		wait := exec.Command("wineserver", "-w")
		wait.Env = w.env()
		wait.Run()
	})
	w.run("create the Wine prefix", "wineboot", "--init")
	w.wait()
	users, _ := filepath.Glob(w.c("users/*/AppData"))
	for _, u := range users {
		if name := filepath.Base(filepath.Dir(u)); name != "Public" {
			w.user = name
		}
	}
	if w.user == "" {
		t.Fatalf("no user folder in the Wine prefix: %v", users)
	}

	// Wine 8 has no bcryptprimitives.dll, which Go programs load at start: build the
	// stand-in and put it where Windows keeps its own.
	dll := filepath.Join(dir, "bcryptprimitives.dll")
	build := exec.Command("x86_64-w64-mingw32-gcc", "-shared", "-O2", "-s", "-o", dll,
		filepath.Join("testdata", "bcryptprimitives.c"), "-ladvapi32")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the stand-in bcryptprimitives.dll: %v\n%s", err, out)
	}
	dllData, err := os.ReadFile(dll)
	if err != nil {
		t.Fatal(err)
	}
	for _, sys := range []string{"windows/system32", "windows/syswow64"} {
		if _, err := os.Stat(w.c(sys)); err == nil || sys == "windows/system32" {
			if err := os.WriteFile(w.c(sys+"/bcryptprimitives.dll"), dllData, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	home := "users/" + w.user
	installDir := home + "/AppData/Local/Programs/Indicia"
	shortcut := w.c(home + "/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Indicia.lnk")
	dataDir := w.c(home + "/AppData/Roaming/indicia")
	db := filepath.Join(dataDir, "indicia.db")
	uninstallKey := `[Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\` + id.ID + `]`

	// Install for this user, silently, as a user without administrator rights would.
	app := exe
	if setup != "" {
		w.run("install", setup, "/S")
		w.wait()
		for _, f := range []string{w.c(installDir + "/Indicia.exe"), w.c(installDir + "/Uninstall.exe"), shortcut} {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("not installed: %v", err)
			}
		}
		reg := w.registry()
		if !strings.Contains(reg, uninstallKey) || !strings.Contains(reg, `"DisplayVersion"="`+id.Version+`"`) {
			t.Errorf("the uninstaller is not listed for this user (HKCU %s)", uninstallKey)
		}
		app = w.c(installDir + "/Indicia.exe")
	}

	// --version answers without a window: the identity is built in.
	if out := w.run("--version", app, "--version"); !strings.Contains(out, "Indicia "+id.Version+" ("+id.ID+")") {
		t.Errorf("--version says %q", out)
	}

	// The real window: create a learner, answer a question.
	seed, _ := seedWithSingleChoiceFirst(t)
	logPath := filepath.Join(artefacts, "app.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	opened := time.Now()
	cmd := exec.Command("wine", app)
	cmd.Env = w.env("LANGUAGE=fr", "LANG=fr_BE.UTF-8", fmt.Sprintf("INDICIA_SEED=%d", seed))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})

	x := &xsession{t: t, display: w.display, dir: artefacts}
	win := waitWindow(t, w.display, "Indicia")
	t.Logf("window shown: %v", time.Since(opened).Round(100*time.Millisecond))
	time.Sleep(time.Second)
	// With no window manager, nothing gives Wine's window the keyboard: give it.
	x.run("windowfocus", "--sync", win)
	x.shot("01-first-start")
	x.run("type", "--delay", "20", "Anais Dubois")
	x.run("key", "Tab", "Right", "Right")
	x.shot("02-learner-filled")
	x.clickPrimary("create the learner")
	x.shot("03-catalog")
	x.waitRows(db, "SELECT count(*) FROM learners WHERE name = 'Anais Dubois' AND role = 'hospital' AND language = 'fr'", 1)
	x.clickPrimary("open the core module")
	x.clickBesidePrimary("skip the pre-test") // offered on first opening the module
	x.clickPrimary("start the quiz")
	x.shot("04-question")
	x.waitRows(db, "SELECT count(*) FROM attempts WHERE status = 'open' AND kind = 'quiz'", 1)
	x.run("key", "1")
	x.clickPrimary("check the answer")
	x.shot("05-feedback")
	x.waitRows(db, "SELECT count(*) FROM answers WHERE complete = 1 AND position = 0", 1)

	// Close the window as a Windows user would (Alt+F4): the app ends by itself.
	x.run("windowfocus", "--sync", win)
	x.run("key", "alt+F4")
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		if err != nil {
			t.Errorf("the app ended with %v", err)
		}
	case <-time.After(2 * time.Minute):
		x.shot("failed-close")
		t.Fatal("the app did not end after Alt+F4")
	}
	logFile.Sync()
	if logData, _ := os.ReadFile(logPath); bytes.Contains(logData, []byte("Error in Fyne call thread")) {
		t.Fatalf("the log shows a Fyne threading error:\n%s", logData)
	}
	w.wait()
	checkRows(t, db, "SELECT count(*) FROM answers WHERE complete = 1", 1)
	if backups, _ := os.ReadDir(filepath.Join(dataDir, "backups")); len(backups) == 0 {
		t.Error("no backup beside the database in the user's AppData\\Roaming\\indicia")
	}

	if setup != "" {
		// Uninstall silently (_?= runs the uninstaller in place, so Wine waits for it):
		// the program, its shortcut and its listing go, the learner data stays...
		uninstaller := w.c(installDir + "/Uninstall.exe")
		winDir := `_?=C:\` + strings.ReplaceAll(installDir, "/", `\`)
		w.run("uninstall", uninstaller, "/S", winDir)
		w.wait()
		for _, f := range []string{w.c(installDir + "/Indicia.exe"), shortcut} {
			if _, err := os.Stat(f); err == nil {
				t.Errorf("%s is still there after uninstalling", f)
			}
		}
		if strings.Contains(w.registry(), uninstallKey) {
			t.Error("the uninstaller is still listed after uninstalling")
		}
		if _, err := os.Stat(db); err != nil {
			t.Errorf("uninstalling removed the learner data: %v", err)
		}
		// ...unless the user asks for it to go.
		w.run("uninstall and remove the data", uninstaller, "/S", "/REMOVEDATA", winDir)
		w.wait()
		if _, err := os.Stat(dataDir); err == nil {
			t.Error("the learner data is still there after uninstalling with /REMOVEDATA")
		}
	}

	// Portable mode: a copy on a "stick" beside an indicia-portable file.
	stick := w.c("stick")
	if err := os.MkdirAll(stick, 0o755); err != nil {
		t.Fatal(err)
	}
	exeData, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stick, "Indicia.exe"), exeData, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stick, portableMarker), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// The path is the first line; the journal mode follows on stderr, which Wine's
	// output here mixes in.
	out, _, _ := strings.Cut(strings.TrimSpace(w.run("portable path", filepath.Join(stick, "Indicia.exe"), "--print-db-path")), "\n")
	if out = strings.TrimSpace(out); !strings.EqualFold(out, `C:\stick\data\indicia.db`) {
		t.Errorf("a portable copy keeps its data in %q, want C:\\stick\\data\\indicia.db", out)
	}
	t.Logf("whole Wine test: %v", time.Since(began).Round(time.Second))
}

// waitWindow waits for a visible window whose name contains name and returns its id.
// Under Wine the first start can be slow, hence the long limit.
func waitWindow(t *testing.T, display, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xdotool", "search", "--sync", "--onlyvisible", "--name", name)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("no window named %s: %v", name, err)
	}
	ids := strings.Fields(string(out))
	if len(ids) == 0 {
		t.Fatalf("no window named %s", name)
	}
	return ids[len(ids)-1]
}

// checkRows checks a query's count on a database no program has open.
func checkRows(t *testing.T, db, query string, want int) {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var got int
	if err := conn.QueryRow(query).Scan(&got); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if got != want {
		t.Errorf("%s: got %d, want %d", query, got, want)
	}
}
