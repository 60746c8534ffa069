package app

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/quiz"
)

// markSpot passes the content note if it is shown, then marks by mouse every phrase of
// the spot question on screen for which mark says so.
func (h *harness) markSpot(mark func(id string) bool) {
	h.t.Helper()
	if h.shows(h.ui.T("Note.Title")) {
		h.tap("Note.Continue")
	}
	q := h.quiz().item().Question
	rows := findAll[*optionRow](h, nil)
	if len(rows) != len(q.Options) {
		h.t.Fatalf("%d phrase rows for %d phrases", len(rows), len(q.Options))
	}
	for i, o := range q.Options {
		if mark(o.ID) {
			test.Tap(rows[i])
		}
	}
}

// spotAttempt signs a learner in and opens an attempt of one question: the core
// module's first spot-the-signals situation.
func spotAttempt(t *testing.T, h *harness) (quiz.Question, progress.Attempt) {
	t.Helper()
	h.createLearner("Nadia", "hospital")
	var q quiz.Question
	for _, b := range h.core().In("fr").Bank {
		if b.Kind == quiz.Spot {
			q = b
			break
		}
	}
	if q.ID == "" {
		t.Fatal("the core module has no spot question")
	}
	plan, _ := quiz.NewPlan([]quiz.Question{q}, 1, randFor(t))
	a, err := h.store.StartAttempt(context.Background(), progress.NewAttempt{LearnerID: h.ui.learner.ID, ModuleID: "core", Language: "fr", Plan: plan, PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	h.ui.resumeQuiz(h.core(), a, nil)
	return q, a
}

func isSign(q quiz.Question) func(string) bool {
	return func(id string) bool { _, ok := q.Signs[id]; return ok }
}

func TestSpotShowsTheSituationAfterTheContentNote(t *testing.T) {
	h := newHarness(t, "")
	q, _ := spotAttempt(t, h)
	h.mustShow(h.ui.T("Note.Title"))
	if h.shows(q.Options[0].Text) {
		t.Error("the situation is shown before its content note")
	}
	h.tap("Note.Continue")
	h.mustShow(q.Prompt)
	for _, p := range q.SituationParts() {
		if p.Phrase == "" {
			h.mustShow(p.Text)
		}
	}
	for i, o := range q.Options {
		h.mustShow(fmt.Sprintf("%d. %s", i+1, o.Text))
	}
}

func TestSpotRightPartlyRightAndWrong(t *testing.T) {
	for _, tt := range []struct {
		name    string
		mark    func(q quiz.Question) func(string) bool
		title   func(h *harness, q quiz.Question) string
		correct bool
		score   func(q quiz.Question) float64
	}{
		{"every sign and nothing else", func(q quiz.Question) func(string) bool { return isSign(q) },
			func(h *harness, q quiz.Question) string { return h.ui.T("Quiz.Right") }, true,
			func(quiz.Question) float64 { return 1 }},
		{"all signs but the first", func(q quiz.Question) func(string) bool {
			return func(id string) bool { return isSign(q)(id) && id != q.Answer[0] }
		}, func(h *harness, q quiz.Question) string {
			return h.ui.T("Quiz.PartlyRight", map[string]any{"Percent": (len(q.Answer) - 1) * 100 / len(q.Answer)})
		}, false, func(q quiz.Question) float64 { return float64(len(q.Answer)-1) / float64(len(q.Answer)) }},
		{"only phrases that are not signs", func(q quiz.Question) func(string) bool {
			return func(id string) bool { return !isSign(q)(id) }
		}, func(h *harness, q quiz.Question) string { return h.ui.T("Quiz.Wrong") }, false,
			func(quiz.Question) float64 { return 0 }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, "")
			q, a := spotAttempt(t, h)
			h.markSpot(tt.mark(q))
			h.tap("Quiz.Check")
			it := h.quiz().item()
			if !it.Answered || it.Grade.Correct != tt.correct || !near(it.Grade.Score, tt.score(q)) {
				t.Fatalf("graded %+v", it.Grade)
			}
			h.mustShow(tt.title(h, q))
			// The feedback goes through every phrase, marked or not, with its why, and
			// names each sign's indicator.
			for _, o := range q.Options {
				h.mustShow(o.Why)
			}
			for _, ind := range q.Signs {
				catInd, ok := h.ui.catalog().Indicator(ind)
				if !ok {
					t.Fatalf("sign indicator %s not in the catalogue", ind)
				}
				if !h.showsPart(catInd.In("fr").Title) {
					t.Errorf("the feedback does not name indicator %q", catInd.In("fr").Title)
				}
			}
			// Signs carry a tick, phrases marked that are not signs a cross.
			for i, row := range findAll[*optionRow](h, nil) {
				id := q.Options[i].ID
				want := 0
				switch {
				case isSign(q)(id):
					want = 1
				case row.Selected:
					want = -1
				}
				if row.Mark != want || !row.disabled {
					t.Errorf("phrase %s: mark %d (want %d), disabled %v", id, row.Mark, want, row.disabled)
				}
			}
			answers, _ := h.store.Answers(context.Background(), a.ID)
			if len(answers) != 1 || answers[0].Correct != tt.correct || !near(progress.CreditOf(answers[0].Correct, answers[0].Score).Score, tt.score(q)) {
				t.Errorf("stored %+v", answers)
			}
			h.tap("Quiz.SeeResults")
			done, _ := h.store.Attempt(context.Background(), a.ID)
			if want := quiz.Percent(tt.score(q), 1); done.Percent != want {
				t.Errorf("attempt scored %d %%, want %d %% (partial credit)", done.Percent, want)
			}
		})
	}
}

