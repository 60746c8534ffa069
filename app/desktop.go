package app

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"indicia/app/progress"
	"indicia/locales"
	"indicia/modules"
)

// Desktop says how to start the desktop app.
type Desktop struct {
	ID     string        // the application's id (FyneApp.toml)
	Icon   fyne.Resource // the window's icon
	DBPath string        // the progress database
	Stderr io.Writer     // where start-up failures are written
}

// RunDesktop opens the desktop app on the database and returns its exit status once
// the window is closed: 0, or 1 when the database or the content could not be used.
func RunDesktop(ctx context.Context, d Desktop) int {
	// The content is loaded after the window opens, or when a screen first needs it if
	// that comes first; the first screen does not need it.
	loadContent := func() *modules.Catalog {
		// Parsing allocates about five times what it keeps: a tight collection target
		// while it runs keeps that garbage from raising the app's peak memory.
		defer debug.SetGCPercent(debug.SetGCPercent(20))
		cat, err := modules.LoadEmbedded()
		if err != nil {
			fmt.Fprintln(d.Stderr, "indicia: the built-in training content is broken:")
			fmt.Fprintln(d.Stderr, err)
			os.Exit(1)
		}
		return cat
	}
	bundle, err := locales.NewBundle()
	if err != nil {
		fmt.Fprintln(d.Stderr, "indicia:", err)
		return 1
	}
	a := fyneapp.NewWithID(d.ID)
	if d.Icon != nil {
		a.SetIcon(d.Icon)
	}
	// The fonts are parsed on this goroutine, when the first screen lays out its text.
	// Parsing them beforehand on the second core, as the app once did, no longer saves
	// time now that the second core opens the store meanwhile, and it cost about 8 MB
	// of peak memory (medians of 7 runs under Xvfb, empty database: +42.9 MB over the
	// minimal window with it, +34.1 MB without).
	systemLocales := SystemLocales(os.Getenv, func() string { return lang.SystemLocale().String() })
	peek := func(ctx context.Context, q progress.LearnerSearch) ([]progress.Learner, int, error) {
		return progress.PeekStationLearners(ctx, d.DBPath, q)
	}
	started := false
	var start func()
	start = func() {
		// The window and the first screen are made while the store is opened on the
		// other core: opening checks the whole file (half a second for 10,000 learners),
		// and the first screen reads its learners from the file meanwhile.
		ui := NewOpening(a, loadContent, bundle, peek, systemLocales...)
		if seed, err := strconv.ParseUint(os.Getenv("INDICIA_SEED"), 10, 64); err == nil {
			ui.Seed = seed
		}
		opening := make(chan struct{})
		go func() {
			defer close(opening)
			background() // the window and the first screen come first
			store, err := progress.Open(ctx, d.DBPath)
			fyne.Do(func() {
				if err != nil {
					fmt.Fprintln(d.Stderr, "indicia:", err)
					// The file is left as it was; the window says why and what to do.
					ShowOpenError(a, bundle, d.DBPath, err, start, systemLocales...)
					ui.Window().Close()
					return
				}
				started = true
				ui.Opened(store)
				ui.Window().SetMaster()
				// The backup at exit and closing the store, once, when the app stops.
				var stopping sync.Once
				stop := func() {
					stopping.Do(func() {
						if _, err := store.MaybeBackup(ctx); err != nil {
							log.Printf("backup: %v", err)
						}
						store.Close()
					})
				}
				a.Lifecycle().SetOnStopped(stop)
				// The window closed, the process must end: while it runs, its lock keeps
				// the next start out ("already open"). Under Wine, in two runs of the whole
				// test suite, Fyne's loop did not return after the window closed (the cause
				// is not found); if it has not within quitGrace, the same stop is made here
				// and the process ends.
				ui.OnClosed(func() {
					time.AfterFunc(quitGrace, func() {
						stop()
						log.Printf("the window closed %v ago and the app had not ended: ending it", quitGrace)
						os.Exit(0)
					})
				})
				// A backup at start and at exit, at most one a day; the one at start
				// once the first screen is up, not competing with it.
				time.AfterFunc(3*time.Second, func() {
					if _, err := store.MaybeBackup(ctx); err != nil {
						log.Printf("backup: %v", err)
					}
				})
			})
		}()
		ui.Start()
		ui.Window().Show()
		// The content is validated at start-up all the same, on the second core once the
		// store is open, so a broken build says so at once.
		go func() {
			<-opening
			ui.Preload()
		}()
	}
	start()
	a.Run()
	if !started {
		return 1
	}
	return 0
}

// quitGrace is how long the app may take to end once its window is closed.
const quitGrace = 15 * time.Second

// SystemLocales are the user's preferred languages, most preferred first, as the
// environment gives them on Linux and the BSDs (LANGUAGE, then the first of LC_ALL,
// LC_MESSAGES and LANG), else as the system gives them (system; Windows and macOS keep
// them in their settings). The "C" and "POSIX" locales name no language: with them the
// app starts in French, as with a language it does not have.
func SystemLocales(getenv func(string) string, system func() string) []string {
	var out []string
	if l := getenv("LANGUAGE"); l != "" {
		out = append(out, strings.Split(l, ":")...)
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			if isPOSIXLocale(v) {
				return out
			}
			return append(out, v)
		}
	}
	if len(out) > 0 || (runtime.GOOS != "windows" && runtime.GOOS != "darwin") {
		// No locale set on a Unix system is the C locale.
		return out
	}
	return []string{system()}
}

// isPOSIXLocale tells whether v is the C or POSIX locale, which names no language.
func isPOSIXLocale(v string) bool {
	base, _, _ := strings.Cut(v, ".")
	return base == "C" || base == "POSIX"
}
