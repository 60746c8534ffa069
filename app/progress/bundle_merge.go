package progress

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MergeCount is what a merge did with one kind of record.
type MergeCount struct {
	Added   int `json:"added"`
	Updated int `json:"updated"` // already here, brought up to date from the bundle
	Skipped int `json:"skipped"` // already here as the bundle has it, or left out
}

// MergeResult is what merging a bundle added, updated and skipped, per kind.
type MergeResult struct {
	BundleID string `json:"-"`
	// AlreadyMerged is set when the same bundle was merged before (at MergedAt): nothing
	// was read from it, and everything counts as skipped.
	AlreadyMerged bool      `json:"-"`
	MergedAt      time.Time `json:"-"`
	// Erased counts the bundle's learners who were erased here: they, and every record
	// of theirs, are left out (counted as skipped).
	Erased     int        `json:"erased"`
	Learners   MergeCount `json:"learners"`
	Lessons    MergeCount `json:"lessons"`
	Attempts   MergeCount `json:"attempts"`
	Answers    MergeCount `json:"answers"`
	Statuses   MergeCount `json:"statuses"`
	Cards      MergeCount `json:"cards"`
	Reviews    MergeCount `json:"reviews"`
	Statements MergeCount `json:"statements"`
	Workplace  MergeCount `json:"workplace"`
}

// Kinds lists the counts in a fixed order, for reports.
func (r MergeResult) Kinds() []struct {
	Kind  string
	Count MergeCount
} {
	return []struct {
		Kind  string
		Count MergeCount
	}{
		{"learners", r.Learners}, {"lessons", r.Lessons}, {"attempts", r.Attempts}, {"answers", r.Answers},
		{"statuses", r.Statuses}, {"cards", r.Cards}, {"reviews", r.Reviews}, {"statements", r.Statements},
		{"workplace", r.Workplace},
	}
}

// Changed tells whether the merge added or updated anything.
func (r MergeResult) Changed() bool {
	for _, k := range r.Kinds() {
		if k.Count.Added > 0 || k.Count.Updated > 0 {
			return true
		}
	}
	return false
}

// MergeOptions tune MergeBundle.
type MergeOptions struct {
	// KeyTrusted says the bundle's signing key was named as trusted (indicia bundle merge
	// --trust). Without it, a bundle from a station whose earlier bundles were signed by
	// another key is refused (ErrStationKey).
	KeyTrusted bool
	// Progress, when not nil, is called now and then with the records done so far.
	Progress func(done, total int)
}

// ErrStationKey is returned for a bundle from a station known here under another key.
var ErrStationKey = errors.New("the station's bundles were signed with another key until now")

// StationKeyError names the station and both keys.
type StationKeyError struct {
	Station, Known, Got string
}

func (e *StationKeyError) Error() string {
	return fmt.Sprintf("station %s: its bundles were signed with key %s until now, this one with %s", e.Station, e.Known, e.Got)
}

func (e *StationKeyError) Unwrap() error { return ErrStationKey }

