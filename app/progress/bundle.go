package progress

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"indicia/quiz"
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
	// Score is the partial credit of a complete answer (0 to 1), when it was stored.
	Score      *float64 `json:"score,omitempty"`
	TimeMs     int64    `json:"ms"`
	AnsweredAt int64    `json:"at"`
	Confidence *int     `json:"confidence,omitempty"`
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
}

// Counts counts the bundle's records.
func (b *Bundle) Counts() BundleCounts {
	c := BundleCounts{Learners: len(b.Learners), Lessons: len(b.Lessons), Attempts: len(b.Attempts),
		Statuses: len(b.Statuses), Cards: len(b.Cards), Reviews: len(b.Reviews), Statements: len(b.Statements)}
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
		Statuses: 500_000, Cards: 2_000_000, Reviews: 2_000_000, Statements: 5_000_000}
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

// BundleError says what is wrong in a bundle's content, and where.
type BundleError struct {
	Where string // "attempts[3].answers[2]", "learners[0]"
	What  string
}

func (e *BundleError) Error() string {
	if e.Where == "" {
		return e.What
	}
	return e.Where + ": " + e.What
}

func (e *BundleError) Unwrap() error { return ErrInvalid }

func invalid(where, format string, args ...any) error {
	return &BundleError{Where: where, What: fmt.Sprintf(format, args...)}
}

// Validate checks everything the bundle holds before any of it goes near a database:
// counts, identities, ids, names, sizes, times, numbers, and that every record belongs
// to a learner (and every answer to an attempt) of the bundle, once. The error is a
// *BundleError, which wraps ErrInvalid.
func (b *Bundle) Validate() error {
	if !IsBundleID(b.ID) {
		return invalid("", "the bundle id is not 64 hexadecimal digits")
	}
	if !isHex(b.KeyID, 16) {
		return invalid("", "the key id is not 16 hexadecimal digits")
	}
	return b.ValidateContent()
}

// ValidateContent is Validate without the id and key id, which the file gives a bundle
// once written: the exporter checks with it that it writes nothing a reader refuses.
func (b *Bundle) ValidateContent() error {
	if !IsStationID(b.Station) {
		return invalid("", "the station id is not a UUID")
	}
	if msg := b.Counts().Exceeds(MaxBundleCounts()); msg != "" {
		return invalid("", "too many records (%s)", msg)
	}
	learners := make(map[string]bool, len(b.Learners))
	for i, l := range b.Learners {
		where := fmt.Sprintf("learners[%d]", i)
		switch {
		case !IsUID(l.UID):
			return invalid(where, "the uid is not 32 hexadecimal digits")
		case learners[l.UID]:
			return invalid(where, "uid %s appears twice", l.UID)
		case !IsStationID(l.Station):
			return invalid(where, "the station is not a UUID")
		case strings.TrimSpace(l.Name) != l.Name || l.Name == "" || !isText(l.Name, maxNameBytes):
			return invalid(where, "the name is empty, longer than %d bytes, padded or holds control characters", maxNameBytes)
		case !slices.Contains(roles, l.Role):
			return invalid(where, "unknown role %q", clip(l.Role))
		case !slices.Contains(languages, l.Language):
			return invalid(where, "unknown language %q", clip(l.Language))
		case strings.TrimSpace(l.Cohort) != l.Cohort || !isText(l.Cohort, maxCohortBytes):
			return invalid(where, "the cohort code is longer than %d bytes, padded or holds control characters", maxCohortBytes)
		case !isTime(l.CreatedAt) || !isTime(l.LastActive):
			return invalid(where, "a time outside 2000–2200")
		}
		learners[l.UID] = true
	}
	owner := func(where, uid string) error {
		if !learners[uid] {
			return invalid(where, "it belongs to no learner of the bundle")
		}
		return nil
	}

	type lessonKey struct{ learner, module, lesson string }
	lessons := make(map[lessonKey]bool, len(b.Lessons))
	for i, l := range b.Lessons {
		where := fmt.Sprintf("lessons[%d]", i)
		if err := owner(where, l.Learner); err != nil {
			return err
		}
		k := lessonKey{l.Learner, l.ModuleID, l.LessonID}
		switch {
		case !isSlug(l.ModuleID, maxIDBytes) || !isSlug(l.LessonID, maxIDBytes):
			return invalid(where, "a module or lesson id that is not an id")
		case lessons[k]:
			return invalid(where, "the lesson appears twice")
		case l.Position < 0 || l.Position > maxPosition || l.TimeMs < 0 || l.TimeMs > maxDurationMs:
			return invalid(where, "a position or time out of range")
		case !isTime(l.UpdatedAt) || l.CompletedAt != nil && !isTime(*l.CompletedAt):
			return invalid(where, "a time outside 2000–2200")
		}
		lessons[k] = true
	}

	attempts := make(map[string]bool, len(b.Attempts))
	type moduleKey struct{ learner, module string }
	open := map[moduleKey]bool{}
	for i := range b.Attempts {
		a := &b.Attempts[i]
		where := fmt.Sprintf("attempts[%d]", i)
		if err := owner(where, a.Learner); err != nil {
			return err
		}
		if err := validateAttempt(where, a); err != nil {
			return err
		}
		if attempts[a.UID] {
			return invalid(where, "uid %s appears twice", a.UID)
		}
		attempts[a.UID] = true
		if a.Status == AttemptOpen {
			k := moduleKey{a.Learner, a.ModuleID}
			if open[k] {
				return invalid(where, "a second open attempt at the same module")
			}
			open[k] = true
		}
	}

	statuses := make(map[moduleKey]bool, len(b.Statuses))
	for i, st := range b.Statuses {
		where := fmt.Sprintf("statuses[%d]", i)
		if err := owner(where, st.Learner); err != nil {
			return err
		}
		k := moduleKey{st.Learner, st.ModuleID}
		switch {
		case !isSlug(st.ModuleID, maxIDBytes):
			return invalid(where, "a module id that is not an id")
		case statuses[k]:
			return invalid(where, "the module appears twice")
		case st.Status != ModuleInProgress && st.Status != ModulePassed && st.Status != ModuleFailed:
			return invalid(where, "unknown status %q", clip(string(st.Status)))
		case st.BestPercent != nil && (*st.BestPercent < 0 || *st.BestPercent > 100):
			return invalid(where, "a score outside 0–100")
		case !isTime(st.UpdatedAt) || st.PassedAt != nil && !isTime(*st.PassedAt):
			return invalid(where, "a time outside 2000–2200")
		}
		statuses[k] = true
	}

	type cardKey struct{ learner, module, question string }
	cards := make(map[cardKey]bool, len(b.Cards))
	for i, c := range b.Cards {
		where := fmt.Sprintf("cards[%d]", i)
		if err := owner(where, c.Learner); err != nil {
			return err
		}
		k := cardKey{c.Learner, c.ModuleID, c.QuestionID}
		switch {
		case !isSlug(c.ModuleID, maxIDBytes) || !isSlug(c.QuestionID, maxIDBytes) || !isSlug(c.Indicator, maxIDBytes):
			return invalid(where, "a module, question or indicator id that is not an id")
		case cards[k]:
			return invalid(where, "the card appears twice")
		case !(c.Stability > 0 && c.Stability <= 1e6) || !(c.Difficulty >= 1 && c.Difficulty <= 10):
			return invalid(where, "a stability or difficulty out of range")
		case c.Reps < 0 || c.Reps > maxCount || c.Lapses < 0 || c.Lapses > maxCount:
			return invalid(where, "a count out of range")
		case !isTime(c.LastReview) || !isTime(c.Due):
			return invalid(where, "a time outside 2000–2200")
		}
		cards[k] = true
	}

	reviews := make(map[string]bool, len(b.Reviews))
	for i, r := range b.Reviews {
		where := fmt.Sprintf("reviews[%d]", i)
		if err := owner(where, r.Learner); err != nil {
			return err
		}
		switch {
		case !IsUID(r.UID):
			return invalid(where, "the uid is not 32 hexadecimal digits")
		case reviews[r.UID]:
			return invalid(where, "uid %s appears twice", r.UID)
		case !isSlug(r.ModuleID, maxIDBytes) || !isSlug(r.QuestionID, maxIDBytes):
			return invalid(where, "a module or question id that is not an id")
		case !validResponse(r.Response):
			return invalid(where, "the response is not a quiz response")
		case r.Confidence != nil && (*r.Confidence < 1 || *r.Confidence > 3):
			return invalid(where, "a confidence outside 1–3")
		case r.TimeMs < 0 || r.TimeMs > maxDurationMs:
			return invalid(where, "a time spent out of range")
		case !isTime(r.AnsweredAt):
			return invalid(where, "a time outside 2000–2200")
		}
		reviews[r.UID] = true
	}

	statements := make(map[string]bool, len(b.Statements))
	for i, s := range b.Statements {
		where := fmt.Sprintf("statements[%d]", i)
		switch {
		case !isSlug(s.ID, 64):
			return invalid(where, "the statement id is not an id")
		case statements[s.ID]:
			return invalid(where, "statement %s appears twice", s.ID)
		case s.Learner != "" && !learners[s.Learner]:
			return invalid(where, "it names no learner of the bundle")
		case !isTime(s.CreatedAt):
			return invalid(where, "a time outside 2000–2200")
		case len(s.Statement) > maxStatementBytes:
			return invalid(where, "the statement is larger than %d bytes", maxStatementBytes)
		}
		var head struct {
			ID string `json:"id"`
		}
		if len(s.Statement) == 0 || s.Statement[0] != '{' || json.Unmarshal(s.Statement, &head) != nil || head.ID != s.ID {
			return invalid(where, "the statement is not a JSON object with the id %s", s.ID)
		}
		statements[s.ID] = true
	}
	return nil
}

