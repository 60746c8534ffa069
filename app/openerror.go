package app

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/locales"
)

// ShowOpenError opens a window that says, in the user's language, why the progress
// database could not be opened and what to do. The file is left as it was. When backups
// exist, it offers to restore one (the refused file is kept aside), then calls retry.
func ShowOpenError(a fyne.App, bundle *locales.Bundle, path string, err error, retry func(), systemLocales ...string) fyne.Window {
	p := prefs{a.Preferences()}
	lang := p.language()
	if lang == "" {
		lang = locales.Match(systemLocales...)
	}
	loc := bundle.For(lang)
	w := a.NewWindow(loc.T("App.Title"))
	msg := widget.NewLabel(loc.T(progress.OpenErrorKey(err)))
	msg.Wrapping = fyne.TextWrapWord
	file := widget.NewLabel(loc.T("Open.File", map[string]any{"Path": path}))
	file.Wrapping = fyne.TextWrapBreak
	file.TextStyle = fyne.TextStyle{Italic: true}
	quit := widget.NewButtonWithIcon(loc.T("Open.Quit"), theme.CancelIcon(), func() { a.Quit() })
	body := container.NewVBox(msg, file, widget.NewLabel(loc.T("Open.Unchanged")))
	if backups, _ := progress.Backups(path); len(backups) > 0 && !errors.Is(err, progress.ErrInUse) && retry != nil {
		body.Add(widget.NewSeparator())
		body.Add(widget.NewLabelWithStyle(loc.T("Open.Backups"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, b := range backups {
			b := b
			restore := widget.NewButtonWithIcon(loc.T("Open.Restore"), theme.HistoryIcon(), func() {
				dialog.ShowConfirm(loc.T("Open.Restore"), loc.T("Open.RestoreConfirm", map[string]any{"Date": loc.Date(b.Time)}), func(ok bool) {
					if !ok {
						return
					}
					if _, rerr := progress.Restore(context.Background(), path, b.Path); rerr != nil {
						dialog.ShowError(errors.New(loc.T("Open.RestoreFailed")), w)
						return
					}
					w.Close()
					retry()
				}, w)
			})
			body.Add(container.NewBorder(nil, nil, nil, restore,
				widget.NewLabel(loc.T("Open.BackupLine", map[string]any{"Date": loc.Date(b.Time), "Time": b.Time.Local().Format("15:04")}))))
		}
	}
	w.SetContent(container.NewPadded(container.NewBorder(
		widget.NewLabelWithStyle(loc.T("Open.Title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewHBox(quit), nil, nil, container.NewVScroll(body))))
	w.Resize(fyne.NewSize(680, 440))
	w.Show()
	return w
}
