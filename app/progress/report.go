package progress

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// CompletionStatus is where a learner stands in a module, as a completion report shows it.
type CompletionStatus string

// The completion statuses. A module the learner never opened is not started; the others
// are module_status's values.
const (
	CompletionNotStarted CompletionStatus = "not_started"
	CompletionInProgress                  = CompletionStatus(ModuleInProgress)
	CompletionPassed                      = CompletionStatus(ModulePassed)
	CompletionFailed                      = CompletionStatus(ModuleFailed)
)

// CompletionStatuses lists the statuses in the order reports show them.
var CompletionStatuses = []CompletionStatus{CompletionNotStarted, CompletionInProgress, CompletionPassed, CompletionFailed}

// CompletionQuery chooses the learners and the modules of a completion report.
type CompletionQuery struct {
	Modules []string // module ids, in the order of the report
	// Filter chooses the learners, as it does for the trainer's matrix and charts: one
	// cohort, or those without one; one role; those last active at or after a time.
	Filter
	// Lang is the language whose alphabetical order sorts the learners' names (by cohort,
	// then name); "" sorts in the root Unicode order, which suits every language here.
	Lang string
}

func (q CompletionQuery) validate() error {
	switch {
	case len(q.Modules) == 0:
		return fmt.Errorf("%w: a completion report needs at least one module", ErrInvalid)
	case q.Role != "" && !slices.Contains(roles, q.Role):
		return fmt.Errorf("%w: unknown role %q", ErrInvalid, q.Role)
	case slices.Contains(q.Modules, ""):
		return fmt.Errorf("%w: empty module id", ErrInvalid)
	}
	seen := map[string]bool{}
	for _, id := range q.Modules {
		if seen[id] {
			return fmt.Errorf("%w: module %q is listed twice", ErrInvalid, id)
		}
		seen[id] = true
	}
	return nil
}

// where is the learners filter as SQL on the learners table aliased l.
func (q CompletionQuery) where() (string, []any) { return q.Filter.where("l") }

func (q CompletionQuery) modulesJSON() string {
	b, _ := json.Marshal(q.Modules)
	return string(b)
}

// CompletionRow is one learner's standing in one module.
type CompletionRow struct {
	Learner     Learner
	ModuleID    string
	Status      CompletionStatus
	BestPercent int  // the best finished attempt's score
	HasScore    bool // false when no attempt was finished
	PassedAt    time.Time
	Attempts    int           // finished attempts
	TimeSpent   time.Duration // reading lessons and answering questions
}

// completionFacts is the SQL that reads what a completion report says of the learners
// (those that in, when not empty, selects): each learner's status per module (kind 0:
// status, best score, pass date), finished attempts and time spent answering per module
// (kind 1: count, milliseconds), and time spent reading lessons per module (kind 2:
// milliseconds). A pre-test, which measures what the learner knew before, counts in
// none of them. Each table is read once, along its index on the learner, and
// aggregated as it is read: far cheaper than asking, for every learner and module,
// three correlated questions. Modules the report does not cover are skipped as the rows
// are read.
func completionFacts(in string) string {
	only := func(alias string) string {
		if in == "" {
			return ""
		}
		return " WHERE " + alias + ".learner_id IN (" + in + ")"
	}
	andOnly := func(alias string) string {
		if in == "" {
			return ""
		}
		return " AND " + alias + ".learner_id IN (" + in + ")"
	}
	return `SELECT 0, ms.learner_id, ms.module_id, ms.status, ms.best_percent, ms.passed_at
	FROM module_status ms` + only("ms") + `
UNION ALL
SELECT 1, a.learner_id, a.module_id, NULL, sum(a.status = 'finished'),
		sum((SELECT sum(w.time_ms) FROM answers w WHERE w.attempt_id = a.id))
	FROM attempts a WHERE a.kind != 'pretest'` + andOnly("a") + `
	GROUP BY a.learner_id, a.module_id
UNION ALL
SELECT 2, p.learner_id, p.module_id, NULL, sum(p.time_spent_ms), NULL
	FROM lesson_progress p` + only("p") + `
	GROUP BY p.learner_id, p.module_id`
}

