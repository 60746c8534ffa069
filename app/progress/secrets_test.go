package progress

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

func TestPINsKeepTheirParametersAndSlowDownGuesses(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	clock := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	l, err := s.CreateLearner(ctx, NewLearner{Name: "Pin Holder", Role: "police", Language: "fr", PIN: "4821"})
	if err != nil {
		t.Fatal(err)
	}
	var params string
	if err := s.read.QueryRow(`SELECT pin_params FROM learners WHERE id = ?`, l.ID).Scan(&params); err != nil ||
		params != `{"t":2,"m":19456,"p":1}` {
		t.Fatalf("stored parameters %q %v", params, err)
	}
	// A hash made with other parameters is checked with them.
	salt := []byte("0123456789abcdef")
	other := argon2.IDKey([]byte("7777"), salt, 1, 8*1024, 2, 32)
	if _, err := s.write.Exec(`UPDATE learners SET pin_hash = ?, pin_salt = ?, pin_params = '{"t":1,"m":8192,"p":2}' WHERE id = ?`, other, salt, l.ID); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.CheckPIN(ctx, l.ID, "7777"); !ok || err != nil {
		t.Fatalf("PIN hashed with other parameters: %v %v", ok, err)
	}
	// Two wrong PINs are free; then each makes the next try wait longer, even the
	// right PIN, and a wait is not a try.
	for i := 1; i <= 3; i++ {
		if ok, err := s.CheckPIN(ctx, l.ID, "0000"); ok || err != nil {
			t.Fatalf("wrong PIN %d: %v %v", i, ok, err)
		}
	}
	var wait *WaitError
	if _, err := s.CheckPIN(ctx, l.ID, "7777"); !errors.As(err, &wait) || wait.Wait != 2*time.Second {
		t.Fatalf("right PIN right after three wrong ones: %v", err)
	}
	clock = clock.Add(2 * time.Second)
	if ok, _ := s.CheckPIN(ctx, l.ID, "1111"); ok {
		t.Fatal("a wrong PIN accepted")
	}
	if _, err := s.CheckPIN(ctx, l.ID, "7777"); !errors.As(err, &wait) || wait.Wait != 4*time.Second {
		t.Fatalf("after a fourth wrong PIN: %v", err)
	}
	clock = clock.Add(4 * time.Second)
	if ok, err := s.CheckPIN(ctx, l.ID, "7777"); !ok || err != nil {
		t.Fatalf("right PIN after the wait: %v %v", ok, err)
	}
	if ok, err := s.CheckPIN(ctx, l.ID, "0000"); ok || err != nil {
		t.Fatalf("the count starts again: %v %v", ok, err)
	}
	if PINDelay(100) != 5*time.Minute {
		t.Errorf("delay is not bounded: %v", PINDelay(100))
	}
}

