package progress

import "math"

// The one rule for scores and module statuses. FinishAttempt, the bundle merger and the
// demo all go through these functions: an attempt's score comes from its stored
// answers, never from the caller, and a module's status only moves up.

// AnswerCredit is what one complete answer earns.
type AnswerCredit struct {
	Correct bool
	// Score is the credit, between 0 and 1: 1 or 0 for a question answered right or
	// wrong, a part for a question that gives partial credit.
	Score float64
}

// CreditOf is the credit of a stored answer: its score, or 1 when correct and 0 when
// not for an answer stored without one.
func CreditOf(correct bool, score *float64) AnswerCredit {
	if score != nil {
		return AnswerCredit{Correct: correct, Score: min(max(*score, 0), 1)}
	}
	if correct {
		return AnswerCredit{Correct: true, Score: 1}
	}
	return AnswerCredit{}
}

// AttemptScore is an attempt's result.
type AttemptScore struct {
	Correct int  // answers marked correct
	Percent int  // the credits' sum, in percent of the attempt's questions, rounded down
	Passed  bool // every question answered and Percent at least the pass mark
}

// ScoreAttempt scores the complete answers of an attempt of total questions.
func ScoreAttempt(answers []AnswerCredit, total, passMark int) AttemptScore {
	var sc AttemptScore
	sum := 0.0
	for _, a := range answers {
		sum += a.Score
		if a.Correct {
			sc.Correct++
		}
	}
	if total > 0 {
		// The epsilon keeps 1/3+1/3+1/3 of 1 question at 100 %.
		sc.Percent = min(int(math.Floor(sum*100/float64(total)+1e-9)), 100)
	}
	sc.Passed = total > 0 && len(answers) == total && sc.Percent >= passMark
	return sc
}

// ModuleRecord is a learner's standing in a module (a module_status row).
type ModuleRecord struct {
	Status   ModuleStatus
	Best     int  // the best score, in percent
	HasBest  bool // a scored attempt was finished
	PassedAt int64
	Updated  int64 // Unix milliseconds, as the schema keeps times
}

// statusRank orders the statuses: a status only ever moves up.
func statusRank(s ModuleStatus) int {
	switch s {
	case ModuleInProgress:
		return 1
	case ModuleFailed:
		return 2
	case ModulePassed:
		return 3
	}
	return 0
}

// WithAttempt is the record after a finished attempt with score sc at finishedAt: a
// pass is kept for good and dated by the latest pass, the best score is kept, a fail
// never undoes a pass.
func (r ModuleRecord) WithAttempt(sc AttemptScore, finishedAt int64) ModuleRecord {
	if !r.HasBest || sc.Percent > r.Best {
		r.Best, r.HasBest = sc.Percent, true
	}
	if sc.Passed {
		r.Status = ModulePassed
		r.PassedAt = max(r.PassedAt, finishedAt)
	} else if statusRank(r.Status) < statusRank(ModuleFailed) {
		r.Status = ModuleFailed
	}
	r.Updated = max(r.Updated, finishedAt)
	return r
}

// Merge is the record that both r and o say, for two records of the same learner and
// module (this machine's and a station's): the higher status, the best score, the
// latest pass, the latest update.
func (r ModuleRecord) Merge(o ModuleRecord) ModuleRecord {
	if statusRank(o.Status) > statusRank(r.Status) {
		r.Status = o.Status
	}
	if o.HasBest && (!r.HasBest || o.Best > r.Best) {
		r.Best, r.HasBest = o.Best, true
	}
	r.PassedAt = max(r.PassedAt, o.PassedAt)
	if r.Status != ModulePassed {
		r.PassedAt = 0
	}
	r.Updated = max(r.Updated, o.Updated)
	return r
}
