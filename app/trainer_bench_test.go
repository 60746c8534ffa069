package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/locales"
	"indicia/modules"
)

// BenchmarkTrainerDashboard times the trainer's first display of the completion matrix
// through Fyne's test driver: with 10,000 demo learners, and (the floor) with none.
func BenchmarkTrainerDashboard(b *testing.B) {
	b.Setenv("XDG_CONFIG_HOME", b.TempDir())
	b.Setenv("XDG_CACHE_HOME", b.TempDir())
	cat, err := modules.LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	bundle, _ := locales.NewBundle()
	open := func(learners int) *progress.Store {
		s, err := progress.Open(context.Background(), filepath.Join(b.TempDir(), "dash.db"))
		if err != nil {
			b.Fatal(err)
		}
		if learners > 0 {
			if err := s.BulkDemo(context.Background(), learners, report.DemoModules(cat), 1, nil); err != nil {
				b.Fatal(err)
			}
		}
		return s
	}
	full, empty := open(10000), open(0)
	defer full.Close()
	defer empty.Close()
	firstDisplay := func(s *progress.Store) time.Duration {
		a := test.NewTempApp(b)
		u := New(a, s, cat, bundle, "fr-BE")
		u.Window().Resize(u.Window().Canvas().Size().Max(u.Window().Canvas().Size()))
		start := time.Now()
		u.showTrainer()
		return time.Since(start)
	}
	var withLearners, floor time.Duration
	for b.Loop() {
		withLearners += firstDisplay(full)
		floor += firstDisplay(empty)
	}
	n := time.Duration(b.N)
	b.ReportMetric(float64((withLearners / n).Milliseconds()), "10k-ms")
	b.ReportMetric(float64((floor / n).Milliseconds()), "floor-ms")
}
