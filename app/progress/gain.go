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

// items checks the query's items and returns their modules, their keys
// ("module/question") and their (key, indicator) pairs.
func (q GainQuery) items() (modules, keys []string, pairs [][2]string, err error) {
	seenKey, seenPair := map[string]bool{}, map[[2]string]bool{}
	for _, it := range q.Items {
		if it.Module == "" || it.Question == "" {
			return nil, nil, nil, fmt.Errorf("%w: a measured item needs a module and a question", ErrInvalid)
		}
		if !slices.Contains(modules, it.Module) {
			modules = append(modules, it.Module)
		}
		k := it.Module + "/" + it.Question
		if !seenKey[k] {
			seenKey[k] = true
			keys = append(keys, k)
		}
		for _, ind := range it.Indicators {
			if p := [2]string{k, ind}; !seenPair[p] {
				seenPair[p] = true
				pairs = append(pairs, p)
			}
		}
	}
	return modules, keys, pairs, nil
}

// itemValues is a VALUES list of the (key, indicator) pairs, with its arguments. A
// VALUES list, unlike rows from json_each, lets SQLite see how many rows it has and
// build an index on it for the join: ten times faster at 10,000 learners.
func itemValues(pairs [][2]string) (string, []any) {
	if len(pairs) == 0 {
		return "SELECT '', '' WHERE 0", nil
	}
	var b strings.Builder
	args := make([]any, 0, 2*len(pairs))
	b.WriteString("VALUES ")
	for i, p := range pairs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?)")
		args = append(args, p[0], p[1])
	}
	return b.String(), args
}

func jsonList(v []string) string {
	b, _ := json.Marshal(v)
	if v == nil {
		return "[]"
	}
	return string(b)
}

// cohortColumn is the expression of a view's cohort column, on the learner l.
func (q GainQuery) cohortColumn() string {
	if q.ByCohort {
		return "l.cohort"
	}
	return "''"
}

// firstsSQL is the CTE of each learner's first finished attempt of each kind at each
// module of ?1 (a JSON list), for the learners the filter selects (SQLite takes the bare
// columns from the row of min()).
func (q GainQuery) firstsSQL() (string, []any) {
	where, args := q.Filter.where("l")
	learners := ""
	if where != "1" {
		learners = " AND a.learner_id IN (SELECT l.id FROM learners l WHERE " + where + ")"
	}
	return `firsts AS (
		SELECT a.id, a.learner_id, a.module_id, a.kind, min(a.finished_at)
		FROM attempts a
		WHERE a.status = 'finished' AND a.module_id IN (SELECT value FROM json_each(?))` + learners + `
		GROUP BY a.learner_id, a.module_id, a.kind)`, args
}

// gainTail turns scores (learner_id, g, b, a, k: a learner's three scores in a group)
// into one row per cohort and group.
func (q GainQuery) gainTail() string {
	return `
	SELECT ` + q.cohortColumn() + ` AS c, s.g, count(b), total(b), total(b * b), count(a), total(a), total(a * a),
		count(k), total(k), total(k * k), count(b + a), total(CASE WHEN a IS NOT NULL THEN b END), total(CASE WHEN b IS NOT NULL THEN a END)
	FROM scores s JOIN learners l ON l.id = s.learner_id
	GROUP BY c, s.g ORDER BY c, s.g`
}