func validateAttempt(where string, a *BundleAttempt) error {
	switch {
	case !IsUID(a.UID):
		return invalid(where, "the uid is not 32 hexadecimal digits")
	case !isSlug(a.ModuleID, maxIDBytes):
		return invalid(where, "a module id that is not an id")
	case a.ContentVersion != "" && !isSlug(a.ContentVersion, maxVersionBytes):
		return invalid(where, "a content version that is not a version")
	case a.Language != "" && !slices.Contains(languages, a.Language):
		return invalid(where, "unknown language %q", clip(a.Language))
	case a.Total < 1 || a.Total > maxQuestions:
		return invalid(where, "%d questions, not 1 to %d", a.Total, maxQuestions)
	case a.PassMark < 0 || a.PassMark > 100:
		return invalid(where, "a pass mark outside 0–100")
	case a.Kind != KindQuiz && a.Kind != KindRefresher:
		return invalid(where, "unknown kind %q", clip(string(a.Kind)))
	case a.Status != AttemptOpen && a.Status != AttemptFinished && a.Status != AttemptAbandoned:
		return invalid(where, "unknown status %q", clip(string(a.Status)))
	case !isTime(a.StartedAt) || a.FinishedAt != nil && !isTime(*a.FinishedAt):
		return invalid(where, "a time outside 2000–2200")
	case a.Status == AttemptOpen && (a.FinishedAt != nil || a.Correct != nil || a.Percent != nil || a.Passed != nil):
		return invalid(where, "an open attempt with a result")
	case a.Status == AttemptFinished && (a.FinishedAt == nil || a.Correct == nil || a.Percent == nil || a.Passed == nil):
		return invalid(where, "a finished attempt without its result")
	case a.Correct != nil && (*a.Correct < 0 || *a.Correct > a.Total):
		return invalid(where, "%d right answers out of %d", *a.Correct, a.Total)
	case a.Percent != nil && (*a.Percent < 0 || *a.Percent > 100):
		return invalid(where, "a score outside 0–100")
	case len(a.Answers) > a.Total:
		return invalid(where, "%d answers to %d questions", len(a.Answers), a.Total)
	case len(a.Plan) > maxPlanBytes:
		return invalid(where, "the plan is larger than %d bytes", maxPlanBytes)
	}
	var plan quiz.Plan
	if err := strictDecode(a.Plan, &plan); err != nil || len(plan) != a.Total {
		return invalid(where, "the plan is not a quiz plan of %d questions", a.Total)
	}
	for _, d := range plan {
		if !isSlug(d.QuestionID, maxIDBytes) || len(d.Options) > maxQuestions || len(d.Targets) > maxQuestions {
			return invalid(where, "the plan holds a question id that is not an id")
		}
	}
	seen := make(map[int]bool, len(a.Answers))
	for j, ans := range a.Answers {
		where := fmt.Sprintf("%s.answers[%d]", where, j)
		switch {
		case ans.Position < 0 || ans.Position >= a.Total:
			return invalid(where, "position %d is outside the attempt's %d questions", ans.Position, a.Total)
		case seen[ans.Position]:
			return invalid(where, "position %d is answered twice", ans.Position)
		case !isSlug(ans.QuestionID, maxIDBytes):
			return invalid(where, "a question id that is not an id")
		case !validResponse(ans.Response):
			return invalid(where, "the response is not a quiz response")
		case ans.Confidence != nil && (*ans.Confidence < 1 || *ans.Confidence > 3):
			return invalid(where, "a confidence outside 1–3")
		case ans.Score != nil && (!ans.Complete || !(*ans.Score >= 0 && *ans.Score <= 1) ||
			ans.Correct != nil && *ans.Correct != (*ans.Score == 1)):
			return invalid(where, "a score that is not the credit of a complete answer")
		case ans.TimeMs < 0 || ans.TimeMs > maxDurationMs:
			return invalid(where, "a time spent out of range")
		case !isTime(ans.AnsweredAt):
			return invalid(where, "a time outside 2000–2200")
		}
		seen[ans.Position] = true
	}
	return nil
}

