package progress

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// The outbox keeps the xAPI statements to send to a Learning Record Store until the
// LRS has them. A statement is enqueued once (by its id), taken in batches while it is
// due, and marked sent, or failed and tried again later with a growing delay.

// Outbox retry delays: the first retry after OutboxBaseDelay, each next one twice as
// late, never later than OutboxMaxDelay; each delay is drawn between half and all of
// that, so that many stations that failed together do not retry together.
const (
	OutboxBaseDelay = 30 * time.Second
	OutboxMaxDelay  = 6 * time.Hour
)

// OutboxStatement is one statement for the outbox.
type OutboxStatement struct {
	ID        string          // the statement's id (a UUID)
	Statement json.RawMessage // the statement, JSON
}

// OutboxEntry is one statement in the outbox.
type OutboxEntry struct {
	ID        string
	Statement json.RawMessage
	CreatedAt time.Time
	SentAt    time.Time // zero until sent
	Attempts  int       // failed tries so far
	LastError string
	NextTryAt time.Time
}

// OutboxCounts tells how many statements the outbox holds.
type OutboxCounts struct {
	Sent    int
	Pending int // not sent yet, due or not
	Due     int // not sent yet and due now
	Failing int // not sent yet and failed at least once
}

// Enqueue adds statements to the outbox, in order, and returns how many were new.
// Enqueueing a statement whose id is already there adds nothing: a sent one is left as
// it was sent; an unsent one takes the new content (so that, for example, learners'
// names left out of the latest build are not sent from an earlier one) and keeps its
// place, tries and retry time.
func (s *Store) Enqueue(ctx context.Context, stmts []OutboxStatement) (added int, err error) {
	for _, st := range stmts {
		if strings.TrimSpace(st.ID) == "" {
			return 0, fmt.Errorf("%w: a statement without an id", ErrInvalid)
		}
		if !json.Valid(st.Statement) {
			return 0, fmt.Errorf("%w: statement %s is not JSON", ErrInvalid, st.ID)
		}
	}
	now := s.millis()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, wrapWrite("enqueue statements", err)
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO xapi_outbox (statement_id, statement, created_at)
		VALUES (?, ?, ?) ON CONFLICT (statement_id) DO NOTHING`)
	if err != nil {
		return 0, wrapWrite("enqueue statements", err)
	}
	defer ins.Close()
	upd, err := tx.PrepareContext(ctx, `UPDATE xapi_outbox SET statement = ?
		WHERE statement_id = ? AND sent_at IS NULL AND statement <> ?`)
	if err != nil {
		return 0, wrapWrite("enqueue statements", err)
	}
	defer upd.Close()
	for _, st := range stmts {
		res, err := ins.ExecContext(ctx, st.ID, string(st.Statement), now)
		if err != nil {
			return 0, wrapWrite("enqueue statements", err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			added++
			continue
		}
		if _, err := upd.ExecContext(ctx, string(st.Statement), st.ID, string(st.Statement)); err != nil {
			return 0, wrapWrite("enqueue statements", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, wrapWrite("enqueue statements", err)
	}
	return added, nil
}

// DueStatements returns up to limit unsent statements that are due now, the oldest
// first (in the order they were enqueued).
func (s *Store) DueStatements(ctx context.Context, limit int) ([]OutboxEntry, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("%w: batch size %d", ErrInvalid, limit)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+outboxColumns+` FROM xapi_outbox
		WHERE sent_at IS NULL AND next_try_at <= ? ORDER BY created_at, rowid LIMIT ?`, s.millis(), limit)
	if err != nil {
		return nil, fmt.Errorf("read the outbox: %w", err)
	}
	defer rows.Close()
	return scanOutbox(rows)
}

// OutboxEntries returns every statement in the outbox, sent or not, in the order they
// were enqueued.
func (s *Store) OutboxEntries(ctx context.Context) ([]OutboxEntry, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+outboxColumns+` FROM xapi_outbox ORDER BY created_at, rowid`)
	if err != nil {
		return nil, fmt.Errorf("read the outbox: %w", err)
	}
	defer rows.Close()
	return scanOutbox(rows)
}

const outboxColumns = `statement_id, statement, created_at, sent_at, attempts, coalesce(last_error, ''), next_try_at`

func scanOutbox(rows *sql.Rows) ([]OutboxEntry, error) {
	var out []OutboxEntry
	for rows.Next() {
		var e OutboxEntry
		var stmt string
		var created, next int64
		var sent sql.NullInt64
		if err := rows.Scan(&e.ID, &stmt, &created, &sent, &e.Attempts, &e.LastError, &next); err != nil {
			return nil, err
		}
		e.Statement = json.RawMessage(stmt)
		e.CreatedAt, e.SentAt, e.NextTryAt = time.UnixMilli(created), fromMillis(sent), time.UnixMilli(next)
		out = append(out, e)
	}
	return out, rows.Err()
}

// MarkSent records that the LRS has these statements. Marking a statement sent again
// keeps the first time.
func (s *Store) MarkSent(ctx context.Context, ids []string) error {
	now := s.millis()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("mark statements sent", err)
	}
	defer tx.Rollback()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE xapi_outbox SET sent_at = coalesce(sent_at, ?), last_error = NULL
			WHERE statement_id = ?`, now, id); err != nil {
			return wrapWrite("mark statements sent", err)
		}
	}
	return wrapWrite("mark statements sent", tx.Commit())
}

