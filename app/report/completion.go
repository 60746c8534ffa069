package report

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"indicia/app/progress"
	"indicia/locales"
	"indicia/modules"
)

// CompletionFormats are the formats a completion report can be written in.
var CompletionFormats = []string{"csv", "xlsx", "pdf"}

// TooLargeError is returned, before anything is written, when a report has more rows
// than its format takes: a worksheet's limit for XLSX; for PDF, a few thousand pages,
// which no one reads and which the PDF library would hold in memory until the end.
type TooLargeError struct {
	Format    string
	Rows, Max int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the %s report would have %d rows, more than the %d it can take", e.Format, e.Rows, e.Max)
}

// CompletionSource is where a completion report reads its rows: the progress store.
type CompletionSource interface {
	EachCompletion(ctx context.Context, q progress.CompletionQuery, fn func(*progress.CompletionRow) error) error
	CompletionCounts(ctx context.Context, q progress.CompletionQuery) (progress.CompletionSummary, error)
}

// Completion is a completion report for trainers: one row per learner and module, with
// the learner's status, best score, pass date, attempts and time spent, in the trainer's
// language. The rows are streamed from the store to the output, so a report on 10,000
// learners does not hold them all in memory (except for PDF, whose pages the PDF
// library keeps until the end).
type Completion struct {
	Source  CompletionSource
	Modules []*modules.Module // the modules reported on, in this order
	// Filter chooses the learners as the trainer's matrix does: one cohort or those
	// without one, one role (police, hospital, guardian, fedasil), those active on or
	// after a day. The zero filter takes everyone.
	progress.Filter
	Loc *locales.Localizer // the trainer's language: headers, statuses, roles, dates
	// Generated is when the report was made, as it prints; the zero time means now.
	Generated time.Time
	// RefresherDays is each module's refresher period set by the trainer (the store's
	// RefresherDays); a module not in it has the default period.
	RefresherDays map[string]int
	// Progress, when set, is called now and then with the rows written so far and the
	// total, and once at the end.
	Progress func(done, total int)

	labels map[string]string // translated labels already looked up, by message id
}

// label is the message id's text in the trainer's language. The report asks for the same
// few labels (roles, statuses) on every row: each is translated once.
func (c *Completion) label(id string) string {
	if text, ok := c.labels[id]; ok {
		return text
	}
	if c.labels == nil {
		c.labels = map[string]string{}
	}
	text := c.Loc.T(id)
	c.labels[id] = text
	return text
}

// Write writes the report in format (one of CompletionFormats) to w.
func (c *Completion) Write(ctx context.Context, format string, w io.Writer) error {
	switch format {
	case "csv":
		return c.WriteCSV(ctx, w)
	case "xlsx":
		return c.WriteXLSX(ctx, w)
	case "pdf":
		return c.WritePDF(ctx, w)
	}
	return fmt.Errorf("unknown report format %q (want csv, xlsx or pdf)", format)
}

func (c *Completion) query() progress.CompletionQuery {
	q := progress.CompletionQuery{Filter: c.Filter, Lang: c.Loc.Lang}
	for _, m := range c.Modules {
		q.Modules = append(q.Modules, m.ID)
	}
	return q
}

func (c *Completion) generated() time.Time {
	if c.Generated.IsZero() {
		return time.Now()
	}
	return c.Generated
}

// progressEvery is how many rows pass between two calls of Progress.
const progressEvery = 2000

// each streams the rows to fn and reports the progress.
func (c *Completion) each(ctx context.Context, total int, fn func(*progress.CompletionRow) error) error {
	if len(c.Modules) == 0 {
		return fmt.Errorf("completion report: no module to report on")
	}
	done := 0
	err := c.Source.EachCompletion(ctx, c.query(), func(r *progress.CompletionRow) error {
		if err := fn(r); err != nil {
			return err
		}
		done++
		if c.Progress != nil && done%progressEvery == 0 {
			c.Progress(done, total)
		}
		return nil
	})
	if err == nil && c.Progress != nil {
		c.Progress(done, total)
	}
	return err
}

// The report's columns, in order. Their headers are in locales/report.<lang>.toml.
const (
	colNumber = iota
	colName
	colRole
	colLanguage
	colCohort
	colRegistered
	colLastActive
	colModule
	colStatus
	colScore
	colPassedOn
	colAttempts
	colTime
	numColumns
)

