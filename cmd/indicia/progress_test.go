package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/modules"
)

// TestProgressOnlyOnATerminal: a report of 3,000 rows, with stderr a pipe (as in a
// script or a log), writes nothing on it; on a terminal the progress is one line
// written again in place and cleared before the summary.
func TestProgressOnlyOnATerminal(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	s, err := progress.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := modules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.BulkDemo(ctx, 3000/len(cat.Modules), report.DemoModules(cat), 1, nil); err != nil {
		t.Fatal(err)
	}
	s.Close()

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		got <- b
	}()
	var stdout bytes.Buffer
	code := run([]string{"report", "--db", db, "--out", filepath.Join(dir, "r.csv"), "--lang", "en"}, &stdout, w)
	w.Close()
	if stderr := <-got; code != 0 || len(stderr) != 0 {
		t.Errorf("exit %d; on a pipe, stderr has %d lines: %q", code, strings.Count(string(stderr), "\n"), stderr)
	}
	if !strings.Contains(stdout.String(), "3,000") {
		t.Errorf("the summary does not count the rows: %q", stdout.String())
	}

	var term bytes.Buffer
	line := &progressLine{w: &term, tty: true}
	line.show("rows: 2,000 of 3,000")
	line.show("rows: 3,000 of 3,000")
	line.show("done")
	line.clear()
	want := "\rrows: 2,000 of 3,000\rrows: 3,000 of 3,000\rdone                \r                    \r"
	if term.String() != want {
		t.Errorf("on a terminal: %q, want %q", term.String(), want)
	}
	if strings.Contains(term.String(), "\n") {
		t.Error("the progress takes more than one line")
	}
}