func validResponse(raw json.RawMessage) bool {
	if len(raw) == 0 || len(raw) > maxResponseBytes {
		return false
	}
	var r quiz.Response
	return strictDecode(raw, &r) == nil
}

// clip shortens a bad value quoted in a message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	for i := 40; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}

// ---------------------------------------------------------------------------------------
// Station id and export

// StationID is this installation's station id (a random UUID), created on first use and
// kept in the settings table under "station.id".
func (s *Store) StationID(ctx context.Context) (string, error) {
	var id string
	if has, err := s.setting(ctx, s.read, settingStationID, &id); err != nil {
		return "", fmt.Errorf("read the station id: %w", err)
	} else if has && IsStationID(id) {
		return id, nil
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return "", wrapWrite("create the station id", err)
	}
	defer tx.Rollback()
	has, err := s.setting(ctx, tx, settingStationID, &id)
	switch {
	case err != nil && !has:
		return "", wrapWrite("create the station id", err)
	case has && err == nil && IsStationID(id):
		return id, nil // made meanwhile
	case has:
		return "", fmt.Errorf("the station id in the settings is damaged: %w", ErrCorrupt)
	}
	u, err := uuid.NewRandom()
	if err != nil {
		return "", fmt.Errorf("create the station id: %w", err)
	}
	if err := putSetting(ctx, tx, settingStationID, u.String()); err != nil {
		return "", wrapWrite("create the station id", err)
	}
	if err := tx.Commit(); err != nil {
		return "", wrapWrite("create the station id", err)
	}
	return u.String(), nil
}

// hasTable tells whether the database has the table.
func hasTable(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return n > 0, err
}

