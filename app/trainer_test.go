package app

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/quiz"
)

const trainerPass = "formation Namur printemps"

// enterTrainer goes through the passphrase dialog (setting it on first use).
func (h *harness) enterTrainer(pass string) {
	h.t.Helper()
	// Learners exist before the first trainer: the set-up needs the one-time code
	// `indicia trainer init` makes (its screen is tested in TestFirstTrainerNeedsACode).
	if st, err := h.store.TrainerSetup(context.Background()); err == nil && st == progress.SetupNeedsCode {
		code, _, err := h.store.InitTrainerSetup(context.Background())
		if err == nil {
			err = h.store.SetupTrainer(context.Background(), code, pass)
		}
		if err != nil {
			h.t.Fatal(err)
		}
	}
	h.tap("Trainer.Button")
	entries := findAll(h, func(e *widget.Entry) bool { return e.Password && e.PlaceHolder != h.ui.T("Learners.PINPlaceholder") })
	for _, e := range entries {
		test.Type(e, pass)
	}
	if len(entries) == 2 {
		h.tap("Trainer.Set")
	} else {
		h.tap("PIN.OK")
	}
}

func TestTrainerPassphraseGuardsTrainerMode(t *testing.T) {
	h := newHarness(t, "")
	h.enterTrainer(trainerPass) // first use: set it
	h.mustShow(h.ui.T("Trainer.ModeTitle"))
	h.tap("Trainer.Leave")
	h.mustShow(h.ui.T("Learners.Welcome"))

	h.enterTrainer("not the passphrase")
	if h.trainer() != nil {
		t.Fatal("trainer mode opened with a wrong passphrase")
	}
	h.mustShow(h.ui.T("Trainer.Wrong"))
}

// TestFirstTrainerNeedsACode: once learners exist, the first passphrase is refused
// without the one-time code, and set with it.
func TestFirstTrainerNeedsACode(t *testing.T) {
	h := newHarness(t, "")
	ctx := context.Background()
	seedLearners(t, h.store)
	h.tap("Trainer.Button")
	for _, e := range findAll(h, func(e *widget.Entry) bool { return e.Password }) {
		test.Type(e, trainerPass)
	}
	h.tap("Trainer.Set")
	h.mustShow(h.ui.T("Trainer.SetupCodeWrong"))
	if has, _ := h.store.HasTrainerPassphrase(ctx); has {
		t.Fatal("a learner set the first trainer passphrase without the code")
	}
	if h.trainer() != nil {
		t.Fatal("trainer mode opened without the code")
	}

	// Whoever can run programs on the machine runs `indicia trainer init` (the store's
	// InitTrainerSetup) and hands the code over; typed into the same form, in lower case
	// and without its dashes as someone might, it lets the passphrase be set.
	code, _, err := h.store.InitTrainerSetup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h.tap("Trainer.Button")
	form := setupForm(h)
	if len(form.passphrases) != 2 || form.code == nil {
		t.Fatalf("the set-up form has %d passphrase fields and code field %v", len(form.passphrases), form.code)
	}
	test.Type(form.code, strings.ToLower(strings.ReplaceAll(code, "-", "")))
	for _, e := range form.passphrases {
		test.Type(e, trainerPass)
	}
	h.tap("Trainer.Set")
	if h.trainer() == nil {
		t.Fatal("the one-time code did not open trainer mode")
	}
	h.mustShow(h.ui.T("Trainer.ModeTitle"))
	if st, err := h.store.TrainerSetup(ctx); err != nil || st != progress.SetupDone {
		t.Fatalf("set-up state after the code: %v %v", st, err)
	}
	if _, err := h.store.OpenVault(ctx, trainerPass); err != nil {
		t.Fatalf("the passphrase set with the code does not open the vault: %v", err)
	}
	// The code is spent: it cannot set up trainer mode a second time.
	if err := h.store.SetupTrainer(ctx, code, "another passphrase here"); err == nil {
		t.Fatal("the one-time code worked twice")
	}
}

// trainerSetupForm is the fields of the first-trainer dialog.
type trainerSetupForm struct {
	code        *widget.Entry
	passphrases []*widget.Entry
}

