package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"runtime/debug"
	"strconv"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"indicia/app"
	"indicia/app/progress"
	"indicia/assets"
	"indicia/locales"
	"indicia/modules"
)

// runApp opens the desktop app on the database at path.
func runApp(ctx context.Context, path string, stderr io.Writer) int {
	// The content is loaded after the window opens, or when a screen first needs it if
	// that comes first; the first screen does not need it.
	loadContent := func() *modules.Catalog {
		// Parsing allocates about five times what it keeps: a tight collection target
		// while it runs keeps that garbage from raising the app's peak memory.
		defer debug.SetGCPercent(debug.SetGCPercent(20))
		cat, err := modules.LoadEmbedded()
		if err != nil {
			fmt.Fprintln(stderr, "indicia: the built-in training content is broken:")
			fmt.Fprintln(stderr, err)
			os.Exit(1)
		}
		return cat
	}
	bundle, err := locales.NewBundle()
	if err != nil {
		fmt.Fprintln(stderr, "indicia:", err)
		return 1
	}
	setMetadata()
	a := fyneapp.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.IconPNG))
	// The fonts are read and parsed on the second core while this one opens the store and
	// creates the window; the first screen waits for them before it lays out its text.
	fontsReady := make(chan struct{})
	go func() {
		defer close(fontsReady)
		for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
			fyne.MeasureText("Indicia", theme.TextSize(), style)
		}
	}()
	systemLocale := lang.SystemLocale().String()
	if env := os.Getenv("LANGUAGE"); env != "" {
		systemLocale = env
	}
	started := false
	var start func() bool
	start = func() bool {
		store, err := progress.Open(ctx, path)
		if err != nil {
			<-fontsReady // the faces are not safe to use from two goroutines at once
			fmt.Fprintln(stderr, "indicia:", err)
			app.ShowOpenError(a, bundle, path, err, func() { started = start() }, systemLocale)
			return false
		}
		// A backup at start and at exit, at most one a day.
		go func() {
			if _, err := store.MaybeBackup(ctx); err != nil {
				log.Printf("backup: %v", err)
			}
		}()
		ui := app.NewLazy(a, store, loadContent, bundle, systemLocale)
		if seed, err := strconv.ParseUint(os.Getenv("INDICIA_SEED"), 10, 64); err == nil {
			ui.Seed = seed
		}
		<-fontsReady // the faces are not safe to use from two goroutines at once
		ui.Start()
		a.Lifecycle().SetOnStopped(func() {
			if _, err := store.MaybeBackup(ctx); err != nil {
				log.Printf("backup: %v", err)
			}
			store.Close()
		})
		ui.Window().SetMaster()
		ui.Window().Show()
		// The content is validated at start-up all the same, on the second core once the
		// window is open, so a broken build says so at once.
		go ui.Preload()
		return true
	}
	started = start()
	a.Run()
	if !started {
		return 1
	}
	return 0
}

// setMetadata gives Fyne the identity `make build` built in.
func setMetadata() {
	if version == "" {
		return
	}
	n, _ := strconv.Atoi(buildNumber)
	fyneapp.SetMetadata(fyne.AppMetadata{ID: appID, Name: "Indicia", Version: version, Build: n,
		Icon: fyne.NewStaticResource("icon.png", assets.IconPNG), Release: true})
}

// appMetadata is the app's id and version.
func appMetadata() (id, version string) {
	setMetadata()
	md := fyneapp.NewWithID(appID).Metadata()
	id, version = md.ID, md.Version
	if id == "" {
		id = appID
	}
	if version == "" {
		version = "dev"
	}
	return id, version
}
