package app

import (
	"slices"

	"fyne.io/fyne/v2"

	"indicia/locales"
)

// Preference keys.
const (
	prefLanguage  = "language"
	prefTextScale = "text_scale"
	prefTheme     = "theme"
)

// Themes the settings offer.
const (
	themeLight    = "light"
	themeDark     = "dark"
	themeContrast = "contrast"
)

var themes = []string{themeLight, themeDark, themeContrast}

// Text sizes the settings offer, as a scale of Fyne's default sizes.
var textScales = []float64{0.85, 1, 1.25, 1.5}

// prefs is the typed view of the machine's preferences (shared by every learner of the
// machine; each learner's own language is kept in the progress store).
type prefs struct{ p fyne.Preferences }

func (p prefs) language() string {
	l := p.p.String(prefLanguage)
	if slices.Contains(locales.Languages, l) {
		return l
	}
	return ""
}

func (p prefs) setLanguage(l string) { p.p.SetString(prefLanguage, l) }

func (p prefs) textScale() float64 {
	s := p.p.FloatWithFallback(prefTextScale, 1)
	if !slices.Contains(textScales, s) {
		return 1
	}
	return s
}

func (p prefs) setTextScale(s float64) { p.p.SetFloat(prefTextScale, s) }

func (p prefs) theme() string {
	t := p.p.StringWithFallback(prefTheme, themeLight)
	if !slices.Contains(themes, t) {
		return themeLight
	}
	return t
}

func (p prefs) setTheme(t string) { p.p.SetString(prefTheme, t) }
