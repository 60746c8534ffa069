// Command indicia is the Indicia training app. Without arguments it opens the desktop
// app; `indicia content check` validates the training content without a display.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

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

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) >= 1 && args[0] == "content" {
		return contentCommand(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("indicia", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "progress database file (default: $INDICIA_DB, else indicia.db in the user's data folder)")
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
	path, err := databasePath(*db)
	if err != nil {
		fmt.Fprintln(stderr, "indicia:", err)
		return 1
	}
	return runApp(context.Background(), path, stderr)
}

// contentCommand runs `indicia content check`.
func contentCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: indicia content check")
		return 2
	}
	cat, err := modules.LoadEmbedded()
	if err != nil {
		var errs modules.Errors
		if errors.As(err, &errs) {
			for _, e := range errs {
				fmt.Fprintln(stderr, "modules/"+e.Error())
			}
		} else {
			fmt.Fprintln(stderr, "indicia:", err)
		}
		return 1
	}
	fmt.Fprintln(stdout, cat.Stats().Summary())
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

// databasePath is --db, else $INDICIA_DB, else indicia.db in the user's data folder.
func databasePath(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if env := os.Getenv("INDICIA_DB"); env != "" {
		return env, nil
	}
	dir, err := userDataDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the user's data folder (%v); set --db or INDICIA_DB", err)
	}
	return filepath.Join(dir, "indicia", "indicia.db"), nil
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
