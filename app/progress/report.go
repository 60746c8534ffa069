package progress

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
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
	Modules []string  // module ids, in the order of the report
	Cohort  string    // only this cohort; "" for every learner
	Role    string    // only this role; "" for every role
	Since   time.Time // only learners last active at or after this time; zero for all
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
func (q CompletionQuery) where() (string, []any) {
	conds := []string{"1"}
	var args []any
	if q.Cohort != "" {
		conds, args = append(conds, "l.cohort = ?"), append(args, q.Cohort)
	}
	if q.Role != "" {
		conds, args = append(conds, "l.role = ?"), append(args, q.Role)
	}
	if !q.Since.IsZero() {
		conds, args = append(conds, "l.last_active_at >= ?"), append(args, q.Since.UnixMilli())
	}
	return strings.Join(conds, " AND "), args
}

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

// collation is the name of the SQL collation that orders names alphabetically.
const collation = "indicia_alpha"

// completionChunk is how many learners EachCompletion reads the modules of at once.
const completionChunk = 500

// completionFacts is the SQL that reads what the report says of a chunk of learners (?1,
// a JSON array of ids): each learner's status per module (kind 0), finished attempts per
// module (kind 1), and time spent reading lessons and answering questions (kind 2); a
// pre-test, which measures what the learner knew before, counts in none of them. Each
// table is read once per chunk along its index on the learner, which is far cheaper than
// asking, for every learner and module, three correlated questions. Modules the report
// does not cover are skipped as the rows are read: a filter on the module here would make
// SQLite look up every learner and module pair instead of reading each learner's range.
const completionFacts = `WITH ids(id) AS (SELECT value FROM json_each(?1))
SELECT 0, ms.learner_id, ms.module_id, ms.status, ms.best_percent, ms.passed_at
	FROM module_status ms WHERE ms.learner_id IN ids
UNION ALL
SELECT 1, a.learner_id, a.module_id, NULL, count(*), NULL
	FROM attempts a WHERE a.learner_id IN ids AND a.status = 'finished' AND a.kind != 'pretest'
	GROUP BY a.learner_id, a.module_id
UNION ALL
SELECT 2, p.learner_id, p.module_id, NULL, sum(p.time_spent_ms), NULL
	FROM lesson_progress p WHERE p.learner_id IN ids
	GROUP BY p.learner_id, p.module_id
UNION ALL
SELECT 2, a.learner_id, a.module_id, NULL, sum(w.time_ms), NULL
	FROM attempts a JOIN answers w ON w.attempt_id = a.id
	WHERE a.learner_id IN ids AND a.kind != 'pretest'
	GROUP BY a.learner_id, a.module_id`

// EachCompletion calls fn with one row per learner and module the query selects: learners by
// cohort, then alphabetically by name, and for each the modules in the query's order. The
// rows are read in one consistent snapshot and streamed: the learners are read in chunks
// of a few hundred, and only one chunk's rows are held at a time, however many learners
// there are. fn must not keep the row's address; an error from fn stops the reading and
// is returned.
func (s *Store) EachCompletion(ctx context.Context, q CompletionQuery, fn func(*CompletionRow) error) error {
	if err := q.validate(); err != nil {
		return err
	}
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return fmt.Errorf("read completion: %w", err)
	}
	defer conn.Close()
	tag := language.Und
	if q.Lang != "" {
		tag = language.Make(q.Lang)
	}
	// The collation belongs to the connection, which goes back to the pool afterwards;
	// registering it again on the next report replaces it.
	col := collate.New(tag)
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		return c.RegisterCollation(collation, col.CompareString)
	})
	if err != nil {
		return fmt.Errorf("read completion: %w", err)
	}
	// A read transaction: the learners and their modules come from the same snapshot even
	// while the app records answers.
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("read completion: %w", err)
	}
	defer tx.Rollback()
	facts, err := tx.PrepareContext(ctx, completionFacts)
	if err != nil {
		return fmt.Errorf("read completion: %w", err)
	}
	defer facts.Close()
	where, args := q.where()
	learners, err := tx.QueryContext(ctx, `SELECT `+learnerColumns+` FROM learners l WHERE `+where+`
		ORDER BY l.cohort COLLATE `+collation+`, l.name COLLATE `+collation+`, l.id`, args...)
	if err != nil {
		return fmt.Errorf("read completion: %w", err)
	}
	defer learners.Close()
	c := newChunkRows(q.Modules)
	// The chunk queries run without the cancellation, which the driver would watch with a
	// goroutine per query; ctx is checked between chunks instead.
	quiet := context.WithoutCancel(ctx)
	for more := true; more; {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.reset()
		for len(c.learners) < completionChunk {
			if more = learners.Next(); !more {
				break
			}
			l, err := scanLearner(learners)
			if err != nil {
				return fmt.Errorf("read completion: %w", err)
			}
			c.add(l)
		}
		if len(c.learners) == 0 {
			break
		}
		if err := c.read(quiet, facts); err != nil {
			return err
		}
		if err := c.each(fn); err != nil {
			return err
		}
	}
	if err := learners.Err(); err != nil {
		return fmt.Errorf("read completion: %w", err)
	}
	return nil
}