// ExportBundle reads everything a trainer needs from this machine, in one read
// transaction: every learner (without PIN), lesson progress, attempt with its answers,
// module status, review card and review answer, and the xAPI outbox's statements. The
// bundle's Station is this installation's station id and Created is now; ID and KeyID
// are the file's (report.WriteBundle sets them).
func (s *Store) ExportBundle(ctx context.Context) (*Bundle, error) {
	station, err := s.StationID(ctx)
	if err != nil {
		return nil, err
	}
	// Rows written by code that gives no uid get one from the triggers; a database
	// restored from a copy made between the migration and a trigger could still hold
	// some without: give them one before reading.
	for _, table := range []string{"learners", "attempts", "review_answers"} {
		if _, err := s.write.ExecContext(ctx, `UPDATE `+table+` SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL`); err != nil {
			return nil, wrapWrite("export", err)
		}
	}
	b := &Bundle{Station: station, Created: s.now()}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer tx.Rollback()
	query := func(what, q string, scan func(*sql.Rows) error) error {
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return fmt.Errorf("export %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("export %s: %w", what, err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("export %s: %w", what, err)
		}
		return nil
	}

	err = query("learners", `SELECT id, uid, station, name, role, language, cohort, created_at, last_active_at
		FROM learners ORDER BY id`, func(rows *sql.Rows) error {
		var l BundleLearner
		if err := rows.Scan(&l.LocalID, &l.UID, &l.Station, &l.Name, &l.Role, &l.Language, &l.Cohort, &l.CreatedAt, &l.LastActive); err != nil {
			return err
		}
		if l.Station == "" {
			l.Station = station
		}
		b.Learners = append(b.Learners, l)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = query("lesson progress", `SELECT l.uid, p.module_id, p.lesson_id, p.position, p.time_spent_ms, p.completed_at, p.updated_at
		FROM lesson_progress p JOIN learners l ON l.id = p.learner_id ORDER BY p.learner_id, p.module_id, p.lesson_id`, func(rows *sql.Rows) error {
		var r BundleLesson
		var done sql.NullInt64
		if err := rows.Scan(&r.Learner, &r.ModuleID, &r.LessonID, &r.Position, &r.TimeMs, &done, &r.UpdatedAt); err != nil {
			return err
		}
		r.CompletedAt = nullInt64(done)
		b.Lessons = append(b.Lessons, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	byID := map[int64]int{}
	err = query("attempts", `SELECT a.id, a.uid, l.uid, a.module_id, a.content_version, a.language, a.plan, a.pass_mark, a.total,
			a.kind, a.status, a.correct, a.score_percent, a.passed, a.started_at, a.finished_at
		FROM attempts a JOIN learners l ON l.id = a.learner_id ORDER BY a.id`, func(rows *sql.Rows) error {
		var a BundleAttempt
		var id int64
		var plan string
		var correct, percent, finished sql.NullInt64
		var passed sql.NullBool
		if err := rows.Scan(&id, &a.UID, &a.Learner, &a.ModuleID, &a.ContentVersion, &a.Language, &plan, &a.PassMark, &a.Total,
			&a.Kind, &a.Status, &correct, &percent, &passed, &a.StartedAt, &finished); err != nil {
			return err
		}
		a.Plan = json.RawMessage(plan)
		a.Correct, a.Percent, a.FinishedAt = nullInt(correct), nullInt(percent), nullInt64(finished)
		if passed.Valid {
			a.Passed = &passed.Bool
		}
		a.Answers = []BundleAnswer{}
		byID[id] = len(b.Attempts)
		b.Attempts = append(b.Attempts, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = query("answers", `SELECT attempt_id, position, question_id, response, complete, correct, time_ms, answered_at, confidence, score
		FROM answers ORDER BY attempt_id, position`, func(rows *sql.Rows) error {
		var a BundleAnswer
		var attempt int64
		var resp string
		var correct sql.NullBool
		var conf sql.NullInt64
		var score sql.NullFloat64
		if err := rows.Scan(&attempt, &a.Position, &a.QuestionID, &resp, &a.Complete, &correct, &a.TimeMs, &a.AnsweredAt, &conf, &score); err != nil {
			return err
		}
		if score.Valid {
			a.Score = &score.Float64
		}
		a.Response = json.RawMessage(resp)
		if correct.Valid {
			a.Correct = &correct.Bool
		}
		a.Confidence = nullInt(conf)
		if i, ok := byID[attempt]; ok {
			b.Attempts[i].Answers = append(b.Attempts[i].Answers, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = query("module status", `SELECT l.uid, m.module_id, m.status, m.best_percent, m.passed_at, m.updated_at
		FROM module_status m JOIN learners l ON l.id = m.learner_id ORDER BY m.learner_id, m.module_id`, func(rows *sql.Rows) error {
		var st BundleStatus
		var best, passed sql.NullInt64
		if err := rows.Scan(&st.Learner, &st.ModuleID, &st.Status, &best, &passed, &st.UpdatedAt); err != nil {
			return err
		}
		st.BestPercent, st.PassedAt = nullInt(best), nullInt64(passed)
		b.Statuses = append(b.Statuses, st)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = query("review cards", `SELECT l.uid, c.module_id, c.question_id, c.indicator, c.stability, c.difficulty, c.reps, c.lapses,
			c.last_correct, c.priority, c.last_review, c.due
		FROM review_cards c JOIN learners l ON l.id = c.learner_id ORDER BY c.learner_id, c.module_id, c.question_id`, func(rows *sql.Rows) error {
		var c BundleCard
		if err := rows.Scan(&c.Learner, &c.ModuleID, &c.QuestionID, &c.Indicator, &c.Stability, &c.Difficulty, &c.Reps, &c.Lapses,
			&c.LastCorrect, &c.Priority, &c.LastReview, &c.Due); err != nil {
			return err
		}
		b.Cards = append(b.Cards, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = query("review answers", `SELECT r.uid, l.uid, r.module_id, r.question_id, r.response, r.correct, r.confidence, r.time_ms, r.answered_at
		FROM review_answers r JOIN learners l ON l.id = r.learner_id ORDER BY r.id`, func(rows *sql.Rows) error {
		var r BundleReview
		var resp string
		var conf sql.NullInt64
		if err := rows.Scan(&r.UID, &r.Learner, &r.ModuleID, &r.QuestionID, &resp, &r.Correct, &conf, &r.TimeMs, &r.AnsweredAt); err != nil {
			return err
		}
		r.Response, r.Confidence = json.RawMessage(resp), nullInt(conf)
		b.Reviews = append(b.Reviews, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if has, err := hasTable(ctx, tx, "xapi_outbox"); err != nil {
		return nil, fmt.Errorf("export statements: %w", err)
	} else if has {
		err = query("statements", `SELECT statement_id, statement, created_at FROM xapi_outbox ORDER BY created_at, rowid`, func(rows *sql.Rows) error {
			var st BundleStatement
			var text string
			if err := rows.Scan(&st.ID, &text, &st.CreatedAt); err != nil {
				return err
			}
			st.Statement = json.RawMessage(text)
			b.Statements = append(b.Statements, st)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return b, nil
}

func nullInt(v sql.NullInt64) *int {
	if !v.Valid {
		return nil
	}
	n := int(v.Int64)
	return &n
}

func nullInt64(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

// ---------------------------------------------------------------------------------------
// Merge

// MergeCount is what a merge did with one kind of record.
type MergeCount struct {
	Added   int `json:"added"`
	Updated int `json:"updated"` // already here, brought up to date from the bundle
	Skipped int `json:"skipped"` // already here as the bundle has it, or left out
}

// MergeResult is what merging a bundle added, updated and skipped, per kind.
type MergeResult struct {
	BundleID string `json:"-"`
	// AlreadyMerged is set when the same bundle was merged before (at MergedAt): nothing
	// was read from it, and everything counts as skipped.
	AlreadyMerged bool      `json:"-"`
	MergedAt      time.Time `json:"-"`
	// Erased counts the bundle's learners who were erased here: they, and every record
	// of theirs, are left out (counted as skipped).
	Erased     int        `json:"erased"`
	Learners   MergeCount `json:"learners"`
	Lessons    MergeCount `json:"lessons"`
	Attempts   MergeCount `json:"attempts"`
	Answers    MergeCount `json:"answers"`
	Statuses   MergeCount `json:"statuses"`
	Cards      MergeCount `json:"cards"`
	Reviews    MergeCount `json:"reviews"`
	Statements MergeCount `json:"statements"`
}

// Kinds lists the counts in a fixed order, for reports.
func (r MergeResult) Kinds() []struct {
	Kind  string
	Count MergeCount
} {
	return []struct {
		Kind  string
		Count MergeCount
	}{
		{"learners", r.Learners}, {"lessons", r.Lessons}, {"attempts", r.Attempts}, {"answers", r.Answers},
		{"statuses", r.Statuses}, {"cards", r.Cards}, {"reviews", r.Reviews}, {"statements", r.Statements},
	}
}

// Changed tells whether the merge added or updated anything.
func (r MergeResult) Changed() bool {
	for _, k := range r.Kinds() {
		if k.Count.Added > 0 || k.Count.Updated > 0 {
			return true
		}
	}
	return false
}

// MergeOptions tune MergeBundle.
type MergeOptions struct {
	// KeyTrusted says the bundle's signing key was named as trusted (indicia bundle merge
	// --trust). Without it, a bundle from a station whose earlier bundles were signed by
	// another key is refused (ErrStationKey).
	KeyTrusted bool
	// Progress, when not nil, is called now and then with the records done so far.
	Progress func(done, total int)
}

// ErrStationKey is returned for a bundle from a station known here under another key.
var ErrStationKey = errors.New("the station's bundles were signed with another key until now")

// StationKeyError names the station and both keys.
type StationKeyError struct {
	Station, Known, Got string
}

func (e *StationKeyError) Error() string {
	return fmt.Sprintf("station %s: its bundles were signed with key %s until now, this one with %s", e.Station, e.Known, e.Got)
}

func (e *StationKeyError) Unwrap() error { return ErrStationKey }

// MergeBundle merges a bundle into the store, all or nothing, in one transaction. The
// bundle is validated first (a *BundleError, wrapping ErrInvalid, says what is wrong and
// changes nothing). Merging is idempotent: a bundle merged before is recognised by its
// id and adds nothing; a learner, attempt or review answer already here (by uid) is not
// added again, and other records are matched by what identifies them. Records already
// here are brought up to date where the bundle knows more: an attempt finished since, a
// lesson read further, a later review card, an answer completed. Each module status the
// bundle touches is recomputed from every attempt now stored, keeping the best score and
// a pass. Learners erased here are not brought back.
func (s *Store) MergeBundle(ctx context.Context, b *Bundle, opt MergeOptions) (MergeResult, error) {
	res := MergeResult{BundleID: b.ID}
	if !IsBundleID(b.ID) {
		return res, invalid("", "the bundle id is not 64 hexadecimal digits")
	}
	// A bundle merged before is recognised by its id alone, before the work of checking
	// it again: nothing is written either way.
	var mergedAt int64
	err := s.read.QueryRowContext(ctx, `SELECT merged_at FROM merged_bundles WHERE bundle_id = ?`, b.ID).Scan(&mergedAt)
	if err == nil {
		return alreadyMerged(b, mergedAt), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return res, fmt.Errorf("merge bundle: %w", err)
	}
	if err := b.Validate(); err != nil {
		return res, err
	}
	counts := b.Counts()
	total := counts.Learners + counts.Lessons + counts.Attempts + counts.Answers + counts.Statuses + counts.Cards +
		counts.Reviews + counts.Statements
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return res, wrapWrite("merge bundle", err)
	}
	defer tx.Rollback()
	// The statements run without ctx's cancellation (the driver would watch it with a
	// goroutine per statement); ctx is checked every few hundred records instead, and a
	// cancelled merge rolls back whole.
	m := &merger{ctx: context.WithoutCancel(ctx), outer: ctx, tx: tx, b: b, res: &res, total: total, progress: opt.Progress}

	// Again inside the transaction: another merge of the same bundle may have ended
	// since the look above.
	err = tx.QueryRowContext(m.ctx, `SELECT merged_at FROM merged_bundles WHERE bundle_id = ?`, b.ID).Scan(&mergedAt)
	if err == nil {
		return alreadyMerged(b, mergedAt), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return res, wrapWrite("merge bundle", err)
	}
	if !opt.KeyTrusted {
		var known string
		err := tx.QueryRowContext(m.ctx, `SELECT key_id FROM merged_bundles WHERE station = ? AND key_id <> ?
			ORDER BY merged_at DESC LIMIT 1`, b.Station, b.KeyID).Scan(&known)
		if err == nil {
			return res, &StationKeyError{Station: b.Station, Known: known, Got: b.KeyID}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return res, wrapWrite("merge bundle", err)
		}
	}
	if _, err := s.setting(m.ctx, tx, settingStationID, &m.ownStation); err != nil {
		m.ownStation = ""
	}
	now := s.millis()
	for _, step := range []func() error{m.learners, m.lessons, m.attempts, m.statuses, m.cards, m.reviews, m.statements} {
		if err := step(); err != nil {
			if ctx.Err() != nil {
				return MergeResult{BundleID: b.ID}, ctx.Err()
			}
			return MergeResult{BundleID: b.ID}, wrapWrite("merge bundle", err)
		}
	}
	summary, err := json.Marshal(res)
	if err != nil {
		return MergeResult{BundleID: b.ID}, err
	}
	if _, err := tx.ExecContext(m.ctx, `INSERT INTO merged_bundles (bundle_id, station, key_id, created_at, merged_at, counts)
		VALUES (?, ?, ?, ?, ?, ?)`, b.ID, b.Station, b.KeyID, b.Created.UnixMilli(), now, string(summary)); err != nil {
		return MergeResult{BundleID: b.ID}, wrapWrite("merge bundle", err)
	}
	if err := tx.Commit(); err != nil {
		return MergeResult{BundleID: b.ID}, wrapWrite("merge bundle", err)
	}
	res.MergedAt = time.UnixMilli(now)
	if m.progress != nil {
		m.progress(total, total)
	}
	return res, nil
}

// alreadyMerged is the result of merging again a bundle merged at mergedAt: every
// record skipped.
func alreadyMerged(b *Bundle, mergedAt int64) MergeResult {
	c := b.Counts()
	res := MergeResult{BundleID: b.ID, AlreadyMerged: true, MergedAt: time.UnixMilli(mergedAt)}
	res.Learners.Skipped, res.Lessons.Skipped, res.Attempts.Skipped = c.Learners, c.Lessons, c.Attempts
	res.Answers.Skipped, res.Statuses.Skipped, res.Cards.Skipped = c.Answers, c.Statuses, c.Cards
	res.Reviews.Skipped, res.Statements.Skipped = c.Reviews, c.Statements
	return res
}

// merger is one bundle's merge, inside its transaction.
type merger struct {
	ctx, outer context.Context
	tx         *sql.Tx
	b          *Bundle
	res        *MergeResult
	ownStation string
	learnerIDs map[string]int64 // by uid; 0 for a learner erased here
	touched    map[statusKey]bool
	done       int
	total      int
	progress   func(done, total int)
}

type statusKey struct {
	learner int64
	module  string
}

// step counts one record done, and now and then reports progress and checks ctx.
func (m *merger) step() error {
	m.done++
	if m.done%512 == 0 {
		if err := m.outer.Err(); err != nil {
			return err
		}
		if m.progress != nil && m.done%8192 == 0 {
			m.progress(m.done, m.total)
		}
	}
	return nil
}

func (m *merger) prepare(q string) (*sql.Stmt, error) { return m.tx.PrepareContext(m.ctx, q) }

func (m *merger) touch(learner int64, module string) {
	m.touched[statusKey{learner, module}] = true
}

func (m *merger) learners() error {
	m.learnerIDs = make(map[string]int64, len(m.b.Learners))
	m.touched = map[statusKey]bool{}
	find, err := m.prepare(`SELECT id FROM learners WHERE uid = ?`)
	if err != nil {
		return err
	}
	defer find.Close()
	erased, err := m.prepare(`SELECT count(*) FROM erased_learners WHERE uid = ?`)
	if err != nil {
		return err
	}
	defer erased.Close()
	seen, err := m.prepare(`UPDATE learners SET last_active_at = ? WHERE id = ? AND last_active_at < ?`)
	if err != nil {
		return err
	}
	defer seen.Close()
	ins, err := m.prepare(`INSERT INTO learners (uid, station, name, role, language, cohort, created_at, last_active_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, l := range m.b.Learners {
		if err := m.step(); err != nil {
			return err
		}
		var id int64
		err := find.QueryRowContext(m.ctx, l.UID).Scan(&id)
		if err == nil {
			m.learnerIDs[l.UID] = id
			m.res.Learners.Skipped++
			if _, err := seen.ExecContext(m.ctx, l.LastActive, id, l.LastActive); err != nil {
				return err
			}
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var gone int
		if err := erased.QueryRowContext(m.ctx, l.UID).Scan(&gone); err != nil {
			return err
		}
		if gone > 0 {
			m.learnerIDs[l.UID] = 0
			m.res.Learners.Skipped++
			m.res.Erased++
			continue
		}
		station := l.Station
		if station == m.ownStation {
			station = ""
		}
		r, err := ins.ExecContext(m.ctx, l.UID, station, l.Name, l.Role, l.Language, l.Cohort, l.CreatedAt, l.LastActive)
		if err != nil {
			return err
		}
		if id, err = r.LastInsertId(); err != nil {
			return err
		}
		m.learnerIDs[l.UID] = id
		m.res.Learners.Added++
	}
	return nil
}

// learner is the local id of a learner of the bundle, or 0 when erased here.
func (m *merger) learner(uid string) int64 { return m.learnerIDs[uid] }

func (m *merger) lessons() error {
	ins, err := m.prepare(`INSERT INTO lesson_progress (learner_id, module_id, lesson_id, position, time_spent_ms, completed_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (learner_id, module_id, lesson_id) DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	// Where the learner is: the position of the later visit. Time spent: the station's
	// total is the larger one (a bundle carries totals, so adding would count twice).
	// Completed: the first completion.
	upd, err := m.prepare(`UPDATE lesson_progress SET
			position = CASE WHEN ?4 > updated_at THEN ?3 ELSE position END,
			time_spent_ms = max(time_spent_ms, ?5),
			completed_at = CASE WHEN completed_at IS NULL THEN ?6 WHEN ?6 IS NULL THEN completed_at ELSE min(completed_at, ?6) END,
			updated_at = max(updated_at, ?4)
		WHERE learner_id = ?1 AND module_id = ?2 AND lesson_id = ?7
			AND (?4 > updated_at OR ?5 > time_spent_ms OR ?6 IS NOT NULL AND (completed_at IS NULL OR ?6 < completed_at))`)
	if err != nil {
		return err
	}
	defer upd.Close()
	for _, l := range m.b.Lessons {
		if err := m.step(); err != nil {
			return err
		}
		id := m.learner(l.Learner)
		if id == 0 {
			m.res.Lessons.Skipped++
			continue
		}
		m.touch(id, l.ModuleID)
		var done any
		if l.CompletedAt != nil {
			done = *l.CompletedAt
		}
		r, err := ins.ExecContext(m.ctx, id, l.ModuleID, l.LessonID, l.Position, l.TimeMs, done, l.UpdatedAt)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			m.res.Lessons.Added++
			continue
		}
		r, err = upd.ExecContext(m.ctx, id, l.ModuleID, l.Position, l.UpdatedAt, l.TimeMs, done, l.LessonID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			m.res.Lessons.Updated++
		} else {
			m.res.Lessons.Skipped++
		}
	}
	return nil
}

func (m *merger) attempts() error {
	find, err := m.prepare(`SELECT id, learner_id, status FROM attempts WHERE uid = ?`)
	if err != nil {
		return err
	}
	defer find.Close()
	closeAttempt, err := m.prepare(`UPDATE attempts SET status = ?, correct = ?, score_percent = ?, passed = ?, finished_at = ?
		WHERE id = ? AND status = 'open'`)
	if err != nil {
		return err
	}
	defer closeAttempt.Close()
	openOne, err := m.prepare(`SELECT id, started_at FROM attempts WHERE learner_id = ? AND module_id = ? AND status = 'open'`)
	if err != nil {
		return err
	}
	defer openOne.Close()
	abandon, err := m.prepare(`UPDATE attempts SET status = 'abandoned', finished_at = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer abandon.Close()
	ins, err := m.prepare(`INSERT INTO attempts (uid, learner_id, module_id, content_version, language, plan, pass_mark, total, kind,
			status, correct, score_percent, passed, started_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	insAnswer, err := m.prepare(`INSERT INTO answers (attempt_id, position, question_id, response, complete, correct, time_ms, answered_at, confidence, score)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (attempt_id, position) DO NOTHING`)
	if err != nil {
		return err
	}
	defer insAnswer.Close()
	// An answer stored here incomplete (a scenario under way) takes the bundle's when
	// that one is complete, or further along.
	updAnswer, err := m.prepare(`UPDATE answers SET question_id = ?3, response = ?4, complete = ?5, correct = ?6, time_ms = ?7,
			answered_at = ?8, confidence = ?9, score = ?10
		WHERE attempt_id = ?1 AND position = ?2 AND complete = 0 AND (?5 = 1 OR ?8 > answered_at)`)
	if err != nil {
		return err
	}
	defer updAnswer.Close()

	// Oldest first, so that of two open attempts at a module the later one stays open,
	// as when the learner starts again.
	order := make([]int, len(m.b.Attempts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &m.b.Attempts[i], &m.b.Attempts[j]
		if a.StartedAt != b.StartedAt {
			return cmpInt64(a.StartedAt, b.StartedAt)
		}
		return strings.Compare(a.UID, b.UID)
	})
	for _, i := range order {
		a := &m.b.Attempts[i]
		if err := m.step(); err != nil {
			return err
		}
		learner := m.learner(a.Learner)
		if learner == 0 {
			m.res.Attempts.Skipped++
			m.res.Answers.Skipped += len(a.Answers)
			m.done += len(a.Answers)
			continue
		}
		m.touch(learner, a.ModuleID)
		var id, owner int64
		var status AttemptStatus
		err := find.QueryRowContext(m.ctx, a.UID).Scan(&id, &owner, &status)
		switch {
		case err == nil && owner != learner:
			return invalid(fmt.Sprintf("attempts[%d]", i), "attempt %s belongs to another learner here", a.UID)
		case err == nil && status == AttemptOpen && a.Status != AttemptOpen:
			// Finished or abandoned on the station since it was merged.
			if _, err := closeAttempt.ExecContext(m.ctx, a.Status, ptrValue(a.Correct), ptrValue(a.Percent), ptrValue(a.Passed),
				ptrValue(a.FinishedAt), id); err != nil {
				return err
			}
			m.res.Attempts.Updated++
		case err == nil:
			m.res.Attempts.Skipped++
		case errors.Is(err, sql.ErrNoRows):
			status := a.Status
			finished := ptrValue(a.FinishedAt)
			if status == AttemptOpen {
				var other, started int64
				err := openOne.QueryRowContext(m.ctx, learner, a.ModuleID).Scan(&other, &started)
				switch {
				case err == nil && started <= a.StartedAt:
					if _, err := abandon.ExecContext(m.ctx, a.StartedAt, other); err != nil {
						return err
					}
					m.res.Attempts.Updated++
				case err == nil:
					status, finished = AttemptAbandoned, started
				case !errors.Is(err, sql.ErrNoRows):
					return err
				}
			}
			r, err := ins.ExecContext(m.ctx, a.UID, learner, a.ModuleID, a.ContentVersion, a.Language, string(a.Plan), a.PassMark,
				a.Total, a.Kind, status, ptrValue(a.Correct), ptrValue(a.Percent), ptrValue(a.Passed), a.StartedAt, finished)
			if err != nil {
				return err
			}
			if id, err = r.LastInsertId(); err != nil {
				return err
			}
			m.res.Attempts.Added++
		default:
			return err
		}
		for _, ans := range a.Answers {
			if err := m.step(); err != nil {
				return err
			}
			args := []any{id, ans.Position, ans.QuestionID, string(ans.Response), ans.Complete, ptrValue(ans.Correct),
				ans.TimeMs, ans.AnsweredAt, ptrValue(ans.Confidence), ptrValue(ans.Score)}
			r, err := insAnswer.ExecContext(m.ctx, args...)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n > 0 {
				m.res.Answers.Added++
				continue
			}
			r, err = updAnswer.ExecContext(m.ctx, args...)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n > 0 {
				m.res.Answers.Updated++
			} else {
				m.res.Answers.Skipped++
			}
		}
	}
	return nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ptrValue is the value behind p, or nil (SQL NULL).
func ptrValue[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// Module statuses by rank: a status only ever moves up.
var statusNames = [...]ModuleStatus{1: ModuleInProgress, 2: ModuleFailed, 3: ModulePassed}

func statusRank(s ModuleStatus) int {
	for r, name := range statusNames {
		if name == s && r > 0 {
			return r
		}
	}
	return 0
}

// statuses recomputes the status of every learner and module the bundle touches, from
// the status stored here, the bundle's, and every attempt now stored: the highest of
// in progress < failed < passed, the best score, the latest pass.
func (m *merger) statuses() error {
	incoming := map[statusKey]BundleStatus{}
	for _, st := range m.b.Statuses {
		if err := m.step(); err != nil {
			return err
		}
		id := m.learner(st.Learner)
		if id == 0 {
			m.res.Statuses.Skipped++
			continue
		}
		k := statusKey{id, st.ModuleID}
		incoming[k] = st
		m.touch(id, st.ModuleID)
	}
	keys := make([]statusKey, 0, len(m.touched))
	for k := range m.touched {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b statusKey) int {
		if a.learner != b.learner {
			return cmpInt64(a.learner, b.learner)
		}
		return strings.Compare(a.module, b.module)
	})
	current, err := m.prepare(`SELECT status, best_percent, passed_at, updated_at FROM module_status WHERE learner_id = ? AND module_id = ?`)
	if err != nil {
		return err
	}
	defer current.Close()
	derived, err := m.prepare(`SELECT count(*),
			coalesce(max(status = 'finished'), 0),
			max(CASE WHEN status = 'finished' THEN score_percent END),
			max(CASE WHEN status = 'finished' AND passed = 1 THEN finished_at END),
			max(coalesce(finished_at, started_at))
		FROM attempts WHERE learner_id = ? AND module_id = ?`)
	if err != nil {
		return err
	}
	defer derived.Close()
	lessonTime, err := m.prepare(`SELECT max(updated_at) FROM lesson_progress WHERE learner_id = ? AND module_id = ?`)
	if err != nil {
		return err
	}
	defer lessonTime.Close()
	write, err := m.prepare(`INSERT INTO module_status (learner_id, module_id, status, best_percent, passed_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (learner_id, module_id) DO UPDATE SET status = excluded.status, best_percent = excluded.best_percent,
			passed_at = excluded.passed_at, updated_at = excluded.updated_at`)
	if err != nil {
		return err
	}
	defer write.Close()

	type state struct {
		rank    int
		best    sql.NullInt64
		passed  sql.NullInt64
		updated int64
	}
	better := func(a, b sql.NullInt64) sql.NullInt64 {
		if !a.Valid || b.Valid && b.Int64 > a.Int64 {
			return b
		}
		return a
	}
	for _, k := range keys {
		var old state
		var oldStatus ModuleStatus
		var exists bool
		err := current.QueryRowContext(m.ctx, k.learner, k.module).Scan(&oldStatus, &old.best, &old.passed, &old.updated)
		switch {
		case err == nil:
			exists, old.rank = true, statusRank(oldStatus)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		next := old
		if st, ok := incoming[k]; ok {
			next.rank = max(next.rank, statusRank(st.Status))
			if st.BestPercent != nil {
				next.best = better(next.best, sql.NullInt64{Int64: int64(*st.BestPercent), Valid: true})
			}
			if st.PassedAt != nil {
				next.passed = better(next.passed, sql.NullInt64{Int64: *st.PassedAt, Valid: true})
			}
			next.updated = max(next.updated, st.UpdatedAt)
		}
		// What the attempts stored now say. It moves the status only where it says more
		// than the stored and the bundle's status (a bundle whose status rows are
		// behind its attempts), and then updated_at becomes the time of that attempt.
		var n, anyFinished int
		var best, passedAt, last sql.NullInt64
		if err := derived.QueryRowContext(m.ctx, k.learner, k.module).Scan(&n, &anyFinished, &best, &passedAt, &last); err != nil {
			return err
		}
		var lessonLast sql.NullInt64
		if err := lessonTime.QueryRowContext(m.ctx, k.learner, k.module).Scan(&lessonLast); err != nil {
			return err
		}
		from := next
		switch {
		case passedAt.Valid:
			next.rank = max(next.rank, 3)
		case anyFinished == 1:
			next.rank = max(next.rank, 2)
		case n > 0:
			next.rank = max(next.rank, 1)
		case lessonLast.Valid && next.rank == 0:
			next.rank, next.updated = 1, max(next.updated, lessonLast.Int64)
		}
		next.best = better(next.best, best)
		next.passed = better(next.passed, passedAt)
		if next.rank != 3 {
			next.passed = sql.NullInt64{}
		}
		if next.rank != from.rank || next.best != from.best || next.passed != from.passed {
			next.updated = max(next.updated, last.Int64)
		}
		if next.rank == 0 {
			continue // nothing to say (cannot happen: the key was touched by a record)
		}
		if exists && next == old {
			m.res.Statuses.Skipped += boolInt(incomingHas(incoming, k))
			continue
		}
		if _, err := write.ExecContext(m.ctx, k.learner, k.module, statusNames[next.rank], nullValue(next.best), nullValue(next.passed), next.updated); err != nil {
			return err
		}
		if exists {
			m.res.Statuses.Updated++
		} else {
			m.res.Statuses.Added++
		}
	}
	return nil
}

func incomingHas(in map[statusKey]BundleStatus, k statusKey) bool { _, ok := in[k]; return ok }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullValue(v sql.NullInt64) any {
	if !v.Valid {
		return nil
	}
	return v.Int64
}

func (m *merger) cards() error {
	ins, err := m.prepare(`INSERT INTO review_cards (learner_id, module_id, question_id, indicator, stability, difficulty,
			reps, lapses, last_correct, priority, last_review, due)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (learner_id, module_id, question_id) DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	// The card reviewed last holds the learner's memory state.
	upd, err := m.prepare(`UPDATE review_cards SET indicator = ?4, stability = ?5, difficulty = ?6, reps = ?7, lapses = ?8,
			last_correct = ?9, priority = ?10, last_review = ?11, due = ?12
		WHERE learner_id = ?1 AND module_id = ?2 AND question_id = ?3 AND last_review < ?11`)
	if err != nil {
		return err
	}
	defer upd.Close()
	for _, c := range m.b.Cards {
		if err := m.step(); err != nil {
			return err
		}
		id := m.learner(c.Learner)
		if id == 0 {
			m.res.Cards.Skipped++
			continue
		}
		args := []any{id, c.ModuleID, c.QuestionID, c.Indicator, c.Stability, c.Difficulty, c.Reps, c.Lapses,
			c.LastCorrect, c.Priority, c.LastReview, c.Due}
		r, err := ins.ExecContext(m.ctx, args...)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			m.res.Cards.Added++
			continue
		}
		r, err = upd.ExecContext(m.ctx, args...)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			m.res.Cards.Updated++
		} else {
			m.res.Cards.Skipped++
		}
	}
	return nil
}

func (m *merger) reviews() error {
	ins, err := m.prepare(`INSERT INTO review_answers (uid, learner_id, module_id, question_id, response, correct, confidence, time_ms, answered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, r := range m.b.Reviews {
		if err := m.step(); err != nil {
			return err
		}
		id := m.learner(r.Learner)
		if id == 0 {
			m.res.Reviews.Skipped++
			continue
		}
		res, err := ins.ExecContext(m.ctx, r.UID, id, r.ModuleID, r.QuestionID, string(r.Response), r.Correct,
			ptrValue(r.Confidence), r.TimeMs, r.AnsweredAt)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			m.res.Reviews.Added++
		} else {
			m.res.Reviews.Skipped++
		}
	}
	return nil
}

func (m *merger) statements() error {
	if len(m.b.Statements) == 0 {
		return nil
	}
	has, err := hasTable(m.ctx, m.tx, "xapi_outbox")
	if err != nil {
		return err
	}
	if !has {
		m.res.Statements.Skipped += len(m.b.Statements)
		return nil
	}
	// A merged statement waits to be sent from here, whatever the station did with it:
	// the LRS keeps one copy of a statement id.
	ins, err := m.prepare(`INSERT INTO xapi_outbox (statement_id, statement, created_at) VALUES (?, ?, ?)
		ON CONFLICT (statement_id) DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, st := range m.b.Statements {
		if err := m.step(); err != nil {
			return err
		}
		if st.Learner != "" && m.learner(st.Learner) == 0 {
			m.res.Statements.Skipped++
			continue
		}
		r, err := ins.ExecContext(m.ctx, st.ID, string(st.Statement), st.CreatedAt)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			m.res.Statements.Added++
		} else {
			m.res.Statements.Skipped++
		}
	}
	return nil
}

// MergedBundle is a bundle merged here.
type MergedBundle struct {
	ID       string
	Station  string
	KeyID    string
	Created  time.Time
	MergedAt time.Time
	Result   MergeResult
}

// MergedBundles lists the bundles merged here, the latest first.
func (s *Store) MergedBundles(ctx context.Context) ([]MergedBundle, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT bundle_id, station, key_id, created_at, merged_at, counts
		FROM merged_bundles ORDER BY merged_at DESC, bundle_id`)
	if err != nil {
		return nil, fmt.Errorf("list merged bundles: %w", err)
	}
	defer rows.Close()
	var out []MergedBundle
	for rows.Next() {
		var mb MergedBundle
		var created, merged int64
		var counts string
		if err := rows.Scan(&mb.ID, &mb.Station, &mb.KeyID, &created, &merged, &counts); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(counts), &mb.Result); err != nil {
			return nil, fmt.Errorf("merged bundle %s: %w", mb.ID, ErrCorrupt)
		}
		mb.Created, mb.MergedAt = time.UnixMilli(created), time.UnixMilli(merged)
		mb.Result.BundleID, mb.Result.MergedAt = mb.ID, mb.MergedAt
		out = append(out, mb)
	}
	return out, rows.Err()
}
