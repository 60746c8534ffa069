package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/locales"
)

const trustUsage = `usage:
  indicia trust list [--db FILE]
  indicia trust add FILE|FINGERPRINT --name "Organisation" [--db FILE]
  indicia trust revoke FINGERPRINT --from YYYY-MM-DD [--db FILE]
  indicia trust issuer [--name "Organisation"] [--db FILE]
  indicia trust export --out FILE [--db FILE]          (this issuer's key file, for those who verify)
  indicia trust register --out FILE [--db FILE]        (this issuer's register of certificates)
  indicia trust key export --out FILE [--db FILE]      (the signing key, sealed with the trainer passphrase)
  indicia trust key import FILE [--db FILE]
  indicia trust key restore [--db FILE]                (the key file back from the database's sealed copy)
  indicia trainer init [--db FILE]                     (a one-time code to set up trainer mode)
Passphrases are read from INDICIA_TRAINER_PASSPHRASE (and INDICIA_KEY_PASSPHRASE for a key
file's own), else one line each from standard input.`

// trustEnv is what every trust command shares: its flags, messages and store.
type trustEnv struct {
	l      *locales.Localizer
	fail   func(string) int
	stdout io.Writer
	stdin  *bufio.Reader
}

func newTrustEnv(name string, stdout, stderr io.Writer) (*trustEnv, error) {
	b, err := locales.NewBundle()
	if err != nil {
		return nil, err
	}
	return &trustEnv{l: environmentLocalizer(b), fail: commandFailer(stderr, name), stdout: stdout, stdin: bufio.NewReader(os.Stdin)}, nil
}

// openStore opens the database at --db (or the default one); only an existing one.
func (e *trustEnv) openStore(ctx context.Context, db string) (*progress.Store, int) {
	path, err := databasePath(db)
	if err != nil {
		return nil, e.fail(err.Error())
	}
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return nil, e.fail(e.l.T("Certificate.Error.NoDatabase", map[string]any{"Path": path}))
	}
	s, err := progress.Open(ctx, path)
	if err != nil {
		return nil, e.fail(openMessage(e.l, err))
	}
	return s, 0
}

// passphrase reads a passphrase from env, else a line of standard input.
func (e *trustEnv) passphrase(env, prompt string) string {
	if v := os.Getenv(env); v != "" {
		return v
	}
	fmt.Fprint(os.Stderr, prompt+": ")
	line, _ := e.stdin.ReadString('\n')
	return strings.TrimRight(line, "\r\n")
}

// vault opens the trainer's vault with the trainer passphrase, which it returns too.
func (e *trustEnv) vault(ctx context.Context, s *progress.Store) (*progress.Vault, string, int) {
	pass := e.passphrase("INDICIA_TRAINER_PASSPHRASE", e.l.T("Trust.PassphrasePrompt"))
	v, err := s.OpenVault(ctx, pass)
	var wait *progress.WaitError
	switch {
	case err == nil:
		return v, pass, 0
	case errors.As(err, &wait):
		return nil, "", e.fail(e.l.T("Trainer.Wait", map[string]any{"Seconds": e.l.Number(int(wait.Wait.Seconds() + 0.999))}))
	case errors.Is(err, progress.ErrWrongPassphrase):
		return nil, "", e.fail(e.l.T("Trainer.Wrong"))
	case errors.Is(err, progress.ErrNotFound):
		return nil, "", e.fail(e.l.T("Trust.NoTrainer"))
	}
	return nil, "", e.fail(err.Error())
}

// keyMessage says in the user's language why the signing key cannot be read, where
// that is something the user can act on.
func keyMessage(l *locales.Localizer, err error) string {
	if errors.Is(err, report.ErrKeyInDatabase) {
		return l.T("Trust.KeyInDatabase")
	}
	return err.Error()
}

func trustFlags(name string, args []string, e *trustEnv, extra func(*flag.FlagSet)) (db string, rest []string, code int, done bool) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	dbFlag := fs.String("db", "", "progress database file (default: $INDICIA_DB, else indicia.db in the user's data folder)")
	if extra != nil {
		extra(fs)
	}
	rest, code, done = certParseFlags(fs, args, trustUsage, e.stdout, e.fail)
	return *dbFlag, rest, code, done
}

