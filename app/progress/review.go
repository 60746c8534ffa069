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

// DefaultRefresherDays is how long a pass holds before a refresher falls due when the
// trainer set nothing for the module: about six months.
const DefaultRefresherDays = 182

// OverdueAfter is how long after a refresher fell due it counts as overdue.
const OverdueAfter = 30 * 24 * time.Hour

// updateCard schedules the learner's review card for a question after an answer, in the
// caller's transaction, so the answer and its schedule are stored together.
func updateCard(ctx context.Context, tx *sql.Tx, learnerID int64, moduleID, questionID, indicator string, correct bool, confidence quiz.Confidence, now time.Time) error {
	var c quiz.Card
	var last, due int64
	var lastCorrect, priority bool
	err := tx.QueryRowContext(ctx, `SELECT stability, difficulty, reps, lapses, last_review, due, last_correct, priority
		FROM review_cards WHERE learner_id = ? AND module_id = ? AND question_id = ?`, learnerID, moduleID, questionID).
		Scan(&c.Stability, &c.Difficulty, &c.Reps, &c.Lapses, &last, &due, &lastCorrect, &priority)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err == nil {
		c.LastReview, c.Due, c.Priority = time.UnixMilli(last), time.UnixMilli(due), priority
	}
	next := c.Review(quiz.RatingFor(correct, confidence), confidence, now)
	_, err = tx.ExecContext(ctx, `INSERT INTO review_cards (learner_id, module_id, question_id, indicator, stability, difficulty,
			reps, lapses, last_correct, priority, last_review, due)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (learner_id, module_id, question_id) DO UPDATE SET
			indicator = excluded.indicator, stability = excluded.stability, difficulty = excluded.difficulty,
			reps = excluded.reps, lapses = excluded.lapses, last_correct = excluded.last_correct,
			priority = excluded.priority, last_review = excluded.last_review, due = excluded.due`,
		learnerID, moduleID, questionID, indicator, next.Stability, next.Difficulty, next.Reps, next.Lapses,
		correct, next.Priority, next.LastReview.UnixMilli(), next.Due.UnixMilli())
	return err
}

// ReviewAnswer is one answer given in a review session.
type ReviewAnswer struct {
	ModuleID   string
	QuestionID string
	Indicator  string
	Response   quiz.Response
	Correct    bool
	Confidence quiz.Confidence
	Time       time.Duration
}

