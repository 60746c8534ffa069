package main

import (
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

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/locales"
)

// bundleCommand runs `indicia bundle export` and `indicia bundle merge`: a machine
// without network writes its learners and results to one signed file; the trainer's
// machine merges any number of them, each all or nothing.
func bundleCommand(args []string, stdout, stderr io.Writer) int {
	lb, err := locales.NewBundle()
	if err != nil {
		fmt.Fprintln(stderr, "indicia bundle:", err)
		return 1
	}
	loc := environmentLocalizer(lb)
	if len(args) == 0 || (args[0] != "export" && args[0] != "merge") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(stdout, loc.T("Bundle.Usage"))
			return 0
		}
		fmt.Fprintln(stderr, "indicia bundle: "+loc.T("Bundle.Usage"))
		return 1
	}
	c := &bundleRun{sub: args[0], stdout: stdout, stderr: stderr, loc: loc}
	flags := flag.NewFlagSet("indicia bundle "+c.sub, flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	db := flags.String("db", "", "progress database (default: $INDICIA_DB, else the app's database)")
	lang := flags.String("lang", loc.Lang, "the language of these messages: fr, nl, en or de")
	var out *string
	var trust []string
	if c.sub == "export" {
		out = flags.String("out", "", "the bundle file to write")
	} else {
		flags.Func("trust", "merge only bundles signed with this station key id (may be repeated)", func(v string) error {
			trust = append(trust, v)
			return nil
		})
	}
	// Flags may come after the bundle files too: `merge a.bundle b.bundle --db x.db`.
	var files []string
	rest := args[1:]
	for {
		if err := flags.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintln(stdout, loc.T("Bundle.Usage"))
				flags.SetOutput(stdout)
				flags.PrintDefaults()
				return 0
			}
			return c.fail(err.Error() + " — " + loc.T("Bundle.Usage"))
		}
		rest = flags.Args()
		if len(rest) == 0 {
			break
		}
		files = append(files, rest[0])
		rest = rest[1:]
	}
	if !slices.Contains(locales.Languages, *lang) {
		return c.fail(loc.T("Bundle.Error.Lang", map[string]any{"Lang": *lang}))
	}
	c.loc = lb.For(*lang)
	loc = c.loc
	dbPath, err := databasePath(*db)
	if err != nil {
		return c.fail(err.Error())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if c.sub == "export" {
		if len(files) > 0 {
			return c.fail(loc.T("Bundle.Usage"))
		}
		if *out == "" {
			return c.fail(loc.T("Bundle.Error.NoOut"))
		}
		if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
			return c.fail(loc.T("Bundle.Error.NoSuchDB", map[string]any{"Path": dbPath}))
		}
		return c.export(ctx, dbPath, *out)
	}
	if len(files) == 0 {
		return c.fail(loc.T("Bundle.Error.NoBundles"))
	}
	keys, err := report.ParseTrust(trust)
	if err != nil {
		var be *report.BundleError
		if errors.As(err, &be) {
			return c.fail(be.Message(loc))
		}
		return c.fail(err.Error())
	}
	return c.merge(ctx, dbPath, files, keys)
}

// bundleRun is one run of `indicia bundle`.
type bundleRun struct {
	sub            string
	stdout, stderr io.Writer
	loc            *locales.Localizer
}

func (c *bundleRun) fail(msg string) int {
	c.note(msg)
	return 1
}

// note writes one line on stderr.
func (c *bundleRun) note(msg string) {
	fmt.Fprintln(c.stderr, "indicia bundle "+c.sub+": "+oneLine(msg))
}

// export writes the bundle through a temporary file in the same folder, renamed when
// complete and synced, so that no half-written bundle is ever left.
func (c *bundleRun) export(ctx context.Context, dbPath, out string) int {
	loc := c.loc
	if target, err := os.Stat(out); err == nil {
		for _, kept := range []string{dbPath, report.SigningKeyPath(dbPath), report.XAPISecretPath(dbPath)} {
			if k, err := os.Stat(kept); err == nil && os.SameFile(k, target) {
				return c.fail(loc.T("Bundle.Error.SameFile"))
			}
		}
	}
	dir := filepath.Dir(out)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		reason := fmt.Sprintf("%s is not a folder", dir)
		if err != nil {
			reason = pathReason(err)
		}
		return c.fail(loc.T("Bundle.Error.Folder", map[string]any{"Dir": dir, "Reason": reason}))
	}
	if st, err := os.Stat(out); err == nil && st.IsDir() {
		return c.fail(loc.T("Bundle.Error.Folder", map[string]any{"Dir": out, "Reason": "it is a folder, not a file name"}))
	}
	store, err := progress.Open(ctx, dbPath)
	if err != nil {
		return c.fail(dbPath + ": " + openMessage(loc, err))
	}
	defer store.Close()
	key, err := report.LoadSigningKey(store.Path())
	if err != nil {
		return c.fail(loc.T("Bundle.Error.Key", map[string]any{"Reason": err.Error()}))
	}
	tmp, err := newTempOutput(out)
	if err != nil {
		return c.fail(loc.T("Bundle.Error.Folder", map[string]any{"Dir": dir, "Reason": pathReason(err)}))
	}
	defer tmp.discard()
	written, err := report.ExportBundle(ctx, store, key, tmp.f)
	if err == nil {
		err = tmp.commit(out)
	}
	if err != nil {
		return c.fail(loc.T("Bundle.Error.Export", map[string]any{"Reason": pathReason(err)}))
	}
	cn := written.Counts
	contents := c.list([]kindCount{{"learners", cn.Learners}, {"attempts", cn.Attempts}, {"answers", cn.Answers},
		{"lessons", cn.Lessons}, {"reviews", cn.Reviews}, {"workplace", cn.Workplace}, {"statements", cn.Statements}}, true)
	fmt.Fprintln(c.stdout, loc.T("Bundle.Exported", map[string]any{"File": out, "Station": written.Station, "Key": written.KeyID,
		"Contents": contents}))
	return 0
}

