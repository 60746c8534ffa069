package app

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/quiz"
)

// openCore taps the core module's Open in the catalog and applies what the screen read
// (without skipping the pre-test, unlike openModule).
func (h *harness) openCore() {
	h.t.Helper()
	test.Tap(findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T("Catalog.Open") })[0])
	h.settle()
}

// gradingWords are the words of a grade: none of them may show in a pre-test.
func (h *harness) gradingWords() []string {
	return []string{h.ui.T("Results.Passed"), h.ui.T("Results.Failed"), h.ui.T("Quiz.Wrong"), h.ui.T("Quiz.Right")}
}

func (h *harness) showsNoGrade(where string) {
	h.t.Helper()
	for _, w := range h.gradingWords() {
		if h.shows(w) {
			h.t.Errorf("%s shows %q", where, w)
		}
	}
}

func TestPretestTakenBeforeTheLessons(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Anaïs Dubois", "hospital")
	ctx := context.Background()
	h.openCore()
	// Offered before the lessons, as what the learner already knows, without a pass mark.
	h.mustShow(h.ui.T("Pretest.Title"))
	h.mustShow(h.ui.T("Pretest.Intro", map[string]any{"Count": quiz.PretestSize}))
	if h.shows(h.ui.T("Module.Lessons")) || h.shows("80") {
		t.Error("the offer shows the lessons or a pass mark")
	}
	h.tap("Pretest.Start")
	s := h.quiz()
	if s == nil || !s.pretest || s.session.Len() != quiz.PretestSize {
		t.Fatalf("pre-test screen %+v", s)
	}
	h.mustShow(h.ui.T("Pretest.QuizTitle", map[string]any{"Module": h.core().In("fr").Title}))
	// Each answer is saved and the next question follows at once: no feedback, no
	// grade, until the end.
	var right int
	for i := range quiz.PretestSize {
		if s.idx != i {
			t.Fatalf("question %d shown, want %d", s.idx, i)
		}
		h.showsNoGrade("a pre-test question")
		if h.shows(h.ui.T("Quiz.ConfidentMistake")) {
			t.Error("a pre-test question shows the confident-mistake warning")
		}
		h.answer(i%2 == 0)
		if i%2 == 0 {
			right++
		}
	}
	// The end: what the learner knew, never passed or failed, and every answer now.
	h.mustShow(h.ui.T("Pretest.DoneTitle"))
	for _, w := range []string{h.ui.T("Results.Passed"), h.ui.T("Results.Failed"), h.ui.T("Results.Retry")} {
		if h.shows(w) {
			t.Errorf("the pre-test's end shows %q", w)
		}
	}
	for i := range quiz.PretestSize {
		q := s.session.Item(i).Question
		var fr quiz.Question
		for _, b := range h.core().In("fr").Bank {
			if b.ID == q.ID {
				fr = b
			}
		}
		h.mustShow(fr.Prompt)
	}
	attempts, _ := h.store.Attempts(ctx, h.ui.learner.ID, "core")
	if len(attempts) != 1 || attempts[0].Kind != progress.KindPretest || attempts[0].Status != progress.AttemptFinished || attempts[0].Correct != right {
		t.Fatalf("attempts %+v", attempts)
	}
	// It started nothing: the module is not begun, no review card was made.
	sums, _ := h.store.Summaries(ctx, h.ui.learner.ID)
	if sums["core"].Status != progress.ModuleNotStarted {
		t.Errorf("the module after its pre-test: %+v", sums["core"])
	}
	if n, _ := h.store.CountDue(ctx, h.ui.learner.ID, time.Now().AddDate(1, 0, 0)); n != 0 {
		t.Errorf("%d review cards from the pre-test", n)
	}
	pretestItems := attempts[0].Plan

	// On to the lessons; the module's page lists the pre-test with its score only.
	h.tap("Pretest.ToLessons")
	h.mustShow(h.ui.T("Module.Lessons"))
	h.mustShow(h.ui.T("Pretest.Line", map[string]any{"Date": h.ui.loc.Date(attempts[0].FinishedAt), "Score": h.ui.loc.Percent(attempts[0].Percent)}))
	// The first quiz never shows the pre-test's questions.
	h.tap("Module.StartQuiz")
	for _, d := range h.quiz().attempt.Plan {
		if slices.ContainsFunc(pretestItems, func(p quiz.Draw) bool { return p.QuestionID == d.QuestionID }) {
			t.Errorf("the first quiz shows the pre-test's %s", d.QuestionID)
		}
	}
	// The module's page shows its lessons straight away now.
	h.tap("Top.Catalog")
	h.openCore()
	h.mustShow(h.ui.T("Module.Lessons"))
	if h.shows(h.ui.T("Pretest.Title")) {
		t.Error("the pre-test is offered again after it was taken")
	}
}