// MergeBundle merges a bundle into the store, all or nothing, in one transaction. The
// bundle is validated first (a *BundleError, wrapping ErrInvalid, says what is wrong and
// changes nothing). Merging is idempotent: a bundle merged before is recognised by its
// id and adds nothing; a learner, attempt or review answer already here (by uid) is not
// added again, and other records are matched by what identifies them. Records already
// here are brought up to date where the bundle knows more: an attempt finished since, a
// lesson read further, a later review card, an answer completed. Each module status the
// bundle touches is recomputed from every attempt now stored, keeping the best score and
// a pass. Learners erased here are not brought back.
func (s *Store) MergeBundle(ctx context.Context, b *Bundle, opt MergeOptions) (MergeResult, error) {
	res := MergeResult{BundleID: b.ID}
	if !IsBundleID(b.ID) {
		return res, invalid("", "the bundle id is not 64 hexadecimal digits")
	}
	// A bundle merged before is recognised by its id alone, before the work of checking
	// it again: nothing is written either way.
	var mergedAt int64
	err := s.read.QueryRowContext(ctx, `SELECT merged_at FROM merged_bundles WHERE bundle_id = ?`, b.ID).Scan(&mergedAt)
	if err == nil {
		return alreadyMerged(b, mergedAt), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return res, fmt.Errorf("merge bundle: %w", err)
	}
	if err := b.Validate(); err != nil {
		return res, err
	}
	counts := b.Counts()
	total := counts.Learners + counts.Lessons + counts.Attempts + counts.Answers + counts.Statuses + counts.Cards +
		counts.Reviews + counts.Statements + counts.Workplace
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return res, wrapWrite("merge bundle", err)
	}
	defer tx.Rollback()
	// The statements run without ctx's cancellation (the driver would watch it with a
	// goroutine per statement); ctx is checked every few hundred records instead, and a
	// cancelled merge rolls back whole.
	m := &merger{ctx: context.WithoutCancel(ctx), outer: ctx, tx: tx, b: b, res: &res, total: total, progress: opt.Progress}

	// Again inside the transaction: another merge of the same bundle may have ended
	// since the look above.
	err = tx.QueryRowContext(m.ctx, `SELECT merged_at FROM merged_bundles WHERE bundle_id = ?`, b.ID).Scan(&mergedAt)
	if err == nil {
		return alreadyMerged(b, mergedAt), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return res, wrapWrite("merge bundle", err)
	}
	if !opt.KeyTrusted {
		var known string
		err := tx.QueryRowContext(m.ctx, `SELECT key_id FROM merged_bundles WHERE station = ? AND key_id <> ?
			ORDER BY merged_at DESC LIMIT 1`, b.Station, b.KeyID).Scan(&known)
		if err == nil {
			return res, &StationKeyError{Station: b.Station, Known: known, Got: b.KeyID}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return res, wrapWrite("merge bundle", err)
		}
	}
	if _, err := s.setting(m.ctx, tx, settingStationID, &m.ownStation); err != nil {
		m.ownStation = ""
	}
	now := s.millis()
	for _, step := range []func() error{m.learners, m.lessons, m.attempts, m.statuses, m.cards, m.reviews, m.workplace, m.statements} {
		if err := step(); err != nil {
			if ctx.Err() != nil {
				return MergeResult{BundleID: b.ID}, ctx.Err()
			}
			return MergeResult{BundleID: b.ID}, wrapWrite("merge bundle", err)
		}
	}
	summary, err := json.Marshal(res)
	if err != nil {
		return MergeResult{BundleID: b.ID}, err
	}
	if _, err := tx.ExecContext(m.ctx, `INSERT INTO merged_bundles (bundle_id, station, key_id, created_at, merged_at, counts)
		VALUES (?, ?, ?, ?, ?, ?)`, b.ID, b.Station, b.KeyID, b.Created.UnixMilli(), now, string(summary)); err != nil {
		return MergeResult{BundleID: b.ID}, wrapWrite("merge bundle", err)
	}
	if err := tx.Commit(); err != nil {
		return MergeResult{BundleID: b.ID}, wrapWrite("merge bundle", err)
	}
	res.MergedAt = time.UnixMilli(now)
	if m.progress != nil {
		m.progress(total, total)
	}
	return res, nil
}

// alreadyMerged is the result of merging again a bundle merged at mergedAt: every
// record skipped.
func alreadyMerged(b *Bundle, mergedAt int64) MergeResult {
	c := b.Counts()
	res := MergeResult{BundleID: b.ID, AlreadyMerged: true, MergedAt: time.UnixMilli(mergedAt)}
	res.Learners.Skipped, res.Lessons.Skipped, res.Attempts.Skipped = c.Learners, c.Lessons, c.Attempts
	res.Answers.Skipped, res.Statuses.Skipped, res.Cards.Skipped = c.Answers, c.Statuses, c.Cards
	res.Reviews.Skipped, res.Statements.Skipped, res.Workplace.Skipped = c.Reviews, c.Statements, c.Workplace
	return res
}

