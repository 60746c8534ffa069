package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"syscall"

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/locales"
	"indicia/modules"
)

// xapiCommand runs `indicia xapi export` and `indicia xapi send`: the learners' activity
// as xAPI 1.0.3 statements, written to a JSON file or sent to a Learning Record Store
// through the database's outbox. Learners are pseudonymous unless --names is given.
func xapiCommand(args []string, stdout, stderr io.Writer) int {
	bundle, err := locales.NewBundle()
	if err != nil {
		fmt.Fprintln(stderr, "indicia xapi:", err)
		return 1
	}
	loc := environmentLocalizer(bundle)
	if len(args) == 0 || (args[0] != "export" && args[0] != "send") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(stdout, loc.T("Xapi.Usage"))
			return 0
		}
		fmt.Fprintln(stderr, "indicia xapi: "+loc.T("Xapi.Usage"))
		return 1
	}
	c := &xapiRun{sub: args[0], stdout: stdout, stderr: stderr, loc: loc}
	flags := flag.NewFlagSet("indicia xapi "+c.sub, flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	db := flags.String("db", "", "progress database (default: $INDICIA_DB, else the app's database)")
	names := flags.Bool("names", false, "put each learner's name in the statements (default: pseudonyms only)")
	lang := flags.String("lang", loc.Lang, "the language of these messages: fr, nl, en or de")
	var out, endpoint, user, password *string
	var batch *int
	if c.sub == "export" {
		out = flags.String("out", "", "the JSON file to write")
	} else {
		endpoint = flags.String("endpoint", "", "the LRS's xAPI address (statements go to <endpoint>/statements)")
		user = flags.String("user", os.Getenv("INDICIA_LRS_USER"), "LRS user name (default: $INDICIA_LRS_USER)")
		password = flags.String("password", os.Getenv("INDICIA_LRS_PASSWORD"), "LRS password (default: $INDICIA_LRS_PASSWORD, which ps cannot show)")
		batch = flags.Int("batch", 100, "statements per request")
	}
	if err := flags.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, loc.T("Xapi.Usage"))
			flags.SetOutput(stdout)
			flags.PrintDefaults()
			return 0
		}
		return c.fail(err.Error() + " — " + loc.T("Xapi.Usage"))
	}
	if !slices.Contains(locales.Languages, *lang) {
		return c.fail(loc.T("Xapi.Error.Lang", map[string]any{"Lang": *lang}))
	}
	c.loc = bundle.For(*lang)
	loc = c.loc
	if flags.NArg() > 0 {
		return c.fail(loc.T("Xapi.Usage"))
	}
	c.names = *names
	if c.sub == "export" && *out == "" {
		return c.fail(loc.T("Xapi.Error.NoOut"))
	}
	var lrs *report.LRS
	if c.sub == "send" {
		if *endpoint == "" {
			return c.fail(loc.T("Xapi.Error.NoEndpoint"))
		}
		if lrs, err = report.NewLRS(*endpoint, *user, *password); errors.Is(err, report.ErrPlainHTTP) {
			return c.fail(loc.T("Xapi.Error.PlainHTTP", map[string]any{"Endpoint": *endpoint}))
		} else if err != nil {
			return c.fail(loc.T("Xapi.Error.BadEndpoint", map[string]any{"Endpoint": *endpoint}))
		}
		if *batch < 1 || *batch > 1000 {
			return c.fail(loc.T("Xapi.Error.Batch"))
		}
	}
	dbPath, err := databasePath(*db)
	if err != nil {
		return c.fail(err.Error())
	}
	if _, err := os.Stat(dbPath); errors.Is(err, fs.ErrNotExist) {
		return c.fail(loc.T("Xapi.Error.NoSuchDB", map[string]any{"Path": dbPath}))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if c.sub == "export" {
		return c.export(ctx, dbPath, *out)
	}
	return c.send(ctx, dbPath, lrs, *batch)
}

// xapiRun is one run of `indicia xapi`.
type xapiRun struct {
	sub            string
	stdout, stderr io.Writer
	loc            *locales.Localizer
	names          bool
}

func (c *xapiRun) fail(msg string) int {
	return commandFailer(c.stderr, "indicia xapi "+c.sub)(msg)
}

// open opens the database and builds every statement.
func (c *xapiRun) open(ctx context.Context, dbPath string) (*progress.Store, []report.Statement, int) {
	store, err := progress.Open(ctx, dbPath)
	if err != nil {
		return nil, nil, c.fail(dbPath + ": " + openMessage(c.loc, err))
	}
	cat, err := modules.LoadEmbedded()
	if err != nil {
		store.Close()
		return nil, nil, c.fail(c.loc.T("Xapi.Error.Content", map[string]any{"Reason": err.Error()}))
	}
	id, err := report.LoadXAPIIdentity(store.Path())
	if err != nil {
		store.Close()
		return nil, nil, c.fail(c.loc.T("Xapi.Error.Identity", map[string]any{"Reason": err.Error()}))
	}
	stmts, err := (&report.XAPI{Catalog: cat, Identity: id, IncludeNames: c.names}).Build(ctx, store)
	if err != nil {
		store.Close()
		return nil, nil, c.fail(c.loc.T("Xapi.Error.Build", map[string]any{"Reason": err.Error()}))
	}
	return store, stmts, 0
}

