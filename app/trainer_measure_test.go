package app

import (
	"context"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"indicia/app/measure"
	"indicia/app/progress"
	"indicia/app/report"
)

// demoHarness is a harness on n demo learners (the demo's model of learning and
// forgetting), with cohort SMALL-1 made of three of them who took the core module's
// pre-test and quiz, and cohort BIG-1 of forty who answered the workplace questions.
func demoHarness(t *testing.T, n int) *harness {
	t.Helper()
	h := newHarness(t, "")
	ctx := context.Background()
	if err := h.store.BulkDemo(ctx, n, report.DemoModules(h.cat), 4, nil); err != nil {
		t.Fatal(err)
	}
	learners, err := h.store.Learners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	small, big := 0, 0
	workplace := map[int64]bool{}
	if rows, err := h.store.WorkplaceTotals(ctx, progress.Filter{}, false, nil); err != nil || len(rows) == 0 || rows[0].Learners < 40 {
		t.Fatalf("the demo's workplace answers: %+v %v", rows, err)
	}
	for _, l := range learners {
		if due, _, _ := h.store.WorkplaceDue(ctx, l.ID, "core", time.Now()); !due {
			// Answered already (or not due): a candidate for BIG-1.
			workplace[l.ID] = true
		}
	}
	for _, l := range learners {
		attempts, _ := h.store.Attempts(ctx, l.ID, "core")
		pre := slices.ContainsFunc(attempts, func(a progress.Attempt) bool {
			return a.Kind == progress.KindPretest && a.Status == progress.AttemptFinished
		})
		quizzed := slices.ContainsFunc(attempts, func(a progress.Attempt) bool {
			return a.Kind == progress.KindQuiz && a.Status == progress.AttemptFinished
		})
		switch {
		case small < 3 && pre && quizzed:
			small++
			h.store.SetCohort(ctx, l.ID, "SMALL-1")
		case big < 40 && workplace[l.ID]:
			big++
			h.store.SetCohort(ctx, l.ID, "BIG-1")
		}
	}
	if small < 3 || big < 40 {
		t.Fatalf("%d learners for SMALL-1, %d for BIG-1", small, big)
	}
	return h
}

func (h *harness) openMeasureTab() {
	h.t.Helper()
	h.enterTrainer(trainerPass)
	h.trainer().selectTab(tabMeasure)
	h.settle()
}

func TestTrainerSeesBeforeAfterKeptWithIntervalsAndGain(t *testing.T) {
	h := demoHarness(t, 400)
	ctx := context.Background()
	h.openMeasureTab()
	h.mustShow(h.ui.T("Proof.Title"))
	// One chart per module, with the store's figures for all the learners.
	rows, err := h.store.Gain(ctx, progress.GainQuery{Items: report.MeasuredItems(h.cat)})
	if err != nil {
		t.Fatal(err)
	}
	want := report.GainGroups(rows, h.cat, "fr")
	charts := findAll[*gainBars](h, nil)
	if len(want) != len(h.cat.Modules) || len(charts) < len(want) {
		t.Fatalf("%d groups, %d charts", len(want), len(charts))
	}
	for i, g := range want {
		c := charts[i]
		if c.est != [3]measure.Estimate{g.Before, g.After, g.Kept} {
			t.Errorf("%s: chart %+v, want %+v", g.Module, c.est, g)
		}
		h.mustShow(g.Label)
		if g.HasGain {
			h.mustShow(h.ui.T("Gain.GainOf", map[string]any{"Gain": h.ui.loc.Decimal(g.Gain, 2), "N": h.ui.loc.Number(g.Pairs)}))
		}
		for j, e := range []measure.Estimate{g.Before, g.After, g.Kept} {
			if e.Shown() && c.values[j] != h.ui.T("Gain.MeanN", map[string]any{"Mean": h.ui.loc.PercentDecimal(e.Mean), "N": h.ui.loc.Number(e.N)}) {
				t.Errorf("%s measurement %d: %q", g.Module, j, c.values[j])
			}
		}
	}
	core := want[0]
	if !core.Before.Shown() || !core.After.Shown() || !core.Kept.Shown() || !(core.Before.Mean < core.Kept.Mean && core.Kept.Mean < core.After.Mean) {
		t.Errorf("the demo's core module: %+v", core)
	}
	// Per sign of the core module: the worst kept first.
	signs := charts[len(want):]
	var kept []float64
	for _, c := range signs {
		if c.est[2].Shown() {
			kept = append(kept, c.est[2].Mean)
		}
	}
	if len(kept) < 5 || !slices.IsSorted(kept) {
		t.Errorf("signs by kept: %v", kept)
	}
	// Confident and wrong, calibration: figures with their intervals.
	wrong, _ := h.store.ConfidentWrong(ctx, progress.GainQuery{Items: report.MeasuredItems(h.cat, "core")})
	shownWrong := 0
	for _, r := range wrong {
		p := measure.Share(r.Sure.Hits, r.Sure.Answers, r.Sure.Learners)
		if p.Shown() {
			shownWrong++
			h.mustShow(h.ui.T("Proof.WrongShare", map[string]any{"Rate": h.ui.loc.Percent(int(p.Rate*100 + 0.5)),
				"Low": h.ui.loc.Number(int(p.Low*100 + 0.5)), "High": h.ui.loc.Number(int(p.High*100 + 0.5)),
				"Answers": h.ui.loc.Number(p.Count), "Learners": h.ui.loc.Number(p.Learners)}))
		}
	}
	if shownWrong == 0 {
		t.Error("no confident-and-wrong figure shown")
	}
	h.mustShow(h.ui.T("Proof.CalibrationTitle"))
	// Workplace: all the learners' totals, BIG-1's; cohorts under five learners are
	// not listed, but counted in one line.
	all, _ := h.store.WorkplaceTotals(ctx, progress.Filter{}, false, nil)
	h.mustShow(h.ui.T("Proof.WorkplaceLearners", map[string]any{"N": h.ui.loc.Number(all[0].Learners), "Answers": h.ui.loc.Number(all[0].Answers)}))
	totals, _ := h.store.WorkplaceTotals(ctx, progress.Filter{}, true, nil)
	small := 0
	for _, w := range totals {
		switch {
		case w.Cohort == "BIG-1":
			h.mustShow(h.ui.T("Proof.WorkplaceLearners", map[string]any{"N": h.ui.loc.Number(w.Learners), "Answers": h.ui.loc.Number(w.Answers)}))
		case w.Learners < measure.MinGroup:
			small++
		}
	}
	if small == 0 {
		t.Fatal("no small cohort to leave out")
	}
	h.mustShow(h.ui.N("Proof.SmallCohorts", small, nil))

	// A cohort of three: counts only, nowhere a percentage of theirs.
	sel := find(h, "cohort filter", func(s *widget.Select) bool { return slices.Contains(s.Options, "SMALL-1") })
	sel.SetSelected("SMALL-1")
	h.settle()
	for _, c := range findAll[*gainBars](h, nil) {
		for i, e := range c.est {
			if e.Shown() || e.Mean != 0 {
				t.Errorf("SMALL-1 shows a figure: %+v", c.est)
			}
			if e.N > 0 && c.values[i] != h.ui.N("Gain.CountOnly", e.N, nil) {
				t.Errorf("SMALL-1: %q", c.values[i])
			}
		}
	}
	three := false
	for _, c := range findAll[*gainBars](h, nil) {
		three = three || slices.Contains(c.values[:], h.ui.N("Gain.CountOnly", 3, nil))
	}
	if !three {
		t.Error("no chart says its three learners are too few to show")
	}
	h.mustShow(h.ui.N("Gain.NoGain", 3, nil))
}

