package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
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
// demo learners, through Fyne's test driver, twice: from the tap to the new screen in
// the window, laid out, with its loading state where its data takes long ("screen"); and
// from the tap to its data read off the UI goroutine and applied ("data"). The path:
// first screen → catalog → module → lesson → back → quiz → back → catalog → first
// screen → trainer mode → each tab → a cohort's mastery and back → a learner's record
// and back → first screen, twenty times. Target: the screen's p95 at most 100 ms. The
// real window's painting is not in these figures (the software painter of the test
// driver takes far longer than OpenGL); BenchmarkStartup measures it. Run it with `make
// bench` (-benchtime=1x).
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
		code, _, err := s.InitTrainerSetup(context.Background())
		if err == nil {
			err = s.SetupTrainer(context.Background(), code, trainerPass)
		}
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	h := newHarness(b, path)
	h.ui.Window().Resize(fyne.NewSize(1000, 720))
	screens, data := map[string][]time.Duration{}, map[string][]time.Duration{}
	var order []string
	// ui runs the results of the reads done so far on the test's goroutine, which stands
	// for the UI goroutine, without waiting for the reads still under way.
	ui := func() {
		h.mu.Lock()
		results := h.results
		h.results = nil
		h.mu.Unlock()
		for _, apply := range results {
			apply()
		}
	}
	step := func(name string, tap func()) {
		before := h.ui.top()
		var beforeScreen screen
		if before != nil {
			beforeScreen = before.s
		}
		start := time.Now()
		tap()
		ui()
		// A screen that waits for a write (a new attempt) comes once it is done.
		for top := h.ui.top(); top == nil || (top.s == beforeScreen && !strings.HasPrefix(name, "trainer:")); top = h.ui.top() {
			time.Sleep(100 * time.Microsecond)
			ui()
		}
		up := time.Since(start)
		h.settle()
		in := time.Since(start)
		if _, ok := screens[name]; !ok {
			order = append(order, name)
		}
		screens[name] = append(screens[name], up)
		data[name] = append(data[name], in)
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
		for range navCycles() {
			step("first screen → catalog", func() {
				s := h.ui.top().s.(*learnersScreen)
				s.choose(s.shown[0])
			})
			step("catalog → module", first("Catalog.Open"))
			h.skipPretestIfOffered() // offered on the first visit only
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
	var allScreens, allData []time.Duration
	width := 0
	for _, name := range order {
		allScreens = append(allScreens, screens[name]...)
		allData = append(allData, data[name]...)
		width = max(width, len(name))
	}
	p95 := func(d []time.Duration) time.Duration {
		d = slices.Clone(d)
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[(len(d)*95+99)/100-1]
	}
	fmt.Printf("%-*s  %22s  %22s\n", width, "10,000 learners", "screen: p95 (max)", "data: p95 (max)")
	for _, name := range order {
		fmt.Printf("%-*s  %8.1f ms (%6.1f ms)  %8.1f ms (%6.1f ms)\n", width, name, ms(p95(screens[name])), ms(slices.Max(screens[name])),
			ms(p95(data[name])), ms(slices.Max(data[name])))
	}
	fmt.Printf("every navigation (%d), 10,000 learners: screen p95 %.1f ms (target ≤ 100 ms); data p95 %.1f ms\n",
		len(allScreens), ms(p95(allScreens)), ms(p95(allData)))
	b.ReportMetric(ms(p95(allScreens)), "screen-p95-ms")
	b.ReportMetric(ms(p95(allData)), "data-p95-ms")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// navCycles is how many times the navigation benchmark walks its path: 20, or
// $INDICIA_NAV_CYCLES (to profile it quicker).
func navCycles() int {
	if n, err := strconv.Atoi(os.Getenv("INDICIA_NAV_CYCLES")); err == nil && n > 0 {
		return n
	}
	return 20
}
