package progress

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The three measurements of the same knowledge, per learner and module: before (the
// first finished pre-test), after (the first finished quiz) and kept (the first finished
// refresher). A measurement's score is the percentage of points (partial credit
// included, CreditOf) on its questions that measure a warning sign (quiz.Measured: the
// recognise and act questions on the catalogue's indicators), so that the three, drawn
// from the same signs, are compared on the same kind of question; per indicator, on
// those of its questions that exercise the indicator.
//
// Everything here is aggregated in SQL, in one statement per view: a group's learners
// come back as the count, sum and sum of squares of their scores, from which
// app/measure makes the mean and its interval. Nothing is read learner by learner.

// Measurement is one of the three measurements.
type Measurement string

// The measurements.
const (
	Before Measurement = "before" // the first finished pre-test
	After  Measurement = "after"  // the first finished quiz
	Kept   Measurement = "kept"   // the first finished refresher
)

// Measurements lists the measurements in order.
var Measurements = []Measurement{Before, After, Kept}

// MeasurementOf is the measurement an attempt of kind k is.
func MeasurementOf(k AttemptKind) Measurement {
	switch k {
	case KindPretest:
		return Before
	case KindRefresher:
		return Kept
	}
	return After
}

// MeasuredItem is a question that measures warning signs: a recognise or act question
// of a module, with the catalogue indicators it exercises.
type MeasuredItem struct {
	Module     string
	Question   string
	Indicators []string
}

// GainQuery chooses the learners, the questions and the groups of a gain view.
type GainQuery struct {
	Filter // the learners: cohort (or none), role, last active since
	// Items are the questions that count, in every module the view covers (the
	// catalog's quiz.Measured questions). A module without any is not in the view.
	Items []MeasuredItem
	// ByIndicator groups by indicator (over the modules of Items) instead of by module.
	ByIndicator bool
	// ByCohort splits every group by the learners' cohort code ("" for no cohort);
	// otherwise the learners the filter selects make one group.
	ByCohort bool
}

// Moments are one measurement's scores in a group: how many learners have one, and the
// sum and the sum of squares of their percentages (measure.MeanOf).
type Moments struct {
	N          int
	Sum, SumSq float64
}

// GainRow is one group: a module (or an indicator), of a cohort when split by cohort.
type GainRow struct {
	Cohort    string // when ByCohort; "" for learners without a cohort
	Module    string // when grouped by module
	Indicator string // when grouped by indicator
	Before    Moments
	After     Moments
	Kept      Moments
	// Pairs counts the learners with both a before and an after score, and PairBefore
	// and PairAfter sum their two scores: the normalised gain is computed on them, so
	// that who skipped the pre-test does not move it.
	Pairs                 int
	PairBefore, PairAfter float64
}

// itemsJSON is the query's items as rows [module, question, indicator] (indicator "" for
// a view by module, once per question).
func (q GainQuery) itemsJSON() (string, error) {
	type key struct{ m, q, i string }
	seen := map[key]bool{}
	rows := [][3]string{}
	for _, it := range q.Items {
		if it.Module == "" || it.Question == "" {
			return "", fmt.Errorf("%w: a measured item needs a module and a question", ErrInvalid)
		}
		inds := []string{""}
		if q.ByIndicator {
			inds = it.Indicators
		}
		for _, ind := range inds {
			k := key{it.Module, it.Question, ind}
			if !seen[k] {
				seen[k] = true
				rows = append(rows, [3]string{it.Module, it.Question, ind})
			}
		}
	}
	b, err := json.Marshal(rows)
	return string(b), err
}

// groupColumns are the expressions of a view's three group columns (cohort, module,
// indicator), from the learner (l) and the item (i).
func (q GainQuery) groupColumns() (cohort, module, indicator string) {
	cohort, module, indicator = "''", "i.module_id", "''"
	if q.ByCohort {
		cohort = "l.cohort"
	}
	if q.ByIndicator {
		module, indicator = "''", "i.indicator"
	}
	return cohort, module, indicator
}

// GainSQL is the statement behind Gain, with its arguments: exported for the benchmark
// that compares it with the best statement written by hand for the sqlite3 tool.
func (q GainQuery) GainSQL() (string, []any, error) {
	items, err := q.itemsJSON()
	if err != nil {
		return "", nil, err
	}
	where, args := q.Filter.where("l")
	cohort, module, indicator := q.groupColumns()
	// items: the questions that count. firsts: each learner's first finished attempt of
	// each kind at each module (SQLite takes the bare columns from the row of min()).
	// scores: each learner's score in each group and measurement. sides: a learner's
	// three scores side by side. Then one row per group.
	query := `WITH items(module_id, question_id, indicator) AS MATERIALIZED (
		SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)),
	firsts AS (
		SELECT a.id, a.learner_id, a.module_id, a.kind, min(a.finished_at)
		FROM attempts a
		WHERE a.status = 'finished' AND a.module_id IN (SELECT module_id FROM items)
		GROUP BY a.learner_id, a.module_id, a.kind),
	scores AS (
		SELECT f.learner_id, ` + cohort + ` AS c, ` + module + ` AS m, ` + indicator + ` AS ind, f.kind,
			total(min(max(coalesce(w.score, w.correct), 0), 1)) * 100.0 / count(*) AS pct
		FROM firsts f JOIN learners l ON l.id = f.learner_id
		JOIN answers w ON w.attempt_id = f.id
		JOIN items i ON i.module_id = f.module_id AND i.question_id = w.question_id
		WHERE w.complete = 1 AND ` + where + `
		GROUP BY f.learner_id, c, m, ind, f.kind),
	sides AS (
		SELECT c, m, ind,
			max(CASE kind WHEN 'pretest' THEN pct END) AS b,
			max(CASE kind WHEN 'quiz' THEN pct END) AS a,
			max(CASE kind WHEN 'refresher' THEN pct END) AS k
		FROM scores GROUP BY learner_id, c, m, ind)
	SELECT c, m, ind, count(b), total(b), total(b * b), count(a), total(a), total(a * a), count(k), total(k), total(k * k),
		count(b + a), total(CASE WHEN a IS NOT NULL THEN b END), total(CASE WHEN b IS NOT NULL THEN a END)
	FROM sides GROUP BY c, m, ind ORDER BY c, m, ind`
	return query, append([]any{items}, args...), nil
}

// Gain reads the three measurements of every group the query makes, in one statement.
// Groups come ordered by cohort, then module or indicator id.
func (s *Store) Gain(ctx context.Context, q GainQuery) ([]GainRow, error) {
	query, args, err := q.GainSQL()
	if err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read measurements: %w", err)
	}
	defer rows.Close()
	var out []GainRow
	for rows.Next() {
		var r GainRow
		if err := rows.Scan(&r.Cohort, &r.Module, &r.Indicator, &r.Before.N, &r.Before.Sum, &r.Before.SumSq,
			&r.After.N, &r.After.Sum, &r.After.SumSq, &r.Kept.N, &r.Kept.Sum, &r.Kept.SumSq,
			&r.Pairs, &r.PairBefore, &r.PairAfter); err != nil {
			return nil, fmt.Errorf("read measurements: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Confidence counts, in a group, the answers given with one level of confidence and how
// many were wrong (or right).
type Confidence struct {
	Learners int // learners who gave such answers
	Answers  int
	Hits     int // wrong answers for ConfidentWrong, right ones for Calibration
}

// ConfidentWrongRow is, for one indicator (of a cohort when split by cohort), how often
// an answer given as "sure" was wrong: a misconception that is dangerous in the field.
type ConfidentWrongRow struct {
	Cohort    string
	Indicator string
	Sure      Confidence // Hits: the sure answers that were wrong
}

// ConfidentWrong counts, per indicator of the query's items, the answers given as
// "sure" in quizzes and refreshers (after the training) and how many were wrong (not
// fully right). The pre-test is left out: it measures what learners brought in, not
// what they hold after the training. One statement; ordered by cohort, indicator.
func (s *Store) ConfidentWrong(ctx context.Context, q GainQuery) ([]ConfidentWrongRow, error) {
	q.ByIndicator = true
	items, err := q.itemsJSON()
	if err != nil {
		return nil, err
	}
	where, args := q.Filter.where("l")
	cohort, _, _ := q.groupColumns()
	rows, err := s.read.QueryContext(ctx, `WITH items(module_id, question_id, indicator) AS MATERIALIZED (
			SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?))
		SELECT `+cohort+` AS c, i.indicator, count(DISTINCT a.learner_id), count(*), total(w.correct = 0)
		FROM attempts a JOIN learners l ON l.id = a.learner_id
		JOIN answers w ON w.attempt_id = a.id
		JOIN items i ON i.module_id = a.module_id AND i.question_id = w.question_id
		WHERE a.kind IN ('quiz', 'refresher') AND a.module_id IN (SELECT module_id FROM items)
			AND w.complete = 1 AND w.confidence = 3 AND `+where+`
		GROUP BY c, i.indicator ORDER BY c, i.indicator`, append([]any{items}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read confident answers: %w", err)
	}
	defer rows.Close()
	var out []ConfidentWrongRow
	for rows.Next() {
		var r ConfidentWrongRow
		var wrong float64
		if err := rows.Scan(&r.Cohort, &r.Indicator, &r.Sure.Learners, &r.Sure.Answers, &wrong); err != nil {
			return nil, fmt.Errorf("read confident answers: %w", err)
		}
		r.Sure.Hits = int(wrong)
		out = append(out, r)
	}
	return out, rows.Err()
}

// CalibrationRow is, for a cohort, how often answers given as "sure" were right and how
// often answers given as "guessing" were: a calibrated group is right far more often
// when sure.
type CalibrationRow struct {
	Cohort   string
	Sure     Confidence // Hits: the right answers
	Guessing Confidence
}

// Calibration counts, per cohort (or for all the learners the filter selects), the
// answers given as sure and as guessing in quizzes and refreshers of the query's
// modules, on every question, and how many were right. One statement.
func (s *Store) Calibration(ctx context.Context, q GainQuery) ([]CalibrationRow, error) {
	var mods []string
	for _, it := range q.Items {
		if !slices.Contains(mods, it.Module) {
			mods = append(mods, it.Module)
		}
	}
	modsJSON, _ := json.Marshal(mods)
	where, args := q.Filter.where("l")
	cohort, _, _ := q.groupColumns()
	rows, err := s.read.QueryContext(ctx, `SELECT `+cohort+` AS c,
			count(DISTINCT CASE w.confidence WHEN 3 THEN a.learner_id END), total(w.confidence = 3),
			total(w.confidence = 3 AND w.correct = 1),
			count(DISTINCT CASE w.confidence WHEN 1 THEN a.learner_id END), total(w.confidence = 1),
			total(w.confidence = 1 AND w.correct = 1)
		FROM attempts a JOIN learners l ON l.id = a.learner_id
		JOIN answers w ON w.attempt_id = a.id
		WHERE a.kind IN ('quiz', 'refresher') AND a.module_id IN (SELECT value FROM json_each(?))
			AND w.complete = 1 AND w.confidence IN (1, 3) AND `+where+`
		GROUP BY c ORDER BY c`, append([]any{string(modsJSON)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read calibration: %w", err)
	}
	defer rows.Close()
	var out []CalibrationRow
	for rows.Next() {
		var r CalibrationRow
		var sure, sureRight, guess, guessRight float64
		if err := rows.Scan(&r.Cohort, &r.Sure.Learners, &sure, &sureRight, &r.Guessing.Learners, &guess, &guessRight); err != nil {
			return nil, fmt.Errorf("read calibration: %w", err)
		}
		r.Sure.Answers, r.Sure.Hits, r.Guessing.Answers, r.Guessing.Hits = int(sure), int(sureRight), int(guess), int(guessRight)
		out = append(out, r)
	}
	return out, rows.Err()
}

// WorkplaceRow is, for a cohort, how its learners answered the workplace questions.
type WorkplaceRow struct {
	Cohort   string
	Learners int // learners who answered
	Answers  int // answers (a learner answers once per module and refresher)
	// Counts of each reply to each question.
	MetSign, Alerted, KnewWhom map[Reply]int
}

// WorkplaceTotals counts, per cohort (or for all the learners the filter selects), the
// replies to the workplace questions about the modules given (all when none). One
// statement.
func (s *Store) WorkplaceTotals(ctx context.Context, f Filter, byCohort bool, modules []string) ([]WorkplaceRow, error) {
	where, args := f.where("l")
	cohort, _, _ := GainQuery{ByCohort: byCohort}.groupColumns()
	modsJSON, _ := json.Marshal(modules)
	var reply []string
	for _, col := range []string{"met_sign", "alerted", "knew_whom"} {
		for _, r := range Replies {
			reply = append(reply, fmt.Sprintf("total(w.%s = '%s')", col, r))
		}
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+cohort+` AS c, count(DISTINCT w.learner_id), count(*), `+strings.Join(reply, ", ")+`
		FROM workplace_answers w JOIN learners l ON l.id = w.learner_id
		WHERE (json_array_length(?1) = 0 OR w.module_id IN (SELECT value FROM json_each(?1))) AND `+where+`
		GROUP BY c ORDER BY c`, append([]any{string(modsJSON)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("read workplace answers: %w", err)
	}
	defer rows.Close()
	var out []WorkplaceRow
	for rows.Next() {
		r := WorkplaceRow{MetSign: map[Reply]int{}, Alerted: map[Reply]int{}, KnewWhom: map[Reply]int{}}
		counts := make([]float64, 3*len(Replies))
		dest := []any{&r.Cohort, &r.Learners, &r.Answers}
		for i := range counts {
			dest = append(dest, &counts[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read workplace answers: %w", err)
		}
		for q, m := range []map[Reply]int{r.MetSign, r.Alerted, r.KnewWhom} {
			for j, rep := range Replies {
				m[rep] = int(counts[q*len(Replies)+j])
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
