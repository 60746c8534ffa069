package report

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"indicia/app/measure"
	"indicia/app/progress"
	"indicia/locales"
	"indicia/modules"
	"indicia/quiz"
)

// The gain report: knowledge before the training (the pre-test), right after it (the
// first quiz) and kept months later (the first refresher), per cohort and module or
// per cohort and indicator, with 95 % intervals and the normalised gain. Groups of fewer
// than measure.MinGroup learners show their counts only, in every format.

// GainBy is what the rows of a gain report are: modules or indicators.
type GainBy string

// The groupings.
const (
	GainByModule    GainBy = "module"
	GainByIndicator GainBy = "indicator"
)

// MeasuredItems lists the questions that count in the three measurements: every
// recognise or act question on a catalogue indicator (quiz.Measured), of the modules
// given, or of every module when none is.
func MeasuredItems(cat *modules.Catalog, moduleIDs ...string) []progress.MeasuredItem {
	var out []progress.MeasuredItem
	for _, m := range cat.Modules {
		if len(moduleIDs) > 0 && !slices.Contains(moduleIDs, m.ID) {
			continue
		}
		for _, q := range m.In("fr").Bank {
			if quiz.Measured(&q) {
				out = append(out, progress.MeasuredItem{Module: m.ID, Question: q.ID, Indicators: q.Indicators})
			}
		}
	}
	return out
}

// GainGroup is one group of a gain view with its figures: a module or an indicator, of
// a cohort when the view is split by cohort.
type GainGroup struct {
	Cohort    string // "" for the learners without a cohort, when split by cohort
	Module    string
	Indicator string
	Label     string // the module's or the indicator's title, in the view's language
	Before    measure.Estimate
	After     measure.Estimate
	Kept      measure.Estimate
	Pairs     int     // learners with both a before and an after score
	Gain      float64 // the normalised gain of those learners, when HasGain
	HasGain   bool
}

// GainGroups makes the figures of the store's rows: means with their intervals (counts
// only for small groups), the normalised gain of the learners measured both before and
// after. Groups come by cohort, then modules in catalog order, or indicators with the
// worst kept first (those whose kept figure cannot be shown after, in catalog order).
func GainGroups(rows []progress.GainRow, cat *modules.Catalog, lang string) []GainGroup {
	out := make([]GainGroup, 0, len(rows))
	for _, r := range rows {
		g := GainGroup{Cohort: r.Cohort, Module: r.Module, Indicator: r.Indicator,
			Before: measure.MeanOf(r.Before.N, r.Before.Sum, r.Before.SumSq),
			After:  measure.MeanOf(r.After.N, r.After.Sum, r.After.SumSq),
			Kept:   measure.MeanOf(r.Kept.N, r.Kept.Sum, r.Kept.SumSq),
			Pairs:  r.Pairs}
		g.Gain, g.HasGain = measure.PairedGain(r.Pairs, r.PairBefore, r.PairAfter)
		switch {
		case r.Indicator != "":
			g.Label = r.Indicator
			if ind, ok := cat.Indicator(r.Indicator); ok {
				g.Label = ind.In(lang).Title
			}
		default:
			g.Label = r.Module
			if m, ok := cat.Module(r.Module); ok {
				g.Label = m.In(lang).Title
			}
		}
		out = append(out, g)
	}
	order := map[string]int{}
	for i, m := range cat.Modules {
		order["m/"+m.ID] = i
	}
	for i, ind := range cat.Indicators() {
		order["i/"+ind.ID] = i
	}
	slices.SortStableFunc(out, func(a, b GainGroup) int {
		if c := strings.Compare(a.Cohort, b.Cohort); c != 0 {
			return c
		}
		if a.Indicator != "" {
			// The signs the group forgets first: the lowest kept figure that can be shown.
			switch {
			case a.Kept.Shown() && b.Kept.Shown():
				if c := cmp.Compare(a.Kept.Mean, b.Kept.Mean); c != 0 {
					return c
				}
			case a.Kept.Shown():
				return -1
			case b.Kept.Shown():
				return 1
			}
			return cmp.Compare(order["i/"+a.Indicator], order["i/"+b.Indicator])
		}
		return cmp.Compare(order["m/"+a.Module], order["m/"+b.Module])
	})
	return out
}

// GainSource is where a gain report reads its figures: the progress store.
type GainSource interface {
	Gain(ctx context.Context, q progress.GainQuery) ([]progress.GainRow, error)
}

// Gain is a gain report for trainers: one row per cohort and module (or indicator),
// with the learners counted in each measurement, before, after and kept in percent with
// their 95 % intervals, and the normalised gain.
type Gain struct {
	Source  GainSource
	Catalog *modules.Catalog
	By      GainBy
	// Filter chooses the learners as the trainer's views do: one cohort or those without
	// one, one role, those active on or after a day. The zero filter takes everyone.
	progress.Filter
	Loc *locales.Localizer
	// Generated is when the report was made, as it prints; the zero time means now.
	Generated time.Time

	groups []GainGroup
}