func TestWorkplaceQuestionsTurnedOnAskedAndCounted(t *testing.T) {
	// The trainer's setting: off by default, on with a tick.
	h := newHarness(t, "")
	seedLearners(t, h.store)
	ctx := context.Background()
	if on, _ := h.store.WorkplaceQuestions(ctx); on {
		t.Fatal("the workplace questions are on by default")
	}
	h.enterTrainer(trainerPass)
	h.trainer().selectTab(tabSettings)
	check := find(h, "workplace setting", func(c *widget.Check) bool { return c.Text == h.ui.T("Proof.WorkplaceSetting") })
	if check.Checked {
		t.Error("the setting shows as on")
	}
	test.Tap(check)
	h.settle()
	if on, _ := h.store.WorkplaceQuestions(ctx); !on {
		t.Fatal("ticking the setting did not turn the questions on")
	}

	// A learner whose refresher fell due is asked on the module's page.
	d := demoHarness(t, 150)
	var who *progress.Learner
	learners, _ := d.store.Learners(ctx)
	for _, l := range learners {
		if due, _, _ := d.store.WorkplaceDue(ctx, l.ID, "core", time.Now()); due {
			who = &l
			break
		}
	}
	if who == nil {
		t.Fatal("no demo learner is due to answer")
	}
	d.ui.learner = who
	d.openModule(d.core())
	d.mustShow(d.ui.T("Workplace.Title"))
	groups := findAll[*widget.RadioGroup](d, func(g *widget.RadioGroup) bool { return slices.Contains(g.Options, d.ui.T("Workplace.Unsaid")) })
	if len(groups) != 3 {
		t.Fatalf("%d questions", len(groups))
	}
	groups[0].SetSelected(d.ui.T("Workplace.Yes"))
	groups[1].SetSelected(d.ui.T("Workplace.No"))
	// The third left unanswered: prefer not to say.
	before, _ := d.store.WorkplaceTotals(ctx, progress.Filter{}, false, nil)
	d.tap("Workplace.Send")
	d.mustShow(d.ui.T("Workplace.Thanks"))
	after, _ := d.store.WorkplaceTotals(ctx, progress.Filter{}, false, nil)
	if after[0].Answers != before[0].Answers+1 || after[0].MetSign[progress.ReplyYes] != before[0].MetSign[progress.ReplyYes]+1 ||
		after[0].Alerted[progress.ReplyNo] != before[0].Alerted[progress.ReplyNo]+1 ||
		after[0].KnewWhom[progress.ReplyUnsaid] != before[0].KnewWhom[progress.ReplyUnsaid]+1 {
		t.Errorf("totals %+v, then %+v", before[0], after[0])
	}
	if due, _, _ := d.store.WorkplaceDue(ctx, who.ID, "core", time.Now()); due {
		t.Error("asked again for the same refresher")
	}
	d.ui.back()
	d.openModule(d.core())
	if d.shows(d.ui.T("Workplace.Title")) {
		t.Error("the questions show again")
	}
}
