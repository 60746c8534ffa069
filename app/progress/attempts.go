package progress

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"indicia/quiz"
)

// LessonProgress is where a learner is in one lesson.
type LessonProgress struct {
	LessonID  string
	Position  int // section index
	TimeSpent time.Duration
	Completed bool
}

// SaveLesson records the learner's position in a lesson and adds spent to its time. A
// lesson once completed stays completed. The module becomes "in progress" if it had no
// status yet.
func (s *Store) SaveLesson(ctx context.Context, learnerID int64, moduleID, lessonID string, position int, spent time.Duration, completed bool) error {
	if position < 0 || spent < 0 {
		return fmt.Errorf("%w: negative position or time", ErrInvalid)
	}
	now := s.millis()
	var done any
	if completed {
		done = now
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("save lesson", err)
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO lesson_progress (learner_id, module_id, lesson_id, position, time_spent_ms, completed_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (learner_id, module_id, lesson_id) DO UPDATE SET
			position = excluded.position,
			time_spent_ms = time_spent_ms + excluded.time_spent_ms,
			completed_at = coalesce(completed_at, excluded.completed_at),
			updated_at = excluded.updated_at`,
		learnerID, moduleID, lessonID, position, spent.Milliseconds(), done, now)
	if err != nil {
		return wrapWrite("save lesson", err)
	}
	if err := markStarted(ctx, tx, learnerID, moduleID, now); err != nil {
		return wrapWrite("save lesson", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE learners SET last_active_at = ? WHERE id = ?`, now, learnerID); err != nil {
		return wrapWrite("save lesson", err)
	}
	return wrapWrite("save lesson", tx.Commit())
}

func markStarted(ctx context.Context, tx *sql.Tx, learnerID int64, moduleID string, now int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO module_status (learner_id, module_id, status, updated_at)
		VALUES (?, ?, 'in_progress', ?) ON CONFLICT DO NOTHING`, learnerID, moduleID, now)
	return err
}

// Lessons returns the learner's progress in every lesson of a module, by lesson id.
func (s *Store) Lessons(ctx context.Context, learnerID int64, moduleID string) (map[string]LessonProgress, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT lesson_id, position, time_spent_ms, completed_at IS NOT NULL
		FROM lesson_progress WHERE learner_id = ? AND module_id = ?`, learnerID, moduleID)
	if err != nil {
		return nil, fmt.Errorf("read lesson progress: %w", err)
	}
	defer rows.Close()
	out := map[string]LessonProgress{}
	for rows.Next() {
		var p LessonProgress
		var ms int64
		if err := rows.Scan(&p.LessonID, &p.Position, &ms, &p.Completed); err != nil {
			return nil, err
		}
		p.TimeSpent = time.Duration(ms) * time.Millisecond
		out[p.LessonID] = p
	}
	return out, rows.Err()
}

// Attempt is one try at a module's quiz.
type Attempt struct {
	ID             int64
	LearnerID      int64
	ModuleID       string
	ContentVersion string
	Language       string
	Plan           quiz.Plan
	PassMark       int
	Total          int
	Kind           AttemptKind
	Status         AttemptStatus
	Correct        int
	Percent        int
	Passed         bool
	StartedAt      time.Time
	FinishedAt     time.Time
}

// NewAttempt is what starting a quiz stores.
type NewAttempt struct {
	LearnerID      int64
	ModuleID       string
	ContentVersion string
	Language       string
	Plan           quiz.Plan
	PassMark       int
	Refresher      bool // a refresher quiz after the module was passed
	// Kind is the attempt's kind; empty means KindQuiz, or KindRefresher with
	// Refresher. A pre-test (KindPretest) leaves the module's status as it is: it
	// measures what the learner knew before, it does not start the module.
	Kind AttemptKind
}

// Answer is one stored answer. For a scenario still under way Complete is false and
// Response.Path holds the steps taken so far.
type Answer struct {
	Position   int
	QuestionID string
	Response   quiz.Response
	Complete   bool
	Correct    bool
	// Score is the credit a complete answer earns, between 0 and 1, for a question
	// that gives partial credit; nil: 1 when Correct, else 0.
	Score      *float64
	Time       time.Duration // time spent on the question
	AnsweredAt time.Time
	// Confidence is how sure the learner said they were, before seeing the result.
	Confidence quiz.Confidence
	// Indicator is what the question tests; a complete answer schedules the question
	// for spaced review under it.
	Indicator string
}