func trustCommand(args []string, stdout, stderr io.Writer) int {
	e, err := newTrustEnv("indicia trust", stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "indicia trust:", err)
		return 1
	}
	if len(args) == 0 {
		return e.fail(trustUsage)
	}
	ctx := context.Background()
	sub, args := args[0], args[1:]
	var name, out, from string
	db, rest, code, done := trustFlags("indicia trust "+sub, args, e, func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "the organisation's name")
		fs.StringVar(&out, "out", "", "the file to write")
		fs.StringVar(&from, "from", "", "the first day (YYYY-MM-DD) whose certificates are no longer trusted")
	})
	if done {
		return code
	}
	if sub == "key" {
		if len(rest) == 0 {
			return e.fail(trustUsage)
		}
		sub, rest = "key "+rest[0], rest[1:]
	}
	s, code := e.openStore(ctx, db)
	if s == nil {
		return code
	}
	defer s.Close()
	l := e.l
	switch sub {
	case "list":
		return e.list(ctx, s)
	case "issuer":
		if name != "" {
			if err := s.SetIssuerName(ctx, name); err != nil {
				return e.fail(l.T("Trust.BadName"))
			}
		}
		n, err := s.IssuerName(ctx)
		if err != nil {
			return e.fail(err.Error())
		}
		key, err := report.LoadSigningKeyFor(ctx, s)
		if err != nil {
			return e.fail(keyMessage(l, err))
		}
		fmt.Fprintln(stdout, l.T("Trust.IssuerIs", map[string]any{"Name": n, "Fingerprint": report.FormatFingerprint(key.Fingerprint())}))
		return 0
	case "add":
		if len(rest) != 1 {
			return e.fail(trustUsage)
		}
		k := progress.TrustedKey{Name: name}
		if fp, ok := report.ParseFingerprint(rest[0]); ok && !fileExists(rest[0]) {
			if name == "" {
				return e.fail(l.T("Trust.NameNeeded"))
			}
			k.Fingerprint = fp
		} else {
			data, err := os.ReadFile(rest[0])
			if err != nil {
				return e.fail(l.T("Certificate.Error.Read", map[string]any{"Path": rest[0], "Reason": certReason(err)}))
			}
			ik, err := report.ParseIssuerKey(data)
			if err != nil {
				return e.fail(l.T("Trust.BadKeyFile", map[string]any{"Path": rest[0]}))
			}
			k.Fingerprint, k.PublicKey = ik.Fingerprint, ik.PublicKey
			if k.Name == "" {
				k.Name = ik.Name
			}
		}
		if err := s.TrustKey(ctx, k); err != nil {
			if errors.Is(err, progress.ErrInvalid) {
				return e.fail(l.T("Trust.BadName"))
			}
			return e.fail(err.Error())
		}
		fmt.Fprintln(stdout, l.T("Trust.Added", map[string]any{"Name": k.Name, "Fingerprint": report.FormatFingerprint(k.Fingerprint)}))
		return 0
	case "revoke":
		if len(rest) != 1 {
			return e.fail(trustUsage)
		}
		fp, ok := report.ParseFingerprint(rest[0])
		if !ok {
			return e.fail(l.T("Trust.BadFingerprint", map[string]any{"Fingerprint": rest[0]}))
		}
		day, err := time.Parse("2006-01-02", from)
		if err != nil {
			return e.fail(l.T("Trust.BadDate", map[string]any{"Date": from}))
		}
		if err := s.RevokeKey(ctx, fp, day); errors.Is(err, progress.ErrNotFound) {
			return e.fail(l.T("Trust.NotListed", map[string]any{"Fingerprint": report.FormatFingerprint(fp)}))
		} else if err != nil {
			return e.fail(err.Error())
		}
		fmt.Fprintln(stdout, l.T("Trust.Revoked", map[string]any{"Fingerprint": report.FormatFingerprint(fp), "Date": from}))
		return 0
	case "export", "register":
		if out == "" || len(rest) > 0 {
			return e.fail(trustUsage)
		}
		key, err := report.LoadSigningKeyFor(ctx, s)
		if err != nil {
			return e.fail(keyMessage(l, err))
		}
		n, err := s.IssuerName(ctx)
		if err != nil {
			return e.fail(err.Error())
		}
		if n == "" {
			return e.fail(l.T("Certificate.Error.NoIssuer"))
		}
		var data []byte
		count := 0
		if sub == "export" {
			data, err = report.ExportIssuerKey(n, key.Public())
		} else {
			data, count, err = report.ExportRegister(ctx, s, key, time.Now())
		}
		if err != nil {
			return e.fail(err.Error())
		}
		if err := writeWhole(out, data); err != nil {
			return e.fail(l.T("Certificate.Error.Write", map[string]any{"Path": out, "Reason": certReason(err)}))
		}
		if sub == "export" {
			fmt.Fprintln(stdout, l.T("Trust.Exported", map[string]any{"Path": out, "Fingerprint": report.FormatFingerprint(key.Fingerprint())}))
		} else {
			fmt.Fprintln(stdout, l.T("Trust.RegisterWritten", map[string]any{"Path": out, "Count": count}))
		}
		return 0
	case "key export":
		if out == "" {
			return e.fail(trustUsage)
		}
		v, pass, code := e.vault(ctx, s)
		if v == nil {
			return code
		}
		if err := report.SyncSigningKey(ctx, s, v); err != nil {
			return e.fail(err.Error())
		}
		key, err := report.LoadSigningKeyFor(ctx, s)
		if err != nil {
			return e.fail(keyMessage(l, err))
		}
		n, _ := s.IssuerName(ctx)
		// The key file is sealed with the passphrase that opened the vault.
		data, err := report.ExportSigningKey(n, key, pass)
		if err != nil {
			return e.fail(err.Error())
		}
		if err := writeWhole(out, data); err != nil {
			return e.fail(l.T("Certificate.Error.Write", map[string]any{"Path": out, "Reason": certReason(err)}))
		}
		fmt.Fprintln(stdout, l.T("Trust.KeyExported", map[string]any{"Path": out}))
		return 0
	case "key import":
		if len(rest) != 1 {
			return e.fail(trustUsage)
		}
		data, err := os.ReadFile(rest[0])
		if err != nil {
			return e.fail(l.T("Certificate.Error.Read", map[string]any{"Path": rest[0], "Reason": certReason(err)}))
		}
		v, _, code := e.vault(ctx, s)
		if v == nil {
			return code
		}
		// The key file's own passphrase: INDICIA_KEY_PASSPHRASE, else the trainer
		// passphrase given in INDICIA_TRAINER_PASSPHRASE, else a line of standard input.
		filePass := os.Getenv("INDICIA_KEY_PASSPHRASE")
		if filePass == "" {
			filePass = e.passphrase("INDICIA_TRAINER_PASSPHRASE", l.T("Trust.KeyFilePassphrase"))
		}
		k, err := report.ImportSigningKey(ctx, s, v, data, filePass)
		switch {
		case errors.Is(err, report.ErrWrongKeyPassphrase):
			return e.fail(l.T("Trust.WrongKeyPassphrase"))
		case errors.Is(err, report.ErrKeyFile):
			return e.fail(l.T("Trust.BadKeyFile", map[string]any{"Path": rest[0]}))
		case err != nil:
			return e.fail(err.Error())
		}
		fmt.Fprintln(stdout, l.T("Trust.KeyImported", map[string]any{"Fingerprint": report.FormatFingerprint(k.Fingerprint())}))
		return 0
	case "key restore":
		v, _, code := e.vault(ctx, s)
		if v == nil {
			return code
		}
		if err := report.SyncSigningKey(ctx, s, v); err != nil {
			return e.fail(err.Error())
		}
		k, err := report.LoadSigningKeyFor(ctx, s)
		if err != nil {
			return e.fail(keyMessage(l, err))
		}
		fmt.Fprintln(stdout, l.T("Trust.KeyRestored", map[string]any{"Fingerprint": report.FormatFingerprint(k.Fingerprint())}))
		return 0
	}
	return e.fail(trustUsage)
}

