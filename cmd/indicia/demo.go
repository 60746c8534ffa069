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
	"syscall"
	"time"

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/locales"
	"indicia/modules"
)

// maxDemoLearners bounds `indicia demo --learners`.
const maxDemoLearners = 1_000_000

// demoCommand runs `indicia demo`: a new progress database filled with synthetic
// learners and their progress, for demonstrations and load tests. It only ever creates
// a new file, built under a temporary name and given its name when complete, so it
// cannot mix demo learners with real ones nor leave a half-filled database.
func demoCommand(args []string, stdout, stderr io.Writer) int {
	fail := commandFailer(stderr, "indicia demo")
	bundle, err := locales.NewBundle()
	if err != nil {
		return fail(err.Error())
	}
	loc := bundle.For("fr")
	flags := flag.NewFlagSet("indicia demo", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	db := flags.String("db", "", "the new database file to create")
	n := flags.Int("learners", 0, "how many demo learners to write")
	seed := flags.Uint64("seed", 0, "the random seed; the same seed gives the same learners (default: from the clock)")
	lang := flags.String("lang", "fr", "the language of these messages: fr, nl, en or de")
	if code, done := parseFlags(flags, args, loc.T("Demo.Usage"), stdout, fail); done {
		return code
	}
	loc, ok := localizerFor(bundle, *lang)
	if !ok {
		return fail(loc.T("Report.Error.Lang", map[string]any{"Lang": *lang}))
	}
	switch {
	case flags.NArg() > 0:
		return fail(loc.T("Demo.Usage"))
	case *db == "":
		return fail(loc.T("Report.Error.NoDB"))
	case *n < 1 || *n > maxDemoLearners:
		return fail(loc.T("Demo.Count"))
	}
	seedSet := false
	flags.Visit(func(f *flag.Flag) { seedSet = seedSet || f.Name == "seed" })
	if !seedSet {
		*seed = uint64(time.Now().UnixNano())
	}
	if _, err := os.Lstat(*db); !errors.Is(err, fs.ErrNotExist) {
		return fail(loc.T("Demo.Exists", map[string]any{"Path": *db}))
	}
	cat, err := modules.LoadEmbedded()
	if err != nil {
		return fail(loc.T("Report.Error.Content", map[string]any{"Reason": err.Error()}))
	}

	// Build the database under a temporary name in the same folder.
	tmp, err := newTempOutput(*db)
	if err != nil {
		return fail(loc.T("Report.Error.Folder", map[string]any{"Dir": filepath.Dir(*db), "Reason": reportReason(err)}))
	}
	tmp.f.Close()
	tmpPath := tmp.f.Name()
	cleanup := func() {
		for _, p := range []string{tmpPath, tmpPath + "-wal", tmpPath + "-shm", tmpPath + "-journal", tmpPath + ".lock"} {
			os.Remove(p)
		}
	}
	defer cleanup()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := progress.Open(ctx, tmpPath)
	if err != nil {
		return fail(loc.T("Demo.Failed", map[string]any{"Reason": openMessage(loc, err)}))
	}
	line := newProgressLine(stderr)
	err = store.BulkDemo(ctx, *n, report.DemoModules(cat), *seed, func(done, total int) {
		line.show("indicia demo: " + loc.T("Demo.Progress", map[string]any{"Done": loc.Number(done), "Total": loc.Number(total)}))
	})
	line.clear()
	// Closing checkpoints the write-ahead log into the file, which can then be renamed.
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if _, serr := os.Stat(tmpPath + "-wal"); serr == nil {
			err = fmt.Errorf("the write-ahead log of %s was not checkpointed", tmpPath)
		}
	}
	if err == nil {
		err = reportSyncFile(tmpPath)
	}
	if err == nil {
		// A link, not a rename: it fails rather than replace a file created meanwhile.
		err = os.Link(tmpPath, *db)
	}
	if err != nil {
		return fail(loc.T("Demo.Failed", map[string]any{"Reason": reportReason(err)}))
	}
	fmt.Fprintln(stdout, loc.T("Demo.Done", map[string]any{"Count": loc.Number(*n), "Path": *db, "Seed": fmt.Sprint(*seed)}))
	return 0
}

// reportSyncFile flushes a closed file's contents to the disk.
func reportSyncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
