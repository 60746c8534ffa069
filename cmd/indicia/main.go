// Command indicia is the Indicia training app. Without arguments it opens the desktop
// app; `indicia content check` validates the training content without a display.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"indicia/modules"
)

// The application's identity. `make build` sets these from the top-level FyneApp.toml
// (-ldflags -X); in a plain `go build` version stays empty and Fyne reads FyneApp.toml
// from the working folder when there is one.
var (
	appID       = "be.indicia.training"
	version     = ""
	buildNumber = ""
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is a subcommand: it runs with the arguments after its name and returns the
// exit status.
type command func(args []string, stdout, stderr io.Writer) int

// commands are the subcommands, by name; without one, indicia opens the desktop app.
var commands = map[string]command{
	"content":     contentCommand,
	"demo":        demoCommand,
	"report":      reportCommand,
	"certificate": certificateCommand,
	"verify":      verifyCommand,
	"xapi":        xapiCommand,
	"bundle":      bundleCommand,
	"trust":       trustCommand,
	"trainer":     trainerCommand,
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) >= 1 {
		if cmd, ok := commands[args[0]]; ok {
			return cmd(args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("indicia", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "progress database file (default: $INDICIA_DB, else indicia.db in the user's data folder)")
	portable := fs.Bool("portable", false, "keep the data in a folder named data next to the program, as when a file named "+portableMarker+" is there")
	printPath := fs.Bool("print-db-path", false, "print where the progress database is, then exit")
	showVersion := fs.Bool("version", false, "print the app and content versions, then exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *showVersion {
		return printVersion(stdout, stderr)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "indicia: unknown command %q (try: indicia content check)\n", fs.Arg(0))
		return 2
	}
	path, err := dataPath(*db, *portable)
	if err != nil {
		fmt.Fprintln(stderr, "indicia:", err)
		return 1
	}
	if *printPath {
		fmt.Fprintln(stdout, path)
		printJournal(path, stderr)
		return 0
	}
	return runApp(context.Background(), path, stderr)
}

// contentCommand runs `indicia content check [--json]`: it validates the training
// content, then prints a summary line and each module's skill mix, or with --json the
// content's make-up as one JSON object. Either way it fails (exit 1) on any error, the
// targets of what the banks train included, listing the errors on stderr.
func contentCommand(args []string, stdout, stderr io.Writer) int {
	return checkContent(modules.Embedded(), args, stdout, stderr)
}

// checkContent is contentCommand on the content in fsys.
func checkContent(fsys fs.FS, args []string, stdout, stderr io.Writer) int {
	asJSON := len(args) == 2 && args[1] == "--json"
	if len(args) < 1 || args[0] != "check" || len(args) > 2 || len(args) == 2 && !asJSON {
		fmt.Fprintln(stderr, "usage: indicia content check [--json]")
		return 2
	}
	report, err := modules.Check(fsys)
	var errs modules.Errors
	if err != nil && !errors.As(err, &errs) {
		fmt.Fprintln(stderr, "indicia:", err)
		return 1
	}
	for _, e := range errs {
		fmt.Fprintln(stderr, "modules/"+e.Error())
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			fmt.Fprintln(stderr, "indicia:", err)
			return 1
		}
	}
	if err != nil {
		return 1
	}
	if !asJSON {
		cat, err := modules.Load(fsys)
		if err != nil {
			fmt.Fprintln(stderr, "indicia:", err)
			return 1
		}
		fmt.Fprintln(stdout, cat.Stats().Summary())
		for _, mm := range report.Modules {
			fmt.Fprintln(stdout, "  "+mm.MixLine())
		}
	}
	return 0
}

// printVersion prints the app's id and version (from FyneApp.toml, which `make package`
// builds in; "dev" in a plain build) and each module's content version.
func printVersion(stdout, stderr io.Writer) int {
	id, version := appMetadata()
	fmt.Fprintf(stdout, "Indicia %s (%s)\n", version, id)
	cat, err := modules.LoadEmbedded()
	if err != nil {
		fmt.Fprintln(stderr, "indicia: the built-in training content is broken:", err)
		return 1
	}
	for _, m := range cat.Modules {
		fmt.Fprintf(stdout, "content %s %s (source: %s, %s)\n", m.ID, m.Version, m.Source, m.SourceDate)
	}
	return 0
}

// databasePath is --db, else $INDICIA_DB, else data/indicia.db next to the program in
// portable mode (see portableDir), else indicia.db in the user's data folder. The
// backups and keys live beside the database, so they follow it.
func databasePath(flagValue string) (string, error) {
	return dataPath(flagValue, false)
}

// dataPath is databasePath with portable mode forced on by --portable.
func dataPath(flagValue string, portable bool) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if env := os.Getenv("INDICIA_DB"); env != "" {
		return env, nil
	}
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil && portable {
		return "", fmt.Errorf("cannot find the program's folder for --portable (%v); set --db", err)
	}
	if err == nil {
		if dir := portableDir(exe); portable || hasPortableMarker(dir) {
			return filepath.Join(dir, "data", "indicia.db"), nil
		}
	}
	dir, err := userDataDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user's data folder (%v); set --db or INDICIA_DB", err)
	}
	return filepath.Join(dir, "indicia", "indicia.db"), nil
}

// portableMarker is the file whose presence next to the program turns on portable mode,
// for a copy of the app carried on a USB stick: the data then stays on the stick.
const portableMarker = "indicia-portable"

// portableDir is the folder a portable copy of the app keeps its data folder in: the
// program's own folder, or on macOS the folder that holds the Indicia.app bundle (the
// program itself is inside it, in Contents/MacOS).
func portableDir(exe string) string {
	dir := filepath.Dir(exe)
	if macOS := filepath.Join("Contents", "MacOS"); strings.HasSuffix(dir, string(filepath.Separator)+macOS) {
		if bundle := filepath.Dir(filepath.Dir(dir)); strings.HasSuffix(strings.ToLower(bundle), ".app") {
			return filepath.Dir(bundle)
		}
	}
	return dir
}

// hasPortableMarker reports whether dir holds the portable marker file. Windows
// Explorer hides file extensions, so a marker made there with Notepad, named
// indicia-portable.txt, counts too.
func hasPortableMarker(dir string) bool {
	for _, name := range []string{portableMarker, portableMarker + ".txt"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && !fi.IsDir() {
			return true
		}
	}
	return false
}

// userDataDir is where an application keeps its data: $XDG_DATA_HOME or
// ~/.local/share on Linux and BSD, %AppData% on Windows, Application Support on macOS.
func userDataDir() (string, error) {
	switch runtime.GOOS {
	case "windows", "darwin":
		return os.UserConfigDir()
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "share"), nil
}