// list prints the trust list.
func (e *trustEnv) list(ctx context.Context, s *progress.Store) int {
	l := e.l
	if _, err := report.LoadSigningKeyFor(ctx, s); err != nil && !errors.Is(err, report.ErrKeyInDatabase) {
		return e.fail(err.Error())
	}
	keys, err := s.TrustedKeys(ctx)
	if err != nil {
		return e.fail(err.Error())
	}
	held, _ := s.HoldsSigningKey(ctx)
	for _, k := range keys {
		state := l.T("Trust.StateTrusted")
		if !k.RevokedFrom.IsZero() {
			state = l.T("Trust.StateRevoked", map[string]any{"Date": k.RevokedFrom.UTC().Format("2006-01-02")})
		}
		if k.Own {
			state += ", " + l.T("Trust.StateOwn")
		}
		fmt.Fprintf(e.stdout, "%s  %s  (%s)\n", report.FormatFingerprint(k.Fingerprint), k.Name, state)
	}
	if held {
		fmt.Fprintln(e.stdout, l.T("Trust.KeyInBackups"))
	} else {
		fmt.Fprintln(e.stdout, l.T("Trust.KeyNotInBackups"))
	}
	return 0
}

// trainerCommand runs `indicia trainer init`.
func trainerCommand(args []string, stdout, stderr io.Writer) int {
	e, err := newTrustEnv("indicia trainer", stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "indicia trainer:", err)
		return 1
	}
	if len(args) == 0 || args[0] != "init" {
		return e.fail(trustUsage)
	}
	db, rest, code, done := trustFlags("indicia trainer init", args[1:], e, nil)
	if done {
		return code
	}
	if len(rest) > 0 {
		return e.fail(trustUsage)
	}
	ctx := context.Background()
	s, code := e.openStore(ctx, db)
	if s == nil {
		return code
	}
	defer s.Close()
	c, expires, err := s.InitTrainerSetup(ctx)
	if errors.Is(err, progress.ErrTrainerExists) {
		return e.fail(e.l.T("Trust.TrainerExists"))
	}
	if err != nil {
		return e.fail(err.Error())
	}
	fmt.Fprintln(stdout, e.l.T("Trust.SetupCode", map[string]any{"Code": c, "Time": expires.Local().Format("2006-01-02 15:04")}))
	return 0
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// writeWhole writes data to path whole or not at all.
func writeWhole(path string, data []byte) error {
	return report.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// printJournal says, on stderr (stdout holds the path alone, for scripts), which journal
// mode the database at path runs in.
func printJournal(path string, stderr io.Writer) {
	switch mode, ok := progress.FileJournal(path); {
	case !ok:
		fmt.Fprintln(stderr, "journal: (no database yet)")
	case mode == progress.JournalWAL:
		fmt.Fprintln(stderr, "journal: WAL (write-ahead log)")
	default:
		fmt.Fprintln(stderr, "journal: rollback journal, exclusive locking (this folder cannot share memory, as on FAT or a network share)")
	}
}