func near(a, b float64) bool { return a-b < 1e-3 && b-a < 1e-3 }

// showsPart reports whether some text on screen contains s.
func (h *harness) showsPart(s string) bool {
	for _, l := range findAll[*widget.Label](h, nil) {
		if strings.Contains(l.Text, s) {
			return true
		}
	}
	return false
}

func TestSpotWithNothingMarkedAsksOnce(t *testing.T) {
	h := newHarness(t, "")
	_, a := spotAttempt(t, h)
	h.tap("Note.Continue")
	h.tap("Quiz.Check")
	if h.quiz().item().Answered {
		t.Fatal("checking with nothing marked answered at once")
	}
	h.mustShow(h.ui.T("Quiz.SpotNoneMarked"))
	h.tap("Quiz.Check")
	it := h.quiz().item()
	if !it.Answered || it.Grade.Correct || it.Grade.Score != 0 {
		t.Fatalf("nothing marked, confirmed: %+v", it)
	}
	if answers, _ := h.store.Answers(context.Background(), a.ID); len(answers) != 1 || len(answers[0].Response.Chosen) != 0 {
		t.Errorf("stored %+v", answers)
	}
}

func TestSpotByKeyboardAlone(t *testing.T) {
	h := newHarness(t, "")
	q, _ := spotAttempt(t, h)
	c := h.ui.Window().Canvas()
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn}) // past the content note
	if h.shows(h.ui.T("Note.Title")) {
		t.Fatal("Enter did not pass the content note")
	}
	rows := findAll[*optionRow](h, nil)
	// The number key of the first sign marks it and focuses it.
	first := slices.IndexFunc(q.Options, func(o quiz.Option) bool { return isSign(q)(o.ID) })
	c.OnTypedRune()(rune('1' + first))
	if !slices.Equal(h.quiz().chosen, []string{q.Options[first].ID}) || c.Focused() != rows[first] {
		t.Fatalf("number key: chosen %v", h.quiz().chosen)
	}
	// Then down the phrases with the arrow key, Space on each other sign.
	for i := first; i < len(rows)-1; i++ {
		rows[i].TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
		if c.Focused() != rows[i+1] {
			t.Fatalf("arrow down from phrase %d did not move the focus", i+1)
		}
		if isSign(q)(q.Options[i+1].ID) {
			test.Type(rows[i+1], " ")
		}
	}
	// Space toggles off and on again.
	test.Type(rows[first], " ")
	test.Type(rows[first], " ")
	rows[len(rows)-1].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	it := h.quiz().item()
	if !it.Answered || !it.Grade.Correct {
		t.Fatalf("keyboard answer %v graded %+v", it.Response.Chosen, it.Grade)
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.mustShow(h.ui.T("Results.Passed"))
}

func TestSpotAnswerResumesAfterARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spot.db")
	h := newHarness(t, path)
	q, a := spotAttempt(t, h)
	// A second question after the spot, so the attempt stays open.
	plan := append(a.Plan, quiz.DrawFor(h.core().In("fr").Bank[0], randFor(t)))
	a2, err := h.store.StartAttempt(context.Background(), progress.NewAttempt{LearnerID: h.ui.learner.ID, ModuleID: "core", Language: "fr", Plan: plan, PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	h.ui.resumeQuiz(h.core(), a2, nil)
	partial := func(id string) bool { return isSign(q)(id) && id != q.Answer[0] }
	h.markSpot(partial)
	h.tap("Quiz.Check")
	want := h.quiz().item().Grade
	h.store.Close() // the app dies here

	h2 := newHarness(t, path)
	test.Tap(find(h2, "learner button", func(b *widget.Button) bool { return strings.HasPrefix(b.Text, "Nadia") }))
	h2.openModule(h2.core())
	h2.tap("Module.ResumeQuiz", map[string]any{"Done": 1, "Total": 2})
	s := h2.quiz()
	if s.idx != 1 || s.session.Item(0).Grade.Score != want.Score || !s.session.Item(0).Answered {
		t.Fatalf("resumed at %d with %+v, want the spot answered with %+v", s.idx, s.session.Item(0).Grade, want)
	}
	if got := s.session.Item(0).Response.Chosen; len(got) != len(q.Answer)-1 {
		t.Errorf("resumed marks %v", got)
	}
}

func TestSpotComesBackInTheSpacedReview(t *testing.T) {
	h := newHarness(t, "")
	q, _ := spotAttempt(t, h)
	h.tap("Note.Continue")
	conf := find(h, "confidence", func(r *widget.RadioGroup) bool { return slices.Contains(r.Options, h.ui.T("Confidence.Sure")) })
	conf.SetSelected(h.ui.T("Confidence.Sure"))
	h.markSpot(func(id string) bool { return !isSign(q)(id) })
	h.tap("Quiz.Check")
	h.mustShow(h.ui.T("Quiz.ConfidentMistake"))
	h.ui.home(h.ui.catalogScreen)
	h.tap("Review.Start")
	s := h.quiz()
	if s == nil || !s.review || s.item().Question.ID != q.ID {
		t.Fatal("the review does not start with the confidently missed situation")
	}
	h.answer(true)
	h.mustShow(h.ui.T("Quiz.Right"))
}