// MarkFailed records a failed try for these unsent statements: one more try, the
// reason, and when they are due again (OutboxDelay after now).
func (s *Store) MarkFailed(ctx context.Context, ids []string, reason string) error {
	now := s.now()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("mark statements failed", err)
	}
	defer tx.Rollback()
	for _, id := range ids {
		var tries int
		err := tx.QueryRowContext(ctx, `SELECT attempts FROM xapi_outbox WHERE statement_id = ? AND sent_at IS NULL`, id).Scan(&tries)
		if errors.Is(err, sql.ErrNoRows) {
			continue // sent meanwhile, or never enqueued
		}
		if err != nil {
			return wrapWrite("mark statements failed", err)
		}
		next := now.Add(OutboxDelay(tries+1, rand.Float64()))
		if _, err := tx.ExecContext(ctx, `UPDATE xapi_outbox SET attempts = attempts + 1, last_error = ?, next_try_at = ?
			WHERE statement_id = ?`, reason, next.UnixMilli(), id); err != nil {
			return wrapWrite("mark statements failed", err)
		}
	}
	return wrapWrite("mark statements failed", tx.Commit())
}

// OutboxDelay is how long to wait after the tries-th failed try (1 for the first):
// OutboxBaseDelay doubled for each earlier failure, capped at OutboxMaxDelay, then
// scaled by jitter into [half, all] of that. jitter is a number in [0, 1).
func OutboxDelay(tries int, jitter float64) time.Duration {
	d := OutboxBaseDelay
	for i := 1; i < tries && d < OutboxMaxDelay; i++ {
		d *= 2
	}
	d = min(d, OutboxMaxDelay)
	jitter = min(max(jitter, 0), 1)
	return d/2 + time.Duration(float64(d/2)*jitter)
}

// Outbox counts the statements in the outbox.
func (s *Store) Outbox(ctx context.Context) (OutboxCounts, error) {
	var c OutboxCounts
	err := s.read.QueryRowContext(ctx, `SELECT
			coalesce(sum(sent_at IS NOT NULL), 0),
			coalesce(sum(sent_at IS NULL), 0),
			coalesce(sum(sent_at IS NULL AND next_try_at <= ?), 0),
			coalesce(sum(sent_at IS NULL AND attempts > 0), 0)
		FROM xapi_outbox`, s.millis()).Scan(&c.Sent, &c.Pending, &c.Due, &c.Failing)
	if err != nil {
		return c, fmt.Errorf("count the outbox: %w", err)
	}
	return c, nil
}
