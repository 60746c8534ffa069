package progress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// PretestState is where a learner stands with a module's pre-test.
type PretestState string

// The pre-test states.
const (
	// PretestOffered: the learner never opened the module (no status, no pre-test): the
	// pre-test is offered before the lessons.
	PretestOffered PretestState = "offered"
	// PretestOpen: a pre-test is under way; it resumes where it was left.
	PretestOpen PretestState = "open"
	// PretestDone: taken, skipped or given up; or the module was begun without one
	// (before pre-tests existed). It is not offered again.
	PretestDone PretestState = "done"
)

// Pretest tells whether the learner is to be offered the module's pre-test, has one
// under way (returned with its answers), or is done with it. A learner is offered it
// once, on first opening the module, before its lessons.
func (s *Store) Pretest(ctx context.Context, learnerID int64, moduleID string) (PretestState, Attempt, []Answer, error) {
	a, err := scanAttempt(s.read.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM attempts
		WHERE learner_id = ? AND module_id = ? AND status = 'open' AND kind = 'pretest'`, learnerID, moduleID))
	switch {
	case err == nil:
		answers, err := s.Answers(ctx, a.ID)
		if err != nil {
			return "", Attempt{}, nil, err
		}
		return PretestOpen, a, answers, nil
	case !errors.Is(err, sql.ErrNoRows):
		return "", Attempt{}, nil, fmt.Errorf("read pre-test: %w", err)
	}
	var seen bool
	err = s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM attempts WHERE learner_id = ?1 AND module_id = ?2)
		OR EXISTS (SELECT 1 FROM module_status WHERE learner_id = ?1 AND module_id = ?2)
		OR EXISTS (SELECT 1 FROM lesson_progress WHERE learner_id = ?1 AND module_id = ?2)`, learnerID, moduleID).Scan(&seen)
	if err != nil {
		return "", Attempt{}, nil, fmt.Errorf("read pre-test: %w", err)
	}
	if seen {
		return PretestDone, Attempt{}, nil, nil
	}
	return PretestOffered, Attempt{}, nil, nil
}

// SkipPretest records that the learner chose not to take the module's pre-test: an
// attempt of kind pretest with status skipped, no questions and no answers (never a
// score of zero). A pre-test under way is given up (abandoned, its answers kept) in the
// same transaction.
func (s *Store) SkipPretest(ctx context.Context, learnerID int64, moduleID, contentVersion, lang string) (Attempt, error) {
	now := s.millis()
	uid, err := newUID()
	if err != nil {
		return Attempt{}, err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return Attempt{}, wrapWrite("skip pre-test", err)
	}
	defer tx.Rollback()
	var kind AttemptKind
	err = tx.QueryRowContext(ctx, `SELECT kind FROM attempts WHERE learner_id = ? AND module_id = ? AND status = 'open'`,
		learnerID, moduleID).Scan(&kind)
	switch {
	case err == nil && kind != KindPretest:
		return Attempt{}, fmt.Errorf("%w: a %s is under way, not a pre-test", ErrInvalid, kind)
	case err == nil:
		if _, err := tx.ExecContext(ctx, `UPDATE attempts SET status = 'abandoned', finished_at = ?
			WHERE learner_id = ? AND module_id = ? AND status = 'open'`, now, learnerID, moduleID); err != nil {
			return Attempt{}, wrapWrite("skip pre-test", err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return Attempt{}, wrapWrite("skip pre-test", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO attempts (uid, learner_id, module_id, content_version, language, plan, pass_mark,
			total, status, kind, started_at, finished_at)
		VALUES (?, ?, ?, ?, ?, '[]', 0, 0, ?, ?, ?, ?)`, uid, learnerID, moduleID, contentVersion, lang, AttemptSkipped, KindPretest, now, now)
	if err != nil {
		return Attempt{}, wrapWrite("skip pre-test", err)
	}
	if err := tx.Commit(); err != nil {
		return Attempt{}, wrapWrite("skip pre-test", err)
	}
	id, _ := res.LastInsertId()
	return s.Attempt(ctx, id)
}

// MeasuredItems are the questions a learner was already asked in a module's
// measurements, which the next draw keeps apart (quiz.Prior).
type MeasuredItems struct {
	// Pretest holds the questions of every pre-test the learner began at the module.
	Pretest []string
	// FirstQuiz holds the questions of the learner's first finished quiz there.
	FirstQuiz []string
}

// MeasuredItems reads the questions of the learner's pre-tests and first finished quiz
// at a module.
func (s *Store) MeasuredItems(ctx context.Context, learnerID int64, moduleID string) (MeasuredItems, error) {
	var out MeasuredItems
	rows, err := s.read.QueryContext(ctx, `SELECT `+attemptColumns+` FROM attempts
		WHERE learner_id = ? AND module_id = ? AND (kind = 'pretest' AND status != 'skipped' OR kind = 'quiz' AND status = 'finished')
		ORDER BY finished_at, id`, learnerID, moduleID)
	if err != nil {
		return out, fmt.Errorf("read measured items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			return out, err
		}
		switch {
		case a.Kind == KindPretest:
			for _, d := range a.Plan {
				out.Pretest = append(out.Pretest, d.QuestionID)
			}
		case out.FirstQuiz == nil: // the first finished quiz: they come in order
			out.FirstQuiz = make([]string, 0, len(a.Plan))
			for _, d := range a.Plan {
				out.FirstQuiz = append(out.FirstQuiz, d.QuestionID)
			}
		}
	}
	return out, rows.Err()
}
