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

// reportLatencies reports the median and 99th percentile of the recorded durations.
func reportLatencies(b *testing.B, d []time.Duration) {
	slices.Sort(d)
	if len(d) == 0 {
		return
	}
	b.ReportMetric(float64(d[len(d)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkAnswerCommit times committing one quiz answer the way the app does
// (synchronous=FULL, one write connection, the review card updated in the same
// transaction). Compare with BenchmarkAnswerFloor, a bare one-row INSERT with the same
// settings on the same disk, in the same run.
func BenchmarkAnswerCommit(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	l, _ := s.CreateLearner(ctx, NewLearner{Name: "Bench", Role: "police", Language: "fr"})
	const perAttempt = 1000
	var a Attempt
	var lat []time.Duration
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
		lat = append(lat, time.Since(start))
		i++
	}
	reportLatencies(b, lat)
}

// BenchmarkAnswerFloor is the floor for BenchmarkAnswerCommit: a bare single-row INSERT
// committed with the same settings.
func BenchmarkAnswerFloor(b *testing.B) {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", "5000")
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.TempDir(), "floor.db")+"?"+q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := db.Exec(`INSERT INTO t (v) VALUES (?)`, `{"chosen":["b"]}`); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportLatencies(b, lat)
}
