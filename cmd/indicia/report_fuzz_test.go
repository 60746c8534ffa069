package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/modules"
)

// FuzzReportFilters runs `indicia report` with arbitrary filters (cohort, role, date,
// language, format): it never panics, it either writes a report and exits 0 or says what
// is wrong on one line and exits 1, and a refused report leaves no file behind.
func FuzzReportFilters(f *testing.F) {
	dir := f.TempDir()
	db := filepath.Join(dir, "fuzz.db")
	s, err := progress.Open(context.Background(), db)
	if err != nil {
		f.Fatal(err)
	}
	cat, err := modules.LoadEmbedded()
	if err != nil {
		f.Fatal(err)
	}
	if err := s.BulkDemo(context.Background(), 20, report.DemoModules(cat), 1, nil); err != nil {
		f.Fatal(err)
	}
	s.Close()
	f.Add("csv", "NAMUR-1", "police", "2026-01-31", "fr")
	f.Add("xlsx", "", "", "", "nl")
	f.Add("pdf", "É", "guardian", "1999-12-31", "de")
	f.Add("csv", "'; DROP TABLE learners; --", "hospital", "2026-02-30", "en")
	f.Add("doc", "\x00", "chef", "yesterday", "es")
	f.Fuzz(func(t *testing.T, format, cohort, role, since, lang string) {
		out := filepath.Join(t.TempDir(), "report.out")
		args := []string{"report", "--db", db, "--format", format, "--out", out, "--cohort", cohort, "--role", role, "--lang", lang}
		if since != "" {
			args = append(args, "--since", since)
		}
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		switch code {
		case 0:
			if info, err := os.Stat(out); err != nil || info.Size() == 0 {
				t.Fatalf("exit 0 without a report: %v", err)
			}
		case 1:
			if _, err := os.Stat(out); err == nil {
				t.Fatalf("a refused report left a file (%s)", stderr.String())
			}
			if msg := strings.TrimSpace(stderr.String()); msg == "" || strings.Count(msg, "\n") > 0 && !strings.Contains(msg, "Fyne") {
				t.Fatalf("the error is not one line: %q", stderr.String())
			}
		default:
			t.Fatalf("exit code %d: %s", code, stderr.String())
		}
	})
}
