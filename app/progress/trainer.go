package progress

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Trainer passphrases are hashed with argon2id, with the parameters RFC 9106 recommends
// for memory-constrained use: 64 MiB, 3 passes, 4 lanes, a 16-byte salt, 32-byte key.
const (
	trainerTime    = 3
	trainerMemory  = 64 * 1024 // KiB
	trainerThreads = 4
	trainerKeyLen  = 32
	// MinPassphrase is the shortest passphrase accepted, in characters.
	MinPassphrase = 10
)

// ErrWait is returned when a passphrase is tried again too soon after wrong ones.
var ErrWait = errors.New("too many wrong attempts: wait before trying again")

// WaitError says how long to wait before the next attempt.
type WaitError struct{ Wait time.Duration }

func (e *WaitError) Error() string { return fmt.Sprintf("%v (%s)", ErrWait, e.Wait.Round(time.Second)) }
func (e *WaitError) Unwrap() error { return ErrWait }

type trainerSecret struct {
	Hash    []byte `json:"hash"`
	Salt    []byte `json:"salt"`
	Time    uint32 `json:"t"`
	Memory  uint32 `json:"m"`
	Threads uint8  `json:"p"`
}

type trainerFailures struct {
	Count int   `json:"count"`
	Last  int64 `json:"last"` // Unix milliseconds
}

func (s *Store) setting(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, key string, v any) (bool, error) {
	var raw string
	err := q.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal([]byte(raw), v)
}

func putSetting(ctx context.Context, tx *sql.Tx, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, string(raw))
	return err
}

// HasTrainerPassphrase tells whether a trainer passphrase was set on this installation.
func (s *Store) HasTrainerPassphrase(ctx context.Context) (bool, error) {
	var sec trainerSecret
	return s.setting(ctx, s.read, "trainer.passphrase", &sec)
}

// hashPassphrase makes the stored hash of a passphrase. It runs the slow argon2id
// before any transaction begins, so answers are never kept waiting by it.
func hashPassphrase(passphrase string) (trainerSecret, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return trainerSecret{}, err
	}
	sec := trainerSecret{Salt: salt, Time: trainerTime, Memory: trainerMemory, Threads: trainerThreads}
	sec.Hash = argon2.IDKey([]byte(passphrase), salt, sec.Time, sec.Memory, sec.Threads, trainerKeyLen)
	return sec, nil
}

func checkPassphraseLength(passphrase string) error {
	if utf8.RuneCountInString(strings.TrimSpace(passphrase)) < MinPassphrase {
		return fmt.Errorf("%w: a passphrase has at least %d characters", ErrInvalid, MinPassphrase)
	}
	return nil
}

// SetTrainerPassphrase changes the trainer passphrase: old must match the current one.
// On an installation without one it sets the first (SetupTrainer without a code), which
// only works while no learner exists.
func (s *Store) SetTrainerPassphrase(ctx context.Context, old, passphrase string) error {
	if err := checkPassphraseLength(passphrase); err != nil {
		return err
	}
	has, err := s.HasTrainerPassphrase(ctx)
	if err != nil {
		return err
	}
	if !has {
		return s.SetupTrainer(ctx, "", passphrase)
	}
	v, err := s.OpenVault(ctx, old)
	if err != nil {
		return err
	}
	sec, err := hashPassphrase(passphrase)
	if err != nil {
		return err
	}
	wrapped, err := wrapVault(v.key, passphrase)
	if err != nil {
		return err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("set trainer passphrase", err)
	}
	defer tx.Rollback()
	for key, value := range map[string]any{"trainer.passphrase": sec, "trainer.failures": trainerFailures{}, settingVault: wrapped} {
		if err := putSetting(ctx, tx, key, value); err != nil {
			return wrapWrite("set trainer passphrase", err)
		}
	}
	return wrapWrite("set trainer passphrase", tx.Commit())
}

// TrainerDelay is how long to wait after n wrong passphrases in a row: nothing for the
// first two, then 2, 4, 8 … seconds, at most 15 minutes.
func TrainerDelay(n int) time.Duration {
	return growingDelay(n, 15*time.Minute)
}

// growingDelay is nothing for n < 3, then 2^(n-2) seconds, at most limit.
func growingDelay(n int, limit time.Duration) time.Duration {
	if n < 3 {
		return 0
	}
	secs := math.Pow(2, float64(n-2))
	if secs >= limit.Seconds() {
		return limit
	}
	return time.Duration(secs) * time.Second
}

// CheckTrainerPassphrase checks the passphrase. Wrong attempts are counted in the
// database, so restarting the app does not reset them, and each one past the second
// makes the next wait longer (a *WaitError says how long). The slow hash runs outside
// any transaction: answers being recorded meanwhile do not wait for it.
func (s *Store) CheckTrainerPassphrase(ctx context.Context, passphrase string) error {
	var sec trainerSecret
	has, err := s.setting(ctx, s.read, "trainer.passphrase", &sec)
	if err != nil {
		return err
	}
	if !has {
		return fmt.Errorf("trainer passphrase: %w", ErrNotFound)
	}
	now := s.now()
	var f trainerFailures
	if _, err := s.setting(ctx, s.read, "trainer.failures", &f); err != nil {
		return err
	}
	if wait := time.UnixMilli(f.Last).Add(TrainerDelay(f.Count)).Sub(now); f.Count > 0 && wait > 0 {
		return &WaitError{Wait: wait}
	}
	got := s.kdf([]byte(passphrase), sec.Salt, sec.Time, sec.Memory, sec.Threads, uint32(len(sec.Hash)))
	right := subtle.ConstantTimeCompare(got, sec.Hash) == 1
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("check trainer passphrase", err)
	}
	defer tx.Rollback()
	// Read again inside the transaction: another try may have counted meanwhile.
	if _, err := s.setting(ctx, tx, "trainer.failures", &f); err != nil {
		return err
	}
	if right {
		if f.Count > 0 {
			if err := putSetting(ctx, tx, "trainer.failures", trainerFailures{}); err != nil {
				return wrapWrite("check trainer passphrase", err)
			}
		}
		return wrapWrite("check trainer passphrase", tx.Commit())
	}
	f.Count++
	f.Last = now.UnixMilli()
	if err := putSetting(ctx, tx, "trainer.failures", f); err != nil {
		return wrapWrite("check trainer passphrase", err)
	}
	if err := tx.Commit(); err != nil {
		return wrapWrite("check trainer passphrase", err)
	}
	return ErrWrongPassphrase
}

