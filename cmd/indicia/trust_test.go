package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"indicia/app/progress"
	"indicia/app/report"
)

// TestVerifyAnswersWhoVouches: a certificate verifies as genuine (exit 0) only when the
// verifying installation trusts its issuer's key; a valid signature by a key it does not
// trust, or one revoked at the certificate's date, exits 3 and names the fingerprint; an
// altered one exits 1. An impostor who names their own installation after a trusted
// organisation is still not trusted.
func TestVerifyAnswersWhoVouches(t *testing.T) {
	academy := newCertTestDB(t, t.TempDir())  // issues certificates
	employer := newCertTestDB(t, t.TempDir()) // verifies them
	impostor := newCertTestDB(t, t.TempDir()) // names itself after the academy
	dir := t.TempDir()
	issue := func(db certTestDB, name string) (string, report.Certificate) {
		t.Helper()
		out := filepath.Join(dir, name)
		if code, _, stderr := certRun("certificate", "--db", db.path, "--learner", strconv.FormatInt(db.passed, 10), "--module", "core", "--out", out, "--lang", "en"); code != 0 {
			t.Fatal(stderr)
		}
		c, _, err := report.VerifyPDF(context.Background(), out)
		if err != nil {
			t.Fatal(err)
		}
		return out, c
	}
	genuinePDF, cert := issue(academy, "genuine.pdf")
	forgedPDF, forged := issue(impostor, "impostor.pdf")
	fp := report.FormatFingerprint(cert.Fingerprint)
	if forged.IssuerName != cert.IssuerName {
		t.Fatal("the impostor should claim the same organisation name")
	}

	verify := func(args ...string) (int, string, string) {
		return certRun(append([]string{"verify", "--lang", "en"}, args...)...)
	}
	if code, stdout, _ := verify("--db", academy.path, genuinePDF); code != 0 || !strings.HasPrefix(stdout, "genuine, issued by Académie de police de Liège (key "+fp+")") {
		t.Fatalf("at the issuer itself: exit %d\n%s", code, stdout)
	}
	code, stdout, _ := verify("--db", employer.path, genuinePDF)
	if code != 3 || !strings.Contains(stdout, "the signature is valid but the issuer is not one you trust: "+fp) {
		t.Fatalf("before trusting the academy: exit %d\n%s", code, stdout)
	}

	// The academy hands over its key file; the employer trusts it.
	keyFile := filepath.Join(dir, "academy-key.json")
	if code, stdout, stderr := certRun("trust", "export", "--db", academy.path, "--out", keyFile); code != 0 {
		t.Fatalf("trust export: %d %s %s", code, stdout, stderr)
	}
	if code, stdout, stderr := certRun("trust", "add", keyFile, "--db", employer.path); code != 0 || !strings.Contains(stdout, fp) {
		t.Fatalf("trust add: %d %s %s", code, stdout, stderr)
	}
	if code, stdout, _ := verify("--db", employer.path, genuinePDF); code != 0 || !strings.HasPrefix(stdout, "genuine, issued by Académie de police de Liège") {
		t.Fatalf("after trusting the academy: exit %d\n%s", code, stdout)
	}
	if code, stdout, _ := verify("--db", employer.path, forgedPDF); code != 3 || !strings.Contains(stdout, report.FormatFingerprint(forged.Fingerprint)) {
		t.Fatalf("the impostor's certificate: exit %d\n%s", code, stdout)
	}
	// Altered: exit 1.
	compact := strings.ReplaceAll(cert.Code, " ", "")
	i := len(compact) / 2
	altered := compact[:i] + map[bool]string{true: "A", false: "B"}[compact[i] != 'A'] + compact[i+1:]
	if code, _, stderr := verify("--db", employer.path, altered); code != 1 || !strings.Contains(stderr, "NOT genuine") {
		t.Fatalf("an altered code: exit %d %s", code, stderr)
	}

	// Revoked from a day after the certificate's: still trusted; from its day: not.
	tomorrow := time.Now().AddDate(0, 0, 1).Format("2006-01-02")
	if code, _, stderr := certRun("trust", "revoke", cert.Fingerprint, "--from", tomorrow, "--db", employer.path); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, _ := verify("--db", employer.path, genuinePDF); code != 0 {
		t.Errorf("a certificate issued before the revocation: exit %d", code)
	}
	if code, _, stderr := certRun("trust", "revoke", fp, "--from", cert.Issued.Format("2006-01-02"), "--db", employer.path); code != 0 {
		t.Fatal(stderr)
	}
	if code, stdout, _ := verify("--db", employer.path, genuinePDF); code != 3 || !strings.Contains(stdout, "revoked") {
		t.Errorf("a certificate issued on the revocation day: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = certRun("trust", "list", "--db", employer.path)
	if code != 0 || !strings.Contains(stdout, fp) || !strings.Contains(stdout, "Académie de police de Liège") {
		t.Errorf("trust list: %d\n%s", code, stdout)
	}

	// The short form: number and check code, looked up in the academy's register.
	register := filepath.Join(dir, "register.json")
	if code, stdout, stderr := certRun("trust", "register", "--db", academy.path, "--out", register); code != 0 {
		t.Fatalf("trust register: %d %s %s", code, stdout, stderr)
	}
	data, _ := os.ReadFile(register)
	if strings.Contains(string(data), certTestName) {
		t.Error("the register names the learner in clear")
	}
	if code, stdout, _ := verify("--db", academy.path, "--register", register, cert.Number, strings.ToLower(cert.CheckCode)); code != 0 ||
		!strings.Contains(stdout, certTestName) {
		t.Errorf("number and check code: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := verify("--db", academy.path, "--register", register, cert.Number, "0000-0000-0000"); code != 1 || !strings.Contains(stderr, "NOT genuine") {
		t.Errorf("a wrong check code: exit %d %s", code, stderr)
	}

	// A fingerprint read over the phone trusts the key too.
	other := newCertTestDB(t, t.TempDir())
	if code, _, stderr := certRun("trust", "add", strings.ToUpper(fp), "--name", "Académie (by phone)", "--db", other.path); code != 0 {
		t.Fatal(stderr)
	}
	if code, stdout, _ := verify("--db", other.path, genuinePDF); code != 0 || !strings.Contains(stdout, "Académie (by phone)") {
		t.Errorf("trusted by fingerprint: exit %d\n%s", code, stdout)
	}
}

// TestSigningKeySurvivesTheMachine: the key is sealed into the database when the
// trainer's vault opens, so a backup restored on a new machine brings it back instead
// of making a new issuer; and it moves between machines as a sealed key file.
func TestSigningKeySurvivesTheMachine(t *testing.T) {
	ctx := context.Background()
	t.Setenv("LC_ALL", "en_GB.UTF-8")
	db := newCertTestDB(t, t.TempDir())
	const pass = "Passphrase of the trainer 2026"
	s, err := progress.Open(ctx, db.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetTrainerPassphrase(ctx, "", pass); err != nil {
		// learners exist: set up with a one-time code
		c, _, err := s.InitTrainerSetup(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetupTrainer(ctx, c, pass); err != nil {
			t.Fatal(err)
		}
	}
	key, err := report.LoadSigningKeyFor(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if held, _ := s.HoldsSigningKey(ctx); held {
		t.Fatal("sealed before the trainer signed in")
	}
	v, err := s.OpenVault(ctx, pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.SyncSigningKey(ctx, s, v); err != nil {
		t.Fatal(err)
	}
	backup, err := s.BackupNow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	// A new machine: only the backup.
	newDB := filepath.Join(t.TempDir(), "indicia.db")
	if _, err := progress.Restore(ctx, newDB, backup.Path); err != nil {
		t.Fatal(err)
	}
	s2, err := progress.Open(ctx, newDB)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := report.LoadSigningKeyFor(ctx, s2); err != report.ErrKeyInDatabase {
		t.Fatalf("a restored database made a new key: %v", err)
	}
	s2.Close()
	// Until then, the commands that need the key say what to do, in the user's language.
	t.Setenv("LC_ALL", "fr_BE.UTF-8")
	code, _, stderr := certRun("trust", "issuer", "--db", newDB)
	wantRefused(t, "the key only in the database", code, stderr, "Lancez « indicia trust key restore »")
	t.Setenv("LC_ALL", "en_GB.UTF-8")
	t.Setenv("INDICIA_TRAINER_PASSPHRASE", pass)
	if code, stdout, stderr := certRun("trust", "key", "restore", "--db", newDB); code != 0 || !strings.Contains(stdout, report.FormatFingerprint(key.Fingerprint())) {
		t.Fatalf("key restore: %d %s %s", code, stdout, stderr)
	}

	// Key files: exported sealed, imported elsewhere with the passphrase.
	keyFile := filepath.Join(t.TempDir(), "signing-key.json")
	if code, _, stderr := certRun("trust", "key", "export", "--db", db.path, "--out", keyFile); code != 0 {
		t.Fatal(stderr)
	}
	data, _ := os.ReadFile(keyFile)
	if strings.Contains(string(data), "seed") || len(data) > 4096 {
		t.Errorf("key file: %s", data)
	}
	third := newCertTestDB(t, t.TempDir())
	s3, _ := progress.Open(ctx, third.path)
	c, _, _ := s3.InitTrainerSetup(ctx)
	if err := s3.SetupTrainer(ctx, c, pass); err != nil {
		t.Fatal(err)
	}
	s3.Close()
	t.Setenv("INDICIA_KEY_PASSPHRASE", "not the right one at all")
	if code, _, stderr := certRun("trust", "key", "import", keyFile, "--db", third.path); code != 1 || !strings.Contains(stderr, "passphrase") {
		t.Errorf("a wrong key file passphrase: %d %s", code, stderr)
	}
	t.Setenv("INDICIA_KEY_PASSPHRASE", pass)
	if code, stdout, stderr := certRun("trust", "key", "import", keyFile, "--db", third.path); code != 0 || !strings.Contains(stdout, report.FormatFingerprint(key.Fingerprint())) {
		t.Fatalf("key import: %d %s %s", code, stdout, stderr)
	}
}

// TestTrustKeyPassphrasesFromStandardInput: without the environment variables, the
// key commands read each passphrase as a line of standard input, as their usage says:
// the trainer passphrase to open the vault (and seal the exported key), then, on
// import, the key file's own.
func TestTrustKeyPassphrasesFromStandardInput(t *testing.T) {
	ctx := context.Background()
	t.Setenv("LC_ALL", "en_GB.UTF-8")
	t.Setenv("INDICIA_TRAINER_PASSPHRASE", "")
	t.Setenv("INDICIA_KEY_PASSPHRASE", "")
	const pass, other = "Passphrase of the trainer 2026", "Another trainer, another machine"
	setUp := func(pass string) certTestDB {
		db := newCertTestDB(t, t.TempDir())
		s, err := progress.Open(ctx, db.path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		c, _, err := s.InitTrainerSetup(ctx)
		if err == nil {
			err = s.SetupTrainer(ctx, c, pass)
		}
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	withStdin := func(lines string, args ...string) (int, string, string) {
		t.Helper()
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		w.WriteString(lines)
		w.Close()
		saved := os.Stdin
		os.Stdin = r
		defer func() { os.Stdin = saved; r.Close() }()
		return certRun(args...)
	}
	from, to := setUp(pass), setUp(other)
	keyFile := filepath.Join(t.TempDir(), "signing-key.json")
	if code, stdout, stderr := withStdin(pass+"\n", "trust", "key", "export", "--db", from.path, "--out", keyFile); code != 0 {
		t.Fatalf("key export with the passphrase on standard input: %d %s %s", code, stdout, stderr)
	}
	s, err := progress.Open(ctx, from.path)
	if err != nil {
		t.Fatal(err)
	}
	key, err := report.LoadSigningKeyFor(ctx, s)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The other machine's trainer passphrase opens its vault; the first machine's opens
	// the key file.
	code, stdout, stderr := withStdin(other+"\n"+pass+"\n", "trust", "key", "import", keyFile, "--db", to.path)
	if code != 0 || !strings.Contains(stdout, report.FormatFingerprint(key.Fingerprint())) {
		t.Fatalf("key import with both passphrases on standard input: %d %s %s", code, stdout, stderr)
	}
}
