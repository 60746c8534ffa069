package progress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// "Did it reach the workplace?": when a refresher falls due, a learner may say whether,
// since the training, they met a situation with one of the signs, alerted someone, and
// knew whom to alert. The trainer turns the questions on (off by default); the answers
// are yes, no or prefer not to say, never free text, and trainers see them only as
// totals of a cohort of at least measure.MinGroup learners.

// Reply is one answer to a workplace question.
type Reply string

// The replies.
const (
	ReplyYes    Reply = "yes"
	ReplyNo     Reply = "no"
	ReplyUnsaid Reply = "unsaid" // prefer not to say
)

// Replies lists the replies in the order they are offered.
var Replies = []Reply{ReplyYes, ReplyNo, ReplyUnsaid}

func (r Reply) valid() bool { return r == ReplyYes || r == ReplyNo || r == ReplyUnsaid }

// WorkplaceAnswer is what a learner said about one module when its refresher fell due.
type WorkplaceAnswer struct {
	MetSign  Reply // met a situation with one of the signs since the training
	Alerted  Reply // alerted someone
	KnewWhom Reply // knew whom to alert
}

// settingWorkplace is the settings key of the trainer's choice to ask the questions.
const settingWorkplace = "workplace.questions"

// WorkplaceQuestions tells whether the trainer turned the workplace questions on.
func (s *Store) WorkplaceQuestions(ctx context.Context) (bool, error) {
	var on bool
	if _, err := s.setting(ctx, s.read, settingWorkplace, &on); err != nil {
		return false, fmt.Errorf("read settings: %w", err)
	}
	return on, nil
}

// SetWorkplaceQuestions turns the workplace questions on or off.
func (s *Store) SetWorkplaceQuestions(ctx context.Context, on bool) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("save settings", err)
	}
	defer tx.Rollback()
	if err := putSetting(ctx, tx, settingWorkplace, on); err != nil {
		return wrapWrite("save settings", err)
	}
	return wrapWrite("save settings", tx.Commit())
}

// WorkplaceDue tells whether the learner is to be asked the workplace questions about a
// module now: the trainer turned them on, the module's refresher has fallen due (dueAt
// is the day it did), and the learner has not answered for this refresher yet.
func (s *Store) WorkplaceDue(ctx context.Context, learnerID int64, moduleID string, now time.Time) (due bool, dueAt time.Time, err error) {
	on, err := s.WorkplaceQuestions(ctx)
	if err != nil || !on {
		return false, time.Time{}, err
	}
	var passed sql.NullInt64
	err = s.read.QueryRowContext(ctx, `SELECT passed_at FROM module_status WHERE learner_id = ? AND module_id = ? AND status = 'passed'`,
		learnerID, moduleID).Scan(&passed)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !passed.Valid {
		return false, time.Time{}, nil
	}
	if err != nil {
		return false, time.Time{}, fmt.Errorf("read module status: %w", err)
	}
	days, err := s.RefresherDays(ctx)
	if err != nil {
		return false, time.Time{}, err
	}
	state, dueAt := RefresherState(time.UnixMilli(passed.Int64), days[moduleID], now)
	if state == RefresherNone {
		return false, time.Time{}, nil
	}
	var answered bool
	err = s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM workplace_answers WHERE learner_id = ? AND module_id = ? AND due_at = ?)`,
		learnerID, moduleID, dueAt.UnixMilli()).Scan(&answered)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("read workplace answers: %w", err)
	}
	return !answered, dueAt, nil
}

// RecordWorkplace stores a learner's answers about a module for the refresher that fell
// due at dueAt (WorkplaceDue). Answering twice for the same refresher keeps the first.
func (s *Store) RecordWorkplace(ctx context.Context, learnerID int64, moduleID string, dueAt time.Time, a WorkplaceAnswer) error {
	if !a.MetSign.valid() || !a.Alerted.valid() || !a.KnewWhom.valid() {
		return fmt.Errorf("%w: a workplace answer is yes, no or prefer not to say", ErrInvalid)
	}
	uid, err := newUID()
	if err != nil {
		return err
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO workplace_answers (uid, learner_id, module_id, due_at, answered_at, met_sign, alerted, knew_whom)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (learner_id, module_id, due_at) DO NOTHING`,
		uid, learnerID, moduleID, dueAt.UnixMilli(), s.millis(), a.MetSign, a.Alerted, a.KnewWhom)
	return wrapWrite("record workplace answers", err)
}
