package progress

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"indicia/quiz"
)

// percentile is the p-th percentile (0-100) of the sorted durations.
func percentile(sorted []time.Duration, p int) time.Duration {
	return sorted[(len(sorted)-1)*p/100]
}

// BenchmarkAnswerCommit times committing one quiz answer the way the app does
// (synchronous=FULL, one write connection, the answer and the review card in one
// transaction), against the floor: a bare one-row INSERT committed with the same
// settings (WAL, synchronous=FULL, the driver's statement cache) in another file on the
// same disk. The two alternate, one of each per
// iteration, so that both meet the same disk at the same moments (a shared disk's flush
// times drift over seconds). It reports p50 and p99 of both, and their ratios.
func BenchmarkAnswerCommit(b *testing.B) {
	dir := b.TempDir()
	s, err := Open(context.Background(), filepath.Join(dir, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", "5000")
	q.Set("_stmt_cache_size", "32")
	floor, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "floor.db")+"?"+q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	defer floor.Close()
	floor.SetMaxOpenConns(1)
	if _, err := floor.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	l, _ := s.CreateLearner(ctx, NewLearner{Name: "Bench", Role: "police", Language: "fr"})
	const perAttempt = 1000
	var a Attempt
	var app, bare []time.Duration
	i := 0
	for b.Loop() {
		if i%perAttempt == 0 {
			a, err = s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", Language: "fr", Plan: plan(perAttempt), PassMark: 80})
			if err != nil {
				b.Fatal(err)
			}
		}
		start := time.Now()
		if err := s.RecordAnswer(ctx, a.ID, Answer{Position: i % perAttempt, QuestionID: fmt.Sprintf("q%d", i%perAttempt),
			Response: quiz.Response{Chosen: []string{"b"}}, Complete: true, Correct: true, Indicator: "bench", Time: time.Second}); err != nil {
			b.Fatal(err)
		}
		app = append(app, time.Since(start))
		start = time.Now()
		if _, err := floor.Exec(`INSERT INTO t (v) VALUES (?)`, `{"chosen":["b"]}`); err != nil {
			b.Fatal(err)
		}
		bare = append(bare, time.Since(start))
		i++
	}
	slices.Sort(app)
	slices.Sort(bare)
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	b.ReportMetric(us(percentile(app, 50)), "p50-µs")
	b.ReportMetric(us(percentile(app, 99)), "p99-µs")
	b.ReportMetric(us(percentile(bare, 50)), "floor-p50-µs")
	b.ReportMetric(us(percentile(bare, 99)), "floor-p99-µs")
	b.ReportMetric(us(percentile(app, 50))/us(percentile(bare, 50)), "p50-ratio")
	b.ReportMetric(us(percentile(app, 99))/us(percentile(bare, 99)), "p99-ratio")
}
