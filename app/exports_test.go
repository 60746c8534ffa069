package app

import (
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"indicia/app/progress"
	"indicia/app/report"
)

// waitFor waits for done to be closed (work runs off the UI goroutine).
func waitFor(t *testing.T, done chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(60 * time.Second):
		t.Fatal("the export did not finish")
		return nil
	}
}

func TestTrainerExportsReportCertificateAndBundle(t *testing.T) {
	h := newHarness(t, "")
	passed, _, _ := seedLearners(t, h.store)
	h.enterTrainer(trainerPass)
	tr := h.trainer()
	tr.selectTab(tabExports)
	h.mustShow(h.ui.T("Exports.ReportTitle"))
	h.button("Exports.SaveReport")
	h.button("Exports.ExportBundle")

	// The completion report, written whole through a temporary file.
	dir := t.TempDir()
	out := filepath.Join(dir, "report.csv")
	done := make(chan error, 1)
	h.ui.exportTo(out, tr.reportWriter("csv"), func(err error) { done <- err })
	if err := waitFor(t, done); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 1+3*len(h.cat.Modules) {
		t.Fatalf("%d CSV rows (%v), want a header and %d", len(rows), err, 3*len(h.cat.Modules))
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	// A failing export leaves nothing behind and keeps an existing file.
	os.WriteFile(filepath.Join(dir, "keep.csv"), []byte("old"), 0o600)
	done = make(chan error, 1)
	h.ui.exportTo(filepath.Join(dir, "keep.csv"), tr.reportWriter("doc"), func(err error) { done <- err })
	if err := waitFor(t, done); err == nil {
		t.Fatal("an unknown format was written")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "keep.csv")); string(b) != "old" {
		t.Error("a failed export damaged the existing file")
	}

	// The learner who passed has a certificate button in their record.
	for _, r := range tr.completion.rows {
		if r.ID == passed.ID {
			h.ui.push(func() screen { return tr.learnerRecord(r) })
		}
	}
	h.button("Exports.Certificate")

	// This machine's bundle, exported and merged into another installation.
	bundlePath := filepath.Join(dir, "station.indicia-bundle")
	done = make(chan error, 1)
	h.ui.exportTo(bundlePath, func(ctx context.Context, w io.Writer, _ func(int, int)) error {
		key, err := report.LoadSigningKey(h.store.Path())
		if err != nil {
			return err
		}
		_, err = report.ExportBundle(ctx, h.store, key, w)
		return err
	}, func(err error) { done <- err })
	if err := waitFor(t, done); err != nil {
		t.Fatal(err)
	}
	other, err := progress.Open(context.Background(), filepath.Join(t.TempDir(), "trainer.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	bf, err := report.ReadBundleFile(bundlePath, report.ReadBundleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := other.MergeBundle(context.Background(), bf.Bundle, progress.MergeOptions{})
	if err != nil || res.Learners.Added != 3 {
		t.Fatalf("merge: %+v %v", res, err)
	}
}