// chunkRows holds the rows of a chunk of learners while they are read and sent.
type chunkRows struct {
	modules  []string
	moduleAt map[string]int
	learners []Learner
	at       map[int64]int // learner id → index in learners
	rows     []CompletionRow
}

func newChunkRows(mods []string) *chunkRows {
	c := &chunkRows{modules: mods, moduleAt: make(map[string]int, len(mods)),
		at: make(map[int64]int, completionChunk)}
	for i, id := range mods {
		c.moduleAt[id] = i
	}
	return c
}

func (c *chunkRows) reset() {
	c.learners = c.learners[:0]
	clear(c.at)
}

func (c *chunkRows) add(l Learner) {
	c.at[l.ID] = len(c.learners)
	c.learners = append(c.learners, l)
}

// read fills the chunk's rows from the store.
func (c *chunkRows) read(ctx context.Context, facts *sql.Stmt) error {
	n := len(c.learners) * len(c.modules)
	c.rows = slices.Grow(c.rows[:0], n)[:n]
	ids := make([]int64, len(c.learners))
	for i, l := range c.learners {
		ids[i] = l.ID
		for j, m := range c.modules {
			c.rows[i*len(c.modules)+j] = CompletionRow{Learner: l, ModuleID: m, Status: CompletionNotStarted}
		}
	}
	idsJSON, _ := json.Marshal(ids)
	rows, err := facts.QueryContext(ctx, string(idsJSON))
	if err != nil {
		return fmt.Errorf("read completion: %w", err)
	}
	defer rows.Close()
	var kind int
	var learner int64
	var module string
	var status sql.NullString
	var value, passed sql.NullInt64
	for rows.Next() {
		if err := rows.Scan(&kind, &learner, &module, &status, &value, &passed); err != nil {
			return fmt.Errorf("read completion: %w", err)
		}
		mi, ok := c.moduleAt[module]
		if !ok {
			continue // a module the report does not cover
		}
		li, ok := c.at[learner]
		if !ok {
			return fmt.Errorf("read completion: unexpected row for learner %d", learner)
		}
		r := &c.rows[li*len(c.modules)+mi]
		switch kind {
		case 0:
			r.Status = CompletionStatus(status.String)
			r.BestPercent, r.HasScore, r.PassedAt = int(value.Int64), value.Valid, fromMillis(passed)
		case 1:
			r.Attempts = int(value.Int64)
		case 2:
			r.TimeSpent += time.Duration(value.Int64) * time.Millisecond
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read completion: %w", err)
	}
	return nil
}

// each sends the chunk's rows to fn, learner by learner, each learner's modules in the
// query's order.
func (c *chunkRows) each(fn func(*CompletionRow) error) error {
	for i := range c.rows {
		if err := fn(&c.rows[i]); err != nil {
			return err
		}
	}
	return nil
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
