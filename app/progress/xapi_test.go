package progress

import (
	"context"
	"testing"
	"time"

	"indicia/quiz"
)

func TestHistory(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	advance := fixedClock(s, time.UnixMilli(1_700_000_000_000))
	ann := newLearner(t, s, "Ann")
	bob := newLearner(t, s, "Bob")

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SaveLesson(ctx, ann.ID, "core", "forms", 2, 90*time.Second, false))
	advance(time.Minute)
	must(s.SaveLesson(ctx, ann.ID, "core", "forms", 3, 30*time.Second, true))
	must(s.SaveLesson(ctx, bob.ID, "core", "actors", 0, 5*time.Second, false))

	a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: ann.ID, ModuleID: "core", ContentVersion: "v1", Language: "nl", Plan: plan(2), PassMark: 50})
	must(err)
	advance(10 * time.Second)
	must(s.RecordAnswer(ctx, a.ID, Answer{Position: 1, QuestionID: "q1", Response: quiz.Response{Chosen: []string{"a"}}, Complete: true, Correct: true, Time: 3 * time.Second}))
	must(s.RecordAnswer(ctx, a.ID, Answer{Position: 0, QuestionID: "q0", Response: quiz.Response{Path: []string{"s1:a"}}, Time: time.Second}))
	b, err := s.StartAttempt(ctx, NewAttempt{LearnerID: bob.ID, ModuleID: "core", ContentVersion: "v1", Language: "fr", Plan: plan(1), PassMark: 80})
	must(err)
	must(s.RecordAnswer(ctx, b.ID, Answer{Position: 0, QuestionID: "q0", Response: quiz.Response{Chosen: []string{"b"}}, Complete: true, Time: 2 * time.Second}))
	advance(time.Minute)
	_, err = s.FinishAttempt(ctx, b.ID)
	must(err)

	h, err := s.History(ctx)
	must(err)
	if len(h.Learners) != 2 || h.Learners[0].Name != "Ann" || h.Learners[1].Name != "Bob" {
		t.Errorf("learners %+v", h.Learners)
	}
	if len(h.Lessons) != 2 {
		t.Fatalf("lessons %+v", h.Lessons)
	}
	forms := h.Lessons[0]
	if forms.LearnerID != ann.ID || forms.LessonID != "forms" || forms.Position != 3 || forms.TimeSpent != 2*time.Minute ||
		forms.CompletedAt != time.UnixMilli(1_700_000_060_000) || forms.UpdatedAt != forms.CompletedAt {
		t.Errorf("lesson %+v", forms)
	}
	if h.Lessons[1].LearnerID != bob.ID || !h.Lessons[1].CompletedAt.IsZero() {
		t.Errorf("lesson %+v", h.Lessons[1])
	}
	if len(h.Attempts) != 2 {
		t.Fatalf("attempts %+v", h.Attempts)
	}
	ra, rb := h.Attempts[0], h.Attempts[1]
	if ra.ID != a.ID || ra.Kind != "quiz" || ra.Status != "open" || ra.Language != "nl" || ra.PassMark != 50 || len(ra.Plan) != 2 ||
		len(ra.Answers) != 2 || ra.Answers[0].Complete || ra.Answers[1].QuestionID != "q1" || !ra.Answers[1].Correct ||
		ra.Answers[1].Time != 3*time.Second || ra.Answers[1].AnsweredAt != time.UnixMilli(1_700_000_070_000) {
		t.Errorf("attempt a %+v", ra)
	}
	if rb.ID != b.ID || rb.Status != "finished" || rb.Passed || rb.FinishedAt != time.UnixMilli(1_700_000_130_000) ||
		len(rb.Answers) != 1 || rb.Answers[0].Response.Chosen[0] != "b" {
		t.Errorf("attempt b %+v", rb)
	}
}
