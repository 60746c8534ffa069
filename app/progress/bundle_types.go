package progress

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Station bundles carry a machine's learners and results to a trainer's machine that
// merges them. This file holds the data a bundle carries (Bundle), reading it from a
// store (ExportBundle) and merging it into another (MergeBundle). The file format, its
// signature and its checks are app/report's (report.WriteBundle, report.ReadBundle).
//
// Rows are recognised across machines by stable identities: a learner, an attempt and a
// review answer by their uid (128 random bits), an answer by its attempt's uid and its
// position, lesson progress, a module status and a review card by their learner's uid
// and their module, lesson or question, a statement by its id. Merging is one
// transaction per bundle and idempotent: what is already there is skipped, or brought
// up to date when the bundle knows more (an attempt finished since, a lesson read
// further), and nothing is ever duplicated.

// settingStationID is the settings key of this installation's station id.
const settingStationID = "station.id"

// Bundle is what a station bundle carries. ID, Station, KeyID and Created come from the
// file's header, not from its payload.
type Bundle struct {
	ID      string    `json:"-"` // SHA-256 of the signed bytes, hexadecimal (64 digits)
	Station string    `json:"-"` // the exporting station's id (a UUID)
	KeyID   string    `json:"-"` // the id of the key that signed it (report.KeyID)
	Created time.Time `json:"-"` // when it was exported

	Learners   []BundleLearner   `json:"learners"`
	Lessons    []BundleLesson    `json:"lessons"`
	Attempts   []BundleAttempt   `json:"attempts"` // each with its answers
	Statuses   []BundleStatus    `json:"statuses"`
	Cards      []BundleCard      `json:"cards"`
	Reviews    []BundleReview    `json:"reviews"`
	Statements []BundleStatement `json:"statements"`
	// Workplace holds the answers to "Did it reach the workplace?" (bundle format 2 and
	// later; a format 1 bundle has none).
	Workplace []BundleWorkplace `json:"workplace"`
}

// BundleLearner is a learner, without PIN: a merged learner has none.
type BundleLearner struct {
	UID        string `json:"uid"`
	Station    string `json:"station"` // where the learner was created (a station id)
	Name       string `json:"name"`
	Role       string `json:"role"`
	Language   string `json:"language"`
	Cohort     string `json:"cohort"`
	CreatedAt  int64  `json:"created"` // Unix milliseconds, as every time in a bundle
	LastActive int64  `json:"active"`
	// LocalID is the learner's id in the exporting database (not in the file).
	LocalID int64 `json:"-"`
}

// BundleLesson is a learner's progress in one lesson.
type BundleLesson struct {
	Learner     string `json:"learner"` // uid
	ModuleID    string `json:"module"`
	LessonID    string `json:"lesson"`
	Position    int    `json:"position"`
	TimeMs      int64  `json:"ms"`
	CompletedAt *int64 `json:"completed,omitempty"`
	UpdatedAt   int64  `json:"updated"`
}

// BundleAttempt is one quiz attempt with its answers.
type BundleAttempt struct {
	UID            string          `json:"uid"`
	Learner        string          `json:"learner"` // uid
	ModuleID       string          `json:"module"`
	ContentVersion string          `json:"version"`
	Language       string          `json:"language"`
	Plan           json.RawMessage `json:"plan"` // a quiz.Plan
	PassMark       int             `json:"pass_mark"`
	Total          int             `json:"total"`
	Kind           AttemptKind     `json:"kind"`
	Status         AttemptStatus   `json:"status"`
	Correct        *int            `json:"correct,omitempty"`
	Percent        *int            `json:"percent,omitempty"`
	Passed         *bool           `json:"passed,omitempty"`
	StartedAt      int64           `json:"started"`
	FinishedAt     *int64          `json:"finished,omitempty"`
	Answers        []BundleAnswer  `json:"answers"`
}

// BundleAnswer is one stored answer of an attempt.
type BundleAnswer struct {
	Position   int             `json:"pos"`
	QuestionID string          `json:"q"`
	Response   json.RawMessage `json:"response"` // a quiz.Response
	Complete   bool            `json:"complete"`
	Correct    *bool           `json:"correct,omitempty"`
	TimeMs     int64           `json:"ms"`
	AnsweredAt int64           `json:"at"`
	Confidence *int            `json:"confidence,omitempty"`
	// Score is the credit of an answer to a question that gives partial credit, between
	// 0 and 1; absent for an answer that earns 1 when correct, else 0.
	Score *float64 `json:"score,omitempty"`
}

// BundleStatus is a learner's status in one module.
type BundleStatus struct {
	Learner     string       `json:"learner"` // uid
	ModuleID    string       `json:"module"`
	Status      ModuleStatus `json:"status"`
	BestPercent *int         `json:"best,omitempty"`
	PassedAt    *int64       `json:"passed_at,omitempty"`
	UpdatedAt   int64        `json:"updated"`
}

// BundleCard is a learner's review card for one question.
type BundleCard struct {
	Learner     string  `json:"learner"` // uid
	ModuleID    string  `json:"module"`
	QuestionID  string  `json:"q"`
	Indicator   string  `json:"indicator"`
	Stability   float64 `json:"stability"`
	Difficulty  float64 `json:"difficulty"`
	Reps        int     `json:"reps"`
	Lapses      int     `json:"lapses"`
	LastCorrect bool    `json:"last_correct"`
	Priority    bool    `json:"priority"`
	LastReview  int64   `json:"last_review"`
	Due         int64   `json:"due"`
}

