package progress

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Roles and languages the store accepts (the schema checks them too).
var (
	roles     = []string{"police", "hospital", "guardian", "fedasil"}
	languages = []string{"fr", "nl", "en", "de"}
)

// ErrInvalid is returned for input the store refuses; the message says which field.
var ErrInvalid = errors.New("invalid input")

// PIN hashing: argon2id with the parameters OWASP recommends for interactive logins.
const (
	pinTime    = 2
	pinMemory  = 19 * 1024 // KiB
	pinThreads = 1
	pinKeyLen  = 32
)

// Learner is one person training on this machine.
type Learner struct {
	ID         int64
	Name       string
	Role       string
	Language   string
	Cohort     string
	HasPIN     bool
	CreatedAt  time.Time
	LastActive time.Time
}

// NewLearner is what the first-start screen asks for.
type NewLearner struct {
	Name     string
	Role     string
	Language string
	Cohort   string // optional
	PIN      string // optional
}

func (n NewLearner) validate() error {
	switch {
	case strings.TrimSpace(n.Name) == "":
		return fmt.Errorf("%w: the name is empty", ErrInvalid)
	case len(n.Name) > 200:
		return fmt.Errorf("%w: the name is longer than 200 bytes", ErrInvalid)
	case !slices.Contains(roles, n.Role):
		return fmt.Errorf("%w: unknown role %q", ErrInvalid, n.Role)
	case !slices.Contains(languages, n.Language):
		return fmt.Errorf("%w: unknown language %q", ErrInvalid, n.Language)
	case len(n.Cohort) > 64:
		return fmt.Errorf("%w: the cohort code is longer than 64 bytes", ErrInvalid)
	case n.PIN != "" && (len(n.PIN) < 4 || len(n.PIN) > 64):
		return fmt.Errorf("%w: a PIN has 4 to 64 characters", ErrInvalid)
	}
	return nil
}

func hashPIN(pin string, salt []byte) []byte {
	return argon2.IDKey([]byte(pin), salt, pinTime, pinMemory, pinThreads, pinKeyLen)
}

// CreateLearner adds a learner.
func (s *Store) CreateLearner(ctx context.Context, n NewLearner) (Learner, error) {
	n.Name = strings.TrimSpace(n.Name)
	n.Cohort = strings.TrimSpace(n.Cohort)
	if err := n.validate(); err != nil {
		return Learner{}, err
	}
	var hash, salt []byte
	if n.PIN != "" {
		salt = make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return Learner{}, err
		}
		hash = hashPIN(n.PIN, salt)
	}
	uid, err := newUID()
	if err != nil {
		return Learner{}, err
	}
	now := s.millis()
	res, err := s.write.ExecContext(ctx, `INSERT INTO learners (uid, name, role, language, cohort, pin_hash, pin_salt, created_at, last_active_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, uid, n.Name, n.Role, n.Language, n.Cohort, hash, salt, now, now)
	if err != nil {
		return Learner{}, wrapWrite("create learner", err)
	}
	id, _ := res.LastInsertId()
	return s.Learner(ctx, id)
}

const learnerColumns = `id, name, role, language, cohort, pin_hash IS NOT NULL, created_at, last_active_at`

func scanLearner(row interface{ Scan(...any) error }) (Learner, error) {
	var l Learner
	var created, active int64
	err := row.Scan(&l.ID, &l.Name, &l.Role, &l.Language, &l.Cohort, &l.HasPIN, &created, &active)
	l.CreatedAt, l.LastActive = time.UnixMilli(created), time.UnixMilli(active)
	return l, err
}

// Learner returns one learner.
func (s *Store) Learner(ctx context.Context, id int64) (Learner, error) {
	l, err := scanLearner(s.read.QueryRowContext(ctx, `SELECT `+learnerColumns+` FROM learners WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Learner{}, fmt.Errorf("learner %d: %w", id, ErrNotFound)
	}
	return l, err
}

// Learners lists the learners who train on this machine, the most recently active
// first; learners merged from other stations are only in the trainer's views.
func (s *Store) Learners(ctx context.Context) ([]Learner, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+learnerColumns+` FROM learners WHERE station = '' ORDER BY last_active_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list learners: %w", err)
	}
	defer rows.Close()
	var out []Learner
	for rows.Next() {
		l, err := scanLearner(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// CheckPIN tells whether pin is the learner's PIN. A learner without a PIN accepts any.
func (s *Store) CheckPIN(ctx context.Context, id int64, pin string) (bool, error) {
	var hash, salt []byte
	err := s.read.QueryRowContext(ctx, `SELECT pin_hash, pin_salt FROM learners WHERE id = ?`, id).Scan(&hash, &salt)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("learner %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return false, err
	}
	if hash == nil {
		return true, nil
	}
	return subtle.ConstantTimeCompare(hashPIN(pin, salt), hash) == 1, nil
}

// SetLanguage changes the learner's language.
func (s *Store) SetLanguage(ctx context.Context, id int64, lang string) error {
	if !slices.Contains(languages, lang) {
		return fmt.Errorf("%w: unknown language %q", ErrInvalid, lang)
	}
	_, err := s.write.ExecContext(ctx, `UPDATE learners SET language = ? WHERE id = ?`, lang, id)
	return wrapWrite("set language", err)
}

// Touch records that the learner is active now.
func (s *Store) Touch(ctx context.Context, id int64) error {
	_, err := s.write.ExecContext(ctx, `UPDATE learners SET last_active_at = ? WHERE id = ?`, s.millis(), id)
	return wrapWrite("record activity", err)
}