// merge merges each bundle on its own: one refused leaves the others merged.
func (c *bundleRun) merge(ctx context.Context, dbPath string, files, trust []string) int {
	loc := c.loc
	if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
		c.note(loc.T("Bundle.NewDatabase", map[string]any{"Path": dbPath}))
	}
	store, err := progress.Open(ctx, dbPath)
	if err != nil {
		return c.fail(dbPath + ": " + openMessage(loc, err))
	}
	defer store.Close()
	merged, refused := 0, 0
	refuse := func(file, reason string) {
		refused++
		c.note(loc.T("Bundle.Refused", map[string]any{"File": file, "Reason": reason}))
	}
	for i, file := range files {
		if ctx.Err() != nil {
			c.note(loc.T("Bundle.Interrupted", map[string]any{"File": file}))
			refused += len(files) - i
			break
		}
		c.note(loc.T("Bundle.Checking", map[string]any{"File": file}))
		bf, err := report.ReadBundleFile(file, report.ReadBundleOptions{Trust: trust})
		if err != nil {
			var be *report.BundleError
			if errors.As(err, &be) {
				refuse(file, be.Message(loc))
			} else {
				refuse(file, err.Error())
			}
			continue
		}
		shown := newProgressLine(c.stderr)
		res, err := store.MergeBundle(ctx, bf.Bundle, progress.MergeOptions{
			KeyTrusted: len(trust) > 0,
			Progress: func(done, total int) {
				shown.show("indicia bundle " + c.sub + ": " + oneLine(loc.T("Bundle.Progress", map[string]any{"File": file, "Done": loc.Number(done), "Total": loc.Number(total)})))
			},
		})
		shown.clear()
		var ske *progress.StationKeyError
		switch {
		case errors.As(err, &ske):
			refuse(file, loc.T("Bundle.Error.StationKey", map[string]any{"Station": ske.Station, "Known": ske.Known, "Got": ske.Got}))
			continue
		case errors.Is(err, context.Canceled):
			c.note(loc.T("Bundle.Interrupted", map[string]any{"File": file}))
			refused += len(files) - i
			return c.summary(merged, refused)
		case errors.Is(err, progress.ErrInvalid):
			refuse(file, loc.T("Bundle.Error.Invalid", map[string]any{"Detail": err.Error()}))
			continue
		case err != nil:
			refuse(file, loc.T("Bundle.Error.Merge", map[string]any{"Reason": err.Error()}))
			continue
		}
		merged++
		if res.AlreadyMerged {
			fmt.Fprintln(c.stdout, loc.T("Bundle.AlreadyMerged", map[string]any{"File": file, "Date": loc.Date(res.MergedAt),
				"Skipped": c.counts(res, func(m progress.MergeCount) int { return m.Skipped })}))
			continue
		}
		line := loc.T("Bundle.Merged", map[string]any{"File": file, "Station": bf.Station, "Key": bf.KeyID, "Date": loc.Date(bf.Created),
			"Added":   c.counts(res, func(m progress.MergeCount) int { return m.Added }),
			"Updated": c.counts(res, func(m progress.MergeCount) int { return m.Updated }),
			"Skipped": c.counts(res, func(m progress.MergeCount) int { return m.Skipped })})
		if res.Erased > 0 {
			line += " — " + loc.N("Bundle.ErasedHere", res.Erased, nil)
		}
		fmt.Fprintln(c.stdout, line)
	}
	return c.summary(merged, refused)
}

func (c *bundleRun) summary(merged, refused int) int {
	c.note(c.loc.T("Bundle.Summary", map[string]any{"Merged": c.loc.Number(merged), "Refused": c.loc.Number(refused)}))
	if refused > 0 {
		return 1
	}
	return 0
}

type kindCount struct {
	kind string
	n    int
}

// counts lists one column of a merge result ("3 learners, 40 answers"), or "nothing".
func (c *bundleRun) counts(r progress.MergeResult, pick func(progress.MergeCount) int) string {
	var list []kindCount
	for _, k := range r.Kinds() {
		list = append(list, kindCount{k.Kind, pick(k.Count)})
	}
	return c.list(list, false)
}

// list names counts in the user's language, leaving out zeros unless all is set.
func (c *bundleRun) list(counts []kindCount, all bool) string {
	var parts []string
	for _, k := range counts {
		if k.n == 0 && !all {
			continue
		}
		parts = append(parts, c.kind(k.kind, k.n))
	}
	if len(parts) == 0 {
		return c.loc.T("Bundle.Nothing")
	}
	return strings.Join(parts, ", ")
}

func (c *bundleRun) kind(kind string, n int) string {
	l := c.loc
	switch kind {
	case "learners":
		return l.N("Bundle.Kind.Learners", n, nil)
	case "lessons":
		return l.N("Bundle.Kind.Lessons", n, nil)
	case "attempts":
		return l.N("Bundle.Kind.Attempts", n, nil)
	case "answers":
		return l.N("Bundle.Kind.Answers", n, nil)
	case "statuses":
		return l.N("Bundle.Kind.Statuses", n, nil)
	case "cards":
		return l.N("Bundle.Kind.Cards", n, nil)
	case "reviews":
		return l.N("Bundle.Kind.Reviews", n, nil)
	case "statements":
		return l.N("Bundle.Kind.Statements", n, nil)
	case "workplace":
		return l.N("Bundle.Kind.Workplace", n, nil)
	}
	return fmt.Sprint(n, " ", kind)
}