// export writes every statement as one JSON array, through a temporary file renamed when
// complete, so that no half-written file is ever left.
func (c *xapiRun) export(ctx context.Context, dbPath, out string) int {
	loc := c.loc
	if a, err := os.Stat(dbPath); err == nil {
		if b, err := os.Stat(out); err == nil && os.SameFile(a, b) {
			return c.fail(loc.T("Xapi.Error.SameFile"))
		}
	}
	dir := filepath.Dir(out)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		reason := fmt.Sprintf("%s is not a folder", dir)
		if err != nil {
			reason = pathReason(err)
		}
		return c.fail(loc.T("Xapi.Error.Folder", map[string]any{"Dir": dir, "Reason": reason}))
	}
	tmp, err := newTempOutput(out)
	if err != nil {
		return c.fail(loc.T("Xapi.Error.Folder", map[string]any{"Dir": dir, "Reason": pathReason(err)}))
	}
	defer tmp.discard()
	store, stmts, code := c.open(ctx, dbPath)
	if store == nil {
		return code
	}
	defer store.Close()
	if stmts == nil {
		stmts = []report.Statement{}
	}
	data, err := json.MarshalIndent(stmts, "", "  ")
	if err == nil {
		_, err = tmp.f.Write(append(data, '\n'))
	}
	if err == nil {
		err = tmp.commit(out)
	}
	if err != nil {
		return c.fail(loc.T("Xapi.Error.Failed", map[string]any{"Reason": pathReason(err)}))
	}
	fmt.Fprintln(c.stdout, loc.T("Xapi.Exported", map[string]any{"Count": loc.Number(len(stmts)), "File": out}))
	return 0
}

// send puts every statement in the outbox (those already there are not added twice),
// then sends what is due, with progress on stderr and a summary on stdout.
func (c *xapiRun) send(ctx context.Context, dbPath string, lrs *report.LRS, batch int) int {
	loc := c.loc
	store, stmts, code := c.open(ctx, dbPath)
	if store == nil {
		return code
	}
	defer store.Close()
	entries, err := report.OutboxStatements(stmts)
	if err != nil {
		return c.fail(loc.T("Xapi.Error.Build", map[string]any{"Reason": err.Error()}))
	}
	added, err := store.Enqueue(ctx, entries)
	if err != nil {
		return c.fail(loc.T("Xapi.Error.Send", map[string]any{"Reason": err.Error()}))
	}
	counts, err := store.Outbox(ctx)
	if err != nil {
		return c.fail(loc.T("Xapi.Error.Send", map[string]any{"Reason": err.Error()}))
	}
	fmt.Fprintln(c.stderr, "indicia xapi send: "+loc.T("Xapi.Queued", map[string]any{
		"Built": loc.Number(len(stmts)), "New": loc.Number(added), "Due": loc.Number(counts.Due)}))
	line := newProgressLine(c.stderr)
	sum, err := report.SendOutbox(ctx, store, lrs, batch, func(s report.SendSummary) {
		done := s.Sent + s.AlreadyThere
		line.show("indicia xapi send: " + loc.T("Xapi.Progress", map[string]any{
			"Done": loc.Number(done), "Total": loc.Number(counts.Due)}))
	})
	line.clear()
	fmt.Fprintln(c.stdout, loc.T("Xapi.Summary", map[string]any{
		"Sent": loc.Number(sum.Sent), "Known": loc.Number(sum.AlreadyThere),
		"Failed": loc.Number(sum.Failed), "Waiting": loc.Number(sum.Waiting)}))
	switch {
	case errors.Is(err, report.ErrLRSAuth):
		return c.fail(loc.T("Xapi.Error.Auth", map[string]any{"Reason": err.Error()}))
	case errors.Is(err, report.ErrLRSEndpoint):
		return c.fail(loc.T("Xapi.Error.Endpoint", map[string]any{"Reason": err.Error()}))
	case errors.Is(err, report.ErrLRSUnavailable):
		return c.fail(loc.T("Xapi.Error.Unavailable", map[string]any{"Reason": err.Error()}))
	case err != nil:
		return c.fail(loc.T("Xapi.Error.Send", map[string]any{"Reason": err.Error()}))
	case sum.Failed > 0:
		return c.fail(loc.T("Xapi.Error.Rejected", map[string]any{"Count": loc.Number(sum.Failed), "Reason": sum.Rejection}))
	}
	return 0
}

// pathReason is what went wrong with a file, without repeating its name.
func pathReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

// isLoopback reports whether host is this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
