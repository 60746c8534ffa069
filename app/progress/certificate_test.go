package progress

import (
	"context"
	"errors"
	"testing"

	"indicia/quiz"
)

// finish runs one attempt of n questions, all answered, and finishes it with correct
// right answers.
func finish(t *testing.T, s *Store, learnerID int64, moduleID, version string, n, correct int) Attempt {
	t.Helper()
	ctx := context.Background()
	a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: learnerID, ModuleID: moduleID, ContentVersion: version, Language: "fr", Plan: plan(n), PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range a.Plan {
		if err := s.RecordAnswer(ctx, a.ID, Answer{Position: i, QuestionID: d.QuestionID, Response: quiz.Response{Chosen: []string{"a"}}, Complete: true, Correct: i < correct}); err != nil {
			t.Fatal(err)
		}
	}
	done, err := s.FinishAttempt(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return done
}

func TestCompletion(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	l := newLearner(t, s, "Anaïs Lefèvre")
	other := newLearner(t, s, "Joris")

	// Nothing yet, then only a failed attempt: no certificate.
	if _, err := s.Completion(ctx, l.ID, "core"); !errors.Is(err, ErrNotPassed) {
		t.Errorf("no attempt: %v", err)
	}
	finish(t, s, l.ID, "core", "v1", 5, 2)
	if _, err := s.Completion(ctx, l.ID, "core"); !errors.Is(err, ErrNotPassed) {
		t.Errorf("after a fail: %v", err)
	}

	// A pass on v1 at 80%, then a pass on v2 at 100%, then a fail: the last pass's
	// version and time, the best score.
	finish(t, s, l.ID, "core", "v1", 5, 4)
	second := finish(t, s, l.ID, "core", "v2", 5, 5)
	finish(t, s, l.ID, "core", "v3", 5, 1)
	c, err := s.Completion(ctx, l.ID, "core")
	if err != nil {
		t.Fatal(err)
	}
	if c.Learner.Name != "Anaïs Lefèvre" || c.ModuleID != "core" || c.BestPercent != 100 || c.ContentVersion != "v2" {
		t.Errorf("completion %+v", c)
	}
	if !c.PassedAt.Equal(second.FinishedAt) {
		t.Errorf("passed at %v, the last pass finished at %v", c.PassedAt, second.FinishedAt)
	}

	// Another module, another learner, an unknown learner.
	if _, err := s.Completion(ctx, l.ID, "police"); !errors.Is(err, ErrNotPassed) {
		t.Errorf("other module: %v", err)
	}
	if _, err := s.Completion(ctx, other.ID, "core"); !errors.Is(err, ErrNotPassed) {
		t.Errorf("other learner: %v", err)
	}
	if _, err := s.Completion(ctx, 9999, "core"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown learner: %v", err)
	}
}

// A status recorded as passed without its attempts (merged from elsewhere) still
// certifies, with no content version of its own.
func TestCompletionWithoutAttempts(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	l := newLearner(t, s, "Eva")
	if _, err := s.write.ExecContext(ctx, `INSERT INTO module_status (learner_id, module_id, status, best_percent, passed_at, updated_at)
		VALUES (?, 'core', 'passed', 90, 1700000000000, 1700000000000)`, l.ID); err != nil {
		t.Fatal(err)
	}
	c, err := s.Completion(ctx, l.ID, "core")
	if err != nil || c.BestPercent != 90 || c.ContentVersion != "" || c.PassedAt.UnixMilli() != 1700000000000 {
		t.Errorf("completion %+v %v", c, err)
	}
}
