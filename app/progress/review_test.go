package progress

import (
	"context"
	"slices"
	"testing"
	"time"

	"indicia/quiz"
)

func TestAnswersScheduleReviewsAndConfidentMistakesComeFirst(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	l, _ := s.CreateLearner(ctx, NewLearner{Name: "Eva", Role: "police", Language: "nl", Cohort: "GENT-3"})
	a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", Language: "nl", Plan: plan(3), PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	answers := []Answer{
		{Position: 0, QuestionID: "q0", Complete: true, Correct: true, Indicator: "debt", Confidence: quiz.Sure},
		{Position: 1, QuestionID: "q1", Complete: true, Correct: false, Indicator: "loverboy", Confidence: quiz.Sure},
		{Position: 2, QuestionID: "q2", Complete: true, Correct: false, Indicator: "debt", Confidence: quiz.Guessing},
	}
	for _, ans := range answers {
		if err := s.RecordAnswer(ctx, a.ID, ans); err != nil {
			t.Fatal(err)
		}
	}
	stored, _ := s.Answers(ctx, a.ID)
	if stored[0].Confidence != quiz.Sure || stored[2].Confidence != quiz.Guessing {
		t.Errorf("confidence not stored: %+v", stored)
	}

	due, err := s.DueCards(ctx, l.ID, clock, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].QuestionID != "q1" || !due[0].Priority {
		t.Fatalf("due now: %+v (want only the confident mistake)", due)
	}
	due, _ = s.DueCards(ctx, l.ID, clock.AddDate(0, 0, 1), 10)
	if len(due) != 2 || due[0].QuestionID != "q1" || due[1].QuestionID != "q2" {
		t.Fatalf("due tomorrow: %+v", due)
	}
	if n, _ := s.CountDue(ctx, l.ID, clock.AddDate(0, 0, 20)); n != 3 {
		t.Errorf("%d due in 20 days, want all 3", n)
	}

	// A review answer puts the mistake right and reschedules it.
	clock = clock.Add(time.Hour)
	if err := s.RecordReview(ctx, l.ID, ReviewAnswer{ModuleID: "core", QuestionID: "q1", Indicator: "loverboy",
		Response: quiz.Response{Chosen: []string{"a"}}, Correct: true, Confidence: quiz.Fairly, Time: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	due, _ = s.DueCards(ctx, l.ID, clock, 10)
	if len(due) != 0 {
		t.Errorf("still due after a right review: %+v", due)
	}
	var n int
	s.read.QueryRow("SELECT count(*) FROM review_answers WHERE learner_id = ? AND correct = 1", l.ID).Scan(&n)
	if n != 1 {
		t.Errorf("%d review answers stored", n)
	}

	m, err := s.Mastery(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []QuestionMastery{
		{ModuleID: "core", QuestionID: "q0", Learning: 1},
		{ModuleID: "core", QuestionID: "q1", Learning: 1},
		{ModuleID: "core", QuestionID: "q2", Missing: 1},
	}
	if !slices.Equal(m, want) {
		t.Errorf("mastery %+v, want %+v", m, want)
	}
	cm, _ := s.CohortMastery(ctx, "GENT-3")
	if len(cm) != 3 {
		t.Errorf("cohort mastery %+v", cm)
	}
	if cm, _ := s.CohortMastery(ctx, "OTHER"); len(cm) != 0 {
		t.Errorf("another cohort sees %+v", cm)
	}

	// Everything survives a reopen.
	s.Close()
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if n, _ := s2.CountDue(ctx, l.ID, clock.AddDate(1, 0, 0)); n != 3 {
		t.Errorf("after reopening, %d cards", n)
	}
}

func TestRefresherFallsDueAndARefresherPassRenewsIt(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	clock := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	l, _ := s.CreateLearner(ctx, NewLearner{Name: "Tom", Role: "hospital", Language: "en"})
	pass := func(refresher bool) {
		t.Helper()
		a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", Language: "en", Plan: plan(1), PassMark: 80, Refresher: refresher})
		if err != nil {
			t.Fatal(err)
		}
		s.RecordAnswer(ctx, a.ID, Answer{Position: 0, QuestionID: "q0", Complete: true, Correct: true})
		done, err := s.FinishAttempt(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]AttemptKind{true: KindRefresher, false: KindQuiz}[refresher]; done.Kind != want {
			t.Errorf("attempt kind %s, want %s", done.Kind, want)
		}
	}
	pass(false)
	sum, _ := s.Summaries(ctx, l.ID)
	first := sum["core"].PassedAt

	days, _ := s.RefresherDays(ctx)
	if state, due := RefresherState(first, days["core"], clock.AddDate(0, 5, 0)); state != RefresherNone || !due.Equal(first.AddDate(0, 0, DefaultRefresherDays)) {
		t.Errorf("after 5 months: %q due %v", state, due)
	}
	if state, _ := RefresherState(first, days["core"], first.AddDate(0, 0, DefaultRefresherDays)); state != RefresherDue {
		t.Errorf("on the day: %q", state)
	}
	if state, _ := RefresherState(first, days["core"], first.AddDate(0, 0, DefaultRefresherDays+31)); state != RefresherOverdue {
		t.Errorf("a month later: %q", state)
	}
	if err := s.SetRefresherDays(ctx, "core", 90); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRefresherDays(ctx, "core", 0); err == nil {
		t.Error("a zero period was accepted")
	}
	days, _ = s.RefresherDays(ctx)
	if state, _ := RefresherState(first, days["core"], first.AddDate(0, 0, 91)); state != RefresherDue {
		t.Errorf("with 90 days, after 91: %q", state)
	}

	clock = clock.AddDate(0, 0, 95)
	pass(true)
	sum, _ = s.Summaries(ctx, l.ID)
	if !sum["core"].PassedAt.After(first) {
		t.Fatal("passing the refresher did not renew the pass date")
	}
	if state, _ := RefresherState(sum["core"].PassedAt, days["core"], clock); state != RefresherNone {
		t.Errorf("right after the refresher: %q", state)
	}
}
