package progress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"indicia/quiz"
)

// clockAt makes the store's clock read t until moved with the returned function.
func clockAt(s *Store, t time.Time) func(time.Time) {
	now := t
	s.now = func() time.Time { return now }
	return func(t time.Time) { now = t }
}

// takeQuiz records an attempt of n questions with the first `right` answered correctly,
// through the same calls the quiz screen makes.
func takeQuiz(t *testing.T, s *Store, learnerID int64, moduleID string, n, right int, answerTime time.Duration) Attempt {
	t.Helper()
	ctx := context.Background()
	a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: learnerID, ModuleID: moduleID, ContentVersion: "v1", Language: "fr", Plan: plan(n), PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := s.RecordAnswer(ctx, a.ID, Answer{Position: i, QuestionID: a.Plan[i].QuestionID,
			Response: quiz.Response{Chosen: []string{"a"}}, Complete: true, Correct: i < right, Time: answerTime}); err != nil {
			t.Fatal(err)
		}
	}
	done, err := s.FinishAttempt(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return done
}

func completionRows(t *testing.T, s *Store, q CompletionQuery) []CompletionRow {
	t.Helper()
	var out []CompletionRow
	err := s.EachCompletion(context.Background(), q, func(r *CompletionRow) error {
		out = append(out, *r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEachCompletionReportsStatusScoreAttemptsAndTime(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	day := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	setClock := clockAt(s, day)
	mk := func(name, role, cohort string) Learner {
		l, err := s.CreateLearner(ctx, NewLearner{Name: name, Role: role, Language: "nl", Cohort: cohort})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	// Names chosen so that byte order and alphabetical order differ.
	zoe := mk("Zoë Peeters", "police", "ANT-1")
	emile := mk("Émile Dubois", "hospital", "ANT-1")
	eddy := mk("eddy Maes", "police", "ANT-1")
	anais := mk("Anaïs Lambert", "fedasil", "BXL-2")
	idle := mk("Jürgen Müller", "guardian", "")

	// Zoë reads two lessons, fails once, then passes: passed, two attempts.
	if err := s.SaveLesson(ctx, zoe.ID, "core", "forms", 4, 10*time.Minute, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveLesson(ctx, zoe.ID, "core", "belgium", 2, 5*time.Minute, false); err != nil {
		t.Fatal(err)
	}
	setClock(day.Add(time.Hour))
	takeQuiz(t, s, zoe.ID, "core", 10, 6, 30*time.Second)
	passDay := day.AddDate(0, 0, 3)
	setClock(passDay)
	takeQuiz(t, s, zoe.ID, "core", 10, 9, 20*time.Second)
	// Émile fails the core quiz and reads a police lesson: failed / in progress.
	setClock(day.AddDate(0, 0, 5))
	takeQuiz(t, s, emile.ID, "core", 10, 3, time.Minute)
	if err := s.SaveLesson(ctx, emile.ID, "police", "intro", 0, 2*time.Minute, false); err != nil {
		t.Fatal(err)
	}
	// Eddy has an open attempt with one answer (still in progress; it counts no attempt).
	a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: eddy.ID, ModuleID: "core", ContentVersion: "v1", Language: "fr", Plan: plan(5), PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAnswer(ctx, a.ID, Answer{Position: 0, QuestionID: "q0", Response: quiz.Response{Chosen: []string{"a"}}, Complete: true, Correct: true, Time: 45 * time.Second}); err != nil {
		t.Fatal(err)
	}
	setClock(day.AddDate(0, 0, 10))
	if err := s.Touch(ctx, anais.ID); err != nil {
		t.Fatal(err)
	}

	q := CompletionQuery{Modules: []string{"core", "police"}, Lang: "fr"}
	rows := completionRows(t, s, q)
	if len(rows) != 10 {
		t.Fatalf("%d rows, want 5 learners × 2 modules", len(rows))
	}
	var order []string
	for i, r := range rows {
		if want := q.Modules[i%2]; r.ModuleID != want {
			t.Errorf("row %d is module %s, want %s", i, r.ModuleID, want)
		}
		if i%2 == 0 {
			order = append(order, r.Learner.Name)
		}
	}
	// By cohort ("" first), then alphabetically whatever the accents and case.
	want := []string{"Jürgen Müller", "eddy Maes", "Émile Dubois", "Zoë Peeters", "Anaïs Lambert"}
	if !slices.Equal(order, want) {
		t.Errorf("order %q, want %q", order, want)
	}
	byKey := map[string]CompletionRow{}
	for _, r := range rows {
		byKey[r.Learner.Name+"/"+r.ModuleID] = r
	}
	check := func(key string, status CompletionStatus, best int, hasScore bool, attempts int, spent time.Duration, passed time.Time) {
		t.Helper()
		r := byKey[key]
		if r.Status != status || r.BestPercent != best || r.HasScore != hasScore || r.Attempts != attempts || r.TimeSpent != spent || !r.PassedAt.Equal(passed) {
			t.Errorf("%s: got %s best %d (%v) attempts %d time %v passed %v; want %s best %d (%v) attempts %d time %v passed %v",
				key, r.Status, r.BestPercent, r.HasScore, r.Attempts, r.TimeSpent, r.PassedAt, status, best, hasScore, attempts, spent, passed)
		}
	}
	check("Zoë Peeters/core", CompletionPassed, 90, true, 2, 15*time.Minute+10*30*time.Second+10*20*time.Second, passDay)
	check("Zoë Peeters/police", CompletionNotStarted, 0, false, 0, 0, time.Time{})
	check("Émile Dubois/core", CompletionFailed, 30, true, 1, 10*time.Minute, time.Time{})
	check("Émile Dubois/police", CompletionInProgress, 0, false, 0, 2*time.Minute, time.Time{})
	check("eddy Maes/core", CompletionInProgress, 0, false, 0, 45*time.Second, time.Time{})
	check("Jürgen Müller/core", CompletionNotStarted, 0, false, 0, 0, time.Time{})
	if r := byKey["Anaïs Lambert/core"]; r.Learner.Cohort != "BXL-2" || r.Learner.Role != "fedasil" || r.Learner.Language != "nl" ||
		!r.Learner.CreatedAt.Equal(day) || !r.Learner.LastActive.Equal(day.AddDate(0, 0, 10)) {
		t.Errorf("learner columns: %+v", r.Learner)
	}

	// The store's own per-learner summary agrees on status, score and time.
	for _, l := range []Learner{zoe, emile, eddy, anais, idle} {
		sums, err := s.Summaries(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range q.Modules {
			r, sum := byKey[l.Name+"/"+m], sums[m]
			if string(r.Status) != string(sum.Status) && !(sum.Status == "" && r.Status == CompletionNotStarted) || r.TimeSpent != sum.TimeSpent || r.BestPercent != sum.BestPercent {
				t.Errorf("%s/%s: report %+v, summary %+v", l.Name, m, r, sum)
			}
		}
	}

	// Filters.
	names := func(q CompletionQuery) []string {
		var out []string
		for _, r := range completionRows(t, s, q) {
			if r.ModuleID == q.Modules[0] {
				out = append(out, r.Learner.Name)
			}
		}
		return out
	}
	for _, tc := range []struct {
		q    CompletionQuery
		want []string
	}{
		{CompletionQuery{Filter: Filter{Cohort: "ANT-1"}}, []string{"eddy Maes", "Émile Dubois", "Zoë Peeters"}},
		{CompletionQuery{Filter: Filter{Role: "police"}}, []string{"eddy Maes", "Zoë Peeters"}},
		{CompletionQuery{Filter: Filter{Cohort: "ANT-1", Role: "hospital"}}, []string{"Émile Dubois"}},
		{CompletionQuery{Filter: Filter{Since: day.AddDate(0, 0, 5)}}, []string{"eddy Maes", "Émile Dubois", "Anaïs Lambert"}},
		{CompletionQuery{Filter: Filter{Since: day.AddDate(0, 0, 11)}}, nil},
		{CompletionQuery{Filter: Filter{Cohort: "nobody"}}, nil},
	} {
		tc.q.Modules = []string{"core"}
		if got := names(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: %q, want %q", tc.q, got, tc.want)
		}
	}

	// Counts agree with the rows.
	sum, err := s.CompletionCounts(ctx, CompletionQuery{Modules: []string{"core", "police"}, Filter: Filter{Cohort: "ANT-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Learners != 3 || sum.Rows() != 6 {
		t.Errorf("counts: %+v", sum)
	}
	wantCounts := []map[CompletionStatus]int{
		{CompletionPassed: 1, CompletionFailed: 1, CompletionInProgress: 1, CompletionNotStarted: 0},
		{CompletionNotStarted: 2, CompletionInProgress: 1},
	}
	for i, m := range sum.Modules {
		for _, st := range CompletionStatuses {
			if m.Count[st] != wantCounts[i][st] {
				t.Errorf("%s %s: %d, want %d", m.ModuleID, st, m.Count[st], wantCounts[i][st])
			}
		}
	}
}

func TestEachCompletionStopsOnErrorAndRefusesBadQueries(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for i := range 4 {
		newLearner(t, s, fmt.Sprintf("Learner %d", i))
	}
	stop := errors.New("stop")
	calls := 0
	err := s.EachCompletion(ctx, CompletionQuery{Modules: []string{"a", "b"}}, func(*CompletionRow) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Errorf("err %v after %d calls", err, calls)
	}
	for _, q := range []CompletionQuery{{}, {Modules: []string{"a"}, Filter: Filter{Role: "pilot"}}, {Modules: []string{"a", "a"}}, {Modules: []string{""}}} {
		if err := s.EachCompletion(ctx, q, func(*CompletionRow) error { return nil }); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", q, err)
		}
		if _, err := s.CompletionCounts(ctx, q); !errors.Is(err, ErrInvalid) {
			t.Errorf("counts %+v: %v", q, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.EachCompletion(cctx, CompletionQuery{Modules: []string{"a"}}, func(*CompletionRow) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestEachCompletionAgreesWithOneQuestionPerRow checks the aggregated reading against the
// plain definition of each row, asked of SQLite row by row (a learner's status, best
// score and pass date in a module, the finished attempts, and the time spent in lessons
// and answers), on over a thousand demo learners, with the modules in an
// order of their own and a module no one has opened, with and without filters.
// The completion report counts the quizzes and refreshers, never the pre-tests: they
// measure what a learner knew before the module.
func TestEachCompletionAgreesWithOneQuestionPerRow(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	mods := shippedDemoModules(t)
	if err := s.BulkDemo(ctx, 1137, mods, 11, nil); err != nil {
		t.Fatal(err)
	}
	ids := []string{"never-opened"}
	for i := len(mods) - 1; i >= 0; i-- {
		ids = append(ids, mods[i].ID)
	}
	var cohort string
	if err := s.read.QueryRowContext(ctx, `SELECT cohort FROM learners WHERE cohort != '' LIMIT 1`).Scan(&cohort); err != nil {
		t.Fatal(err)
	}
	for _, q := range []CompletionQuery{
		{Modules: ids, Lang: "fr"},
		{Modules: ids[1:3], Filter: Filter{Role: "police"}},
		{Modules: ids, Filter: Filter{Cohort: cohort}, Lang: "nl"},
	} {
		got := completionRows(t, s, q)
		learners := 0
		for i, r := range got {
			if i%len(q.Modules) == 0 {
				learners++
			}
			if r.ModuleID != q.Modules[i%len(q.Modules)] {
				t.Fatalf("%+v: row %d is module %q, want %q", q, i, r.ModuleID, q.Modules[i%len(q.Modules)])
			}
			if i%len(q.Modules) != 0 && r.Learner != got[i-1].Learner {
				t.Fatalf("%+v: row %d changes learner within a learner's modules", q, i)
			}
			want := CompletionRow{Learner: r.Learner, ModuleID: r.ModuleID}
			var status string
			var best, passed sql.NullInt64
			var ms int64
			err := s.read.QueryRowContext(ctx, `SELECT coalesce((SELECT status FROM module_status WHERE learner_id = ?1 AND module_id = ?2), ''),
				(SELECT best_percent FROM module_status WHERE learner_id = ?1 AND module_id = ?2),
				(SELECT passed_at FROM module_status WHERE learner_id = ?1 AND module_id = ?2),
				(SELECT count(*) FROM attempts WHERE learner_id = ?1 AND module_id = ?2 AND status = 'finished' AND kind != 'pretest'),
				(SELECT coalesce(sum(time_spent_ms), 0) FROM lesson_progress WHERE learner_id = ?1 AND module_id = ?2)
				+ (SELECT coalesce(sum(w.time_ms), 0) FROM attempts a JOIN answers w ON w.attempt_id = a.id
					WHERE a.learner_id = ?1 AND a.module_id = ?2 AND a.kind != 'pretest')`, r.Learner.ID, r.ModuleID).
				Scan(&status, &best, &passed, &want.Attempts, &ms)
			if err != nil {
				t.Fatal(err)
			}
			want.Status = CompletionStatus(status)
			if status == "" {
				want.Status = CompletionNotStarted
			}
			want.BestPercent, want.HasScore, want.PassedAt = int(best.Int64), best.Valid, fromMillis(passed)
			want.TimeSpent = time.Duration(ms) * time.Millisecond
			if r != want {
				t.Fatalf("%+v: row %d\n got %+v\nwant %+v", q, i, r, want)
			}
		}
		var n int
		where, args := q.where()
		if err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM learners l WHERE `+where, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if learners != n || n == 0 {
			t.Errorf("%+v: %d learners reported, %d selected", q, learners, n)
		}
	}
}