// RecordReview commits a review answer and reschedules its card, together.
func (s *Store) RecordReview(ctx context.Context, learnerID int64, a ReviewAnswer) error {
	resp, err := json.Marshal(a.Response)
	if err != nil {
		return err
	}
	now := s.now()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("record review", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO review_answers (learner_id, module_id, question_id, response, correct, confidence, time_ms, answered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, learnerID, a.ModuleID, a.QuestionID, string(resp), a.Correct, confidenceValue(a.Confidence),
		max(a.Time.Milliseconds(), 0), now.UnixMilli()); err != nil {
		return wrapWrite("record review", err)
	}
	if err := updateCard(ctx, tx, learnerID, a.ModuleID, a.QuestionID, a.Indicator, a.Correct, a.Confidence, now); err != nil {
		return wrapWrite("record review", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE learners SET last_active_at = ? WHERE id = ?`, now.UnixMilli(), learnerID); err != nil {
		return wrapWrite("record review", err)
	}
	return wrapWrite("record review", tx.Commit())
}

func confidenceValue(c quiz.Confidence) any {
	if c < quiz.Guessing || c > quiz.Sure {
		return nil
	}
	return int(c)
}

// DueCard is a question due for review.
type DueCard struct {
	ModuleID   string
	QuestionID string
	Priority   bool
	Due        time.Time
}

// DueCards lists the learner's questions due at now, confident mistakes first, then the
// longest overdue; at most limit of them.
func (s *Store) DueCards(ctx context.Context, learnerID int64, now time.Time, limit int) ([]DueCard, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT module_id, question_id, priority, due FROM review_cards
		WHERE learner_id = ? AND due <= ? ORDER BY priority DESC, due, module_id, question_id LIMIT ?`, learnerID, now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("read due reviews: %w", err)
	}
	defer rows.Close()
	var out []DueCard
	for rows.Next() {
		var d DueCard
		var due int64
		if err := rows.Scan(&d.ModuleID, &d.QuestionID, &d.Priority, &due); err != nil {
			return nil, err
		}
		d.Due = time.UnixMilli(due)
		out = append(out, d)
	}
	return out, rows.Err()
}

// CountDue is the number of the learner's questions due at now.
func (s *Store) CountDue(ctx context.Context, learnerID int64, now time.Time) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM review_cards WHERE learner_id = ? AND due <= ?`, learnerID, now.UnixMilli()).Scan(&n)
	return n, err
}

// QuestionMastery counts, for one question of one module, the review cards at each
// mastery level: one card for a learner, one per learner for a cohort. The content
// says which warning signs each question exercises, so the screens add these up per
// indicator; the store knows questions, not the catalogue.
type QuestionMastery struct {
	ModuleID   string
	QuestionID string
	Mastered   int
	Learning   int
	Missing    int
	// Priority counts confident mistakes not yet put right.
	Priority int
}

// Mastery is the learner's mastery of every question they have been asked.
func (s *Store) Mastery(ctx context.Context, learnerID int64) ([]QuestionMastery, error) {
	return s.mastery(ctx, `learner_id = ?`, learnerID)
}

// CohortMastery is the same over every learner of a cohort ("" for learners without one).
func (s *Store) CohortMastery(ctx context.Context, cohort string) ([]QuestionMastery, error) {
	return s.mastery(ctx, `learner_id IN (SELECT id FROM learners WHERE cohort = ?)`, cohort)
}

func (s *Store) mastery(ctx context.Context, where string, arg any) ([]QuestionMastery, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT module_id, question_id,
			sum(last_correct = 1 AND stability >= 21), sum(last_correct = 1 AND stability < 21),
			sum(last_correct = 0), sum(priority)
		FROM review_cards WHERE `+where+`
		GROUP BY module_id, question_id ORDER BY module_id, question_id`, arg)
	if err != nil {
		return nil, fmt.Errorf("read mastery: %w", err)
	}
	defer rows.Close()
	var out []QuestionMastery
	for rows.Next() {
		var m QuestionMastery
		if err := rows.Scan(&m.ModuleID, &m.QuestionID, &m.Mastered, &m.Learning, &m.Missing, &m.Priority); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// RefresherDays is the refresher period of each module the trainer has set.
func (s *Store) RefresherDays(ctx context.Context) (map[string]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT module_id, refresher_days FROM module_settings`)
	if err != nil {
		return nil, fmt.Errorf("read refresher periods: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var days int
		if err := rows.Scan(&id, &days); err != nil {
			return nil, err
		}
		out[id] = days
	}
	return out, rows.Err()
}

// SetRefresherDays sets how many days a pass of the module holds.
func (s *Store) SetRefresherDays(ctx context.Context, moduleID string, days int) error {
	if days < 1 || days > 3650 {
		return fmt.Errorf("%w: a refresher period is 1 to 3650 days", ErrInvalid)
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO module_settings (module_id, refresher_days) VALUES (?, ?)
		ON CONFLICT (module_id) DO UPDATE SET refresher_days = excluded.refresher_days`, moduleID, days)
	return wrapWrite("set refresher period", err)
}

// Refresher states of a passed module.
const (
	RefresherNone    = ""        // not passed, or the pass still holds
	RefresherDue     = "due"     // the pass has expired: a refresher quiz is due
	RefresherOverdue = "overdue" // due for more than OverdueAfter
)

// RefresherState tells whether a module passed at passedAt needs its refresher at now.
func RefresherState(passedAt time.Time, days int, now time.Time) (state string, due time.Time) {
	if passedAt.IsZero() {
		return RefresherNone, time.Time{}
	}
	if days <= 0 {
		days = DefaultRefresherDays
	}
	due = passedAt.AddDate(0, 0, days)
	switch {
	case !now.Before(due.Add(OverdueAfter)):
		return RefresherOverdue, due
	case !now.Before(due):
		return RefresherDue, due
	}
	return RefresherNone, due
}
