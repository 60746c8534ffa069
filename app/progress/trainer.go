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

// SetTrainerPassphrase sets the trainer passphrase. It fails when one is already set and
// old does not match it.
func (s *Store) SetTrainerPassphrase(ctx context.Context, old, passphrase string) error {
	if utf8.RuneCountInString(strings.TrimSpace(passphrase)) < MinPassphrase {
		return fmt.Errorf("%w: a passphrase has at least %d characters", ErrInvalid, MinPassphrase)
	}
	if has, err := s.HasTrainerPassphrase(ctx); err != nil {
		return err
	} else if has {
		if err := s.CheckTrainerPassphrase(ctx, old); err != nil {
			return err
		}
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	sec := trainerSecret{Salt: salt, Time: trainerTime, Memory: trainerMemory, Threads: trainerThreads}
	sec.Hash = argon2.IDKey([]byte(passphrase), salt, sec.Time, sec.Memory, sec.Threads, trainerKeyLen)
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("set trainer passphrase", err)
	}
	defer tx.Rollback()
	if err := putSetting(ctx, tx, "trainer.passphrase", sec); err != nil {
		return wrapWrite("set trainer passphrase", err)
	}
	if err := putSetting(ctx, tx, "trainer.failures", trainerFailures{}); err != nil {
		return wrapWrite("set trainer passphrase", err)
	}
	return wrapWrite("set trainer passphrase", tx.Commit())
}

// TrainerDelay is how long to wait after n wrong passphrases in a row: nothing for the
// first two, then 2, 4, 8 … seconds, at most 15 minutes.
func TrainerDelay(n int) time.Duration {
	if n < 3 {
		return 0
	}
	const limit = 15 * time.Minute
	secs := math.Pow(2, float64(n-2))
	if secs >= limit.Seconds() {
		return limit
	}
	return time.Duration(secs) * time.Second
}

// CheckTrainerPassphrase checks the passphrase. Wrong attempts are counted in the
// database, so restarting the app does not reset them, and each one past the second
// makes the next wait longer (a *WaitError says how long).
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
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("check trainer passphrase", err)
	}
	defer tx.Rollback()
	var f trainerFailures
	if _, err := s.setting(ctx, tx, "trainer.failures", &f); err != nil {
		return err
	}
	if wait := time.UnixMilli(f.Last).Add(TrainerDelay(f.Count)).Sub(now); f.Count > 0 && wait > 0 {
		return &WaitError{Wait: wait}
	}
	got := argon2.IDKey([]byte(passphrase), sec.Salt, sec.Time, sec.Memory, sec.Threads, uint32(len(sec.Hash)))
	if subtle.ConstantTimeCompare(got, sec.Hash) == 1 {
		if err := putSetting(ctx, tx, "trainer.failures", trainerFailures{}); err != nil {
			return wrapWrite("check trainer passphrase", err)
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
	Endpoint     string `json:"endpoint"`
	User         string `json:"user"`
	Password     string `json:"password"`
	IncludeNames bool   `json:"include_names"`
}

// LRSSettings returns the trainer's Learning Record Store settings (zero when unset).
func (s *Store) LRSSettings(ctx context.Context) (LRSSettings, error) {
	var v LRSSettings
	_, err := s.setting(ctx, s.read, "lrs", &v)
	return v, err
}

// SetLRSSettings stores the trainer's Learning Record Store settings.
func (s *Store) SetLRSSettings(ctx context.Context, v LRSSettings) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("save LRS settings", err)
	}
	defer tx.Rollback()
	if err := putSetting(ctx, tx, "lrs", v); err != nil {
		return wrapWrite("save LRS settings", err)
	}
	return wrapWrite("save LRS settings", tx.Commit())
}
