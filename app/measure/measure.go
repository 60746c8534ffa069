// Package measure holds the statistics of the three measurements of the same knowledge
// (before the training, right after it, and kept months later): group means with their
// 95 % intervals, the normalised gain, the share of confident answers that were wrong,
// and the suppression of figures for groups too small to keep a learner's answers
// private. It knows nothing of storage, screens or files.
package measure

import "math"

// MinGroup is the smallest number of learners for which a group's percentages and
// intervals are shown. Below it only counts are: with fewer learners a trainer could
// read one person's answers from the group figure.
const MinGroup = 5

// Estimate is the mean of a group's scores (percentages) with its 95 % interval.
type Estimate struct {
	N          int     // learners behind the figure
	Mean       float64 // percent
	Low, High  float64 // the 95 % interval of the mean, within 0-100
	Suppressed bool    // N < MinGroup: only N may be shown
}

// Shown reports whether the estimate may be shown as a percentage.
func (e Estimate) Shown() bool { return e.N > 0 && !e.Suppressed }

// Mean estimates the mean of scores (one percentage per learner) with Student's t
// interval at 95 %, clamped to 0-100. A group below MinGroup is suppressed: only its
// size is kept. One learner has no interval (it would be infinite).
func Mean(scores []float64) Estimate {
	n := len(scores)
	e := Estimate{N: n}
	if n == 0 {
		return e
	}
	if n < MinGroup {
		e.Suppressed = true
		return e
	}
	sum := 0.0
	for _, s := range scores {
		sum += s
	}
	mean := sum / float64(n)
	ss := 0.0
	for _, s := range scores {
		ss += (s - mean) * (s - mean)
	}
	sd := math.Sqrt(ss / float64(n-1))
	half := TQuantile975(n-1) * sd / math.Sqrt(float64(n))
	e.Mean, e.Low, e.High = mean, clamp(mean-half), clamp(mean+half)
	return e
}

// MeanOf is Mean from a group's count, sum and sum of squares of scores, which SQL can
// aggregate without handing over the scores one by one. The variance is
// (sumSq − sum²/n) / (n − 1), never below zero (rounding can push a group of equal
// scores a hair under).
func MeanOf(n int, sum, sumSq float64) Estimate {
	e := Estimate{N: n}
	if n <= 0 {
		return Estimate{}
	}
	if n < MinGroup {
		e.Suppressed = true
		return e
	}
	mean := sum / float64(n)
	sd := math.Sqrt(math.Max(0, (sumSq-sum*sum/float64(n))/float64(n-1)))
	half := TQuantile975(n-1) * sd / math.Sqrt(float64(n))
	e.Mean, e.Low, e.High = mean, clamp(mean-half), clamp(mean+half)
	return e
}

func clamp(v float64) float64 { return math.Min(100, math.Max(0, v)) }

// NormalisedGain is the share of the possible improvement that was made, (after −
// before) / (100 − before), from the group's mean scores in percent (Hake's average
// normalised gain). It is undefined (ok false) when the group started at 100 %.
func NormalisedGain(before, after float64) (g float64, ok bool) {
	if before >= 100 {
		return 0, false
	}
	return (after - before) / (100 - before), true
}

// Gain is the normalised gain between two estimates, when both may be shown.
func Gain(before, after Estimate) (g float64, ok bool) {
	if !before.Shown() || !after.Shown() {
		return 0, false
	}
	return NormalisedGain(before.Mean, after.Mean)
}

// PairedGain is the normalised gain of the learners measured both before and after:
// pairs of them, whose before and after scores add up to sumBefore and sumAfter. On
// paired learners the gain is not moved by who skipped the pre-test. It is undefined
// (ok false) below MinGroup pairs, or when they started at 100 %.
func PairedGain(pairs int, sumBefore, sumAfter float64) (g float64, ok bool) {
	if pairs < MinGroup {
		return 0, false
	}
	return NormalisedGain(sumBefore/float64(pairs), sumAfter/float64(pairs))
}

// Proportion is how often something happened among counted answers, given by a
// number of learners: the share of confident answers that were wrong, say.
type Proportion struct {
	Learners   int // learners whose answers are counted
	Count      int // answers counted
	Hits       int // of which the event happened
	Rate       float64
	Low, High  float64 // Wilson's 95 % interval, 0-1
	Suppressed bool    // Learners < MinGroup: only the counts may be shown
}

// Shown reports whether the proportion may be shown as a percentage.
func (p Proportion) Shown() bool { return p.Count > 0 && !p.Suppressed }

// Share makes a Proportion of hits among count answers given by learners learners,
// with Wilson's score interval at 95 % (sound for small counts and rates near 0 or 1,
// unlike the normal approximation).
func Share(hits, count, learners int) Proportion {
	p := Proportion{Learners: learners, Count: count, Hits: hits}
	if count == 0 {
		return p
	}
	if learners < MinGroup {
		p.Suppressed = true
		return p
	}
	n := float64(count)
	r := float64(hits) / n
	z := z975
	den := 1 + z*z/n
	centre := (r + z*z/(2*n)) / den
	half := z * math.Sqrt(r*(1-r)/n+z*z/(4*n*n)) / den
	p.Rate, p.Low, p.High = r, math.Max(0, centre-half), math.Min(1, centre+half)
	return p
}

// z975 is the 97.5th percentile of the standard normal distribution.
const z975 = 1.959963984540054

// tTable holds the 97.5th percentiles of Student's t for 1 to 30 degrees of freedom.
var tTable = [...]float64{
	12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
	2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
	2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272,
}

// TQuantile975 is the 97.5th percentile of Student's t with df degrees of freedom: from
// the table up to 30, beyond by the Cornish-Fisher expansion around the normal
// quantile (within 1e-4 of the exact value from 31 on).
func TQuantile975(df int) float64 {
	if df < 1 {
		return math.Inf(1)
	}
	if df <= len(tTable) {
		return tTable[df-1]
	}
	z, v := z975, float64(df)
	z3, z5, z7 := z*z*z, z*z*z*z*z, z*z*z*z*z*z*z
	return z + (z3+z)/(4*v) + (5*z5+16*z3+3*z)/(96*v*v) + (3*z7+19*z5+17*z3-15*z)/(384*v*v*v)
}
