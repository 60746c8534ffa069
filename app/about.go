package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
)

// appVersion is the version the build carries (`make build` sets it from FyneApp.toml),
// "dev" when it carries none.
func (u *UI) appVersion() string {
	if v := u.app.Metadata().Version; v != "" {
		return v
	}
	return "dev"
}

// showAbout tells which version of the app and of each module's content this is, the
// report the content is drawn from, and where the learners' data is kept: what a
// trainer or the IT support needs to know when something must be checked or reported.
func (u *UI) showAbout() {
	name := u.app.Metadata().Name
	if name == "" {
		name = "Indicia"
	}
	title := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	box := container.NewVBox(title,
		widget.NewLabel(u.T("About.Version", map[string]any{"Version": u.appVersion()})),
		wrapped(u.T("About.Purpose")),
		heading(u.T("About.Content")))

	// Each module's content version, then the report (or reports) it is drawn from.
	type source struct{ name, date string }
	var sources []source
	for _, m := range u.catalog().Modules {
		box.Add(wrapped(u.T("About.ModuleVersion", map[string]any{"Module": m.In(u.loc.Lang).Title, "Version": m.Version})))
		s := source{m.Source, m.SourceDate}
		seen := false
		for _, o := range sources {
			seen = seen || o == s
		}
		if !seen && s.name != "" {
			sources = append(sources, s)
		}
	}
	box.Add(heading(u.T("About.Source")))
	for _, s := range sources {
		text := s.name
		if s.date != "" {
			text += " (" + s.date + ")"
		}
		box.Add(wrapped(text))
	}
	if u.store != nil {
		box.Add(heading(u.T("About.DataFile")))
		path := wrapped(u.store.Path())
		path.Wrapping = fyne.TextWrapBreak
		box.Add(path)
		mode := u.T("About.JournalWAL")
		if u.store.Journal() == progress.JournalRollback {
			mode = u.T("About.JournalRollback")
		}
		box.Add(wrapped(mode))
	}
	d := dialog.NewCustom(u.T("About.Title"), u.T("Common.Close"), container.NewVScroll(box), u.win)
	d.Resize(fyne.NewSize(640, 540))
	d.Show()
}
