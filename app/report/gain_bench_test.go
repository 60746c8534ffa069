package report

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"indicia/app/progress"
)

// sqlLiteral writes an argument as SQL text, for the sqlite3 tool.
func sqlLiteral(v any) string {
	switch v := v.(type) {
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case int64:
		return fmt.Sprint(v)
	}
	panic(fmt.Sprintf("no literal for %T", v))
}

// inline puts the arguments in the statement's place holders (it has no ? of its own).
func inline(query string, args []any) string {
	var b strings.Builder
	i := 0
	for _, r := range query {
		if r == '?' {
			b.WriteString(sqlLiteral(args[i]))
			i++
			continue
		}
		b.WriteRune(r)
	}
	return b.String() + ";"
}

// BenchmarkGain times the trainer's views of the three measurements and the gain
// report on 10,000 demo learners (`indicia demo --learners 10000`, the shipped
// modules), each beside its floor: the best statement written by hand for the same
// figures (the one the store runs, the fastest of the forms tried), run by the sqlite3
// tool on the same file. Each view and its floor alternate five times; the medians are
// compared.
func BenchmarkGain(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "indicia.db")
	s, err := progress.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cat := completionCatalog(b)
	start := time.Now()
	if err := s.BulkDemo(ctx, 10_000, DemoModules(cat), 1, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("10,000 demo learners written in %v", time.Since(start).Round(time.Millisecond))
	sqlite3, err := exec.LookPath("sqlite3")
	if err != nil {
		b.Skip("sqlite3 command-line tool not found (make test-deps installs it): no floor")
	}
	all, core := MeasuredItems(cat), MeasuredItems(cat, "core")
	loc := completionBundle(b).For("en")
	// The largest cohort, as a trainer who follows one group would choose.
	cohorts, err := s.Cohorts(ctx)
	if err != nil || len(cohorts) == 0 {
		b.Fatalf("cohorts: %v", err)
	}
	cohort := progress.Filter{Cohort: slices.MaxFunc(cohorts, func(a, c progress.Cohort) int { return a.Learners - c.Learners }).Code}

	type view struct {
		name  string
		run   func() (int, error) // the view, as the app or the command reads it; the groups it shows
		floor func() (string, []any, error)
	}
	gainView := func(q progress.GainQuery) func() (int, error) {
		return func() (int, error) {
			rows, err := s.Gain(ctx, q)
			return len(GainGroups(rows, cat, "en")), err
		}
	}
	report := func(by GainBy) func() (int, error) {
		return func() (int, error) {
			g := &Gain{Source: s, Catalog: cat, By: by, Loc: loc}
			err := g.Write(ctx, "csv", io.Discard)
			return len(g.groups), err
		}
	}
	views := []view{
		{"report-by-module-csv", report(GainByModule), progress.GainQuery{Items: all, ByCohort: true}.GainSQL},
		{"report-by-indicator-csv", report(GainByIndicator), progress.GainQuery{Items: all, ByCohort: true, ByIndicator: true}.GainSQL},
		{"trainer-modules-all-learners", gainView(progress.GainQuery{Items: all}), progress.GainQuery{Items: all}.GainSQL},
		{"trainer-core-by-indicator", gainView(progress.GainQuery{Items: core, ByIndicator: true}),
			progress.GainQuery{Items: core, ByIndicator: true}.GainSQL},
		{"trainer-core-one-cohort", gainView(progress.GainQuery{Items: core, Filter: cohort}), progress.GainQuery{Items: core, Filter: cohort}.GainSQL},
		{"trainer-core-confident-wrong", func() (int, error) {
			rows, err := s.ConfidentWrong(ctx, progress.GainQuery{Items: core})
			return len(rows), err
		}, progress.GainQuery{Items: core}.ConfidentWrongSQL},
	}
	for _, v := range views {
		b.Run(v.name, func(b *testing.B) {
			query, args, err := v.floor()
			if err != nil {
				b.Fatal(err)
			}
			script := inline(query, args)
			const rounds = 5
			var ours, floor []time.Duration
			var groups int
			var out []byte
			for b.Loop() {
				for range rounds {
					start := time.Now()
					if groups, err = v.run(); err != nil {
						b.Fatal(err)
					}
					ours = append(ours, time.Since(start))
					start = time.Now()
					cmd := exec.Command(sqlite3, "-readonly", path)
					cmd.Stdin = strings.NewReader(script)
					if out, err = cmd.Output(); err != nil {
						b.Fatalf("sqlite3: %v", err)
					}
					floor = append(floor, time.Since(start))
				}
			}
			lines := strings.Count(string(out), "\n")
			if groups != lines || groups == 0 {
				b.Fatalf("the view shows %d groups, sqlite3 gave %d rows", groups, lines)
			}
			slices.Sort(ours)
			slices.Sort(floor)
			med := func(d []time.Duration) time.Duration { return d[len(d)/2] }
			b.ReportMetric(float64(groups), "groups")
			b.ReportMetric(float64(med(ours).Milliseconds()), "indicia-ms")
			b.ReportMetric(float64(med(floor).Milliseconds()), "sqlite3-ms")
			b.ReportMetric(float64(med(ours))/float64(med(floor)), "x-floor")
		})
	}
}
