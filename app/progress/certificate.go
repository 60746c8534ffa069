package progress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrNotPassed is returned when a certificate is asked for a module the learner has not
// passed.
var ErrNotPassed = errors.New("the learner has not passed this module")

// Completion is what a certificate of completion rests on: a learner's pass of a module.
type Completion struct {
	Learner     Learner
	ModuleID    string
	BestPercent int
	// PassedAt is when the learner last passed the module (module_status.passed_at).
	PassedAt time.Time
	// ContentVersion is the content version of the learner's last passed attempt; empty
	// when no passed attempt is stored (a status recorded without its attempts).
	ContentVersion string
}

// Completion returns the learner's pass of a module. It fails with ErrNotFound for an
// unknown learner and ErrNotPassed when the learner has not passed the module.
func (s *Store) Completion(ctx context.Context, learnerID int64, moduleID string) (Completion, error) {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Completion{}, fmt.Errorf("read completion: %w", err)
	}
	defer tx.Rollback()
	l, err := scanLearner(tx.QueryRowContext(ctx, `SELECT `+learnerColumns+` FROM learners WHERE id = ?`, learnerID))
	if errors.Is(err, sql.ErrNoRows) {
		return Completion{}, fmt.Errorf("learner %d: %w", learnerID, ErrNotFound)
	}
	if err != nil {
		return Completion{}, fmt.Errorf("read completion: %w", err)
	}
	c := Completion{Learner: l, ModuleID: moduleID}
	var status ModuleStatus
	var best, passed sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT status, best_percent, passed_at FROM module_status
		WHERE learner_id = ? AND module_id = ?`, learnerID, moduleID).Scan(&status, &best, &passed)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (status != ModulePassed || !passed.Valid) {
		return Completion{}, fmt.Errorf("learner %d, module %q: %w", learnerID, moduleID, ErrNotPassed)
	}
	if err != nil {
		return Completion{}, fmt.Errorf("read completion: %w", err)
	}
	c.BestPercent, c.PassedAt = int(best.Int64), fromMillis(passed)
	err = tx.QueryRowContext(ctx, `SELECT content_version FROM attempts
		WHERE learner_id = ? AND module_id = ? AND status = 'finished' AND passed = 1
		ORDER BY finished_at DESC, id DESC LIMIT 1`, learnerID, moduleID).Scan(&c.ContentVersion)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Completion{}, fmt.Errorf("read completion: %w", err)
	}
	return c, nil
}