func TestPretestSkippedIsRecordedAndNotOfferedAgain(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Jan Peeters", "police")
	h.openCore()
	h.tap("Pretest.Skip")
	h.mustShow(h.ui.T("Module.Lessons"))
	attempts, _ := h.store.Attempts(context.Background(), h.ui.learner.ID, "core")
	if len(attempts) != 1 || attempts[0].Status != progress.AttemptSkipped || attempts[0].Total != 0 {
		t.Fatalf("attempts %+v", attempts)
	}
	h.mustShow(h.ui.T("Pretest.SkippedLine", map[string]any{"Date": h.ui.loc.Date(attempts[0].FinishedAt)}))
	h.tap("Top.Catalog")
	h.openCore()
	if h.shows(h.ui.T("Pretest.Title")) {
		t.Error("the pre-test is offered again after a skip")
	}
	h.mustShow(h.ui.T("Module.Lessons"))
}

// A pre-test under way survives the app's end: the next time the learner opens the
// module, it continues at the question they had reached, with the same questions.
func TestPretestResumesAfterACrash(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Zoë Peeters", "guardian")
	h.openCore()
	h.tap("Pretest.Start")
	first := h.quiz().attempt
	h.answer(true)
	h.answer(false)
	// The app dies here: a new one opens the same file.
	path := h.path
	h.store.Close()
	h2 := newHarness(t, path)
	test.Tap(find(h2, "continue as Zoë", func(b *widget.Button) bool { return strings.Contains(b.Text, "Zoë Peeters") }))
	if h2.ui.learner == nil {
		t.Fatal("not signed in")
	}
	h2.openCore()
	h2.mustShow(h2.ui.T("Pretest.Resume", map[string]any{"Done": 2, "Total": quiz.PretestSize}))
	h2.tap("Pretest.Resume", map[string]any{"Done": 2, "Total": quiz.PretestSize})
	s := h2.quiz()
	if s == nil || !s.pretest || s.attempt.ID != first.ID || s.idx != 2 {
		t.Fatalf("resumed at %+v", s)
	}
	for range quiz.PretestSize - 2 {
		h2.answer(true)
	}
	h2.mustShow(h2.ui.T("Pretest.DoneTitle"))
	a, _ := h2.store.Attempt(context.Background(), first.ID)
	if a.Status != progress.AttemptFinished || a.Correct < quiz.PretestSize-2 || a.Correct > quiz.PretestSize-1 {
		t.Errorf("the resumed pre-test %+v", a)
	}

	// Skipping the rest of one under way: its answers are kept, the skip is recorded.
	h3 := newHarness(t, "")
	h3.createLearner("Sien Maes", "fedasil")
	h3.openCore()
	h3.tap("Pretest.Start")
	h3.answer(true)
	// Paused, the pre-test is offered again on the module's page, to resume or skip.
	h3.tap("Quiz.Pause")
	h3.mustShow(h3.ui.T("Pretest.Resume", map[string]any{"Done": 1, "Total": quiz.PretestSize}))
	h3.tap("Pretest.SkipRest")
	h3.mustShow(h3.ui.T("Module.Lessons"))
	attempts, _ := h3.store.Attempts(context.Background(), h3.ui.learner.ID, "core")
	if len(attempts) != 2 || attempts[0].Status != progress.AttemptSkipped || attempts[1].Status != progress.AttemptAbandoned {
		t.Errorf("attempts %+v", attempts)
	}
}
