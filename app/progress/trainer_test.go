package progress

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestTrainerPassphraseAndGrowingDelays(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	clock := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	if has, _ := s.HasTrainerPassphrase(ctx); has {
		t.Fatal("a new installation has a passphrase")
	}
	if err := s.CheckTrainerPassphrase(ctx, "anything"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("check before set: %v", err)
	}
	if err := s.SetTrainerPassphrase(ctx, "", "short"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("short passphrase: %v", err)
	}
	const pass = "Vormingsdag in Brussel 2026"
	if err := s.SetTrainerPassphrase(ctx, "", pass); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckTrainerPassphrase(ctx, pass); err != nil {
		t.Fatalf("right passphrase: %v", err)
	}
	// Two wrong attempts are free; the third makes the next wait 2 s, then 4 s …
	for i := 1; i <= 3; i++ {
		if err := s.CheckTrainerPassphrase(ctx, "wrong guess "+string(rune('0'+i))); !errors.Is(err, ErrWrongPassphrase) {
			t.Fatalf("wrong attempt %d: %v", i, err)
		}
	}
	var wait *WaitError
	if err := s.CheckTrainerPassphrase(ctx, pass); !errors.As(err, &wait) || wait.Wait != 2*time.Second {
		t.Fatalf("right passphrase too soon after three wrong ones: %v", err)
	}
	// The count survives a restart of the app.
	s.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.now = func() time.Time { return clock.Add(time.Second) }
	if err := s.CheckTrainerPassphrase(ctx, pass); !errors.As(err, &wait) || wait.Wait != time.Second {
		t.Fatalf("after a restart: %v", err)
	}
	s.now = func() time.Time { return clock.Add(2 * time.Second) }
	if err := s.CheckTrainerPassphrase(ctx, "another wrong one"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatal(err)
	}
	s.now = func() time.Time { return clock.Add(5 * time.Second) }
	if err := s.CheckTrainerPassphrase(ctx, pass); !errors.As(err, &wait) || wait.Wait != time.Second {
		t.Fatalf("the fourth failure should make the wait 4 s: %v", err)
	}
	s.now = func() time.Time { return clock.Add(7 * time.Second) }
	if err := s.CheckTrainerPassphrase(ctx, pass); err != nil {
		t.Fatalf("after waiting: %v", err)
	}
	if err := s.CheckTrainerPassphrase(ctx, "wrong again"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatal("the count was not reset by the right passphrase")
	}
	// Changing it needs the old one.
	if err := s.SetTrainerPassphrase(ctx, "not the old one", "a brand new passphrase"); err == nil {
		t.Fatal("changed without the old passphrase")
	}
	for n, want := range map[int]time.Duration{0: 0, 2: 0, 3: 2 * time.Second, 6: 16 * time.Second, 40: 15 * time.Minute} {
		if got := TrainerDelay(n); got != want {
			t.Errorf("TrainerDelay(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestCohortsDashboardStatsAndErasure(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	mk := func(name, role, cohort string) Learner {
		l, err := s.CreateLearner(ctx, NewLearner{Name: name, Role: role, Language: "fr", Cohort: cohort})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	a := mk("Zoë Martin", "police", "LIEGE-1")
	b := mk("Bram Peeters", "hospital", "LIEGE-1")
	c := mk("Chloé Dubois", "police", "")
	finish := func(l Learner, right []bool) {
		att, _ := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", Language: "fr", Plan: plan(len(right)), PassMark: 80})
		correct := 0
		for i, r := range right {
			s.RecordAnswer(ctx, att.ID, Answer{Position: i, QuestionID: plan(len(right))[i].QuestionID, Complete: true, Correct: r, Indicator: "x"})
			if r {
				correct++
			}
		}
		if _, err := s.FinishAttempt(ctx, att.ID); err != nil {
			t.Fatal(err)
		}
	}
	finish(a, []bool{true, true, true, true, true})
	finish(b, []bool{false, true, false, true, true})
	finish(c, []bool{false, false, true, true, true})

	if err := s.CreateCohort(ctx, "GENT-2", "Gent, voorjaar"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCohort(ctx, c.ID, "GENT-2"); err != nil {
		t.Fatal(err)
	}
	cohorts, _ := s.Cohorts(ctx)
	if len(cohorts) != 2 || cohorts[0].Code != "GENT-2" || cohorts[0].Learners != 1 || cohorts[1].Code != "LIEGE-1" || cohorts[1].Learners != 2 {
		t.Errorf("cohorts %+v", cohorts)
	}

	all, err := s.Dashboard(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || all[0].Name != "Bram Peeters" || all[2].Name != "Zoë Martin" {
		t.Fatalf("dashboard order: %+v", all)
	}
	if st := all[2].Modules["core"]; st.Status != "passed" || st.BestPercent != 100 || st.PassedAt.IsZero() {
		t.Errorf("Zoë: %+v", st)
	}
	if rows, _ := s.Dashboard(ctx, Filter{Cohort: "LIEGE-1", Role: "police"}); len(rows) != 1 || rows[0].ID != a.ID {
		t.Errorf("cohort and role filter: %+v", rows)
	}
	if rows, _ := s.Dashboard(ctx, Filter{Since: time.Now().Add(time.Hour)}); len(rows) != 0 {
		t.Errorf("since filter: %d rows", len(rows))
	}

	st, err := s.ModuleStats(ctx, "core", Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Scores[10] != 1 || st.Scores[6] != 2 {
		t.Errorf("score distribution %v", st.Scores)
	}
	if len(st.Questions) != 5 || st.Questions[0].QuestionID != "q0" || st.Questions[0].Wrong != 2 || st.Questions[0].Total != 3 {
		t.Errorf("missed questions %+v", st.Questions)
	}

	// Erasure leaves nothing of the learner and keeps everyone else.
	if err := s.DeleteLearner(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"lesson_progress", "attempts", "module_status", "review_cards", "review_answers"} {
		var n int
		s.read.QueryRow("SELECT count(*) FROM "+table+" WHERE learner_id = ?", b.ID).Scan(&n)
		if n != 0 {
			t.Errorf("%d rows of the erased learner left in %s", n, table)
		}
	}
	var answers int
	s.read.QueryRow("SELECT count(*) FROM answers").Scan(&answers)
	if answers != 10 {
		t.Errorf("%d answers left, want the other two learners' 10", answers)
	}
	if err := s.DeleteLearner(ctx, b.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v", err)
	}
}

// TestAllModuleStatsAgreesWithModuleStats: the statistics of every module read at once
// are those read module by module, with and without a filter.
func TestAllModuleStatsAgreesWithModuleStats(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	mods := shippedDemoModules(t)
	if err := s.BulkDemo(ctx, 300, mods, 5, nil); err != nil {
		t.Fatal(err)
	}
	var cohort string
	if err := s.read.QueryRowContext(ctx, `SELECT cohort FROM learners WHERE cohort != '' LIMIT 1`).Scan(&cohort); err != nil {
		t.Fatal(err)
	}
	for _, f := range []Filter{{}, {Cohort: cohort}, {Role: "police"}, {NoCohort: true}} {
		all, err := s.AllModuleStats(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mods {
			one, err := s.ModuleStats(ctx, m.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			got := all[m.ID]
			if one.Scores != got.Scores || !slices.Equal(one.Questions, got.Questions) {
				t.Errorf("%+v, %s: all at once %+v, one by one %+v", f, m.ID, got, one)
			}
		}
		if f == (Filter{}) && len(all) == 0 {
			t.Fatal("no statistics")
		}
	}
}