// EachCompletion calls fn with one row per learner and module the query selects: learners by
// cohort, then alphabetically by name, and for each the modules in the query's order. The
// rows are read in one consistent snapshot. The learners are held, with a compact record
// of their standing in each module (24 bytes a module: under 5 MB for 10,000 learners on
// 20 modules); each row is made as it is sent. fn must not keep the row's address; an
// error from fn stops the reading and is returned.
func (s *Store) EachCompletion(ctx context.Context, q CompletionQuery, fn func(*CompletionRow) error) error {
	if err := q.validate(); err != nil {
		return err
	}
	// A read transaction: the learners and their modules come from the same snapshot even
	// while the app records answers.
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("read completion: %w", err)
	}
	defer tx.Rollback()
	learners, err := sortedLearners(ctx, tx, q)
	if err != nil {
		return fmt.Errorf("read completion: %w", err)
	}
	st, err := readStandings(ctx, tx, q, learners)
	if err != nil {
		return fmt.Errorf("read completion: %w", err)
	}
	var row CompletionRow
	for i, l := range learners {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for j, m := range q.Modules {
			f := &st[i*len(q.Modules)+j]
			row = CompletionRow{Learner: l, ModuleID: m, Status: completionCodes[f.status], BestPercent: int(f.best), HasScore: f.hasScore,
				Attempts: int(f.attempts), TimeSpent: time.Duration(f.timeMs) * time.Millisecond}
			if f.passedMs != 0 {
				row.PassedAt = time.UnixMilli(f.passedMs)
			}
			if err := fn(&row); err != nil {
				return err
			}
		}
	}
	return nil
}