// BundleReview is one answer given in a review session.
type BundleReview struct {
	UID        string          `json:"uid"`
	Learner    string          `json:"learner"` // uid
	ModuleID   string          `json:"module"`
	QuestionID string          `json:"q"`
	Response   json.RawMessage `json:"response"` // a quiz.Response
	Correct    bool            `json:"correct"`
	Confidence *int            `json:"confidence,omitempty"`
	TimeMs     int64           `json:"ms"`
	AnsweredAt int64           `json:"at"`
}

// BundleStatement is an xAPI statement of the station's outbox. The trainer's machine
// sends it again (the LRS keeps one copy of a statement id).
type BundleStatement struct {
	ID        string          `json:"id"`
	Statement json.RawMessage `json:"statement"`
	CreatedAt int64           `json:"created"`
	// Learner is the uid of the learner the statement is about, when the exporter
	// could tell; a learner erased on the merging machine takes theirs with them.
	Learner string `json:"learner,omitempty"`
}

// BundleWorkplace is what a learner said about one module when its refresher fell due
// ("Did it reach the workplace?").
type BundleWorkplace struct {
	UID        string `json:"uid"`
	Learner    string `json:"learner"` // uid
	ModuleID   string `json:"module"`
	DueAt      int64  `json:"due"` // the day the refresher fell due
	AnsweredAt int64  `json:"at"`
	MetSign    Reply  `json:"met_sign"`
	Alerted    Reply  `json:"alerted"`
	KnewWhom   Reply  `json:"knew_whom"`
}

// BundleCounts counts a bundle's records.
type BundleCounts struct {
	Learners   int `json:"learners"`
	Lessons    int `json:"lessons"`
	Attempts   int `json:"attempts"`
	Answers    int `json:"answers"`
	Statuses   int `json:"statuses"`
	Cards      int `json:"cards"`
	Reviews    int `json:"reviews"`
	Statements int `json:"statements"`
	Workplace  int `json:"workplace"`
}

// Counts counts the bundle's records.
func (b *Bundle) Counts() BundleCounts {
	c := BundleCounts{Learners: len(b.Learners), Lessons: len(b.Lessons), Attempts: len(b.Attempts),
		Statuses: len(b.Statuses), Cards: len(b.Cards), Reviews: len(b.Reviews), Statements: len(b.Statements),
		Workplace: len(b.Workplace)}
	for _, a := range b.Attempts {
		c.Answers += len(a.Answers)
	}
	return c
}

// Exceeds names the first count above the limit's, or returns "".
func (c BundleCounts) Exceeds(limit BundleCounts) string {
	for _, f := range []struct {
		name     string
		n, limit int
	}{
		{"learners", c.Learners, limit.Learners}, {"lessons", c.Lessons, limit.Lessons},
		{"attempts", c.Attempts, limit.Attempts}, {"answers", c.Answers, limit.Answers},
		{"statuses", c.Statuses, limit.Statuses}, {"cards", c.Cards, limit.Cards},
		{"reviews", c.Reviews, limit.Reviews}, {"statements", c.Statements, limit.Statements},
		{"workplace answers", c.Workplace, limit.Workplace},
	} {
		if f.n < 0 || f.n > f.limit {
			return fmt.Sprintf("%s: %d, at most %d", f.name, f.n, f.limit)
		}
	}
	return ""
}

// MaxBundleCounts is the most of each record a bundle may hold: far more than a station
// ever holds, and few enough that a forged count cannot make the reader allocate
// without bound.
func MaxBundleCounts() BundleCounts {
	return BundleCounts{Learners: 50_000, Lessons: 1_000_000, Attempts: 500_000, Answers: 5_000_000,
		Statuses: 500_000, Cards: 2_000_000, Reviews: 2_000_000, Statements: 5_000_000, Workplace: 500_000}
}

// Field limits of a bundle, in bytes unless said otherwise.
const (
	maxNameBytes      = 200 // as NewLearner
	maxCohortBytes    = 64  // as NewLearner
	maxIDBytes        = 128 // module, lesson, question ids, indicators
	maxVersionBytes   = 64
	maxResponseBytes  = 16 << 10
	maxPlanBytes      = 256 << 10
	maxStatementBytes = 64 << 10
	maxQuestions      = 1000    // in one attempt
	maxPosition       = 100_000 // a lesson section
	maxDurationMs     = 1e12    // about 31 years: a time spent
	maxCount          = 1e6     // reps, lapses
)

// Times in a bundle fall between 2000 and 2200 (Unix milliseconds): anything else is
// damage, not a clock that is a little wrong.
const (
	minBundleTime = 946_684_800_000   // 2000-01-01 UTC
	maxBundleTime = 7_258_118_400_000 // 2200-01-01 UTC
)

// newUID makes a stable identity: 128 random bits in lowercase hexadecimal.
func newUID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make an id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// IsUID tells whether s is a stable identity (32 lowercase hexadecimal digits).
func IsUID(s string) bool { return isHex(s, 32) }

// IsBundleID tells whether s is a bundle id (64 lowercase hexadecimal digits).
func IsBundleID(s string) bool { return isHex(s, 64) }

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// IsStationID tells whether s is a station id: a UUID written the canonical way
// (lowercase, with hyphens).
func IsStationID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && len(s) == 36 && u.String() == s
}

// isSlug accepts the ids content and the store use: letters, digits, '.', '_', '-',
// not starting with '.', so that no id can ever be taken for a path.
func isSlug(s string, max int) bool {
	if s == "" || len(s) > max || s[0] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// isText accepts valid UTF-8 without control characters, up to max bytes.
func isText(s string, max int) bool {
	if len(s) > max || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
			return false
		}
	}
	return true
}

func isTime(ms int64) bool { return ms >= minBundleTime && ms < maxBundleTime }

// strictDecode decodes JSON into v, refusing unknown fields and trailing data.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the value")
	}
	return nil
}
