package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// appTheme is Fyne's default theme with a text size scale, a forced light or dark
// variant, and a high-contrast palette (white on black, yellow accents).
type appTheme struct {
	variant fyne.ThemeVariant
	high    bool
	scale   float32
}

func (u *UI) applyTheme() {
	t := &appTheme{variant: theme.VariantLight, scale: float32(u.prefs.textScale())}
	switch u.prefs.theme() {
	case themeDark:
		t.variant = theme.VariantDark
	case themeContrast:
		t.variant, t.high = theme.VariantDark, true
	}
	u.app.Settings().SetTheme(t)
}

var (
	contrastBackground = color.Black
	contrastForeground = color.White
	contrastAccent     = color.NRGBA{R: 0xff, G: 0xe6, B: 0x00, A: 0xff}
	contrastMuted      = color.NRGBA{R: 0xd0, G: 0xd0, B: 0xd0, A: 0xff}
)

func (t *appTheme) Color(name fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if t.high {
		switch name {
		case theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameMenuBackground,
			theme.ColorNameOverlayBackground, theme.ColorNameHeaderBackground:
			return contrastBackground
		case theme.ColorNameForeground, theme.ColorNameHyperlink:
			return contrastForeground
		case theme.ColorNamePrimary, theme.ColorNameFocus, theme.ColorNameSelection, theme.ColorNameInputBorder:
			return contrastAccent
		case theme.ColorNameForegroundOnPrimary:
			return contrastBackground
		case theme.ColorNameButton:
			return color.NRGBA{R: 0x20, G: 0x20, B: 0x20, A: 0xff}
		case theme.ColorNamePlaceHolder, theme.ColorNameDisabled:
			return contrastMuted
		case theme.ColorNameSeparator:
			return contrastForeground
		}
	}
	return theme.DefaultTheme().Color(name, t.variant)
}

func (t *appTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (t *appTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t *appTheme) Size(n fyne.ThemeSizeName) float32 {
	s := theme.DefaultTheme().Size(n)
	switch n {
	case theme.SizeNameText, theme.SizeNameCaptionText, theme.SizeNameHeadingText,
		theme.SizeNameSubHeadingText, theme.SizeNameInlineIcon:
		return s * t.scale
	}
	return s
}
