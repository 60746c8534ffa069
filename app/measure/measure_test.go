package measure

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// Worked by hand: scores 60, 70, 80, 90, 100. Mean 80; deviations -20, -10, 0, 10, 20;
// sum of squares 1000; sd = sqrt(1000/4) = 15.8114; standard error 15.8114/sqrt(5) =
// 7.0711; t(4, 0.975) = 2.7764; half-width 19.632; interval 60.37 to 99.63.
func TestMeanOfFiveScores(t *testing.T) {
	e := Mean([]float64{60, 70, 80, 90, 100})
	if e.N != 5 || e.Suppressed || !near(e.Mean, 80, 1e-9) || !near(e.Low, 60.368, 0.01) || !near(e.High, 99.632, 0.01) {
		t.Errorf("got %+v, want mean 80 in [60.37, 99.63]", e)
	}
}

// Worked by hand: 8 learners, four at 100 and four at 50. Mean 75; sd = sqrt(8 × 625 /
// 7) = 26.726; se = 9.449; t(7) = 2.3646; half-width 22.34; the upper bound 97.34 stays
// under 100. With 100, 100, 100, 100, 90: mean 98, sd 4.472, se 2, t(4) 2.7764, half 5.55:
// the upper bound 103.55 is clamped to 100.
func TestIntervalsStayWithinZeroAndHundred(t *testing.T) {
	e := Mean([]float64{100, 100, 100, 100, 50, 50, 50, 50})
	if !near(e.Mean, 75, 1e-9) || !near(e.Low, 52.66, 0.01) || !near(e.High, 97.34, 0.01) {
		t.Errorf("got %+v, want 75 in [52.66, 97.34]", e)
	}
	e = Mean([]float64{100, 100, 100, 100, 90})
	if !near(e.Mean, 98, 1e-9) || !near(e.Low, 92.45, 0.01) || e.High != 100 {
		t.Errorf("got %+v, want 98 in [92.45, 100]", e)
	}
}

func TestSmallGroupsShowOnlyTheirSize(t *testing.T) {
	for n := 1; n < MinGroup; n++ {
		scores := make([]float64, n)
		for i := range scores {
			scores[i] = 70
		}
		e := Mean(scores)
		if e.N != n || !e.Suppressed || e.Shown() || e.Mean != 0 || e.Low != 0 || e.High != 0 {
			t.Errorf("%d learners: %+v, want only the count", n, e)
		}
	}
	if e := Mean(nil); e.N != 0 || e.Shown() {
		t.Errorf("no learners: %+v", e)
	}
	p := Share(3, 10, 4)
	if !p.Suppressed || p.Shown() || p.Rate != 0 || p.Count != 10 || p.Hits != 3 {
		t.Errorf("4 learners' answers: %+v, want counts only", p)
	}
	if _, ok := Gain(Mean([]float64{50, 50, 50, 50}), Mean([]float64{80, 80, 80, 80, 80})); ok {
		t.Error("a gain from a suppressed group")
	}
}

// Worked by hand: before 50, after 80: (80 - 50) / (100 - 50) = 0.6. Before 40, after
// 70: 30 / 60 = 0.5. A loss: before 60, after 50: -10 / 40 = -0.25. Before 100: undefined.
func TestNormalisedGain(t *testing.T) {
	for _, tt := range []struct {
		before, after, want float64
		ok                  bool
	}{{50, 80, 0.6, true}, {40, 70, 0.5, true}, {60, 50, -0.25, true}, {54.7, 84.5, 0.6578, true}, {100, 100, 0, false}} {
		g, ok := NormalisedGain(tt.before, tt.after)
		if ok != tt.ok || !near(g, tt.want, 1e-4) {
			t.Errorf("gain %v -> %v = %v (%v), want %v", tt.before, tt.after, g, ok, tt.want)
		}
	}
	g, ok := Gain(Mean([]float64{40, 40, 40, 40, 40}), Mean([]float64{70, 70, 70, 70, 70}))
	if !ok || !near(g, 0.5, 1e-9) {
		t.Errorf("gain of two groups %v %v", g, ok)
	}
}

