package app

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/locales"
)

// ShowOpenError opens a window that says, in the user's language, why the progress
// database could not be opened and what to do. The file is left as it was.
func ShowOpenError(a fyne.App, bundle *locales.Bundle, path string, err error, systemLocales ...string) fyne.Window {
	p := prefs{a.Preferences()}
	lang := p.language()
	if lang == "" {
		lang = locales.Match(systemLocales...)
	}
	loc := bundle.For(lang)
	key := "Open.Generic"
	switch {
	case errors.Is(err, progress.ErrNewerSchema):
		key = "Open.Newer"
	case errors.Is(err, progress.ErrForeign):
		key = "Open.Foreign"
	case errors.Is(err, progress.ErrCorrupt):
		key = "Open.Corrupt"
	case errors.Is(err, progress.ErrNotWritable):
		key = "Open.NotWritable"
	case errors.Is(err, progress.ErrInUse):
		key = "Open.InUse"
	}
	w := a.NewWindow(loc.T("App.Title"))
	msg := widget.NewLabel(loc.T(key))
	msg.Wrapping = fyne.TextWrapWord
	file := widget.NewLabel(loc.T("Open.File", map[string]any{"Path": path}))
	file.Wrapping = fyne.TextWrapBreak
	file.TextStyle = fyne.TextStyle{Italic: true}
	quit := widget.NewButtonWithIcon(loc.T("Open.Quit"), theme.CancelIcon(), func() { a.Quit() })
	w.SetContent(container.NewPadded(container.NewBorder(
		widget.NewLabelWithStyle(loc.T("Open.Title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewHBox(quit), nil, nil, container.NewVBox(msg, file, widget.NewLabel(loc.T("Open.Unchanged"))))))
	w.Resize(fyne.NewSize(640, 320))
	w.Show()
	return w
}
