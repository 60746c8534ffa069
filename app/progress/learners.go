package progress

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
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

// pinParams are the argon2id parameters of one PIN hash, stored beside it (pin_params),
// so that stronger ones can be chosen later without locking anyone out.
type pinParams struct {
	Time    uint32 `json:"t"`
	Memory  uint32 `json:"m"` // KiB
	Threads uint8  `json:"p"`
}

// currentPIN are the parameters of new PIN hashes; a hash stored without parameters
// was made with these same values.
var currentPIN = pinParams{Time: pinTime, Memory: pinMemory, Threads: pinThreads}

// PINDelay is how long to wait after n wrong PINs in a row: nothing for the first two,
// then 2, 4, 8 … seconds, at most 5 minutes.
func PINDelay(n int) time.Duration { return growingDelay(n, 5*time.Minute) }

// CreateLearner adds a learner.
func (s *Store) CreateLearner(ctx context.Context, n NewLearner) (Learner, error) {
	n.Name = strings.TrimSpace(n.Name)
	n.Cohort = strings.TrimSpace(n.Cohort)
	if err := n.validate(); err != nil {
		return Learner{}, err
	}
	var hash, salt []byte
	var params any
	if n.PIN != "" {
		salt = make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return Learner{}, err
		}
		p := currentPIN
		hash = s.kdf([]byte(n.PIN), salt, p.Time, p.Memory, p.Threads, pinKeyLen)
		raw, err := json.Marshal(p)
		if err != nil {
			return Learner{}, err
		}
		params = string(raw)
	}
	uid, err := newUID()
	if err != nil {
		return Learner{}, err
	}
	now := s.millis()
	res, err := s.write.ExecContext(ctx, `INSERT INTO learners (uid, name, role, language, cohort, pin_hash, pin_salt, pin_params, created_at, last_active_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, uid, n.Name, n.Role, n.Language, n.Cohort, hash, salt, params, now, now)
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
// Wrong PINs are counted in the database; past the second, each makes the next try
// wait longer (a *WaitError says how long, and the PIN is not even checked then). The
// slow hash runs outside any transaction.
func (s *Store) CheckPIN(ctx context.Context, id int64, pin string) (bool, error) {
	var hash, salt []byte
	var params sql.NullString
	var failures int
	var failedAt sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT pin_hash, pin_salt, pin_params, pin_failures, pin_failed_at FROM learners WHERE id = ?`, id).
		Scan(&hash, &salt, &params, &failures, &failedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("learner %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return false, err
	}
	if hash == nil {
		return true, nil
	}
	now := s.now()
	if wait := time.UnixMilli(failedAt.Int64).Add(PINDelay(failures)).Sub(now); failures > 0 && wait > 0 {
		return false, &WaitError{Wait: wait}
	}
	p := currentPIN
	if params.Valid {
		if err := json.Unmarshal([]byte(params.String), &p); err != nil || p.Time == 0 || p.Memory == 0 || p.Threads == 0 {
			return false, fmt.Errorf("learner %d: the PIN's parameters: %w", id, ErrCorrupt)
		}
	}
	right := subtle.ConstantTimeCompare(s.kdf([]byte(pin), salt, p.Time, p.Memory, p.Threads, uint32(len(hash))), hash) == 1
	if right {
		if failures > 0 {
			_, err := s.write.ExecContext(ctx, `UPDATE learners SET pin_failures = 0, pin_failed_at = NULL WHERE id = ?`, id)
			return true, wrapWrite("check PIN", err)
		}
		return true, nil
	}
	_, err = s.write.ExecContext(ctx, `UPDATE learners SET pin_failures = pin_failures + 1, pin_failed_at = ? WHERE id = ?`, now.UnixMilli(), id)
	return false, wrapWrite("check PIN", err)
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

// LearnerSearch chooses the learners the first screen offers.
type LearnerSearch struct {
	// Text is part of a learner's name or cohort code, in any case and with or without
	// accents; "" matches everyone.
	Text string
	// Limit is the most learners returned, the most recently active; 0 for no limit.
	Limit int
}

// StationLearners lists the learners of this station (not those merged from other
// stations' bundles, who are only in the trainer's views) that the search matches, the
// most recently active first, and counts all of this station's learners.
func (s *Store) StationLearners(ctx context.Context, q LearnerSearch) ([]Learner, int, error) {
	return stationLearners(ctx, s.read, q)
}

// PeekStationLearners is StationLearners read from the file at path without opening it
// as a Store: read-only, without the lock, the migrations or the integrity check, which
// reads the whole file (half a second for 10,000 learners). The desktop app lists the
// learners with it while Open checks the file on the other core; nothing is written
// before Open has accepted the file. A missing file, or one that is not a current
// Indicia database, has no learners to list.
func PeekStationLearners(ctx context.Context, path string, q LearnerSearch) ([]Learner, int, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, 0, nil
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_query_only=on&_busy_timeout=5000")
	if err != nil {
		return nil, 0, err
	}
	defer db.Close()
	var appID, version int
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil || appID != ApplicationID {
		return nil, 0, nil
	}
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil || version != len(migrationNames()) {
		return nil, 0, nil
	}
	return stationLearners(ctx, db, q)
}

func stationLearners(ctx context.Context, db *sql.DB, q LearnerSearch) ([]Learner, int, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+learnerColumns+` FROM learners
		WHERE station = '' ORDER BY last_active_at DESC, id DESC`)
	if err != nil {
		return nil, 0, fmt.Errorf("list learners: %w", err)
	}
	defer rows.Close()
	want := foldSearch(q.Text)
	var out []Learner
	total := 0
	for rows.Next() {
		total++
		if q.Limit > 0 && len(out) >= q.Limit {
			continue // still counted
		}
		l, err := scanLearner(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list learners: %w", err)
		}
		if want == "" || strings.Contains(foldSearch(l.Name), want) || strings.Contains(foldSearch(l.Cohort), want) {
			out = append(out, l)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list learners: %w", err)
	}
	return out, total, nil
}

// foldSearch makes s comparable for a search: trimmed, without accents, case folded.
func foldSearch(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
	}
	if ascii {
		return strings.ToLower(s) // most names: no accent to remove, no case to fold
	}
	out, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	if err != nil {
		out = s
	}
	return cases.Fold().String(out)
}