// setupForm finds the fields of the dialog on top of the window.
func setupForm(h *harness) trainerSetupForm {
	h.t.Helper()
	top := h.ui.Window().Canvas().Overlays().Top()
	if top == nil {
		h.t.Fatal("no dialog is open")
	}
	var f trainerSetupForm
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		if e, ok := o.(*widget.Entry); ok {
			if e.Password {
				f.passphrases = append(f.passphrases, e)
			} else {
				f.code = e
			}
			return
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(top)
	return f
}

func TestLearnersNeverSeeTrainerMode(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Ines", "guardian")
	if len(findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T("Trainer.Button") })) != 0 {
		t.Fatal("a signed-in learner sees the trainer button")
	}
}

func seedLearners(t *testing.T, s *progress.Store) (passed, started, other progress.Learner) {
	ctx := context.Background()
	mk := func(name, role, cohort string) progress.Learner {
		l, err := s.CreateLearner(ctx, progress.NewLearner{Name: name, Role: role, Language: "fr", Cohort: cohort})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	passed = mk("Amélie Lambert", "police", "NAMUR-1")
	started = mk("Pieter Claes", "hospital", "NAMUR-1")
	other = mk("Sara El Idrissi", "fedasil", "")
	a, _ := s.StartAttempt(ctx, progress.NewAttempt{LearnerID: passed.ID, ModuleID: "core", Language: "fr",
		Plan: quiz.Plan{{QuestionID: "x"}}, PassMark: 80})
	s.RecordAnswer(ctx, a.ID, progress.Answer{Position: 0, QuestionID: "x", Complete: true, Correct: true})
	if _, err := s.FinishAttempt(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	s.SaveLesson(ctx, started.ID, "core", "forms", 1, time.Minute, false)
	return
}

func TestTrainerCompletionMatrixFiltersDetailAndErasure(t *testing.T) {
	h := newHarness(t, "")
	passed, started, other := seedLearners(t, h.store)
	h.enterTrainer(trainerPass)
	tr := h.trainer()
	if tr == nil || len(tr.completion.rows) != 3 {
		t.Fatalf("trainer rows: %+v", tr)
	}
	rows := func() []progress.LearnerStatus { h.settle(); return tr.completion.rows }
	h.mustShow(h.ui.N("Trainer.LearnerCount", 3, nil))
	days, _ := h.store.RefresherDays(context.Background())
	text, c := tr.cellState(rows()[0].Modules["core"], true, "core", days) // Amélie, sorted first
	if rows()[0].ID != passed.ID || c != passedColor || text != h.ui.T("Trainer.CellPassed", map[string]any{"Score": h.ui.loc.Percent(100)}) {
		t.Errorf("Amélie's cell: %q %v", text, c)
	}
	if _, c := tr.cellState(rows()[1].Modules["core"], true, "core", days); rows()[1].ID != started.ID || c != inProgressColor {
		t.Errorf("Pieter's cell: %v", c)
	}
	if _, c := tr.cellState(progress.ModuleState{}, false, "core", days); c != notStartedColor {
		t.Errorf("Sara's cell: %v", c)
	}

	// Filter by cohort.
	sel := find(h, "cohort filter", func(s *widget.Select) bool { return len(s.Options) > 0 && s.Options[0] == h.ui.T("Trainer.AllCohorts") })
	sel.SetSelected("NAMUR-1")
	if len(rows()) != 2 {
		t.Fatalf("NAMUR-1 has %d rows", len(rows()))
	}
	sel = find(h, "cohort filter", func(s *widget.Select) bool { return len(s.Options) > 0 && s.Options[0] == h.ui.T("Trainer.AllCohorts") })
	sel.SetSelected(h.ui.T("Trainer.NoCohort"))
	if len(rows()) != 1 || rows()[0].ID != other.ID {
		t.Fatalf("no-cohort rows: %+v", rows())
	}

	// Open Sara's record from the table, then erase her after confirming.
	table := find[*widget.Table](h, "matrix", nil)
	table.Select(widget.TableCellID{Row: 0, Col: 0})
	h.mustShow("Sara El Idrissi")
	h.tap("Trainer.Delete")
	h.mustShow(h.ui.T("Trainer.DeleteTitle"))
	test.Tap(find(h, "confirm", func(b *widget.Button) bool { return b.Text == "Yes" }))
	h.settle()
	if _, err := h.store.Learner(context.Background(), other.ID); err == nil {
		t.Fatal("the learner was not erased")
	}
	if len(rows()) != 0 {
		t.Errorf("the erased learner still shows: %+v", rows())
	}
}

func TestTrainerSetsRefresherPeriodsAndCohorts(t *testing.T) {
	h := newHarness(t, "")
	seedLearners(t, h.store)
	h.enterTrainer(trainerPass)
	h.trainer().selectTab(tabSettings)
	entries := findAll(h, func(e *widget.Entry) bool { return e.Text == "182" })
	if len(entries) != len(h.cat.Modules) {
		t.Fatalf("%d period fields for %d modules", len(entries), len(h.cat.Modules))
	}
	entries[0].SetText("90")
	h.tap("Trainer.SaveRefresher")
	days, _ := h.store.RefresherDays(context.Background())
	if days[h.cat.Modules[0].ID] != 90 {
		t.Errorf("periods %v", days)
	}

	h.trainer().selectTab(tabCohorts)
	code := find(h, "cohort code", func(e *widget.Entry) bool { return e.PlaceHolder == h.ui.T("Trainer.CohortCode") })
	test.Type(code, "EUPEN-1")
	h.tap("Trainer.CreateCohort")
	cohorts, _ := h.store.Cohorts(context.Background())
	if len(cohorts) != 2 || cohorts[0].Code != "EUPEN-1" {
		t.Errorf("cohorts %+v", cohorts)
	}
	h.mustShow("EUPEN-1")
	// The cohort's mastery picture opens.
	test.Tap(findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T("Mastery.Button") })[0])
	h.mustShow(h.ui.T("Trainer.CohortMastery", map[string]any{"Cohort": "EUPEN-1"}))
}

