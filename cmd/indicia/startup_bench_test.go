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
	app, floor := filepath.Join(dir, "indicia"), filepath.Join(dir, "minimal")
	for _, build := range [][]string{
		{"build", "-tags", buildTags, "-o", app, "."},
		{"build", "-tags", buildTags, "-o", floor, "./testdata/minimal"},
	} {
		if out, err := exec.Command("go", build...).CombinedOutput(); err != nil {
			b.Fatalf("go %v: %v\n%s", build, err, out)
		}
	}
	display := startXvfb(b)
	const runs = 10
	for b.Loop() {
		appStart, appMem := measureStartup(b, display, app, "Indicia", runs, "--db", filepath.Join(dir, "bench.db"))
		floorStart, floorMem := measureStartup(b, display, floor, "Minimal window", runs)
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

// measureStartup starts bin runs times and returns the median time until a window
// whose name matches title is visible, and the median peak resident memory (KiB) two
// seconds after.
func measureStartup(b *testing.B, display, bin, title string, runs int, args ...string) (time.Duration, int) {
	var times []time.Duration
	var mems []int
	failed := 0
	for i := 0; i < runs; i++ {
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
			b.Logf("%s: run %d showed no window within 60 s; output:\n%s", filepath.Base(bin), i+1, log.String())
			failed++
			continue
		}
		time.Sleep(2 * time.Second)
		mem := peakKiB(cmd.Process.Pid)
		cmd.Process.Kill()
		cmd.Wait()
		times = append(times, elapsed)
		mems = append(mems, mem)
	}
	if failed*2 > runs {
		b.Fatalf("%s: %d of %d runs showed no window", bin, failed, runs)
	}
	slices.Sort(times)
	slices.Sort(mems)
	return times[len(times)/2], mems[len(mems)/2]
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
