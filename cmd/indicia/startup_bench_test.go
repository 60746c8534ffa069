package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/modules"
)

// BenchmarkStartup measures, under Xvfb, how long the real window takes to show its
// first screen drawn (not just mapped: the first frame that already looks like the
// window once it has settled, read from the X server's pixels by
// testdata/paintwatch), and the peak resident memory once idle. Indicia runs on an
// empty database, on 10,000 demo learners and on 100,000; a minimal Fyne window built
// from the same Fyne version is the floor of the empty start-up. The runs alternate,
// run by run, so that all meet the shared machine in the same state; medians are
// compared. Targets: 10,000 learners at most 1.3 times the empty database's first
// paint, and at most its memory plus 40 MB; the empty database at most 1.3 times the
// minimal window. Run it with `make bench` (-benchtime=1x: each iteration is the whole
// comparison).
func BenchmarkStartup(b *testing.B) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		b.Skip("Xvfb is missing (make test-deps installs it)")
	}
	dir := b.TempDir()
	bin, floorBin, watch := filepath.Join(dir, "indicia"), filepath.Join(dir, "minimal"), filepath.Join(dir, "paintwatch")
	for _, build := range [][]string{
		{"build", "-tags", buildTags, "-o", bin, "."},
		{"build", "-tags", buildTags, "-o", floorBin, "./testdata/minimal"},
		{"build", "-o", watch, "./testdata/paintwatch"},
	} {
		if out, err := exec.Command("go", build...).CombinedOutput(); err != nil {
			b.Fatalf("go %v: %v\n%s", build, err, out)
		}
	}
	dbs := map[int]string{}
	for _, n := range []int{0, 10_000, 100_000} {
		dbs[n] = demoDatabase(b, dir, n)
	}
	display := startXvfb(b)
	const runs = 7
	for b.Loop() {
		runsOf := map[string]*startupRuns{}
		names := []string{"minimal", "0", "10000", "100000"}
		for _, name := range names {
			runsOf[name] = &startupRuns{}
		}
		for i := range runs {
			runsOf["minimal"].measure(b, display, watch, "Minimal window", i, floorBin)
			for _, n := range []int{0, 10_000, 100_000} {
				runsOf[strconv.Itoa(n)].measure(b, display, watch, "Indicia", i, bin, "--db", dbs[n])
			}
		}
		med := map[string]startupMedians{}
		for _, name := range names {
			med[name] = runsOf[name].medians(b, runs)
		}
		floor, empty, tenK, hundredK := med["minimal"], med["0"], med["10000"], med["100000"]
		b.ReportMetric(ms(floor.paint), "minimal-paint-ms")
		b.ReportMetric(ms(empty.paint), "empty-paint-ms")
		b.ReportMetric(ms(tenK.paint), "10k-paint-ms")
		b.ReportMetric(ms(hundredK.paint), "100k-paint-ms")
		b.ReportMetric(float64(tenK.paint)/float64(empty.paint), "10k/empty")
		b.ReportMetric(float64(empty.mem)/1024, "empty-peak-MB")
		b.ReportMetric(float64(tenK.mem)/1024, "10k-peak-MB")
		fmt.Printf("first paint: minimal Fyne window %v; Indicia, empty database %v (×%.2f the minimal window; target ≤ 1.3)\n",
			floor.paint, empty.paint, float64(empty.paint)/float64(floor.paint))
		fmt.Printf("first paint: 10,000 learners %v (×%.2f the empty database; target ≤ 1.3), 100,000 learners %v (×%.2f)\n",
			tenK.paint, float64(tenK.paint)/float64(empty.paint), hundredK.paint, float64(hundredK.paint)/float64(empty.paint))
		fmt.Printf("window mapped: minimal %v, empty %v, 10,000 %v, 100,000 %v\n", floor.window, empty.window, tenK.window, hundredK.window)
		fmt.Printf("idle peak memory: minimal window %.1f MB; Indicia empty %.1f MB, 10,000 learners %.1f MB (+%.1f MB; target ≤ +40 MB), 100,000 learners %.1f MB\n",
			float64(floor.mem)/1024, float64(empty.mem)/1024, float64(tenK.mem)/1024, float64(tenK.mem-empty.mem)/1024, float64(hundredK.mem)/1024)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// demoDatabase makes a database of n demo learners (none: an empty one) in dir, as
// `indicia demo` does.
func demoDatabase(b *testing.B, dir string, n int) string {
	path := filepath.Join(dir, fmt.Sprintf("learners-%d.db", n))
	s, err := progress.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if n == 0 {
		return path
	}
	cat, err := modules.LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := s.BulkDemo(context.Background(), n, report.DemoModules(cat), 1, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d demo learners written in %v", n, time.Since(start).Round(time.Second))
	return path
}

// startupRuns collects the start-up figures of one program's runs.
type startupRuns struct {
	window, paint []time.Duration
	mems          []int // KiB
	failed        int
}

type startupMedians struct {
	window, paint time.Duration
	mem           int // KiB
}

// measure starts bin once under paintwatch and records when its window named title was
// mapped, when its first screen was drawn, and its peak resident memory (KiB) two
// seconds after the window settled.
func (r *startupRuns) measure(b *testing.B, display, watch, title string, run int, bin string, args ...string) {
	home := b.TempDir()
	cmd := exec.Command(watch, append([]string{"-name", title, "--", bin}, args...)...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANGUAGE=fr",
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"XDG_DATA_HOME="+filepath.Join(home, "data"))
	var out, log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &log
	err := cmd.Run()
	var window, paint, peak int
	if err == nil {
		_, err = fmt.Sscanf(strings.TrimSpace(out.String()), "window-ms=%d paint-ms=%d peak-kib=%d", &window, &paint, &peak)
	}
	if err != nil {
		// A shared machine can stall one run; count it out rather than the whole
		// measurement, but say so.
		b.Logf("%s: run %d failed (%v); output:\n%s%s", filepath.Base(bin), run+1, err, out.String(), log.String())
		r.failed++
		return
	}
	r.window = append(r.window, time.Duration(window)*time.Millisecond)
	r.paint = append(r.paint, time.Duration(paint)*time.Millisecond)
	r.mems = append(r.mems, peak)
}

// medians returns the median figures, failing when more than half the runs failed.
func (r *startupRuns) medians(b *testing.B, runs int) startupMedians {
	if r.failed*2 > runs || len(r.paint) == 0 {
		b.Fatalf("%d of %d runs failed", r.failed, runs)
	}
	for _, s := range [][]time.Duration{r.window, r.paint} {
		slices.Sort(s)
	}
	slices.Sort(r.mems)
	return startupMedians{window: r.window[len(r.window)/2], paint: r.paint[len(r.paint)/2], mem: r.mems[len(r.mems)/2]}
}