func TestFirstTrainerNeedsTheOneTimeCodeOnceLearnersExist(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	clock := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	if st, _ := s.TrainerSetup(ctx); st != SetupOpen {
		t.Fatalf("a new installation: %v", st)
	}
	newLearner(t, s, "Learner Who Found The Machine")
	if st, _ := s.TrainerSetup(ctx); st != SetupNeedsCode {
		t.Fatalf("with a learner: %v", st)
	}
	const pass = "I am the trainer now, honestly"
	if err := s.SetTrainerPassphrase(ctx, "", pass); !errors.Is(err, ErrSetupCode) {
		t.Fatalf("a learner set the first passphrase: %v", err)
	}
	code, expires, err := s.InitTrainerSetup(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 14 || !expires.Equal(clock.Add(SetupCodeLife)) {
		t.Fatalf("code %q expires %v", code, expires)
	}
	if err := s.SetupTrainer(ctx, "0000-0000-0000", pass); !errors.Is(err, ErrSetupCode) {
		t.Fatalf("a wrong code: %v", err)
	}
	// Typed in lower case without hyphens, it works; once.
	if err := s.SetupTrainer(ctx, strings.ToLower(strings.ReplaceAll(code, "-", " ")), pass); err != nil {
		t.Fatalf("the right code: %v", err)
	}
	if err := s.CheckTrainerPassphrase(ctx, pass); err != nil {
		t.Fatal(err)
	}
	if err := s.SetupTrainer(ctx, code, "another passphrase here"); !errors.Is(err, ErrTrainerExists) {
		t.Fatalf("set up twice: %v", err)
	}
	if _, _, err := s.InitTrainerSetup(ctx); !errors.Is(err, ErrTrainerExists) {
		t.Fatalf("a code once set up: %v", err)
	}

	// Codes expire, and five wrong tries end one.
	s2, _ := openTemp(t)
	s2.now = func() time.Time { return clock }
	newLearner(t, s2, "Someone")
	code, _, _ = s2.InitTrainerSetup(ctx)
	for range maxSetupTries {
		s2.SetupTrainer(ctx, "WRONG-CODE-0000", pass)
	}
	if err := s2.SetupTrainer(ctx, code, pass); !errors.Is(err, ErrSetupCode) {
		t.Fatalf("the code after five wrong tries: %v", err)
	}
	code, _, _ = s2.InitTrainerSetup(ctx)
	clock = clock.Add(SetupCodeLife + time.Second)
	if err := s2.SetupTrainer(ctx, code, pass); !errors.Is(err, ErrSetupCode) {
		t.Fatalf("an expired code: %v", err)
	}
}

// TestPassphraseHashDoesNotHoldUpAnswers: while the passphrase's argon2id runs, an answer
// is recorded; it does not wait for the hash.
func TestPassphraseHashDoesNotHoldUpAnswers(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	const pass = "Formation du mardi 2026"
	if err := s.SetTrainerPassphrase(ctx, "", pass); err != nil {
		t.Fatal(err)
	}
	l := newLearner(t, s, "Answering")
	a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", Language: "fr", Plan: plan(3), PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	hashing, release := make(chan struct{}), make(chan struct{})
	s.kdf = func(p, salt []byte, tm, m uint32, th uint8, n uint32) []byte {
		close(hashing)
		<-release
		return argon2.IDKey(p, salt, tm, m, th, n)
	}
	checked := make(chan error, 1)
	go func() { checked <- s.CheckTrainerPassphrase(ctx, pass) }()
	<-hashing
	recorded := make(chan error, 1)
	go func() {
		recorded <- s.RecordAnswer(ctx, a.ID, Answer{Position: 0, QuestionID: "q0", Complete: true, Correct: true})
	}()
	select {
	case err := <-recorded:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		close(release)
		t.Fatal("the answer waited for the passphrase's hash")
	}
	close(release)
	if err := <-checked; err != nil {
		t.Fatal(err)
	}
}

// TestLRSPasswordIsNeverInClear: the password is sealed with the trainer's vault; the
// database file and its backups do not hold it, a passphrase change keeps it, and one
// stored in clear by an older version is sealed when the trainer next signs in.
func TestLRSPasswordIsNeverInClear(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	const pass = "Trainer passphrase 2026"
	if err := s.SetTrainerPassphrase(ctx, "", pass); err != nil {
		t.Fatal(err)
	}
	const secret = "lrs-Secret-Password-9f3k"
	set := LRSSettings{Endpoint: "https://lrs.example/xapi", User: "indicia", Password: secret}
	if err := s.SetLRSSettings(ctx, nil, set); !errors.Is(err, ErrVaultLocked) {
		t.Fatalf("saved without the vault: %v", err)
	}
	v, err := s.OpenVault(ctx, pass)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetLRSSettings(ctx, v, set); err != nil {
		t.Fatal(err)
	}
	got, err := s.LRSSettings(ctx, nil)
	if err != nil || got.Password != "" || !got.HasPassword || got.User != "indicia" {
		t.Fatalf("without the vault: %+v %v", got, err)
	}
	if got, err = s.LRSSettings(ctx, v); err != nil || got.Password != secret {
		t.Fatalf("with the vault: %+v %v", got, err)
	}
	b, err := s.BackupNow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	for _, f := range []string{path, path + "-wal", b.Path} {
		if data, _ := os.ReadFile(f); bytes.Contains(data, []byte(secret)) {
			t.Errorf("%s holds the password in clear", f)
		}
	}
	// A new passphrase opens the same vault.
	if err := s.SetTrainerPassphrase(ctx, pass, "A brand new passphrase"); err != nil {
		t.Fatal(err)
	}
	v2, err := s.OpenVault(ctx, "A brand new passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.LRSSettings(ctx, v2); err != nil || got.Password != secret {
		t.Fatalf("after a passphrase change: %+v %v", got, err)
	}
	// An older version's clear password is sealed at the next sign-in.
	if _, err := s.write.Exec(`UPDATE settings SET value = json_set(value, '$.password', 'old-clear-pw') WHERE key = 'lrs'`); err != nil {
		t.Fatal(err)
	}
	v3, err := s.OpenVault(ctx, "A brand new passphrase")
	if err != nil {
		t.Fatal(err)
	}
	var raw string
	s.read.QueryRow(`SELECT value FROM settings WHERE key = 'lrs'`).Scan(&raw)
	if strings.Contains(raw, "old-clear-pw") {
		t.Errorf("the clear password stayed: %s", raw)
	}
	if got, _ := s.LRSSettings(ctx, v3); got.Password != "old-clear-pw" {
		t.Errorf("the sealed old password: %q", got.Password)
	}
}
