package app

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/app/report"
)

// BenchmarkNavigation times every navigation a learner and a trainer make, on 10,000
// demo learners, through Fyne's test driver: from the tap to the new screen drawn, its
// data read and applied and the whole window painted (the software painter's capture of
// the canvas). The path: first screen → catalog → module → lesson → back → quiz →
// back → catalog → first screen → trainer mode → each tab → a cohort's mastery and back
// → a learner's record and back → first screen, twenty times. Target: p95 at most
// 100 ms. Run it with `make bench` (-benchtime=1x).
func BenchmarkNavigation(b *testing.B) {
	path := filepath.Join(b.TempDir(), "nav.db")
	{
		s, err := progress.Open(context.Background(), path)
		if err != nil {
			b.Fatal(err)
		}
		cat := catalogForTest(b)
		if err := s.BulkDemo(context.Background(), 10_000, report.DemoModules(cat), 1, nil); err != nil {
			b.Fatal(err)
		}
		if err := s.SetTrainerPassphrase(context.Background(), "", trainerPass); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	h := newHarness(b, path)
	h.ui.Window().Resize(fyne.NewSize(1000, 720))
	times := map[string][]time.Duration{}
	var order []string
	step := func(name string, tap func()) {
		start := time.Now()
		tap()
		h.settle()
		h.ui.Window().Canvas().Capture()
		if _, ok := times[name]; !ok {
			order = append(order, name)
		}
		times[name] = append(times[name], time.Since(start))
	}
	button := func(id string) func() {
		return func() { test.Tap(h.button(id)) }
	}
	first := func(id string) func() {
		return func() {
			test.Tap(findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T(id) })[0])
		}
	}
	h.settle()
	for b.Loop() {
		for range 20 {
			step("first screen → catalog", func() {
				s := h.ui.top().s.(*learnersScreen)
				s.choose(s.shown[0])
			})
			step("catalog → module", first("Catalog.Open"))
			step("module → lesson", first("Module.Read"))
			step("lesson → module (back)", button("Lesson.BackToModule"))
			step("module → quiz", func() {
				if bs := findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T("Module.StartQuiz") }); len(bs) > 0 {
					test.Tap(bs[0])
				} else {
					test.Tap(findAll(h, func(b *widget.Button) bool { return strings.HasPrefix(b.Text, h.ui.T("Module.RestartQuiz")) })[0])
				}
			})
			step("quiz → module (back)", button("Quiz.Pause"))
			step("module → catalog (back)", button("Common.Back"))
			step("catalog → first screen", button("Top.SwitchLearner"))
			step("first screen → trainer mode (matrix)", func() { h.ui.showTrainer() })
			tr := h.trainer()
			for _, tab := range []struct {
				name string
				i    int
			}{{"trainer: modules tab", tabModules}, {"trainer: cohorts tab", tabCohorts}, {"trainer: exports tab", tabExports},
				{"trainer: settings tab", tabSettings}, {"trainer: matrix tab", tabCompletion}} {
				step(tab.name, func() { tr.tabs.SelectIndex(tab.i) })
			}
			tr.tabs.SelectIndex(tabCohorts)
			h.settle()
			step("cohort → its mastery", first("Mastery.Button"))
			step("cohort mastery → trainer (back)", button("Common.Back"))
			tr.tabs.SelectIndex(tabCompletion)
			h.settle()
			step("matrix → a learner's record", func() {
				find[*widget.Table](h, "matrix", nil).Select(widget.TableCellID{Row: 5000, Col: 0})
			})
			step("learner's record → trainer (back)", button("Common.Back"))
			step("trainer mode → first screen", button("Trainer.Leave"))
		}
	}
	var all []time.Duration
	width := 0
	for _, name := range order {
		all = append(all, times[name]...)
		width = max(width, len(name))
	}
	p95 := func(d []time.Duration) time.Duration {
		d = slices.Clone(d)
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[(len(d)*95+99)/100-1]
	}
	for _, name := range order {
		fmt.Printf("%-*s  p95 %6.1f ms  max %6.1f ms\n", width, name, ms(p95(times[name])), ms(slices.Max(times[name])))
	}
	fmt.Printf("every navigation (%d), 10,000 learners: p95 %.1f ms (target ≤ 100 ms)\n", len(all), ms(p95(all)))
	b.ReportMetric(ms(p95(all)), "p95-ms")
	b.ReportMetric(ms(slices.Max(all)), "max-ms")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