// StartAttempt stores a new attempt. An attempt still open for the same module is
// marked abandoned in the same transaction.
func (s *Store) StartAttempt(ctx context.Context, n NewAttempt) (Attempt, error) {
	if len(n.Plan) == 0 {
		return Attempt{}, fmt.Errorf("%w: an attempt needs questions", ErrInvalid)
	}
	plan, err := json.Marshal(n.Plan)
	if err != nil {
		return Attempt{}, err
	}
	now := s.millis()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return Attempt{}, wrapWrite("start attempt", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE attempts SET status = 'abandoned', finished_at = ?
		WHERE learner_id = ? AND module_id = ? AND status = 'open'`, now, n.LearnerID, n.ModuleID); err != nil {
		return Attempt{}, wrapWrite("start attempt", err)
	}
	kind := n.Kind
	switch {
	case kind == "" && n.Refresher:
		kind = KindRefresher
	case kind == "":
		kind = KindQuiz
	case kind != KindQuiz && kind != KindRefresher && kind != KindPretest:
		return Attempt{}, fmt.Errorf("%w: unknown attempt kind %q", ErrInvalid, kind)
	}
	passMark := n.PassMark
	if kind == KindPretest {
		passMark = 0 // a pre-test is never passed or failed
	}
	uid, err := newUID()
	if err != nil {
		return Attempt{}, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO attempts (uid, learner_id, module_id, content_version, language, plan, pass_mark, total, started_at, kind)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, uid, n.LearnerID, n.ModuleID, n.ContentVersion, n.Language, string(plan), passMark, len(n.Plan), now, kind)
	if err != nil {
		return Attempt{}, wrapWrite("start attempt", err)
	}
	if kind != KindPretest {
		if err := markStarted(ctx, tx, n.LearnerID, n.ModuleID, now); err != nil {
			return Attempt{}, wrapWrite("start attempt", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return Attempt{}, wrapWrite("start attempt", err)
	}
	id, _ := res.LastInsertId()
	return s.Attempt(ctx, id)
}

const attemptColumns = `id, learner_id, module_id, content_version, language, plan, pass_mark, total, kind, status,
	coalesce(correct, 0), coalesce(score_percent, 0), coalesce(passed, 0), started_at, finished_at`

func scanAttempt(row interface{ Scan(...any) error }) (Attempt, error) {
	var a Attempt
	var plan string
	var started int64
	var finished sql.NullInt64
	err := row.Scan(&a.ID, &a.LearnerID, &a.ModuleID, &a.ContentVersion, &a.Language, &plan, &a.PassMark, &a.Total,
		&a.Kind, &a.Status, &a.Correct, &a.Percent, &a.Passed, &started, &finished)
	if err != nil {
		return a, err
	}
	a.StartedAt, a.FinishedAt = time.UnixMilli(started), fromMillis(finished)
	if err := json.Unmarshal([]byte(plan), &a.Plan); err != nil {
		return a, fmt.Errorf("attempt %d: stored plan: %w", a.ID, ErrCorrupt)
	}
	return a, nil
}

// Attempt returns one attempt.
func (s *Store) Attempt(ctx context.Context, id int64) (Attempt, error) {
	a, err := scanAttempt(s.read.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM attempts WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Attempt{}, fmt.Errorf("attempt %d: %w", id, ErrNotFound)
	}
	return a, err
}

// OpenAttempt returns the learner's unfinished quiz or refresher at a module with its
// answers, or ErrNotFound (an unfinished pre-test is OpenPretest's).
func (s *Store) OpenAttempt(ctx context.Context, learnerID int64, moduleID string) (Attempt, []Answer, error) {
	a, err := scanAttempt(s.read.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM attempts
		WHERE learner_id = ? AND module_id = ? AND status = 'open' AND kind != 'pretest'`, learnerID, moduleID))
	if errors.Is(err, sql.ErrNoRows) {
		return Attempt{}, nil, ErrNotFound
	}
	if err != nil {
		return Attempt{}, nil, err
	}
	answers, err := s.Answers(ctx, a.ID)
	return a, answers, err
}