// GainSQL is the statement behind Gain, with its arguments: exported for the benchmark
// that runs it beside the sqlite3 tool. It is the fastest of the forms tried at 10,000
// learners (README: Evidence).
func (q GainQuery) GainSQL() (string, []any, error) {
	modules, keys, pairs, err := q.items()
	if err != nil {
		return "", nil, err
	}
	firsts, fargs := q.firstsSQL()
	credit := "min(max(coalesce(w.score, w.correct), 0), 1)"
	if !q.ByIndicator {
		// Per module: each first attempt's score on its measuring questions, in a
		// subquery that reads the attempt's answers along their key.
		query := `WITH ` + firsts + `,
	per AS (
		SELECT f.learner_id, f.module_id AS g, f.kind,
			(SELECT total(` + credit + `) * 100.0 / count(*) FROM answers w
			 WHERE w.attempt_id = f.id AND w.complete = 1
				AND f.module_id || '/' || w.question_id IN (SELECT value FROM json_each(?))) AS pct
		FROM firsts f),
	scores AS (
		SELECT learner_id, g, max(CASE kind WHEN 'pretest' THEN pct END) AS b, max(CASE kind WHEN 'quiz' THEN pct END) AS a,
			max(CASE kind WHEN 'refresher' THEN pct END) AS k
		FROM per GROUP BY learner_id, g)` + q.gainTail()
		args := append([]any{jsonList(modules)}, fargs...)
		return query, append(args, jsonList(keys)), nil
	}
	// Per indicator: each measuring answer once per indicator it exercises, the
	// attempts first and the items last (CROSS JOIN keeps that order), then each
	// learner's three scores per indicator in one pass.
	values, vargs := itemValues(pairs)
	query := `WITH items(k, ind) AS (` + values + `),
	` + firsts + `,
	credits AS (
		SELECT f.learner_id, f.kind, i.ind AS g, ` + credit + ` AS credit
		FROM firsts f CROSS JOIN answers w ON w.attempt_id = f.id
		CROSS JOIN items i ON i.k = f.module_id || '/' || w.question_id
		WHERE w.complete = 1),
	scores AS (
		SELECT learner_id, g,
			total(CASE kind WHEN 'pretest' THEN credit END) * 100.0 / nullif(total(kind = 'pretest'), 0) AS b,
			total(CASE kind WHEN 'quiz' THEN credit END) * 100.0 / nullif(total(kind = 'quiz'), 0) AS a,
			total(CASE kind WHEN 'refresher' THEN credit END) * 100.0 / nullif(total(kind = 'refresher'), 0) AS k
		FROM credits GROUP BY learner_id, g)` + q.gainTail()
	args := append(vargs, jsonList(modules))
	return query, append(args, fargs...), nil
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
		var g string
		if err := rows.Scan(&r.Cohort, &g, &r.Before.N, &r.Before.Sum, &r.Before.SumSq,
			&r.After.N, &r.After.Sum, &r.After.SumSq, &r.Kept.N, &r.Kept.Sum, &r.Kept.SumSq,
			&r.Pairs, &r.PairBefore, &r.PairAfter); err != nil {
			return nil, fmt.Errorf("read measurements: %w", err)
		}
		if q.ByIndicator {
			r.Indicator = g
		} else {
			r.Module = g
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

// ConfidentWrongSQL is the statement behind ConfidentWrong, with its arguments.
func (q GainQuery) ConfidentWrongSQL() (string, []any, error) {
	modules, _, pairs, err := q.items()
	if err != nil {
		return "", nil, err
	}
	values, args := itemValues(pairs)
	where, fargs := q.Filter.where("l")
	query := `WITH items(k, ind) AS (` + values + `)
		SELECT ` + q.cohortColumn() + ` AS c, i.ind, count(DISTINCT a.learner_id), count(*), total(w.correct = 0)
		FROM attempts a CROSS JOIN answers w ON w.attempt_id = a.id
		CROSS JOIN items i ON i.k = a.module_id || '/' || w.question_id
		JOIN learners l ON l.id = a.learner_id
		WHERE a.kind IN ('quiz', 'refresher') AND a.module_id IN (SELECT value FROM json_each(?))
			AND w.complete = 1 AND w.confidence = 3 AND ` + where + `
		GROUP BY c, i.ind ORDER BY c, i.ind`
	args = append(args, jsonList(modules))
	return query, append(args, fargs...), nil
}

// ConfidentWrong counts, per indicator of the query's items, the answers given as
// "sure" in quizzes and refreshers (after the training) and how many were wrong (not
// fully right). The pre-test is left out: it measures what learners brought in, not
// what they hold after the training. One statement; ordered by cohort, indicator.
func (s *Store) ConfidentWrong(ctx context.Context, q GainQuery) ([]ConfidentWrongRow, error) {
	query, args, err := q.ConfidentWrongSQL()
	if err != nil {
		return nil, err
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
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
	mods, _, _, err := q.items()
	if err != nil {
		return nil, err
	}
	where, args := q.Filter.where("l")
	rows, err := s.read.QueryContext(ctx, `SELECT `+q.cohortColumn()+` AS c,
			count(DISTINCT CASE w.confidence WHEN 3 THEN a.learner_id END), total(w.confidence = 3),
			total(w.confidence = 3 AND w.correct = 1),
			count(DISTINCT CASE w.confidence WHEN 1 THEN a.learner_id END), total(w.confidence = 1),
			total(w.confidence = 1 AND w.correct = 1)
		FROM attempts a JOIN learners l ON l.id = a.learner_id
		JOIN answers w ON w.attempt_id = a.id
		WHERE a.kind IN ('quiz', 'refresher') AND a.module_id IN (SELECT value FROM json_each(?))
			AND w.complete = 1 AND w.confidence IN (1, 3) AND `+where+`
		GROUP BY c ORDER BY c`, append([]any{jsonList(mods)}, args...)...)
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
	cohort := GainQuery{ByCohort: byCohort}.cohortColumn()
	var reply []string
	for _, col := range []string{"met_sign", "alerted", "knew_whom"} {
		for _, r := range Replies {
			reply = append(reply, fmt.Sprintf("total(w.%s = '%s')", col, r))
		}
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+cohort+` AS c, count(DISTINCT w.learner_id), count(*), `+strings.Join(reply, ", ")+`
		FROM workplace_answers w JOIN learners l ON l.id = w.learner_id
		WHERE (json_array_length(?1) = 0 OR w.module_id IN (SELECT value FROM json_each(?1))) AND `+where+`
		GROUP BY c ORDER BY c`, append([]any{jsonList(modules)}, args...)...)
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
