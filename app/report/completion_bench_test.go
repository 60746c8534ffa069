package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"indicia/app/progress"
	"indicia/modules"
)

// benchModules is how many modules the report benchmark reports on: the shipped modules,
// and copies of them under other ids up to this number, as a catalog grown over the years
// would have.
const benchModules = 20

// benchCatalog is the shipped catalog grown to benchModules modules by copying its
// modules under new ids ("core-2", "police-2", ...).
func benchCatalog(b testing.TB) *modules.Catalog {
	shipped := completionCatalog(b).Modules
	cat := &modules.Catalog{}
	for i := 0; len(cat.Modules) < benchModules; i++ {
		m := *shipped[i%len(shipped)]
		if copyNo := i/len(shipped) + 1; copyNo > 1 {
			m.ID = fmt.Sprintf("%s-%d", m.ID, copyNo)
		}
		cat.Modules = append(cat.Modules, &m)
	}
	return cat
}

// BenchmarkReport writes the completion report of 10,000 demo learners on 20 modules (one
// row per learner and module, 200,000 rows) as CSV, and compares it with the floor: the
// sqlite3 command-line tool writing the same rows as CSV from the same file, with the
// best hand-written statement found for them. It also
// times the XLSX and PDF reports on the same data. The database is built once.
func BenchmarkReport(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "indicia.db")
	s, err := progress.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cat := benchCatalog(b)
	start := time.Now()
	if err := s.BulkDemo(ctx, 10_000, DemoModules(cat), 1, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("10,000 demo learners on %d modules written in %v", len(cat.Modules), time.Since(start).Round(time.Millisecond))
	c := &Completion{Source: s, Modules: cat.Modules, Loc: completionBundle(b).For("fr")}
	want := 10_000 * len(cat.Modules)

	for _, format := range []string{"xlsx", "pdf"} {
		b.Run(format, func(b *testing.B) {
			rows := 0
			c.Progress = func(done, _ int) { rows = done }
			for b.Loop() {
				if err := c.Write(ctx, format, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			if rows != want {
				b.Fatalf("%d rows, want %d", rows, want)
			}
			b.ReportMetric(float64(rows), "rows/op")
		})
	}

	// The floor: the same rows (learner × module with status, best score, dates,
	// finished attempts and time spent), written as CSV by the sqlite3 tool.
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Log("sqlite3 command-line tool not found (make test-deps installs it): no floor")
		return
	}
	var values []string
	for _, m := range cat.Modules {
		values = append(values, fmt.Sprintf("(%d, '%s')", len(values), m.ID))
	}
	// The best statement found for these rows: each table is aggregated once along its
	// index on the learner (the attempts together with their answers' time), and the
	// results are joined to learners × modules. The plain statement, three correlated
	// questions for every learner and module, takes about twice as long.
	query := `WITH m(k, id) AS (VALUES ` + strings.Join(values, ", ") + `),
att(learner_id, module_id, n, t) AS (
  SELECT a.learner_id, a.module_id, sum(a.status = 'finished'),
    sum((SELECT sum(w.time_ms) FROM answers w WHERE w.attempt_id = a.id))
  FROM attempts a GROUP BY a.learner_id, a.module_id),
les(learner_id, module_id, t) AS (
  SELECT learner_id, module_id, sum(time_spent_ms) FROM lesson_progress GROUP BY learner_id, module_id)
SELECT l.id, l.name, l.role, l.language, l.cohort, date(l.created_at / 1000, 'unixepoch'),
  date(l.last_active_at / 1000, 'unixepoch'), m.id, coalesce(ms.status, ''), ms.best_percent,
  date(ms.passed_at / 1000, 'unixepoch'), coalesce(att.n, 0), coalesce(les.t, 0) + coalesce(att.t, 0)
FROM learners l CROSS JOIN m
LEFT JOIN module_status ms ON ms.learner_id = l.id AND ms.module_id = m.id
LEFT JOIN att ON att.learner_id = l.id AND att.module_id = m.id
LEFT JOIN les ON les.learner_id = l.id AND les.module_id = m.id
ORDER BY l.cohort, l.name, l.id, m.k;`
	// The CSV report and the floor alternate, five times each, so that both meet the
	// machine in the same state; the medians are compared.
	b.Run("csv-vs-sqlite3", func(b *testing.B) {
		const rounds = 5
		var ours, floor []time.Duration
		var out []byte
		rows := 0
		c.Progress = func(done, _ int) { rows = done }
		for b.Loop() {
			for range rounds {
				start := time.Now()
				if err := c.Write(ctx, "csv", io.Discard); err != nil {
					b.Fatal(err)
				}
				ours = append(ours, time.Since(start))
				start = time.Now()
				out, err = exec.Command(sqlite3, "-readonly", "-csv", "-header", path, query).Output()
				if err != nil {
					b.Fatalf("sqlite3: %v", err)
				}
				floor = append(floor, time.Since(start))
			}
		}
		// Checked outside the timed runs: the floor is the tool's run alone.
		records, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		if err != nil {
			b.Fatalf("sqlite3's CSV: %v", err)
		}
		if lines := len(records) - 1; lines != want || rows != want { // less the header
			b.Fatalf("Indicia wrote %d rows, sqlite3 %d, want %d", rows, lines, want)
		}
		slices.Sort(ours)
		slices.Sort(floor)
		med := func(d []time.Duration) time.Duration { return d[len(d)/2] }
		b.ReportMetric(float64(want), "rows")
		b.ReportMetric(float64(med(ours).Milliseconds()), "csv-ms")
		b.ReportMetric(float64(med(floor).Milliseconds()), "sqlite3-ms")
		b.ReportMetric(float64(med(ours))/float64(med(floor)), "x-floor")
	})
}
