package app

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"
	_ "github.com/mattn/go-sqlite3"

	"indicia/app/progress"
	"indicia/quiz"
)

// oneQuestionAttempt opens the quiz screen on an attempt of just q.
func (h *harness) oneQuestionAttempt(q quiz.Question) {
	h.t.Helper()
	plan, _ := quiz.NewPlan([]quiz.Question{q}, 1, randFor(h.t))
	a, err := h.store.StartAttempt(context.Background(), progress.NewAttempt{LearnerID: h.ui.learner.ID, ModuleID: "core", Language: h.ui.loc.Lang, Plan: plan, PassMark: 80})
	if err != nil {
		h.t.Fatal(err)
	}
	h.ui.resumeQuiz(h.core(), a, nil)
}

func (h *harness) firstOfKind(k quiz.Kind) quiz.Question {
	for _, q := range h.core().In(h.ui.loc.Lang).Bank {
		if q.Kind == k {
			return q
		}
	}
	h.t.Fatalf("no %s question", k)
	return quiz.Question{}
}

func TestConfidentMistakeComesBackFirstInTheReview(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Yusuf", "fedasil")
	// A single-choice question that exercises a warning sign of the catalogue.
	var q quiz.Question
	for _, c := range h.core().In(h.ui.loc.Lang).Bank {
		if c.Kind == quiz.Single && len(c.Indicators) > 0 {
			q = c
			break
		}
	}
	if q.ID == "" {
		t.Fatal("no single-choice question exercises an indicator")
	}
	h.oneQuestionAttempt(q)

	// Say "sure", choose a wrong option, check.
	conf := find(h, "confidence", func(r *widget.RadioGroup) bool { return slices.Contains(r.Options, h.ui.T("Confidence.Sure")) })
	conf.SetSelected(h.ui.T("Confidence.Sure"))
	h.answer(false)
	h.mustShow(h.ui.T("Quiz.ConfidentMistake"))
	a, _ := h.store.Attempts(context.Background(), h.ui.learner.ID, "core")
	answers, _ := h.store.Answers(context.Background(), a[0].ID)
	if answers[0].Confidence != quiz.Sure || answers[0].Correct {
		t.Fatalf("stored %+v", answers[0])
	}

	// The catalog offers it for review now, and the review asks it first.
	h.ui.home(h.ui.catalogScreen)
	h.mustShow(h.ui.N("Review.Due", 1, nil))
	h.tap("Review.Start")
	s := h.quiz()
	if s == nil || !s.review || s.item().Question.ID != q.ID {
		t.Fatalf("the review does not start with the confident mistake")
	}
	h.answer(true)
	h.tap("Quiz.SeeResults")
	h.mustShow(h.ui.T("Review.Done"))
	h.mustShow(h.ui.T("Review.AllDone"))
	if n, _ := h.store.CountDue(context.Background(), h.ui.learner.ID, time.Now()); n != 0 {
		t.Errorf("%d still due after reviewing", n)
	}

	// The mastery picture names the catalogue's indicators the question exercises, one
	// bar each, and nothing else (not the question's topic).
	h.tap("Mastery.Button")
	h.mustShow(h.ui.T("Mastery.Title"))
	for _, id := range q.Indicators {
		ind, _ := h.ui.catalog().Indicator(id)
		h.mustShow(ind.In(h.ui.loc.Lang).Title)
	}
	if n := len(findAll[*stackedBar](h, nil)); n != len(q.Indicators) {
		t.Errorf("%d mastery bars drawn, want one per indicator (%d)", n, len(q.Indicators))
	}
}

func TestRefresherFallsDueAfterTheModuleWasPassed(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Katrien", "hospital")
	h.openModule(h.core())
	h.tap("Module.StartQuiz")
	h.takeQuiz(func(int) bool { return true })
	h.mustShow(h.ui.T("Results.Passed"))

	// Two hundred days later (the default period is about six months).
	db, err := sql.Open("sqlite3", "file:"+h.path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().AddDate(0, 0, -200)
	if _, err := db.Exec("UPDATE module_status SET passed_at = ?", past.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	h.ui.home(h.ui.catalogScreen)
	due := past.AddDate(0, 0, progress.DefaultRefresherDays)
	h.mustShow(h.ui.T("Status.RefresherDue", map[string]any{"Date": h.ui.loc.Date(due)}))
	h.openModule(h.core())
	h.mustShow(h.ui.T("Module.RefresherExplained"))
	h.tap("Module.StartRefresher")
	if h.quiz().attempt.Kind != "refresher" {
		t.Fatalf("attempt kind %q", h.quiz().attempt.Kind)
	}
	h.takeQuiz(func(int) bool { return true })
	sums, _ := h.store.Summaries(context.Background(), h.ui.learner.ID)
	if !sums["core"].PassedAt.After(past.Add(time.Hour)) {
		t.Error("passing the refresher did not renew the completion date")
	}
	h.ui.home(h.ui.catalogScreen)
	h.mustShow(h.ui.T("Status.Passed", map[string]any{"Date": h.ui.loc.Date(sums["core"].PassedAt)}))
}