// ErrWrongPassphrase is returned for a wrong trainer passphrase.
var ErrWrongPassphrase = errors.New("wrong passphrase")

// Cohort is a group of learners.
type Cohort struct {
	Code     string
	Name     string
	Learners int
}

// Cohorts lists every cohort with its number of learners, including codes learners
// typed that no trainer created.
func (s *Store) Cohorts(ctx context.Context) ([]Cohort, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT code, max(name), sum(n) FROM (
			SELECT code, name, 0 AS n FROM cohorts
			UNION ALL SELECT cohort, '', 1 FROM learners WHERE cohort != '')
		GROUP BY code ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("list cohorts: %w", err)
	}
	defer rows.Close()
	var out []Cohort
	for rows.Next() {
		var c Cohort
		if err := rows.Scan(&c.Code, &c.Name, &c.Learners); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CreateCohort adds a cohort, or renames it.
func (s *Store) CreateCohort(ctx context.Context, code, name string) error {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 64 {
		return fmt.Errorf("%w: a cohort code has 1 to 64 characters", ErrInvalid)
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO cohorts (code, name, created_at) VALUES (?, ?, ?)
		ON CONFLICT (code) DO UPDATE SET name = excluded.name`, code, strings.TrimSpace(name), s.millis())
	return wrapWrite("create cohort", err)
}

// SetCohort assigns a learner to a cohort ("" for none).
func (s *Store) SetCohort(ctx context.Context, learnerID int64, code string) error {
	code = strings.TrimSpace(code)
	if len(code) > 64 {
		return fmt.Errorf("%w: a cohort code has at most 64 characters", ErrInvalid)
	}
	res, err := s.write.ExecContext(ctx, `UPDATE learners SET cohort = ? WHERE id = ?`, code, learnerID)
	if err != nil {
		return wrapWrite("set cohort", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("learner %d: %w", learnerID, ErrNotFound)
	}
	return nil
}

// DeleteLearner erases a learner and every record of theirs (right to erasure): lesson
// progress, attempts, answers, reviews and statuses go with them.
func (s *Store) DeleteLearner(ctx context.Context, learnerID int64) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM learners WHERE id = ?`, learnerID)
	if err != nil {
		return wrapWrite("delete learner", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("learner %d: %w", learnerID, ErrNotFound)
	}
	return nil
}

// LRSSettings is where and how the trainer sends xAPI statements.
type LRSSettings struct {
	Endpoint string `json:"endpoint"`
	User     string `json:"user"`
	// Password is kept encrypted with the trainer's vault (OpenVault), never in clear
	// in the database; it is filled in only when read with the vault.
	Password     string `json:"password,omitempty"`
	IncludeNames bool   `json:"include_names"`
	// HasPassword tells that a password is stored (it may not have been read).
	HasPassword bool `json:"-"`
}

// settingLRSPassword is the settings key of the LRS password, sealed with the vault.
const settingLRSPassword = "secret.lrs.password"

// LRSSettings returns the trainer's Learning Record Store settings (zero when unset).
// The password is filled in when v, the trainer's open vault, is given; HasPassword
// says whether one is stored.
func (s *Store) LRSSettings(ctx context.Context, v *Vault) (LRSSettings, error) {
	var out LRSSettings
	if _, err := s.setting(ctx, s.read, "lrs", &out); err != nil {
		return out, err
	}
	if out.Password != "" { // stored in clear by an older version: OpenVault seals it
		out.HasPassword = true
		if v == nil {
			out.Password = ""
		}
		return out, nil
	}
	sealed, has, err := s.readSealed(ctx, settingLRSPassword)
	if err != nil || !has {
		return out, err
	}
	out.HasPassword = true
	if v != nil {
		pw, err := v.open(settingLRSPassword, sealed)
		if err != nil {
			return out, err
		}
		out.Password = string(pw)
	}
	return out, nil
}

// SetLRSSettings stores the trainer's Learning Record Store settings; the password,
// if any, is sealed with the trainer's open vault v (required then).
func (s *Store) SetLRSSettings(ctx context.Context, v *Vault, set LRSSettings) error {
	var sealed *sealedSecret
	if set.Password != "" {
		if v == nil {
			return fmt.Errorf("save LRS settings: %w", ErrVaultLocked)
		}
		sl, err := v.seal(settingLRSPassword, []byte(set.Password))
		if err != nil {
			return err
		}
		sealed = &sl
	}
	set.Password, set.HasPassword = "", false
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("save LRS settings", err)
	}
	defer tx.Rollback()
	if err := putSetting(ctx, tx, "lrs", set); err != nil {
		return wrapWrite("save LRS settings", err)
	}
	if sealed != nil {
		err = putSetting(ctx, tx, settingLRSPassword, *sealed)
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, settingLRSPassword)
	}
	if err != nil {
		return wrapWrite("save LRS settings", err)
	}
	return wrapWrite("save LRS settings", tx.Commit())
}
