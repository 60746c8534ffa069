package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/locales"
)

// showSettings offers the language, the text size and the theme; each change applies at
// once, on every screen.
func (u *UI) showSettings() {
	var d dialog.Dialog
	var names []string
	for _, l := range locales.Languages {
		names = append(names, locales.Native[l])
	}
	lang := widget.NewRadioGroup(names, nil)
	lang.Horizontal = true
	lang.SetSelected(locales.Native[u.loc.Lang])
	lang.OnChanged = func(name string) {
		for _, l := range locales.Languages {
			if locales.Native[l] == name && l != u.loc.Lang {
				d.Hide()
				u.setLanguage(l)
				u.showSettings()
			}
		}
	}

	sizeNames := []string{u.T("Settings.SizeSmall"), u.T("Settings.SizeNormal"), u.T("Settings.SizeLarge"), u.T("Settings.SizeLargest")}
	size := widget.NewRadioGroup(sizeNames, nil)
	size.Horizontal = true
	size.SetSelected(sizeNames[slices.Index(textScales, u.prefs.textScale())])
	size.OnChanged = func(name string) {
		if i := slices.Index(sizeNames, name); i >= 0 {
			u.prefs.setTextScale(textScales[i])
			u.applyTheme()
			u.rebuild()
		}
	}

	themeNames := []string{u.T("Settings.ThemeLight"), u.T("Settings.ThemeDark"), u.T("Settings.ThemeContrast")}
	th := widget.NewRadioGroup(themeNames, nil)
	th.Horizontal = true
	th.SetSelected(themeNames[slices.Index(themes, u.prefs.theme())])
	th.OnChanged = func(name string) {
		if i := slices.Index(themeNames, name); i >= 0 {
			u.prefs.setTheme(themes[i])
			u.applyTheme()
			u.rebuild()
		}
	}

	form := widget.NewForm(
		widget.NewFormItem(u.T("Settings.Language"), lang),
		widget.NewFormItem(u.T("Settings.TextSize"), size),
		widget.NewFormItem(u.T("Settings.Theme"), th),
	)
	about := widget.NewButtonWithIcon(u.T("About.Button"), theme.InfoIcon(), func() {
		d.Hide()
		u.showAbout()
	})
	d = dialog.NewCustom(u.T("Settings.Title"), u.T("Common.Close"),
		container.NewVBox(form, widget.NewSeparator(), container.NewHBox(about)), u.win)
	d.Resize(fyne.NewSize(640, 300))
	d.Show()
}