// headers are the column titles of the CSV and XLSX files (units in the title; the PDF
// writes them in the cells).
func (c *Completion) headers() []string {
	l := c.Loc
	return []string{
		l.T("Report.Column.Number"), l.T("Report.Column.Name"), l.T("Report.Column.Role"), l.T("Report.Column.Language"),
		l.T("Report.Column.Cohort"), l.T("Report.Column.Registered"), l.T("Report.Column.LastActive"), l.T("Report.Column.Module"),
		l.T("Report.Column.Status"), l.T("Report.Column.BestScore"), l.T("Report.Column.PassedOn"), l.T("Report.Column.Attempts"),
		l.T("Report.Column.Minutes"),
	}
}

// roleLabel is a role's short name in the trainer's language.
func (c *Completion) roleLabel(role string) string {
	switch role {
	case "police":
		return c.label("Report.Role.Police")
	case "hospital":
		return c.label("Report.Role.Hospital")
	case "guardian":
		return c.label("Report.Role.Guardian")
	case "fedasil":
		return c.label("Report.Role.Fedasil")
	}
	return role
}

// rowStatus is a row's status in the trainer's language; a pass whose refresher has
// fallen due (after the module's refresher period) says so.
func (c *Completion) rowStatus(r *progress.CompletionRow) string {
	label := c.statusLabel(r.Status)
	if r.Status != progress.CompletionPassed {
		return label
	}
	switch state, _ := progress.RefresherState(r.PassedAt, c.RefresherDays[r.ModuleID], c.generated()); state {
	case progress.RefresherDue:
		return label + " — " + c.label("Report.RefresherDue")
	case progress.RefresherOverdue:
		return label + " — " + c.label("Report.RefresherOverdue")
	}
	return label
}

// statusLabel is a status in the trainer's language.
func (c *Completion) statusLabel(s progress.CompletionStatus) string {
	switch s {
	case progress.CompletionNotStarted:
		return c.label("Report.Status.NotStarted")
	case progress.CompletionInProgress:
		return c.label("Report.Status.InProgress")
	case progress.CompletionPassed:
		return c.label("Report.Status.Passed")
	case progress.CompletionFailed:
		return c.label("Report.Status.Failed")
	}
	return string(s)
}

// moduleTitles maps each module id to its title in the trainer's language.
func (c *Completion) moduleTitles() map[string]string {
	out := make(map[string]string, len(c.Modules))
	for _, m := range c.Modules {
		out[m.ID] = m.In(c.Loc.Lang).Title
	}
	return out
}

// filters says which learners the report covers, in the trainer's language.
func (c *Completion) filters() string {
	var parts []string
	switch {
	case c.NoCohort:
		parts = append(parts, c.Loc.T("Report.FilterNoCohort"))
	case c.Cohort != "":
		parts = append(parts, c.Loc.T("Report.FilterCohort", map[string]any{"Cohort": c.Cohort}))
	}
	if c.Role != "" {
		parts = append(parts, c.Loc.T("Report.FilterRole", map[string]any{"Role": c.roleLabel(c.Role)}))
	}
	if !c.Since.IsZero() {
		parts = append(parts, c.Loc.T("Report.FilterSince", map[string]any{"Date": c.Loc.Date(c.Since)}))
	}
	if len(parts) == 0 {
		parts = []string{c.Loc.T("Report.FilterNone")}
	}
	return c.Loc.T("Report.Filters", map[string]any{"List": strings.Join(parts, ", ")})
}

// generatedLine is "Generated on <date> at <time>" in the trainer's language.
func (c *Completion) generatedLine() string {
	g := c.generated().Local()
	return c.Loc.T("Report.Generated", map[string]any{"Date": c.Loc.Date(g), "Time": g.Format("15:04")})
}

// minutes is a time spent in whole minutes, at least one once anything was spent (as
// the app shows it).
func minutes(d time.Duration) int {
	m := int(d.Round(time.Minute) / time.Minute)
	if d > 0 && m == 0 {
		m = 1
	}
	return m
}

// isoDate is the local day of t as YYYY-MM-DD, empty for the zero time.
func isoDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(time.DateOnly)
}

// DemoModules describes the catalog's modules for progress.BulkDemo.
func DemoModules(cat *modules.Catalog) []progress.DemoModule {
	var out []progress.DemoModule
	for _, m := range cat.Modules {
		t := m.In("fr")
		d := progress.DemoModule{ID: m.ID, Version: m.Version, Audience: string(m.Audience), PassMark: m.PassMark,
			QuizSize: m.QuizSize, Bank: t.Bank}
		for _, l := range t.Lessons {
			d.Lessons = append(d.Lessons, progress.DemoLesson{ID: l.ID, Sections: len(l.Sections)})
		}
		out = append(out, d)
	}
	return out
}