// Worked by hand, Wilson's interval for 4 wrong of 20 sure answers (z = 1.96): r = 0.2;
// z²/n = 0.19207; centre = (0.2 + 0.09604) / 1.19207 = 0.24835; half = 1.96 ×
// sqrt(0.2 × 0.8 / 20 + 3.8415 / 1600) / 1.19207 = 1.96 × 0.10183 / 1.19207 = 0.16743;
// interval 0.0809 to 0.4158.
func TestShareWithWilsonInterval(t *testing.T) {
	p := Share(4, 20, 6)
	if !p.Shown() || !near(p.Rate, 0.2, 1e-9) || !near(p.Low, 0.0809, 1e-3) || !near(p.High, 0.4158, 1e-3) {
		t.Errorf("got %+v, want 0.2 in [0.081, 0.416]", p)
	}
	if p := Share(0, 10, 5); p.Low != 0 || p.High <= 0 || p.High > 0.35 {
		t.Errorf("none of 10: %+v", p)
	}
	if p := Share(10, 10, 5); !near(p.High, 1, 1e-9) || p.Low >= 1 || p.Low < 0.65 {
		t.Errorf("all of 10: %+v", p)
	}
}

func TestTQuantiles(t *testing.T) {
	// Reference values: 2.776445 (4), 2.042272 (30), 2.039513 (31), 2.008559 (50),
	// 1.983972 (100), 1.962339 (1000).
	for _, tt := range []struct {
		df   int
		want float64
	}{{4, 2.776445}, {30, 2.042272}, {31, 2.039513}, {50, 2.008559}, {100, 1.983972}, {1000, 1.962339}} {
		if got := TQuantile975(tt.df); !near(got, tt.want, 1e-4) {
			t.Errorf("t(%d) = %v, want %v", tt.df, got, tt.want)
		}
	}
}

// Worked by hand: the five scores 60, 70, 80, 90, 100 have the sum 400 and the sum of
// squares 3600 + 4900 + 6400 + 8100 + 10000 = 33000; the variance is (33000 − 400²/5) /
// 4 = (33000 − 32000) / 4 = 250, as from the scores themselves: the same estimate as
// Mean's, mean 80 in [60.37, 99.63].
func TestMeanOfSums(t *testing.T) {
	e := MeanOf(5, 400, 33000)
	if e != Mean([]float64{60, 70, 80, 90, 100}) || !near(e.Low, 60.368, 0.01) {
		t.Errorf("got %+v", e)
	}
	// Five learners at 70: a variance of zero, however the sums round.
	e = MeanOf(5, 350, 24500-1e-9)
	if e.Mean != 70 || e.Low != 70 || e.High != 70 {
		t.Errorf("five at 70: %+v", e)
	}
	if e := MeanOf(4, 280, 19600); !e.Suppressed || e.Shown() || e.N != 4 || e.Mean != 0 {
		t.Errorf("four learners: %+v", e)
	}
	if e := MeanOf(0, 0, 0); e.Shown() || e.N != 0 {
		t.Errorf("none: %+v", e)
	}
}

// Worked by hand: five pairs whose before scores add up to 250 (mean 50) and after
// scores to 400 (mean 80): (80 − 50) / (100 − 50) = 0.6. Four pairs: too few. Five
// pairs all at 100 before: undefined.
func TestPairedGain(t *testing.T) {
	if g, ok := PairedGain(5, 250, 400); !ok || !near(g, 0.6, 1e-12) {
		t.Errorf("five pairs: %v %v", g, ok)
	}
	if _, ok := PairedGain(4, 200, 320); ok {
		t.Error("a gain from four pairs")
	}
	if _, ok := PairedGain(5, 500, 500); ok {
		t.Error("a gain from a group that started at 100 %")
	}
}