// sortedLearners reads the learners the query selects, sorted by cohort, then name in
// the alphabetical order of the query's language, then id. They are sorted here on
// collation keys, each made once per learner, rather than by SQLite calling a Go
// comparison for every pair it compares.
func sortedLearners(ctx context.Context, tx *sql.Tx, q CompletionQuery) ([]Learner, error) {
	where, args := q.where()
	rows, err := tx.QueryContext(ctx, `SELECT `+learnerColumns+` FROM learners l WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tag := language.Und
	if q.Lang != "" {
		tag = language.Make(q.Lang)
	}
	col := collate.New(tag)
	var buf collate.Buffer
	type keyed struct {
		cohort, name []byte
		l            Learner
	}
	var all []keyed
	for rows.Next() {
		l, err := scanLearner(rows)
		if err != nil {
			return nil, err
		}
		// The keys are copied out of the buffer, which is then reset to bound it.
		k := keyed{l: l}
		k.cohort = bytes.Clone(col.KeyFromString(&buf, l.Cohort))
		k.name = bytes.Clone(col.KeyFromString(&buf, l.Name))
		buf.Reset()
		all = append(all, k)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b keyed) int {
		return cmp.Or(bytes.Compare(a.cohort, b.cohort), bytes.Compare(a.name, b.name), cmp.Compare(a.l.ID, b.l.ID))
	})
	out := make([]Learner, len(all))
	for i, k := range all {
		out[i] = k.l
	}
	return out, nil
}

// standing is what a completion row says of a learner's module, held compactly while
// the report is written.
type standing struct {
	status   uint8 // an index in completionCodes
	hasScore bool
	best     int16
	attempts int32
	passedMs int64
	timeMs   int64
}

// completionCodes are the statuses a standing's status indexes.
var completionCodes = []CompletionStatus{CompletionNotStarted, CompletionInProgress, CompletionPassed, CompletionFailed}

// readStandings reads every selected learner's standing in the query's modules, in the
// order of learners and, for each, of the modules.
func readStandings(ctx context.Context, tx *sql.Tx, q CompletionQuery, learners []Learner) ([]standing, error) {
	st := make([]standing, len(learners)*len(q.Modules))
	if len(learners) == 0 {
		return st, nil
	}
	at := make(map[int64]int, len(learners))
	for i, l := range learners {
		at[l.ID] = i
	}
	moduleAt := make(map[string]int, len(q.Modules))
	for i, m := range q.Modules {
		moduleAt[m] = i
	}
	// With a filter, the tables are read for the learners it selects only.
	in, args := "", []any(nil)
	if where, wargs := q.where(); where != "1" {
		in = `SELECT l.id FROM learners l WHERE ` + where
		for range 3 {
			args = append(args, wargs...)
		}
	}
	rows, err := tx.QueryContext(ctx, completionFacts(in), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var kind int
	var learner int64
	var module string
	var status sql.RawBytes
	var value, second sql.NullInt64
	for rows.Next() {
		if err := rows.Scan(&kind, &learner, &module, &status, &value, &second); err != nil {
			return nil, err
		}
		mi, ok := moduleAt[module]
		if !ok {
			continue // a module the report does not cover
		}
		li, ok := at[learner]
		if !ok {
			continue // a learner the filter leaves out
		}
		f := &st[li*len(q.Modules)+mi]
		switch kind {
		case 0:
			f.status = uint8(max(slices.Index(completionCodes, CompletionStatus(status)), 0))
			f.best, f.hasScore, f.passedMs = int16(value.Int64), value.Valid, second.Int64
		case 1:
			f.attempts = int32(value.Int64)
			f.timeMs += second.Int64
		case 2:
			f.timeMs += value.Int64
		}
	}
	return st, rows.Err()
}

// CompletionSummary counts what a completion report holds.
type CompletionSummary struct {
	Learners int // learners the query selects
	// Modules has one entry per module of the query, in its order.
	Modules []ModuleCounts
}

// Rows is the number of rows the report has: one per learner and module.
func (c CompletionSummary) Rows() int { return c.Learners * len(c.Modules) }

// ModuleCounts counts the selected learners in each status of one module.
type ModuleCounts struct {
	ModuleID string
	Count    map[CompletionStatus]int
}

// CompletionCounts counts the learners the query selects, and for each module how many
// are in each status.
func (s *Store) CompletionCounts(ctx context.Context, q CompletionQuery) (CompletionSummary, error) {
	if err := q.validate(); err != nil {
		return CompletionSummary{}, err
	}
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return CompletionSummary{}, fmt.Errorf("count completion: %w", err)
	}
	defer tx.Rollback()
	where, args := q.where()
	var out CompletionSummary
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM learners l WHERE `+where, args...).Scan(&out.Learners); err != nil {
		return out, fmt.Errorf("count completion: %w", err)
	}
	index := map[string]int{}
	for i, id := range q.Modules {
		index[id] = i
		out.Modules = append(out.Modules, ModuleCounts{ModuleID: id, Count: map[CompletionStatus]int{}})
	}
	rows, err := tx.QueryContext(ctx, `SELECT ms.module_id, ms.status, count(*) FROM learners l
		JOIN module_status ms ON ms.learner_id = l.id
		WHERE `+where+` AND ms.module_id IN (SELECT value FROM json_each(?))
		GROUP BY ms.module_id, ms.status`, append(args, q.modulesJSON())...)
	if err != nil {
		return out, fmt.Errorf("count completion: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, status string
		var n int
		if err := rows.Scan(&id, &status, &n); err != nil {
			return out, fmt.Errorf("count completion: %w", err)
		}
		out.Modules[index[id]].Count[CompletionStatus(status)] = n
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("count completion: %w", err)
	}
	for _, m := range out.Modules {
		started := 0
		for _, n := range m.Count {
			started += n
		}
		m.Count[CompletionNotStarted] = out.Learners - started
	}
	return out, nil
}

// LearnerCount is the number of learners in the database.
func (s *Store) LearnerCount(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM learners`).Scan(&n)
	return n, err
}
