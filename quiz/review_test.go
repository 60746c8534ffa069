package quiz

import (
	"math"
	"testing"
	"time"
)

// The worked examples below were computed by hand from the FSRS-4.5 formulas with the
// default parameters (a Python transcription of the published algorithm, independent of
// this code), and pin the scheduler to them.

var day0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-4 }

func TestFirstReviewFollowsTheDefaultParameters(t *testing.T) {
	for _, tt := range []struct {
		r          Rating
		stability  float64
		difficulty float64
		days       int
	}{
		{Again, 0.4872, 7.6214, 1}, // 0.49 days, at least one
		{Hard, 1.4003, 6.3916, 1},
		{Good, 3.7145, 5.1618, 4},
		{Easy, 13.8206, 3.9320, 14},
	} {
		c := Card{}.Review(tt.r, Unsaid, day0)
		if !near(c.Stability, tt.stability) || !near(c.Difficulty, tt.difficulty) {
			t.Errorf("rating %d: S=%.4f D=%.4f, want %.4f %.4f", tt.r, c.Stability, c.Difficulty, tt.stability, tt.difficulty)
		}
		if got := int(c.Due.Sub(day0).Hours() / 24); got != tt.days {
			t.Errorf("rating %d: due in %d days, want %d", tt.r, got, tt.days)
		}
		if c.Reps != 1 || !c.LastReview.Equal(day0) {
			t.Errorf("rating %d: %+v", tt.r, c)
		}
	}
}

func TestRightAnswersSpreadOutAndAWrongOneComesBackSoon(t *testing.T) {
	c := Card{}.Review(Good, Unsaid, day0) // due in 4 days
	second := day0.AddDate(0, 0, 4)
	if r := c.Retrievability(second); !near(r, 0.8934995) {
		t.Errorf("recall after 4 days %.7f, want 0.8934995", r)
	}
	c = c.Review(Good, Unsaid, second)
	if !near(c.Stability, 14.8081005) || !near(c.Difficulty, 5.1618) {
		t.Errorf("Good, Good: S=%.7f D=%.4f, want 14.8081005 5.1618", c.Stability, c.Difficulty)
	}
	if got := c.Due.Sub(second).Hours() / 24; got != 15 {
		t.Errorf("Good, Good: due in %v days, want 15", got)
	}
	third := second.AddDate(0, 0, 15)
	c = c.Review(Again, Unsaid, third)
	if !near(c.Stability, 3.1493213) || !near(c.Difficulty, 6.901155) || c.Lapses != 1 {
		t.Errorf("Good, Good, Again: S=%.7f D=%.6f lapses %d, want 3.1493213 6.901155 1", c.Stability, c.Difficulty, c.Lapses)
	}
	if got := c.Due.Sub(third).Hours() / 24; got != 3 {
		t.Errorf("after a lapse due in %v days, want 3", got)
	}
}

func TestHardAndEasyChangeTheGrowth(t *testing.T) {
	good := Card{}.Review(Good, Unsaid, day0)
	hard := good.Review(Hard, Guessing, day0.AddDate(0, 0, 4))
	if !near(hard.Stability, 6.2349660) || !near(hard.Difficulty, 6.0314775) {
		t.Errorf("Good, Hard: S=%.7f D=%.7f, want 6.2349660 6.0314775", hard.Stability, hard.Difficulty)
	}
	easy := Card{}.Review(Easy, Sure, day0)
	easy = easy.Review(Easy, Sure, day0.AddDate(0, 0, 14))
	if !near(easy.Stability, 127.4815252) || !near(easy.Difficulty, 3.1004463) {
		t.Errorf("Easy, Easy: S=%.7f D=%.7f, want 127.4815252 3.1004463", easy.Stability, easy.Difficulty)
	}
	if IntervalDays(1e6) != 365 || IntervalDays(0.01) != 1 {
		t.Error("intervals are not kept within 1 and 365 days")
	}
}

func TestConfidentWrongAnswerComesBackFirst(t *testing.T) {
	c := Card{}.Review(Good, Unsaid, day0).Review(Again, Sure, day0.AddDate(0, 0, 4))
	if !c.Priority || !c.Due.Equal(day0.AddDate(0, 0, 4)) {
		t.Errorf("a confident wrong answer: priority %v, due %v", c.Priority, c.Due)
	}
	c = c.Review(Good, Unsaid, day0.AddDate(0, 0, 5))
	if c.Priority {
		t.Error("priority kept after a right answer")
	}
	if (Card{}).Review(Again, Guessing, day0).Priority {
		t.Error("a guessed wrong answer is not a priority")
	}
}

func TestRatingAndMastery(t *testing.T) {
	for _, tt := range []struct {
		correct bool
		c       Confidence
		want    Rating
	}{
		{false, Sure, Again}, {false, Unsaid, Again}, {true, Guessing, Hard},
		{true, Unsaid, Good}, {true, Fairly, Good}, {true, Sure, Easy},
	} {
		if got := RatingFor(tt.correct, tt.c); got != tt.want {
			t.Errorf("RatingFor(%v, %d) = %d, want %d", tt.correct, tt.c, got, tt.want)
		}
	}
	if MasteryOf(Card{Stability: 30}, false) != Missing || MasteryOf(Card{Stability: 30}, true) != Mastered ||
		MasteryOf(Card{Stability: 4}, true) != Learning {
		t.Error("mastery levels")
	}
}
