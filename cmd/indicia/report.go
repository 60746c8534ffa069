package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/locales"
	"indicia/modules"
)

// reportCommand runs `indicia report`: a completion report of the learners in a progress
// database (--kind completion, the default), or the three measurements of what they
// know before, after and months after the training (--kind gain, per cohort and module
// or indicator), as CSV, XLSX or PDF, in the trainer's language. It never leaves a
// partly written file: the report goes to a temporary file in the same folder, renamed
// when complete.
func reportCommand(args []string, stdout, stderr io.Writer) int {
	fail := commandFailer(stderr, "indicia report")
	bundle, err := locales.NewBundle()
	if err != nil {
		return fail(err.Error())
	}
	loc := bundle.For("fr")
	flags := flag.NewFlagSet("indicia report", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	db := flags.String("db", "", "progress database (default: $INDICIA_DB, else the app's database)")
	format := flags.String("format", "", "csv, xlsx or pdf (default: from the --out file's extension)")
	out := flags.String("out", "", "the report file to write")
	cohort := flags.String("cohort", "", "only the learners with this cohort code")
	role := flags.String("role", "", "only the learners with this role: police, hospital, guardian or fedasil")
	since := flags.String("since", "", "only the learners active on or after this day (YYYY-MM-DD)")
	lang := flags.String("lang", "fr", "the report's language: fr, nl, en or de")
	kind := flags.String("kind", "completion", "completion, or gain: before, after and kept")
	by := flags.String("by", string(report.GainByModule), "gain reports: one row per cohort and module, or per cohort and indicator")
	if code, done := parseFlags(flags, args, loc.T("Report.Error.Usage"), stdout, fail); done {
		return code
	}
	loc, ok := localizerFor(bundle, *lang)
	if !ok {
		return fail(loc.T("Report.Error.Lang", map[string]any{"Lang": *lang}))
	}
	if flags.NArg() > 0 {
		return fail(loc.T("Report.Error.Usage"))
	}
	if *kind != "completion" && *kind != "gain" {
		return fail(loc.T("Gain.Error.Kind", map[string]any{"Kind": *kind}))
	}
	if *by != string(report.GainByModule) && *by != string(report.GainByIndicator) {
		return fail(loc.T("Gain.Error.By", map[string]any{"By": *by}))
	}
	if *out == "" {
		return fail(loc.T("Report.Error.NoOut"))
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	}
	if !slices.Contains(report.CompletionFormats, *format) {
		return fail(loc.T("Report.Error.Format", map[string]any{"Format": *format}))
	}
	if *role != "" && !modules.ValidRole(modules.Role(*role)) {
		return fail(loc.T("Report.Error.Role", map[string]any{"Role": *role}))
	}
	var from time.Time
	if *since != "" {
		from, err = time.ParseInLocation(time.DateOnly, *since, time.Local)
		if err != nil {
			return fail(loc.T("Report.Error.Date", map[string]any{"Date": *since}))
		}
	}
	dbPath, err := databasePath(*db)
	if err != nil {
		return fail(err.Error())
	}
	if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
		return fail(loc.T("Report.Error.NoSuchDB", map[string]any{"Path": dbPath}))
	}
	if same, _ := reportSameFile(dbPath, *out); same {
		return fail(loc.T("Report.Error.SameFile"))
	}
	// The temporary file first: an unwritable folder is found before any work.
	tmp, err := newTempOutput(*out)
	if err != nil {
		return fail(loc.T("Report.Error.Folder", map[string]any{"Dir": filepath.Dir(*out), "Reason": reportReason(err)}))
	}
	defer tmp.discard()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, lockErr := os.Stat(dbPath + ".lock")
	store, err := progress.Open(ctx, dbPath)
	if err != nil {
		// A file no copy of Indicia can use keeps no lock file we made beside it.
		if errors.Is(lockErr, fs.ErrNotExist) && (errors.Is(err, progress.ErrForeign) || errors.Is(err, progress.ErrCorrupt) ||
			errors.Is(err, progress.ErrNewerSchema)) {
			os.Remove(dbPath + ".lock")
		}
		return fail(dbPath + ": " + openMessage(loc, err))
	}
	defer store.Close()
	cat, err := modules.LoadEmbedded()
	if err != nil {
		return fail(loc.T("Report.Error.Content", map[string]any{"Reason": err.Error()}))
	}
	if *kind == "gain" {
		return gainReport(ctx, &report.Gain{Source: store, Catalog: cat, By: report.GainBy(*by),
			Filter: progress.Filter{Cohort: *cohort, Role: *role, Since: from}, Loc: loc},
			*format, *out, tmp, stdout, fail)
	}
	days, err := store.RefresherDays(ctx)
	if err != nil {
		return fail(err.Error())
	}
	line := newProgressLine(stderr)
	rows := 0
	rep := &report.Completion{
		Source: store, Modules: cat.Modules, Filter: progress.Filter{Cohort: *cohort, Role: *role, Since: from}, Loc: loc, RefresherDays: days,
		Progress: func(done, total int) {
			rows = done
			line.show("indicia report: " + loc.T("Report.Progress", map[string]any{"Done": loc.Number(done), "Total": loc.Number(total)}))
		},
	}
	bw := bufio.NewWriterSize(tmp.f, 256<<10)
	err = rep.Write(ctx, *format, bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.commit(*out)
	}
	line.clear()
	var tooLarge *report.TooLargeError
	if errors.As(err, &tooLarge) {
		return fail(loc.T("Report.Error.TooLarge", map[string]any{"Format": strings.ToUpper(tooLarge.Format),
			"Rows": loc.Number(tooLarge.Rows), "Max": loc.Number(tooLarge.Max)}))
	}
	if err != nil {
		return fail(loc.T("Report.Error.Failed", map[string]any{"Reason": reportReason(err)}))
	}
	fmt.Fprintln(stdout, loc.T("Report.Written", map[string]any{"Rows": loc.Number(rows), "File": *out}))
	return 0
}

// gainReport writes a gain report to tmp and puts it in place at out.
func gainReport(ctx context.Context, g *report.Gain, format, out string, tmp *tempOutput, stdout io.Writer, fail func(string) int) int {
	loc := g.Loc
	groups, err := g.Groups(ctx)
	if err == nil {
		bw := bufio.NewWriterSize(tmp.f, 256<<10)
		if err = g.Write(ctx, format, bw); err == nil {
			err = bw.Flush()
		}
	}
	if err == nil {
		err = tmp.commit(out)
	}
	if err != nil {
		return fail(loc.T("Report.Error.Failed", map[string]any{"Reason": reportReason(err)}))
	}
	fmt.Fprintln(stdout, loc.T("Gain.Written", map[string]any{"Rows": loc.Number(len(groups)), "File": out}))
	return 0
}

// reportSameFile reports whether a and b name the same file (b may not exist yet).
func reportSameFile(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}

// reportReason is the end of an error that says what went wrong (a *PathError's cause).
func reportReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
