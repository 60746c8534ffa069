package quiz

import (
	"math"
	"time"
)

// The review scheduler implements FSRS-4.5 (Free Spaced Repetition Scheduler, by Jarrett
// Ye; https://github.com/open-spaced-repetition/fsrs4anki/wiki/The-Algorithm) with its
// published default parameters and a desired retention of 90 %. Every question a learner
// answers gets a Card; a wrong answer brings it back the next day, right answers at
// growing intervals, longer for what was easy.

// Rating is how well a question was answered, FSRS's four grades.
type Rating int

// The ratings.
const (
	Again Rating = 1 // wrong
	Hard  Rating = 2 // right, but guessed
	Good  Rating = 3 // right
	Easy  Rating = 4 // right and sure
)

// Confidence is how sure the learner said they were, before seeing the result.
type Confidence int

// The confidence levels; Unsaid when the learner did not say.
const (
	Unsaid   Confidence = 0
	Guessing Confidence = 1
	Fairly   Confidence = 2
	Sure     Confidence = 3
)

// RatingFor turns an answer and the learner's confidence into a rating.
func RatingFor(correct bool, c Confidence) Rating {
	switch {
	case !correct:
		return Again
	case c == Guessing:
		return Hard
	case c == Sure:
		return Easy
	}
	return Good
}

// fsrsWeights are FSRS-4.5's default parameters w0 … w16.
var fsrsWeights = [17]float64{0.4872, 1.4003, 3.7145, 13.8206, 5.1618, 1.2298, 0.8975, 0.031,
	1.6474, 0.1367, 1.0461, 2.1072, 0.0793, 0.3246, 1.587, 0.2272, 2.8755}

const (
	fsrsDecay       = -0.5
	fsrsFactor      = 19.0 / 81.0 // so that retrievability is 90 % after Stability days
	desiredRecall   = 0.9
	maxIntervalDays = 365
)

// Card is the memory state of one question for one learner.
type Card struct {
	Stability  float64 // days after which recall falls to 90 %
	Difficulty float64 // 1 (easy) to 10 (hard)
	Reps       int
	Lapses     int
	LastReview time.Time
	Due        time.Time
	// Priority marks a question answered wrongly although the learner was sure: the
	// most important thing to review, so it is due at once and comes first.
	Priority bool
}

// Retrievability is the estimated probability of recalling the card at time now.
func (c Card) Retrievability(now time.Time) float64 {
	if c.Reps == 0 || c.Stability <= 0 {
		return 0
	}
	days := math.Max(now.Sub(c.LastReview).Hours()/24, 0)
	return math.Pow(1+fsrsFactor*days/c.Stability, fsrsDecay)
}

// Review returns the card's state after an answer rated r at time now, and when it is
// due next. A confident wrong answer is due again at once, with priority.
func (c Card) Review(r Rating, confidence Confidence, now time.Time) Card {
	w := fsrsWeights
	next := c
	if c.Reps == 0 {
		next.Stability = w[r-1]
		next.Difficulty = initialDifficulty(r)
	} else {
		recall := c.Retrievability(now)
		next.Difficulty = clamp(w[7]*initialDifficulty(Good)+(1-w[7])*(c.Difficulty-w[6]*float64(r-3)), 1, 10)
		if r == Again {
			next.Stability = w[11] * math.Pow(c.Difficulty, -w[12]) * (math.Pow(c.Stability+1, w[13]) - 1) * math.Exp(w[14]*(1-recall))
			next.Lapses++
		} else {
			bonus := 1.0
			if r == Hard {
				bonus = w[15]
			} else if r == Easy {
				bonus = w[16]
			}
			next.Stability = c.Stability * (math.Exp(w[8])*(11-c.Difficulty)*math.Pow(c.Stability, -w[9])*(math.Exp(w[10]*(1-recall))-1)*bonus + 1)
		}
	}
	next.Reps++
	next.LastReview = now
	next.Priority = r == Again && confidence == Sure
	if next.Priority {
		next.Due = now
	} else {
		next.Due = now.Add(time.Duration(IntervalDays(next.Stability)) * 24 * time.Hour)
	}
	return next
}

// IntervalDays is the number of days until recall is expected to fall to 90 %, rounded,
// from 1 to 365.
func IntervalDays(stability float64) int {
	days := stability / fsrsFactor * (math.Pow(desiredRecall, 1/fsrsDecay) - 1)
	return int(clamp(math.Round(days), 1, maxIntervalDays))
}

func initialDifficulty(r Rating) float64 {
	return clamp(fsrsWeights[4]-float64(r-3)*fsrsWeights[5], 1, 10)
}

func clamp(x, lo, hi float64) float64 { return math.Min(math.Max(x, lo), hi) }

// Mastery is how well a learner knows one indicator or procedure.
type Mastery int

// The mastery levels, from least to best known.
const (
	Missing  Mastery = iota // the last answers were wrong
	Learning                // right lately, but not yet stable
	Mastered                // right, and remembered for three weeks or more
)

// MasteryOf rates a card: mastered once recall is stable for 21 days.
func MasteryOf(c Card, lastCorrect bool) Mastery {
	switch {
	case !lastCorrect:
		return Missing
	case c.Stability >= 21:
		return Mastered
	}
	return Learning
}
