package progress

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Filter narrows the trainer's views. Zero values mean "all".
type Filter struct {
	Cohort   string
	NoCohort bool // only learners without a cohort
	Role     string
	Since    time.Time // last active on or after
}

func (f Filter) where(alias string) (string, []any) {
	var conds []string
	var args []any
	if f.NoCohort {
		conds = append(conds, alias+".cohort = ''")
	} else if f.Cohort != "" {
		conds = append(conds, alias+".cohort = ?")
		args = append(args, f.Cohort)
	}
	if f.Role != "" {
		conds = append(conds, alias+".role = ?")
		args = append(args, f.Role)
	}
	if !f.Since.IsZero() {
		conds = append(conds, alias+".last_active_at >= ?")
		args = append(args, f.Since.UnixMilli())
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return strings.Join(conds, " AND "), args
}

// ModuleState is a learner's standing in one module.
type ModuleState struct {
	Status      ModuleStatus
	BestPercent int
	HasScore    bool
	PassedAt    time.Time
}

// LearnerStatus is one row of the trainer's completion matrix.
type LearnerStatus struct {
	Learner
	Modules map[string]ModuleState
}

// Dashboard lists the learners the filter selects, by name, with their status in every
// module they have started.
func (s *Store) Dashboard(ctx context.Context, f Filter) ([]LearnerStatus, error) {
	where, args := f.where("l")
	rows, err := s.read.QueryContext(ctx, `SELECT l.id, l.name, l.role, l.language, l.cohort, l.pin_hash IS NOT NULL,
			l.created_at, l.last_active_at, ms.module_id, ms.status, ms.best_percent, ms.passed_at
		FROM learners l LEFT JOIN module_status ms ON ms.learner_id = l.id
		WHERE `+where+` ORDER BY l.name COLLATE NOCASE, l.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read dashboard: %w", err)
	}
	defer rows.Close()
	var out []LearnerStatus
	for rows.Next() {
		var l Learner
		var created, active int64
		var module, status sql.NullString
		var best, passed sql.NullInt64
		if err := rows.Scan(&l.ID, &l.Name, &l.Role, &l.Language, &l.Cohort, &l.HasPIN, &created, &active,
			&module, &status, &best, &passed); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != l.ID {
			l.CreatedAt, l.LastActive = time.UnixMilli(created), time.UnixMilli(active)
			out = append(out, LearnerStatus{Learner: l, Modules: map[string]ModuleState{}})
		}
		if module.Valid {
			out[len(out)-1].Modules[module.String] = ModuleState{Status: ModuleStatus(status.String), BestPercent: int(best.Int64),
				HasScore: best.Valid, PassedAt: fromMillis(passed)}
		}
	}
	return out, rows.Err()
}

// QuestionMisses counts how often a question was answered, and wrongly.
type QuestionMisses struct {
	QuestionID string
	Wrong      int
	Total      int
}

// ModuleStats is what the trainer sees of one module.
type ModuleStats struct {
	// Scores counts the learners by best score: Scores[i] for i*10 to i*10+9 %, and
	// Scores[10] for 100 %.
	Scores [11]int
	// Questions lists every question answered, the most often missed first.
	Questions []QuestionMisses
}

// ModuleStats gathers the score distribution and the missed questions of a module
// over the learners the filter selects.
func (s *Store) ModuleStats(ctx context.Context, moduleID string, f Filter) (ModuleStats, error) {
	var st ModuleStats
	where, args := f.where("l")
	rows, err := s.read.QueryContext(ctx, `SELECT ms.best_percent FROM module_status ms JOIN learners l ON l.id = ms.learner_id
		WHERE ms.module_id = ? AND ms.best_percent IS NOT NULL AND `+where, append([]any{moduleID}, args...)...)
	if err != nil {
		return st, fmt.Errorf("read scores: %w", err)
	}
	for rows.Next() {
		var p int
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return st, err
		}
		st.Scores[min(max(p, 0)/10, 10)]++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	rows, err = s.read.QueryContext(ctx, `SELECT a.question_id, sum(a.correct = 0), count(*)
		FROM answers a JOIN attempts t ON t.id = a.attempt_id JOIN learners l ON l.id = t.learner_id
		WHERE t.module_id = ? AND a.complete = 1 AND t.kind != 'pretest' AND `+where+`
		GROUP BY a.question_id ORDER BY sum(a.correct = 0) DESC, a.question_id`, append([]any{moduleID}, args...)...)
	if err != nil {
		return st, fmt.Errorf("read missed questions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var q QuestionMisses
		if err := rows.Scan(&q.QuestionID, &q.Wrong, &q.Total); err != nil {
			return st, err
		}
		st.Questions = append(st.Questions, q)
	}
	return st, rows.Err()
}

// AllModuleStats is ModuleStats for every module at once, by module id: each table is
// read once for all of them, which for thousands of learners is several times quicker
// than asking module by module. A module no one has a score or an answer in is absent.
func (s *Store) AllModuleStats(ctx context.Context, f Filter) (map[string]ModuleStats, error) {
	out := map[string]ModuleStats{}
	where, args := f.where("l")
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read module statistics: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT ms.module_id, min(max(ms.best_percent, 0) / 10, 10), count(*)
		FROM module_status ms JOIN learners l ON l.id = ms.learner_id
		WHERE ms.best_percent IS NOT NULL AND `+where+` GROUP BY 1, 2`, args...)
	if err != nil {
		return nil, fmt.Errorf("read scores: %w", err)
	}
	for rows.Next() {
		var module string
		var bucket, n int
		if err := rows.Scan(&module, &bucket, &n); err != nil {
			rows.Close()
			return nil, err
		}
		st := out[module]
		st.Scores[bucket] += n
		out[module] = st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The answers of each attempt, along the attempts' index on the learner; the learners
	// table only when a filter needs it. A pre-test's answers are what learners knew
	// before the module, not what it failed to teach: they are left out.
	query := `SELECT t.module_id, a.question_id, sum(a.correct = 0), count(*)
		FROM attempts t JOIN answers a ON a.attempt_id = t.id
		WHERE a.complete = 1 AND t.kind != 'pretest' GROUP BY 1, 2`
	if where != "1" {
		query = `SELECT t.module_id, a.question_id, sum(a.correct = 0), count(*)
		FROM learners l JOIN attempts t ON t.learner_id = l.id JOIN answers a ON a.attempt_id = t.id
		WHERE a.complete = 1 AND t.kind != 'pretest' AND ` + where + ` GROUP BY 1, 2`
	}
	rows, err = tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read missed questions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var module string
		var q QuestionMisses
		if err := rows.Scan(&module, &q.QuestionID, &q.Wrong, &q.Total); err != nil {
			return nil, err
		}
		st := out[module]
		st.Questions = append(st.Questions, q)
		out[module] = st
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for id, st := range out {
		slices.SortFunc(st.Questions, func(a, b QuestionMisses) int {
			return cmp.Or(cmp.Compare(b.Wrong, a.Wrong), strings.Compare(a.QuestionID, b.QuestionID))
		})
		out[id] = st
	}
	return out, nil
}
