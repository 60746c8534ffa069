package main

import (
	"context"
	"io"
	"strconv"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"indicia/app"
	"indicia/assets"
)

// runApp opens the desktop app on the database at path.
func runApp(ctx context.Context, path string, stderr io.Writer) int {
	setMetadata()
	return app.RunDesktop(ctx, app.Desktop{ID: appID, Icon: fyne.NewStaticResource("icon.png", assets.IconPNG), DBPath: path, Stderr: stderr})
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
