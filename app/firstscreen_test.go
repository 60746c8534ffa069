package app

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/app/report"
)

// learnerRows are the learners the first screen lists, by name.
func (h *harness) learnerRows() []string {
	h.settle()
	var s *learnersScreen
	if top := h.ui.top(); top != nil {
		s, _ = top.s.(*learnersScreen)
	}
	if s == nil {
		h.t.Fatal("the first screen is not shown")
	}
	var out []string
	for _, l := range s.shown {
		out = append(out, l.Name)
	}
	return out
}

// TestFirstScreenListsThisStationsLearnersAndFindsOthersBySearch: with many learners,
// the first screen lists only a handful, the most recently active first, in a
// virtualised list; the search field finds the others by name (with or without
// accents) or cohort code; learners merged from another station's bundle are never
// offered.
func TestFirstScreenListsThisStationsLearnersAndFindsOthersBySearch(t *testing.T) {
	h := newHarness(t, "")
	ctx := context.Background()

	// Another station's learners, merged from its bundle.
	other, err := progress.Open(ctx, filepath.Join(t.TempDir(), "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for _, name := range []string{"Merged Anaïs", "Merged Bram"} {
		if _, err := other.CreateLearner(ctx, progress.NewLearner{Name: name, Role: "police", Language: "fr", Cohort: "GENT-1"}); err != nil {
			t.Fatal(err)
		}
	}
	key, err := report.LoadSigningKey(other.Path())
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if _, err := report.ExportBundle(ctx, other, key, &buf); err != nil {
		t.Fatal(err)
	}
	bf, err := report.ReadBundle([]byte(buf.String()), report.ReadBundleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.MergeBundle(ctx, bf.Bundle, progress.MergeOptions{}); err != nil {
		t.Fatal(err)
	}

	// A few of this station's learners: listed, the most recent first, no search yet.
	var ids []int64
	add := func(name, cohort string) {
		l, err := h.store.CreateLearner(ctx, progress.NewLearner{Name: name, Role: "hospital", Language: "fr", Cohort: cohort})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	add("Anaïs Dubois", "LIEGE-2")
	add("Bram Peeters", "")
	time.Sleep(5 * time.Millisecond)
	h.store.Touch(ctx, ids[0]) // Anaïs was active last
	h.ui.home(h.ui.learnersScreen)
	if got := h.learnerRows(); !slices.Equal(got, []string{"Anaïs Dubois", "Bram Peeters"}) {
		t.Fatalf("first screen lists %q", got)
	}
	if search := h.ui.top().s.(*learnersScreen).search; search.Visible() {
		t.Error("a search field with only two learners")
	}
	if find[*widget.List](h, "learners list", nil) == nil {
		t.Fatal("no list")
	}

	// Many learners: a handful shown, the others found by searching.
	for i := range 40 {
		add(fmt.Sprintf("Learner %02d", i), "NAMUR-7")
	}
	h.ui.home(h.ui.learnersScreen)
	rows := h.learnerRows()
	if len(rows) != handful || rows[0] != "Learner 39" {
		t.Fatalf("with 42 learners the first screen lists %q", rows)
	}
	search := find(h, "search", func(e *widget.Entry) bool { return e.PlaceHolder == h.ui.T("Learners.Search") })
	if !search.Visible() {
		t.Fatal("no search field with 42 learners")
	}
	if h.ui.Window().Canvas().Focused() != search {
		t.Error("the search field does not have the focus")
	}
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"anais", []string{"Anaïs Dubois"}},   // without the accent, any case
		{"liege-2", []string{"Anaïs Dubois"}}, // by cohort code
		{"Merged", nil},                       // another station's learners
		{"gent-1", nil},                       // nor by their cohort
		{"Learner 0", []string{"Learner 09", "Learner 08", "Learner 07", "Learner 06", "Learner 05", "Learner 04", "Learner 03", "Learner 02", "Learner 01", "Learner 00"}},
	} {
		test.Type(search, tc.text)
		if got := h.learnerRows(); !slices.Equal(got, tc.want) {
			t.Errorf("search %q lists %q, want %q", tc.text, got, tc.want)
		}
		if len(tc.want) == 0 {
			h.mustShow(h.ui.T("Learners.NoMatch"))
		}
		search.SetText("")
	}

	// A learner found by search signs in.
	test.Type(search, "bram")
	test.Tap(find(h, "learner", func(b *widget.Button) bool { return strings.HasPrefix(b.Text, "Bram Peeters") }))
	h.settle()
	if h.ui.learner == nil || h.ui.learner.Name != "Bram Peeters" {
		t.Fatalf("signed in as %+v", h.ui.learner)
	}
}

// TestExportedReportFollowsTheMatrixFilter: the report saved from trainer mode lists
// the learners the matrix shows, "No cohort" included.
func TestExportedReportFollowsTheMatrixFilter(t *testing.T) {
	h := newHarness(t, "")
	_, _, other := seedLearners(t, h.store)
	h.enterTrainer(trainerPass)
	tr := h.trainer()
	for _, tc := range []struct {
		cohort string
		want   []string
	}{
		{h.ui.T("Trainer.NoCohort"), []string{other.Name}},
		{"NAMUR-1", []string{"Amélie Lambert", "Pieter Claes"}},
		{h.ui.T("Trainer.AllCohorts"), []string{"Amélie Lambert", "Pieter Claes", "Sara El Idrissi"}},
	} {
		sel := find(h, "cohort filter", func(s *widget.Select) bool { return len(s.Options) > 1 && s.Options[1] == h.ui.T("Trainer.NoCohort") })
		sel.SetSelected(tc.cohort)
		h.settle()
		var matrix []string
		for _, r := range tr.completion.rows {
			matrix = append(matrix, r.Name)
		}
		if !slices.Equal(matrix, tc.want) {
			t.Fatalf("%s: the matrix shows %q, want %q", tc.cohort, matrix, tc.want)
		}
		out := filepath.Join(t.TempDir(), "report.csv")
		done := make(chan error, 1)
		h.ui.exportTo(out, tr.reportWriter("csv"), func(err error) { done <- err })
		if err := waitFor(t, done); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		records, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, rec := range records[1:] {
			if !slices.Contains(names, rec[colName]) {
				names = append(names, rec[colName])
			}
		}
		slices.Sort(names) // the report is in cohort order, the matrix in name order
		if !slices.Equal(names, tc.want) {
			t.Errorf("%s: the report lists %q, the matrix %q", tc.cohort, names, tc.want)
		}
	}
}

// colName is the learner's name's column in the completion report's CSV.
const colName = 1
