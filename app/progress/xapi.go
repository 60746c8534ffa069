package progress

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// History is everything the learners of this database did, read in one transaction:
// what xAPI statements are built from.
type History struct {
	Learners []Learner      // by id
	Lessons  []LessonRecord // by learner, module, lesson
	Attempts []AttemptRecord
	Reviews  []ReviewRecord // answers given in review sessions, oldest first
}

// ReviewRecord is one answer given in a review session.
type ReviewRecord struct {
	UID       string // stable across machines
	LearnerID int64
	ReviewAnswer
	AnsweredAt time.Time
}

// LessonRecord is one learner's progress row in one lesson.
type LessonRecord struct {
	LearnerID   int64
	ModuleID    string
	LessonID    string
	Position    int
	TimeSpent   time.Duration
	CompletedAt time.Time // zero while not completed
	UpdatedAt   time.Time // the last time the learner was in the lesson
}

// AttemptRecord is one quiz attempt with every stored answer, complete or not, in
// question order.
type AttemptRecord struct {
	Attempt
	Answers []Answer
}

// History reads every learner, lesson progress row, attempt and answer.
func (s *Store) History(ctx context.Context) (History, error) {
	var h History
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return h, fmt.Errorf("read history: %w", err)
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT `+learnerColumns+` FROM learners ORDER BY id`)
	if err != nil {
		return h, fmt.Errorf("read learners: %w", err)
	}
	for rows.Next() {
		l, err := scanLearner(rows)
		if err != nil {
			rows.Close()
			return h, err
		}
		h.Learners = append(h.Learners, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return h, err
	}

	rows, err = tx.QueryContext(ctx, `SELECT learner_id, module_id, lesson_id, position, time_spent_ms, completed_at, updated_at
		FROM lesson_progress ORDER BY learner_id, module_id, lesson_id`)
	if err != nil {
		return h, fmt.Errorf("read lesson progress: %w", err)
	}
	for rows.Next() {
		var r LessonRecord
		var ms, updated int64
		var completed sql.NullInt64
		if err := rows.Scan(&r.LearnerID, &r.ModuleID, &r.LessonID, &r.Position, &ms, &completed, &updated); err != nil {
			rows.Close()
			return h, err
		}
		r.TimeSpent, r.CompletedAt, r.UpdatedAt = time.Duration(ms)*time.Millisecond, fromMillis(completed), time.UnixMilli(updated)
		h.Lessons = append(h.Lessons, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return h, err
	}

	rows, err = tx.QueryContext(ctx, `SELECT `+attemptColumns+` FROM attempts ORDER BY id`)
	if err != nil {
		return h, fmt.Errorf("read attempts: %w", err)
	}
	byID := map[int64]int{}
	for rows.Next() {
		a, err := scanAttempt(rows)
		if err != nil {
			rows.Close()
			return h, err
		}
		byID[a.ID] = len(h.Attempts)
		h.Attempts = append(h.Attempts, AttemptRecord{Attempt: a})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return h, err
	}

	rows, err = tx.QueryContext(ctx, `SELECT attempt_id, position, question_id, response, complete, coalesce(correct, 0), time_ms, answered_at,
			coalesce(confidence, 0), score
		FROM answers ORDER BY attempt_id, position`)
	if err != nil {
		return h, fmt.Errorf("read answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Answer
		var attemptID, ms, at int64
		var resp string
		var score sql.NullFloat64
		if err := rows.Scan(&attemptID, &a.Position, &a.QuestionID, &resp, &a.Complete, &a.Correct, &ms, &at, &a.Confidence, &score); err != nil {
			return h, err
		}
		if score.Valid {
			a.Score = &score.Float64 // partial credit: the statement's score
		}
		if err := json.Unmarshal([]byte(resp), &a.Response); err != nil {
			return h, fmt.Errorf("answer %d of attempt %d: %w", a.Position, attemptID, ErrCorrupt)
		}
		a.Time, a.AnsweredAt = time.Duration(ms)*time.Millisecond, time.UnixMilli(at)
		i, ok := byID[attemptID]
		if !ok {
			continue // cannot happen with foreign keys on
		}
		h.Attempts[i].Answers = append(h.Attempts[i].Answers, a)
	}
	if err := rows.Err(); err != nil {
		return h, err
	}
	rows.Close()

	rows, err = tx.QueryContext(ctx, `SELECT uid, learner_id, module_id, question_id, response, correct, coalesce(confidence, 0),
			time_ms, answered_at
		FROM review_answers ORDER BY answered_at, id`)
	if err != nil {
		return h, fmt.Errorf("read review answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ReviewRecord
		var resp string
		var ms, at int64
		if err := rows.Scan(&r.UID, &r.LearnerID, &r.ModuleID, &r.QuestionID, &resp, &r.Correct, &r.Confidence, &ms, &at); err != nil {
			return h, err
		}
		if err := json.Unmarshal([]byte(resp), &r.Response); err != nil {
			return h, fmt.Errorf("review answer %s: %w", r.UID, ErrCorrupt)
		}
		r.Time, r.AnsweredAt = time.Duration(ms)*time.Millisecond, time.UnixMilli(at)
		h.Reviews = append(h.Reviews, r)
	}
	return h, rows.Err()
}