// Attempts lists a learner's attempts at a module, the newest first.
func (s *Store) Attempts(ctx context.Context, learnerID int64, moduleID string) ([]Attempt, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+attemptColumns+` FROM attempts
		WHERE learner_id = ? AND module_id = ? ORDER BY id DESC`, learnerID, moduleID)
	if err != nil {
		return nil, fmt.Errorf("list attempts: %w", err)
	}
	defer rows.Close()
	var out []Attempt
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Answers returns the answers of an attempt in question order.
func (s *Store) Answers(ctx context.Context, attemptID int64) ([]Answer, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT position, question_id, response, complete, coalesce(correct, 0), time_ms, answered_at,
			coalesce(confidence, 0), score
		FROM answers WHERE attempt_id = ? ORDER BY position`, attemptID)
	if err != nil {
		return nil, fmt.Errorf("read answers: %w", err)
	}
	defer rows.Close()
	var out []Answer
	for rows.Next() {
		var a Answer
		var resp string
		var ms, at int64
		var score sql.NullFloat64
		if err := rows.Scan(&a.Position, &a.QuestionID, &resp, &a.Complete, &a.Correct, &ms, &at, &a.Confidence, &score); err != nil {
			return nil, err
		}
		if score.Valid {
			a.Score = &score.Float64
		}
		if err := json.Unmarshal([]byte(resp), &a.Response); err != nil {
			return nil, fmt.Errorf("answer %d of attempt %d: %w", a.Position, attemptID, ErrCorrupt)
		}
		a.Time, a.AnsweredAt = time.Duration(ms)*time.Millisecond, time.UnixMilli(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ErrAttemptClosed is returned when answering in an attempt that is no longer open.
var ErrAttemptClosed = errors.New("this attempt is finished")

// activityGrain is how stale a learner's last activity may grow while they answer.
const activityGrain = time.Minute

// RecordAnswer commits one answer (synchronous=FULL) before returning, so an answer the
// screen shows as recorded survives a crash. A complete answer is final: recording the
// same position again fails. An incomplete one (a scenario under way) is replaced.
func (s *Store) RecordAnswer(ctx context.Context, attemptID int64, a Answer) error {
	resp, err := json.Marshal(a.Response)
	if err != nil {
		return err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("record answer", err)
	}
	defer tx.Rollback()
	var status AttemptStatus
	var kind AttemptKind
	var moduleID string
	var learnerID int64
	var total int
	err = tx.QueryRowContext(ctx, `SELECT status, kind, learner_id, module_id, total FROM attempts WHERE id = ?`, attemptID).
		Scan(&status, &kind, &learnerID, &moduleID, &total)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("record answer: attempt %d: %w", attemptID, ErrNotFound)
	}
	if err != nil {
		return wrapWrite("record answer", err)
	}
	if status != AttemptOpen {
		return fmt.Errorf("record answer: %w", ErrAttemptClosed)
	}
	if a.Position < 0 || a.Position >= total {
		return fmt.Errorf("%w: position %d outside the attempt's %d questions", ErrInvalid, a.Position, total)
	}
	var correct, score any
	if a.Complete {
		correct = a.Correct
		if a.Score != nil {
			if !(*a.Score >= 0 && *a.Score <= 1) {
				return fmt.Errorf("%w: a score is between 0 and 1, not %v", ErrInvalid, *a.Score)
			}
			score = *a.Score
		}
	}
	nowTime := s.now()
	now := nowTime.UnixMilli()
	res, err := tx.ExecContext(ctx, `INSERT INTO answers (attempt_id, position, question_id, response, complete, correct, time_ms, answered_at, confidence, score)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (attempt_id, position) DO UPDATE SET
			response = excluded.response, complete = excluded.complete, correct = excluded.correct, score = excluded.score,
			time_ms = time_ms + excluded.time_ms, answered_at = excluded.answered_at, confidence = excluded.confidence
		WHERE complete = 0 AND question_id = excluded.question_id`,
		attemptID, a.Position, a.QuestionID, string(resp), a.Complete, correct, max(a.Time.Milliseconds(), 0), now, confidenceValue(a.Confidence), score)
	if err != nil {
		return wrapWrite("record answer", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: question %d is already answered", ErrInvalid, a.Position)
	}
	// A pre-test's answers make no review cards: the pre-test shows no feedback until its
	// end, measures what the learner knew before the lessons, and its items are kept out
	// of the first quiz; reviewing them would teach its answers.
	if a.Complete && a.Indicator != "" && kind != KindPretest {
		if err := updateCard(ctx, tx, learnerID, moduleID, a.QuestionID, a.Indicator, a.Correct, a.Confidence, nowTime); err != nil {
			return wrapWrite("record answer", err)
		}
	}
	// The last activity is a day in reports and an order in the learners list: it is
	// moved when it is more than a minute old, which spares most answers a page write.
	if _, err := tx.ExecContext(ctx, `UPDATE learners SET last_active_at = ?1 WHERE id = ?2 AND last_active_at < ?1 - ?3`,
		now, learnerID, activityGrain.Milliseconds()); err != nil {
		return wrapWrite("record answer", err)
	}
	return wrapWrite("record answer", tx.Commit())
}

// FinishAttempt closes an attempt and updates the module's status. The store computes
// the score from the answers it holds (ScoreAttempt): every question must have a
// complete answer. The status follows ModuleRecord.WithAttempt: a pass is kept for
// good, the best score is kept.
func (s *Store) FinishAttempt(ctx context.Context, attemptID int64) (Attempt, error) {
	now := s.millis()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return Attempt{}, wrapWrite("finish attempt", err)
	}
	defer tx.Rollback()
	var learnerID int64
	var moduleID string
	var status AttemptStatus
	var kind AttemptKind
	var total, passMark int
	err = tx.QueryRowContext(ctx, `SELECT learner_id, module_id, status, kind, total, pass_mark FROM attempts WHERE id = ?`, attemptID).
		Scan(&learnerID, &moduleID, &status, &kind, &total, &passMark)
	if errors.Is(err, sql.ErrNoRows) {
		return Attempt{}, fmt.Errorf("finish attempt %d: %w", attemptID, ErrNotFound)
	}
	if err != nil {
		return Attempt{}, wrapWrite("finish attempt", err)
	}
	if status != AttemptOpen {
		return Attempt{}, fmt.Errorf("finish attempt: %w", ErrAttemptClosed)
	}
	credits, err := attemptCredits(ctx, tx, attemptID)
	if err != nil {
		return Attempt{}, wrapWrite("finish attempt", err)
	}
	if len(credits) != total {
		return Attempt{}, fmt.Errorf("%w: %d of %d answers are stored", ErrInvalid, len(credits), total)
	}
	score := ScoreAttempt(credits, total, passMark)
	var passed any = score.Passed
	if kind == KindPretest {
		passed = nil // a pre-test is never graded pass or fail
	}
	if _, err := tx.ExecContext(ctx, `UPDATE attempts SET status = ?, correct = ?, score_percent = ?, passed = ?, finished_at = ?
		WHERE id = ?`, AttemptFinished, score.Correct, score.Percent, passed, now, attemptID); err != nil {
		return Attempt{}, wrapWrite("finish attempt", err)
	}
	if kind == KindPretest {
		// What the learner knew before: the module's status, best score and
		// certificates are the quiz's alone.
		if err := tx.Commit(); err != nil {
			return Attempt{}, wrapWrite("finish attempt", err)
		}
		return s.Attempt(ctx, attemptID)
	}
	rec, _, err := readModuleRecord(ctx, tx, learnerID, moduleID)
	if err != nil {
		return Attempt{}, wrapWrite("finish attempt", err)
	}
	rec = rec.WithAttempt(score, now)
	rec.Updated = now
	if err := writeModuleRecord(ctx, tx, learnerID, moduleID, rec); err != nil {
		return Attempt{}, wrapWrite("finish attempt", err)
	}
	if err := tx.Commit(); err != nil {
		return Attempt{}, wrapWrite("finish attempt", err)
	}
	return s.Attempt(ctx, attemptID)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// attemptCredits reads the credits of an attempt's complete answers.
func attemptCredits(ctx context.Context, q querier, attemptID int64) ([]AnswerCredit, error) {
	rows, err := q.QueryContext(ctx, `SELECT coalesce(correct, 0), score FROM answers WHERE attempt_id = ? AND complete = 1`, attemptID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AnswerCredit
	for rows.Next() {
		var correct bool
		var score sql.NullFloat64
		if err := rows.Scan(&correct, &score); err != nil {
			return nil, err
		}
		var sp *float64
		if score.Valid {
			sp = &score.Float64
		}
		out = append(out, CreditOf(correct, sp))
	}
	return out, rows.Err()
}

// readModuleRecord reads a learner's module_status row; ok is false when there is none.
func readModuleRecord(ctx context.Context, q querier, learnerID int64, moduleID string) (rec ModuleRecord, ok bool, err error) {
	var best, passed sql.NullInt64
	err = q.QueryRowContext(ctx, `SELECT status, best_percent, passed_at, updated_at FROM module_status WHERE learner_id = ? AND module_id = ?`,
		learnerID, moduleID).Scan(&rec.Status, &best, &passed, &rec.Updated)
	if errors.Is(err, sql.ErrNoRows) {
		return ModuleRecord{}, false, nil
	}
	if err != nil {
		return ModuleRecord{}, false, err
	}
	rec.Best, rec.HasBest, rec.PassedAt = int(best.Int64), best.Valid, passed.Int64
	return rec, true, nil
}

// writeModuleRecord stores a learner's module_status row.
func writeModuleRecord(ctx context.Context, q querier, learnerID int64, moduleID string, rec ModuleRecord) error {
	_, err := q.ExecContext(ctx, `INSERT INTO module_status (learner_id, module_id, status, best_percent, passed_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (learner_id, module_id) DO UPDATE SET status = excluded.status, best_percent = excluded.best_percent,
			passed_at = excluded.passed_at, updated_at = excluded.updated_at`,
		learnerID, moduleID, rec.Status, rec.nullBest(), rec.nullPassed(), rec.Updated)
	return err
}

func (r ModuleRecord) nullBest() any {
	if !r.HasBest {
		return nil
	}
	return r.Best
}

func (r ModuleRecord) nullPassed() any {
	if r.PassedAt == 0 || r.Status != ModulePassed {
		return nil
	}
	return r.PassedAt
}

// ModuleSummary is what the catalog shows of a learner's module.
type ModuleSummary struct {
	ModuleID       string
	Status         ModuleStatus
	BestPercent    int
	HasScore       bool
	PassedAt       time.Time
	LessonsDone    int
	TimeSpent      time.Duration // reading and answering
	AttemptPending bool          // an attempt is open
}

// Summaries returns the learner's summary for every module they have started. A
// pre-test is not part of it: it measures what the learner knew before the module.
func (s *Store) Summaries(ctx context.Context, learnerID int64) (map[string]ModuleSummary, error) {
	out := map[string]ModuleSummary{}
	rows, err := s.read.QueryContext(ctx, `SELECT module_id, status, best_percent, passed_at FROM module_status WHERE learner_id = ?`, learnerID)
	if err != nil {
		return nil, fmt.Errorf("read module status: %w", err)
	}
	for rows.Next() {
		var m ModuleSummary
		var best, passed sql.NullInt64
		if err := rows.Scan(&m.ModuleID, &m.Status, &best, &passed); err != nil {
			rows.Close()
			return nil, err
		}
		m.BestPercent, m.HasScore, m.PassedAt = int(best.Int64), best.Valid, fromMillis(passed)
		out[m.ModuleID] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = s.read.QueryContext(ctx, `SELECT module_id, sum(ms), sum(done), sum(pending) FROM (
			SELECT module_id, time_spent_ms AS ms, completed_at IS NOT NULL AS done, 0 AS pending
				FROM lesson_progress WHERE learner_id = ?
			UNION ALL
			SELECT a.module_id, coalesce((SELECT sum(time_ms) FROM answers WHERE attempt_id = a.id), 0), 0, a.status = 'open'
				FROM attempts a WHERE a.learner_id = ? AND a.kind != 'pretest')
		GROUP BY module_id`, learnerID, learnerID)
	if err != nil {
		return nil, fmt.Errorf("read time spent: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var ms, done, pending int64
		if err := rows.Scan(&id, &ms, &done, &pending); err != nil {
			return nil, err
		}
		m := out[id]
		m.ModuleID, m.TimeSpent, m.LessonsDone, m.AttemptPending = id, time.Duration(ms)*time.Millisecond, int(done), pending > 0
		out[id] = m
	}
	return out, rows.Err()
}
