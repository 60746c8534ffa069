package main

import (
	"bufio"
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
)

// BenchmarkStartup measures, under Xvfb, the time from process start to the window
// shown (median of 10 runs) and the peak resident memory once idle, for Indicia and for
// a minimal Fyne window built from the same Fyne version in the same run (the floor).
// Targets: at most 1.3 times the floor's start-up, at most the floor plus 40 MB.
// Run it with `make bench` (-benchtime=1x: each iteration is the whole comparison).
func BenchmarkStartup(b *testing.B) {
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skipf("%s is missing (make test-deps installs it)", tool)
		}
	}
	dir := b.TempDir()
	bin, floorBin := filepath.Join(dir, "indicia"), filepath.Join(dir, "minimal")
	for _, build := range [][]string{
		{"build", "-tags", buildTags, "-o", bin, "."},
		{"build", "-tags", buildTags, "-o", floorBin, "./testdata/minimal"},
	} {
		if out, err := exec.Command("go", build...).CombinedOutput(); err != nil {
			b.Fatalf("go %v: %v\n%s", build, err, out)
		}
	}
	display := startXvfb(b)
	const runs = 10
	for b.Loop() {
		// The two alternate, run by run, so that both meet the shared machine in the same
		// state; the medians are compared.
		var app, floor startupRuns
		for i := range runs {
			app.measure(b, display, bin, "Indicia", i, "--db", filepath.Join(dir, "bench.db"))
			floor.measure(b, display, floorBin, "Minimal window", i)
		}
		appStart, appMem := app.medians(b, runs)
		floorStart, floorMem := floor.medians(b, runs)
		b.ReportMetric(float64(appStart.Milliseconds()), "startup-ms")
		b.ReportMetric(float64(floorStart.Milliseconds()), "floor-startup-ms")
		b.ReportMetric(float64(appStart)/float64(floorStart), "startup-ratio")
		b.ReportMetric(float64(appMem)/1024, "peak-MB")
		b.ReportMetric(float64(floorMem)/1024, "floor-peak-MB")
		b.ReportMetric(float64(appMem-floorMem)/1024, "extra-MB")
		fmt.Printf("start-up: Indicia %v, minimal Fyne window %v (ratio %.2f; target ≤ 1.3)\n",
			appStart.Round(time.Millisecond), floorStart.Round(time.Millisecond), float64(appStart)/float64(floorStart))
		fmt.Printf("idle peak memory: Indicia %.1f MB, minimal window %.1f MB (+%.1f MB; target ≤ +40 MB)\n",
			float64(appMem)/1024, float64(floorMem)/1024, float64(appMem-floorMem)/1024)
	}
}

// startupRuns collects the start-up times and idle peak memory of one program's runs.
type startupRuns struct {
	times  []time.Duration
	mems   []int // KiB
	failed int
}

// measure starts bin once and records the time until a window whose name matches title
// is visible, and the peak resident memory (KiB) two seconds after.
func (r *startupRuns) measure(b *testing.B, display, bin, title string, run int, args ...string) {
	home := b.TempDir()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANGUAGE=fr",
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"XDG_DATA_HOME="+filepath.Join(home, "data"))
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	shown := waitForWindow(display, title, 60*time.Second)
	elapsed := time.Since(start)
	if !shown {
		// A shared machine can stall one run; count it out rather than the whole
		// measurement, but say so.
		cmd.Process.Kill()
		cmd.Wait()
		b.Logf("%s: run %d showed no window within 60 s; output:\n%s", filepath.Base(bin), run+1, log.String())
		r.failed++
		return
	}
	time.Sleep(2 * time.Second)
	mem := peakKiB(cmd.Process.Pid)
	cmd.Process.Kill()
	cmd.Wait()
	r.times = append(r.times, elapsed)
	r.mems = append(r.mems, mem)
}

// medians returns the median start-up time and peak memory, failing when more than
// half the runs showed no window.
func (r *startupRuns) medians(b *testing.B, runs int) (time.Duration, int) {
	if r.failed*2 > runs || len(r.times) == 0 {
		b.Fatalf("%d of %d runs showed no window", r.failed, runs)
	}
	slices.Sort(r.times)
	slices.Sort(r.mems)
	return r.times[len(r.times)/2], r.mems[len(r.mems)/2]
}

func waitForWindow(display, title string, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		cmd := exec.CommandContext(ctx, "xdotool", "search", "--onlyvisible", "--name", title)
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		out, err := cmd.Output()
		cancel()
		if err == nil && len(strings.TrimSpace(string(out))) > 0 {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// peakKiB reads the process's peak resident set size (VmHWM) from /proc.
func peakKiB(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return n
		}
	}
	return 0
}
