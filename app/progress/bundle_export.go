package progress

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
)

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
// module status, review card and review answer, answer to the workplace questions, and
// the xAPI outbox's statements. The
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
	for _, table := range []string{"learners", "attempts", "review_answers"} { // workplace_answers always has one
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
	err = query("workplace answers", `SELECT w.uid, l.uid, w.module_id, w.due_at, w.answered_at, w.met_sign, w.alerted, w.knew_whom
		FROM workplace_answers w JOIN learners l ON l.id = w.learner_id ORDER BY w.learner_id, w.module_id, w.due_at`, func(rows *sql.Rows) error {
		var w BundleWorkplace
		if err := rows.Scan(&w.UID, &w.Learner, &w.ModuleID, &w.DueAt, &w.AnsweredAt, &w.MetSign, &w.Alerted, &w.KnewWhom); err != nil {
			return err
		}
		b.Workplace = append(b.Workplace, w)
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
