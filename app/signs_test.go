package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"indicia/modules"
	"indicia/quiz"
)

// signTitles lists the signs whose card is on screen (its description is shown only
// there), in order.
func (h *harness) signTitles() []string {
	var out []string
	for _, ind := range h.cat.Indicators() {
		if h.shows(ind.In(h.ui.loc.Lang).Description) {
			out = append(out, ind.ID)
		}
	}
	return out
}

func TestWarningSignsFromTheCatalog(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Lotte", "fedasil")
	h.tap("Signs.Button")
	h.mustShow(h.ui.T("Signs.Title"))
	inds := h.cat.Indicators()
	if got := h.signTitles(); len(got) != len(inds) {
		t.Fatalf("%d signs shown of %d", len(got), len(inds))
	}
	for _, ind := range inds {
		tx := ind.In("fr")
		h.mustShow(tx.Description)
		h.mustShow(tx.Action)
		h.mustShow(h.ui.citationText(ind.Cite, ind.General))
		// The learner's own workplace first, named as theirs, when the sign concerns it.
		if w, ok := tx.Workplace[modules.RoleFedasil]; ok {
			h.mustShow(w)
		}
		if !ind.FromReport() && !h.shows(h.ui.T("Indicator.GeneralLabel", map[string]any{"Title": tx.Title})) {
			t.Errorf("general sign %s is not labelled as general guidance", ind.ID)
		}
	}
	h.mustShow(h.ui.T("Signs.InYourWork", map[string]any{"Role": h.ui.roleName("fedasil")}))

	// A search narrows the list to the signs whose text holds it.
	search := find(h, "search", func(e *widget.Entry) bool { return e.PlaceHolder == h.ui.T("Signs.Search") })
	supposed, _ := h.cat.Indicator("supposed-relative")
	word := strings.Fields(supposed.In("fr").Title)[len(strings.Fields(supposed.In("fr").Title))-1]
	test.Type(search, word)
	got := h.signTitles()
	if len(got) == 0 || len(got) == len(inds) {
		t.Fatalf("searching %q shows %v", word, got)
	}
	for _, id := range got {
		ind, _ := h.cat.Indicator(id)
		if !strings.Contains(strings.ToLower(signText(ind.In("fr"))), strings.ToLower(word)) {
			t.Errorf("%s shown for %q", id, word)
		}
	}
}

func TestSignCardFromTheMasteryPicture(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Jonas", "police")
	// One question answered that exercises a sign.
	q := h.firstOfKind(quiz.Spot)
	h.oneQuestionAttempt(q)
	h.answer(true)
	h.ui.push(h.ui.masteryScreen)
	h.settle()
	h.mustShow(h.ui.T("Mastery.Title"))
	more := findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T("Signs.More") })
	if len(more) != len(q.Indicators) {
		t.Fatalf("%d sign buttons for %d indicators", len(more), len(q.Indicators))
	}
	test.Tap(more[0])
	if got := h.signTitles(); len(got) != 1 {
		t.Fatalf("the card of one sign shows %v", got)
	}
	h.tap("Signs.All")
	if got := h.signTitles(); len(got) != len(h.cat.Indicators()) {
		t.Errorf("'every sign' shows %d", len(got))
	}
}