// GainFormats are the formats a gain report can be written in.
var GainFormats = CompletionFormats

// Groups reads the report's groups from the store (once).
func (g *Gain) Groups(ctx context.Context) ([]GainGroup, error) {
	if g.groups != nil {
		return g.groups, nil
	}
	if g.By != GainByModule && g.By != GainByIndicator {
		return nil, fmt.Errorf("gain report: unknown grouping %q (want module or indicator)", g.By)
	}
	rows, err := g.Source.Gain(ctx, progress.GainQuery{
		Filter: g.Filter, Items: MeasuredItems(g.Catalog),
		ByIndicator: g.By == GainByIndicator, ByCohort: true,
	})
	if err != nil {
		return nil, err
	}
	g.groups = GainGroups(rows, g.Catalog, g.Loc.Lang)
	return g.groups, nil
}

// Write writes the report in format (one of GainFormats) to w.
func (g *Gain) Write(ctx context.Context, format string, w io.Writer) error {
	switch format {
	case "csv":
		return g.WriteCSV(ctx, w)
	case "xlsx":
		return g.WriteXLSX(ctx, w)
	case "pdf":
		return g.WritePDF(ctx, w)
	}
	return fmt.Errorf("unknown report format %q (want csv, xlsx or pdf)", format)
}

// The gain report's columns, in order.
const (
	gainCohort = iota
	gainWhat   // the module or the indicator
	gainBeforeN
	gainBefore
	gainBeforeLow
	gainBeforeHigh
	gainAfterN
	gainAfter
	gainAfterLow
	gainAfterHigh
	gainKeptN
	gainKept
	gainKeptLow
	gainKeptHigh
	gainPairs
	gainGain
	gainColumns
)

// headers are the column titles of the CSV and XLSX files.
func (g *Gain) headers() []string {
	l := g.Loc
	what := l.T("Gain.Column.Module")
	if g.By == GainByIndicator {
		what = l.T("Gain.Column.Indicator")
	}
	return []string{l.T("Gain.Column.Cohort"), what,
		l.T("Gain.Column.BeforeLearners"), l.T("Gain.Column.Before"), l.T("Gain.Column.BeforeLow"), l.T("Gain.Column.BeforeHigh"),
		l.T("Gain.Column.AfterLearners"), l.T("Gain.Column.After"), l.T("Gain.Column.AfterLow"), l.T("Gain.Column.AfterHigh"),
		l.T("Gain.Column.KeptLearners"), l.T("Gain.Column.Kept"), l.T("Gain.Column.KeptLow"), l.T("Gain.Column.KeptHigh"),
		l.T("Gain.Column.Pairs"), l.T("Gain.Column.Gain")}
}

// cohortLabel is a group's cohort as the report shows it.
func (g *Gain) cohortLabel(code string) string {
	if code == "" {
		return g.Loc.T("Gain.NoCohort")
	}
	return code
}

// filters says which learners the report covers, in the trainer's language.
func (g *Gain) filters() string {
	c := &Completion{Filter: g.Filter, Loc: g.Loc}
	return c.filters()
}

func (g *Gain) generated() time.Time {
	if g.Generated.IsZero() {
		return time.Now()
	}
	return g.Generated
}

// generatedLine is "Generated on <date> at <time>" in the trainer's language.
func (g *Gain) generatedLine() string {
	t := g.generated().Local()
	return g.Loc.T("Report.Generated", map[string]any{"Date": g.Loc.Date(t), "Time": t.Format("15:04")})
}

// title is the report's title.
func (g *Gain) title() string {
	if g.By == GainByIndicator {
		return g.Loc.T("Gain.TitleIndicator")
	}
	return g.Loc.T("Gain.Title")
}

// cells are a group's values for the CSV and XLSX files: numbers, or nil where the
// group is too small to show them (and for a gain that cannot be had).
func (g *Gain) cells(gr GainGroup) []any {
	out := make([]any, gainColumns)
	out[gainCohort], out[gainWhat] = g.cohortLabel(gr.Cohort), gr.Label
	for i, e := range []measure.Estimate{gr.Before, gr.After, gr.Kept} {
		at := gainBeforeN + 4*i
		out[at] = e.N
		if e.Shown() {
			out[at+1], out[at+2], out[at+3] = round1(e.Mean), round1(e.Low), round1(e.High)
		}
	}
	out[gainPairs] = gr.Pairs
	if gr.HasGain {
		out[gainGain] = round2(gr.Gain)
	}
	return out
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }

func round2(v float64) float64 {
	if v < 0 {
		return -round2(-v)
	}
	return float64(int64(v*100+0.5)) / 100
}