// merger is one bundle's merge, inside its transaction.
type merger struct {
	ctx, outer context.Context
	tx         *sql.Tx
	b          *Bundle
	res        *MergeResult
	ownStation string
	learnerIDs map[string]int64 // by uid; 0 for a learner erased here
	touched    map[statusKey]bool
	done       int
	total      int
	progress   func(done, total int)
}

type statusKey struct {
	learner int64
	module  string
}

// step counts one record done, and now and then reports progress and checks ctx.
func (m *merger) step() error {
	m.done++
	if m.done%512 == 0 {
		if err := m.outer.Err(); err != nil {
			return err
		}
		if m.progress != nil && m.done%8192 == 0 {
			m.progress(m.done, m.total)
		}
	}
	return nil
}

func (m *merger) prepare(q string) (*sql.Stmt, error) { return m.tx.PrepareContext(m.ctx, q) }

func (m *merger) touch(learner int64, module string) {
	m.touched[statusKey{learner, module}] = true
}

func (m *merger) learners() error {
	m.learnerIDs = make(map[string]int64, len(m.b.Learners))
	m.touched = map[statusKey]bool{}
	find, err := m.prepare(`SELECT id FROM learners WHERE uid = ?`)
	if err != nil {
		return err
	}
	defer find.Close()
	erased, err := m.prepare(`SELECT count(*) FROM erased_learners WHERE uid = ?`)
	if err != nil {
		return err
	}
	defer erased.Close()
	seen, err := m.prepare(`UPDATE learners SET last_active_at = ? WHERE id = ? AND last_active_at < ?`)
	if err != nil {
		return err
	}
	defer seen.Close()
	ins, err := m.prepare(`INSERT INTO learners (uid, station, name, role, language, cohort, created_at, last_active_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, l := range m.b.Learners {
		if err := m.step(); err != nil {
			return err
		}
		var id int64
		err := find.QueryRowContext(m.ctx, l.UID).Scan(&id)
		if err == nil {
			m.learnerIDs[l.UID] = id
			m.res.Learners.Skipped++
			if _, err := seen.ExecContext(m.ctx, l.LastActive, id, l.LastActive); err != nil {
				return err
			}
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var gone int
		if err := erased.QueryRowContext(m.ctx, l.UID).Scan(&gone); err != nil {
			return err
		}
		if gone > 0 {
			m.learnerIDs[l.UID] = 0
			m.res.Learners.Skipped++
			m.res.Erased++
			continue
		}
		station := l.Station
		if station == m.ownStation {
			station = ""
		}
		r, err := ins.ExecContext(m.ctx, l.UID, station, l.Name, l.Role, l.Language, l.Cohort, l.CreatedAt, l.LastActive)
		if err != nil {
			return err
		}
		if id, err = r.LastInsertId(); err != nil {
			return err
		}
		m.learnerIDs[l.UID] = id
		m.res.Learners.Added++
	}
	return nil
}

// learner is the local id of a learner of the bundle, or 0 when erased here.
func (m *merger) learner(uid string) int64 { return m.learnerIDs[uid] }

func (m *merger) lessons() error {
	ins, err := m.prepare(`INSERT INTO lesson_progress (learner_id, module_id, lesson_id, position, time_spent_ms, completed_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (learner_id, module_id, lesson_id) DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	// Where the learner is: the position of the later visit. Time spent: the station's
	// total is the larger one (a bundle carries totals, so adding would count twice).
	// Completed: the first completion.
	upd, err := m.prepare(`UPDATE lesson_progress SET
			position = CASE WHEN ?4 > updated_at THEN ?3 ELSE position END,
			time_spent_ms = max(time_spent_ms, ?5),
			completed_at = CASE WHEN completed_at IS NULL THEN ?6 WHEN ?6 IS NULL THEN completed_at ELSE min(completed_at, ?6) END,
			updated_at = max(updated_at, ?4)
		WHERE learner_id = ?1 AND module_id = ?2 AND lesson_id = ?7
			AND (?4 > updated_at OR ?5 > time_spent_ms OR ?6 IS NOT NULL AND (completed_at IS NULL OR ?6 < completed_at))`)
	if err != nil {
		return err
	}
	defer upd.Close()
	for _, l := range m.b.Lessons {
		if err := m.step(); err != nil {
			return err
		}
		id := m.learner(l.Learner)
		if id == 0 {
			m.res.Lessons.Skipped++
			continue
		}
		m.touch(id, l.ModuleID)
		var done any
		if l.CompletedAt != nil {
			done = *l.CompletedAt
		}
		r, err := ins.ExecContext(m.ctx, id, l.ModuleID, l.LessonID, l.Position, l.TimeMs, done, l.UpdatedAt)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			m.res.Lessons.Added++
			continue
		}
		r, err = upd.ExecContext(m.ctx, id, l.ModuleID, l.Position, l.UpdatedAt, l.TimeMs, done, l.LessonID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			m.res.Lessons.Updated++
		} else {
			m.res.Lessons.Skipped++
		}
	}
	return nil
}

func (m *merger) attempts() error {
	find, err := m.prepare(`SELECT id, learner_id, status FROM attempts WHERE uid = ?`)
	if err != nil {
		return err
	}
	defer find.Close()
	closeAttempt, err := m.prepare(`UPDATE attempts SET status = ?, correct = ?, score_percent = ?, passed = ?, finished_at = ?
		WHERE id = ? AND status = 'open'`)
	if err != nil {
		return err
	}
	defer closeAttempt.Close()
	openOne, err := m.prepare(`SELECT id, started_at FROM attempts WHERE learner_id = ? AND module_id = ? AND status = 'open'`)
	if err != nil {
		return err
	}
	defer openOne.Close()
	abandon, err := m.prepare(`UPDATE attempts SET status = 'abandoned', finished_at = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer abandon.Close()
	ins, err := m.prepare(`INSERT INTO attempts (uid, learner_id, module_id, content_version, language, plan, pass_mark, total, kind,
			status, correct, score_percent, passed, started_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	insAnswer, err := m.prepare(`INSERT INTO answers (attempt_id, position, question_id, response, complete, correct, time_ms, answered_at, confidence, score)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (attempt_id, position) DO NOTHING`)
	if err != nil {
		return err
	}
	defer insAnswer.Close()
	// An answer stored here incomplete (a scenario under way) takes the bundle's when
	// that one is complete, or further along.
	updAnswer, err := m.prepare(`UPDATE answers SET question_id = ?3, response = ?4, complete = ?5, correct = ?6, time_ms = ?7,
			answered_at = ?8, confidence = ?9, score = ?10
		WHERE attempt_id = ?1 AND position = ?2 AND complete = 0 AND (?5 = 1 OR ?8 > answered_at)`)
	if err != nil {
		return err
	}
	defer updAnswer.Close()

	// Oldest first, so that of two open attempts at a module the later one stays open,
	// as when the learner starts again.
	order := make([]int, len(m.b.Attempts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		a, b := &m.b.Attempts[i], &m.b.Attempts[j]
		if a.StartedAt != b.StartedAt {
			return cmpInt64(a.StartedAt, b.StartedAt)
		}
		return strings.Compare(a.UID, b.UID)
	})
	for _, i := range order {
		a := &m.b.Attempts[i]
		if err := m.step(); err != nil {
			return err
		}
		learner := m.learner(a.Learner)
		if learner == 0 {
			m.res.Attempts.Skipped++
			m.res.Answers.Skipped += len(a.Answers)
			m.done += len(a.Answers)
			continue
		}
		m.touch(learner, a.ModuleID)
		var id, owner int64
		var status AttemptStatus
		err := find.QueryRowContext(m.ctx, a.UID).Scan(&id, &owner, &status)
		switch {
		case err == nil && owner != learner:
			return invalid(fmt.Sprintf("attempts[%d]", i), "attempt %s belongs to another learner here", a.UID)
		case err == nil && status == AttemptOpen && a.Status != AttemptOpen:
			// Finished or abandoned on the station since it was merged.
			if _, err := closeAttempt.ExecContext(m.ctx, a.Status, ptrValue(a.Correct), ptrValue(a.Percent), ptrValue(a.Passed),
				ptrValue(a.FinishedAt), id); err != nil {
				return err
			}
			m.res.Attempts.Updated++
		case err == nil:
			m.res.Attempts.Skipped++
		case errors.Is(err, sql.ErrNoRows):
			status := a.Status
			finished := ptrValue(a.FinishedAt)
			if status == AttemptOpen {
				var other, started int64
				err := openOne.QueryRowContext(m.ctx, learner, a.ModuleID).Scan(&other, &started)
				switch {
				case err == nil && started <= a.StartedAt:
					if _, err := abandon.ExecContext(m.ctx, a.StartedAt, other); err != nil {
						return err
					}
					m.res.Attempts.Updated++
				case err == nil:
					status, finished = AttemptAbandoned, started
				case !errors.Is(err, sql.ErrNoRows):
					return err
				}
			}
			r, err := ins.ExecContext(m.ctx, a.UID, learner, a.ModuleID, a.ContentVersion, a.Language, string(a.Plan), a.PassMark,
				a.Total, a.Kind, status, ptrValue(a.Correct), ptrValue(a.Percent), ptrValue(a.Passed), a.StartedAt, finished)
			if err != nil {
				return err
			}
			if id, err = r.LastInsertId(); err != nil {
				return err
			}
			m.res.Attempts.Added++
		default:
			return err
		}
		for _, ans := range a.Answers {
			if err := m.step(); err != nil {
				return err
			}
			args := []any{id, ans.Position, ans.QuestionID, string(ans.Response), ans.Complete, ptrValue(ans.Correct),
				ans.TimeMs, ans.AnsweredAt, ptrValue(ans.Confidence), ptrValue(ans.Score)}
			r, err := insAnswer.ExecContext(m.ctx, args...)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n > 0 {
				m.res.Answers.Added++
				continue
			}
			r, err = updAnswer.ExecContext(m.ctx, args...)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n > 0 {
				m.res.Answers.Updated++
			} else {
				m.res.Answers.Skipped++
			}
		}
	}
	return nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ptrValue is the value behind p, or nil (SQL NULL).
func ptrValue[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// statuses recomputes the status of every learner and module the bundle touches, by
// the store's one rule (ModuleRecord): the status stored here merged with the bundle's,
// then every finished attempt now stored folded in (WithAttempt): the highest of in
// progress < failed < passed, the best score, the latest pass. Pre-tests leave the
// status alone, as FinishAttempt has them do.
func (m *merger) statuses() error {
	incoming := map[statusKey]BundleStatus{}
	for _, st := range m.b.Statuses {
		if err := m.step(); err != nil {
			return err
		}
		id := m.learner(st.Learner)
		if id == 0 {
			m.res.Statuses.Skipped++
			continue
		}
		k := statusKey{id, st.ModuleID}
		incoming[k] = st
		m.touch(id, st.ModuleID)
	}
	keys := make([]statusKey, 0, len(m.touched))
	for k := range m.touched {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b statusKey) int {
		if a.learner != b.learner {
			return cmpInt64(a.learner, b.learner)
		}
		return strings.Compare(a.module, b.module)
	})
	finished, err := m.prepare(`SELECT coalesce(correct, 0), coalesce(score_percent, 0), coalesce(passed, 0), finished_at
		FROM attempts WHERE learner_id = ? AND module_id = ? AND status = 'finished' AND kind != 'pretest' ORDER BY finished_at`)
	if err != nil {
		return err
	}
	defer finished.Close()
	others, err := m.prepare(`SELECT count(*), max(coalesce(finished_at, started_at)) FROM attempts
		WHERE learner_id = ? AND module_id = ? AND kind != 'pretest'`)
	if err != nil {
		return err
	}
	defer others.Close()
	lessonTime, err := m.prepare(`SELECT max(updated_at) FROM lesson_progress WHERE learner_id = ? AND module_id = ?`)
	if err != nil {
		return err
	}
	defer lessonTime.Close()

	for _, k := range keys {
		old, exists, err := readModuleRecord(m.ctx, m.tx, k.learner, k.module)
		if err != nil {
			return err
		}
		next := old
		if st, ok := incoming[k]; ok {
			in := ModuleRecord{Status: st.Status, Updated: st.UpdatedAt}
			if st.BestPercent != nil {
				in.Best, in.HasBest = *st.BestPercent, true
			}
			if st.PassedAt != nil {
				in.PassedAt = *st.PassedAt
			}
			next = next.Merge(in)
		}
		// What the attempts stored now say. It moves the status only where it says more
		// than the stored and the bundle's status (a bundle whose status rows are
		// behind its attempts), and then updated_at becomes the time of the latest
		// attempt.
		from := next
		rows, err := finished.QueryContext(m.ctx, k.learner, k.module)
		if err != nil {
			return err
		}
		for rows.Next() {
			var sc AttemptScore
			var at int64
			if err := rows.Scan(&sc.Correct, &sc.Percent, &sc.Passed, &at); err != nil {
				rows.Close()
				return err
			}
			next = next.WithAttempt(sc, at)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		next.Updated = from.Updated
		var n int
		var last, lessonLast sql.NullInt64
		if err := others.QueryRowContext(m.ctx, k.learner, k.module).Scan(&n, &last); err != nil {
			return err
		}
		if err := lessonTime.QueryRowContext(m.ctx, k.learner, k.module).Scan(&lessonLast); err != nil {
			return err
		}
		switch {
		case n > 0 && next.Status == ModuleNotStarted:
			next.Status = ModuleInProgress
		case lessonLast.Valid && next.Status == ModuleNotStarted:
			next.Status, next.Updated = ModuleInProgress, max(next.Updated, lessonLast.Int64)
		}
		if next.Status != ModulePassed {
			next.PassedAt = 0
		}
		if next.Status != from.Status || next.Best != from.Best || next.HasBest != from.HasBest || next.PassedAt != from.PassedAt {
			next.Updated = max(next.Updated, last.Int64)
		}
		if next.Status == ModuleNotStarted {
			continue // nothing to say (cannot happen: the key was touched by a record)
		}
		if exists && next == old {
			m.res.Statuses.Skipped += boolInt(incomingHas(incoming, k))
			continue
		}
		if err := writeModuleRecord(m.ctx, m.tx, k.learner, k.module, next); err != nil {
			return err
		}
		if exists {
			m.res.Statuses.Updated++
		} else {
			m.res.Statuses.Added++
		}
	}
	return nil
}

func incomingHas(in map[statusKey]BundleStatus, k statusKey) bool { _, ok := in[k]; return ok }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullValue(v sql.NullInt64) any {
	if !v.Valid {
		return nil
	}
	return v.Int64
}

func (m *merger) cards() error {
	ins, err := m.prepare(`INSERT INTO review_cards (learner_id, module_id, question_id, indicator, stability, difficulty,
			reps, lapses, last_correct, priority, last_review, due)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (learner_id, module_id, question_id) DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	// The card reviewed last holds the learner's memory state.
	upd, err := m.prepare(`UPDATE review_cards SET indicator = ?4, stability = ?5, difficulty = ?6, reps = ?7, lapses = ?8,
			last_correct = ?9, priority = ?10, last_review = ?11, due = ?12
		WHERE learner_id = ?1 AND module_id = ?2 AND question_id = ?3 AND last_review < ?11`)
	if err != nil {
		return err
	}
	defer upd.Close()
	for _, c := range m.b.Cards {
		if err := m.step(); err != nil {
			return err
		}
		id := m.learner(c.Learner)
		if id == 0 {
			m.res.Cards.Skipped++
			continue
		}
		args := []any{id, c.ModuleID, c.QuestionID, c.Indicator, c.Stability, c.Difficulty, c.Reps, c.Lapses,
			c.LastCorrect, c.Priority, c.LastReview, c.Due}
		r, err := ins.ExecContext(m.ctx, args...)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			m.res.Cards.Added++
			continue
		}
		r, err = upd.ExecContext(m.ctx, args...)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			m.res.Cards.Updated++
		} else {
			m.res.Cards.Skipped++
		}
	}
	return nil
}

func (m *merger) reviews() error {
	ins, err := m.prepare(`INSERT INTO review_answers (uid, learner_id, module_id, question_id, response, correct, confidence, time_ms, answered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, r := range m.b.Reviews {
		if err := m.step(); err != nil {
			return err
		}
		id := m.learner(r.Learner)
		if id == 0 {
			m.res.Reviews.Skipped++
			continue
		}
		res, err := ins.ExecContext(m.ctx, r.UID, id, r.ModuleID, r.QuestionID, string(r.Response), r.Correct,
			ptrValue(r.Confidence), r.TimeMs, r.AnsweredAt)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			m.res.Reviews.Added++
		} else {
			m.res.Reviews.Skipped++
		}
	}
	return nil
}

// workplace adds the answers to the workplace questions not here yet: by uid, and one
// per learner, module and refresher (the first given is kept, as RecordWorkplace does).
func (m *merger) workplace() error {
	ins, err := m.prepare(`INSERT INTO workplace_answers (uid, learner_id, module_id, due_at, answered_at, met_sign, alerted, knew_whom)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, w := range m.b.Workplace {
		if err := m.step(); err != nil {
			return err
		}
		id := m.learner(w.Learner)
		if id == 0 {
			m.res.Workplace.Skipped++
			continue
		}
		r, err := ins.ExecContext(m.ctx, w.UID, id, w.ModuleID, w.DueAt, w.AnsweredAt, w.MetSign, w.Alerted, w.KnewWhom)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			m.res.Workplace.Added++
		} else {
			m.res.Workplace.Skipped++
		}
	}
	return nil
}

func (m *merger) statements() error {
	if len(m.b.Statements) == 0 {
		return nil
	}
	has, err := hasTable(m.ctx, m.tx, "xapi_outbox")
	if err != nil {
		return err
	}
	if !has {
		m.res.Statements.Skipped += len(m.b.Statements)
		return nil
	}
	// A merged statement waits to be sent from here, whatever the station did with it:
	// the LRS keeps one copy of a statement id.
	ins, err := m.prepare(`INSERT INTO xapi_outbox (statement_id, statement, created_at) VALUES (?, ?, ?)
		ON CONFLICT (statement_id) DO NOTHING`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for _, st := range m.b.Statements {
		if err := m.step(); err != nil {
			return err
		}
		if st.Learner != "" && m.learner(st.Learner) == 0 {
			m.res.Statements.Skipped++
			continue
		}
		r, err := ins.ExecContext(m.ctx, st.ID, string(st.Statement), st.CreatedAt)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			m.res.Statements.Added++
		} else {
			m.res.Statements.Skipped++
		}
	}
	return nil
}

// MergedBundle is a bundle merged here.
type MergedBundle struct {
	ID       string
	Station  string
	KeyID    string
	Created  time.Time
	MergedAt time.Time
	Result   MergeResult
}

// MergedBundles lists the bundles merged here, the latest first.
func (s *Store) MergedBundles(ctx context.Context) ([]MergedBundle, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT bundle_id, station, key_id, created_at, merged_at, counts
		FROM merged_bundles ORDER BY merged_at DESC, bundle_id`)
	if err != nil {
		return nil, fmt.Errorf("list merged bundles: %w", err)
	}
	defer rows.Close()
	var out []MergedBundle
	for rows.Next() {
		var mb MergedBundle
		var created, merged int64
		var counts string
		if err := rows.Scan(&mb.ID, &mb.Station, &mb.KeyID, &created, &merged, &counts); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(counts), &mb.Result); err != nil {
			return nil, fmt.Errorf("merged bundle %s: %w", mb.ID, ErrCorrupt)
		}
		mb.Created, mb.MergedAt = time.UnixMilli(created), time.UnixMilli(merged)
		mb.Result.BundleID, mb.Result.MergedAt = mb.ID, mb.MergedAt
		out = append(out, mb)
	}
	return out, rows.Err()
}