// TestModulesTabFitsTheWindowAndSortsByMissRate: the statistics tab does not widen the
// window past the 1000 px it opens at, and lists the most missed questions by their
// share of wrong answers.
func TestModulesTabFitsTheWindowAndSortsByMissRate(t *testing.T) {
	h := newHarness(t, "")
	ctx := context.Background()
	l, err := h.store.CreateLearner(ctx, progress.NewLearner{Name: "Rate Test", Role: "police", Language: "fr", Cohort: "A-VERY-LONG-COHORT-CODE-2026-NAMUR-BRUXELLES"})
	if err != nil {
		t.Fatal(err)
	}
	bank := h.core().In("fr").Bank
	// Question 0: 3 wrong of 7 (43 %); 1: 6 of 17 (35 %); 2: 4 of 11 (36 %).
	answers := []struct{ wrong, total int }{{3, 7}, {6, 17}, {4, 11}}
	for n := range 17 {
		var plan quiz.Plan
		for i := range answers {
			if n < answers[i].total {
				plan = append(plan, quiz.Draw{QuestionID: bank[i].ID})
			}
		}
		a, err := h.store.StartAttempt(ctx, progress.NewAttempt{LearnerID: l.ID, ModuleID: "core", Language: "fr", Plan: plan, PassMark: 80})
		if err != nil {
			t.Fatal(err)
		}
		for pos, it := range plan {
			i := slices.IndexFunc(bank[:3], func(q quiz.Question) bool { return q.ID == it.QuestionID })
			h.store.RecordAnswer(ctx, a.ID, progress.Answer{Position: pos, QuestionID: it.QuestionID, Complete: true, Correct: n >= answers[i].wrong})
		}
		if _, err := h.store.FinishAttempt(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	h.enterTrainer(trainerPass)
	for _, scale := range []float64{textScales[len(textScales)-1], 1} {
		h.ui.prefs.setTextScale(scale)
		h.ui.applyTheme()
		h.ui.rebuild()
		h.trainer().selectTab(tabModules)
		h.settle()
		if w := h.ui.Window().Canvas().Content().MinSize().Width; w > 1000 {
			t.Errorf("text scale %v: the modules tab needs %v px, more than the window's 1000", scale, w)
		}
	}
	var shown []string
	for _, l := range findAll[*widget.Label](h, nil) {
		for i := range answers {
			if l.Text == bank[i].Prompt {
				shown = append(shown, l.Text)
			}
		}
	}
	want := []string{bank[0].Prompt, bank[2].Prompt, bank[1].Prompt}
	if !slices.Equal(shown, want) {
		t.Errorf("most missed questions in the order %q, want %q (43 %%, 36 %%, 35 %%)", shown, want)
	}
}
