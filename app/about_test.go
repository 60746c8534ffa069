package app

import (
	"testing"

	"fyne.io/fyne/v2/widget"

	"indicia/locales"
)

// TestAboutFromSettings opens the About dialog from Settings in every language: it
// shows the app's name and version ("dev" in a test build, which carries none), each
// module's title and content version, the report the content is drawn from, and the
// data file.
func TestAboutFromSettings(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Lotte Janssens", "fedasil")
	for _, lang := range locales.Languages {
		h.ui.setLanguage(lang)
		h.tap("Settings.Button")
		h.tap("About.Button")
		if h.shows(h.ui.T("Settings.Language")) {
			t.Errorf("%s: the settings stay open under the About dialog", lang)
		}
		if len(findAll(h, func(l *widget.Label) bool { return l.Text == "Indicia" })) == 0 {
			t.Errorf("%s: the app's name is not shown", lang)
		}
		h.mustShow(h.ui.T("About.Version", map[string]any{"Version": "dev"}))
		h.mustShow(h.ui.T("About.Source"))
		for _, m := range h.cat.Modules {
			h.mustShow(h.ui.T("About.ModuleVersion", map[string]any{"Module": m.In(lang).Title, "Version": m.Version}))
			if m.Source == "" || m.SourceDate == "" {
				t.Fatalf("module %s names no source", m.ID)
			}
			h.mustShow(m.Source + " (" + m.SourceDate + ")")
		}
		h.mustShow(h.path)
		h.tap("Common.Close")
		if h.shows(h.ui.T("About.Source")) {
			t.Fatalf("%s: the About dialog did not close", lang)
		}
	}
	// The learner's screen is still there, unchanged.
	h.mustShow(h.ui.T("Catalog.Title"))
	if n := len(findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T("About.Button") })); n != 0 {
		t.Errorf("%d About buttons outside Settings", n)
	}
}
