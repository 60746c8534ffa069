package progress

import (
	"context"
	"errors"
	"testing"
	"time"

	"indicia/quiz"
)

// ans is one answer of a measured attempt: the question, right or not, the credit when
// partly right (0 for none), how sure the learner said they were.
type ans struct {
	q       string
	correct bool
	partial float64
	conf    quiz.Confidence
}

// measured records an attempt of kind at core with the answers given, and finishes it
// unless open is set.
func measured(t *testing.T, s *Store, learner int64, kind AttemptKind, open bool, answers ...ans) Attempt {
	t.Helper()
	ctx := context.Background()
	var p quiz.Plan
	for _, a := range answers {
		p = append(p, quiz.Draw{QuestionID: a.q})
	}
	at, err := s.StartAttempt(ctx, NewAttempt{LearnerID: learner, ModuleID: "core", ContentVersion: "v1", Language: "fr",
		Plan: p, PassMark: 80, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range answers {
		rec := Answer{Position: i, QuestionID: a.q, Complete: true, Correct: a.correct, Confidence: a.conf,
			Response: quiz.Response{Chosen: []string{"a"}}, Time: time.Second}
		if a.partial > 0 {
			rec.Score = &a.partial
		}
		if err := s.RecordAnswer(ctx, at.ID, rec); err != nil {
			t.Fatal(err)
		}
	}
	if open {
		return at
	}
	done, err := s.FinishAttempt(ctx, at.ID)
	if err != nil {
		t.Fatal(err)
	}
	return done
}

// gainItems: q1 and q2 exercise sign A, q3 both A and B, q4 sign B. "law" is asked in
// the attempts but measures no sign.
var gainItems = []MeasuredItem{
	{"core", "q1", []string{"A"}}, {"core", "q2", []string{"A"}}, {"core", "q3", []string{"A", "B"}}, {"core", "q4", []string{"B"}},
}

// gainFixture: five learners in cohort X, one in Y and one without a cohort, as the
// comments below give them. Every figure the tests want is worked out by hand from it.
func gainFixture(t *testing.T) *Store {
	t.Helper()
	s, _ := openTemp(t)
	ctx := context.Background()
	move := clockAt(s, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tick := func() { now = now.Add(time.Hour); move(now) }
	learner := func(name, cohort, role string) int64 {
		l, err := s.CreateLearner(ctx, NewLearner{Name: name, Role: role, Language: "fr", Cohort: cohort})
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	S, G := quiz.Sure, quiz.Guessing
	x1, x2, x3, x4, x5 := learner("X1", "X", "police"), learner("X2", "X", "police"), learner("X3", "X", "police"),
		learner("X4", "X", "hospital"), learner("X5", "X", "police")
	y1, z1 := learner("Y1", "Y", "police"), learner("Z1", "", "police")

	// X1: before q1 right, q2 wrong (the law question does not count): 50. After q3, q4
	// right: 100. Kept q1 right, q4 wrong: 50.
	measured(t, s, x1, KindPretest, false, ans{"q1", true, 0, S}, ans{"q2", false, 0, S}, ans{"law", true, 0, S})
	tick()
	measured(t, s, x1, KindQuiz, false, ans{"q3", true, 0, S}, ans{"q4", true, 0, S}, ans{"law", false, 0, S})
	tick()
	measured(t, s, x1, KindRefresher, false, ans{"q1", true, 0, S}, ans{"q4", false, 0, S})
	// X2: before 0, after 50 (answers given as guessing); no refresher.
	measured(t, s, x2, KindPretest, false, ans{"q1", false, 0, S}, ans{"q3", false, 0, S})
	tick()
	measured(t, s, x2, KindQuiz, false, ans{"q2", true, 0, G}, ans{"q4", false, 0, G})
	// X3 skipped the pre-test; first quiz 100, a later quiz does not count; kept 100.
	if _, err := s.SkipPretest(ctx, x3, "core", "v1", "fr"); err != nil {
		t.Fatal(err)
	}
	measured(t, s, x3, KindQuiz, false, ans{"q1", true, 0, S}, ans{"q2", true, 0, S})
	tick()
	measured(t, s, x3, KindQuiz, false, ans{"q1", false, 0, S}, ans{"q4", false, 0, S})
	tick()
	measured(t, s, x3, KindRefresher, false, ans{"q3", true, 0, S}, ans{"q4", true, 0, S})
	// X4: before, a spot situation half right: 50. A quiz given up (abandoned) does not
	// count; the next one: 50.
	measured(t, s, x4, KindPretest, false, ans{"q4", false, 0.5, S})
	tick()
	measured(t, s, x4, KindQuiz, true, ans{"q2", false, 0, S})
	measured(t, s, x4, KindQuiz, false, ans{"q1", true, 0, S}, ans{"q3", false, 0, S})
	// X5: 100 and 100, and an unfinished refresher that does not count.
	measured(t, s, x5, KindPretest, false, ans{"q1", true, 0, S}, ans{"q2", true, 0, S})
	tick()
	measured(t, s, x5, KindQuiz, false, ans{"q3", true, 0, S}, ans{"q4", true, 0, S})
	tick()
	measured(t, s, x5, KindRefresher, true, ans{"q3", false, 0, S})
	// Y1: 100 and 100. Z1, no cohort: after 0.
	measured(t, s, y1, KindPretest, false, ans{"q1", true, 0, S})
	tick()
	measured(t, s, y1, KindQuiz, false, ans{"q2", true, 0, S})
	measured(t, s, z1, KindQuiz, false, ans{"q1", false, 0, S})
	return s
}

func TestGainByModuleAndCohort(t *testing.T) {
	s := gainFixture(t)
	ctx := context.Background()
	got, err := s.Gain(ctx, GainQuery{Items: gainItems, ByCohort: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []GainRow{
		{Cohort: "", Module: "core", After: Moments{1, 0, 0}},
		// X: before 50, 0, 50, 100; after 100, 50, 100, 50, 100; kept 50, 100; pairs
		// (50, 100), (0, 50), (50, 50), (100, 100).
		{Cohort: "X", Module: "core", Before: Moments{4, 200, 15000}, After: Moments{5, 400, 35000}, Kept: Moments{2, 150, 12500},
			Pairs: 4, PairBefore: 200, PairAfter: 300},
		{Cohort: "Y", Module: "core", Before: Moments{1, 100, 10000}, After: Moments{1, 100, 10000}, Pairs: 1, PairBefore: 100, PairAfter: 100},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	// One cohort, one group; a role filter leaves X4 (hospital) out.
	got, err = s.Gain(ctx, GainQuery{Items: gainItems, Filter: Filter{Cohort: "X", Role: "police"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Before != (Moments{3, 150, 12500}) || got[0].After != (Moments{4, 350, 32500}) || got[0].Pairs != 3 {
		t.Errorf("cohort X, police: %+v", got)
	}
	// A module with no measured items is not in the view.
	got, err = s.Gain(ctx, GainQuery{Items: []MeasuredItem{{"police", "p1", []string{"A"}}}})
	if err != nil || len(got) != 0 {
		t.Errorf("another module: %+v %v", got, err)
	}
	if _, err := s.Gain(ctx, GainQuery{Items: []MeasuredItem{{"", "p1", nil}}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("an item without a module: %v", err)
	}
}

func TestGainByIndicator(t *testing.T) {
	s := gainFixture(t)
	got, err := s.Gain(context.Background(), GainQuery{Items: gainItems, ByIndicator: true, Filter: Filter{Cohort: "X"}})
	if err != nil {
		t.Fatal(err)
	}
	// A (q1, q2, q3): before X1 50, X2 0, X5 100; after X1 100, X2 100, X3 100, X4 50, X5
	// 100; kept X1 100, X3 100. B (q3, q4): before X2 0, X4 50; after X1 100, X2 0, X4 0,
	// X5 100; kept X1 0, X3 100.
	want := []GainRow{
		{Indicator: "A", Before: Moments{3, 150, 12500}, After: Moments{5, 450, 42500}, Kept: Moments{2, 200, 20000},
			Pairs: 3, PairBefore: 150, PairAfter: 300},
		{Indicator: "B", Before: Moments{2, 50, 2500}, After: Moments{4, 200, 20000}, Kept: Moments{2, 100, 10000},
			Pairs: 2, PairBefore: 50, PairAfter: 0},
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestConfidentWrongAndCalibration(t *testing.T) {
	s := gainFixture(t)
	ctx := context.Background()
	cw, err := s.ConfidentWrong(ctx, GainQuery{Items: gainItems, ByCohort: true})
	if err != nil {
		t.Fatal(err)
	}
	// Sure answers after the training (quizzes, refreshers, the answers of an abandoned
	// quiz and of an unfinished refresher included; pre-tests not). A in X: X1 q3 q1, X3
	// q1 q2 q1(wrong) q3, X4 q2(wrong) q1 q3(wrong), X5 q3 q3(wrong): 11, 4 wrong, 4
	// learners. B in X: X1 q3 q4 q4(wrong), X3 q4(wrong) q3 q4, X4 q3(wrong), X5 q3 q4
	// q3(wrong): 10, 4 wrong. "" (Z1): q1 wrong. Y1: q2 right.
	want := []ConfidentWrongRow{
		{"", "A", Confidence{1, 1, 1}},
		{"X", "A", Confidence{4, 11, 4}}, {"X", "B", Confidence{4, 10, 4}},
		{"Y", "A", Confidence{1, 1, 0}},
	}
	if len(cw) != len(want) {
		t.Fatalf("got %+v", cw)
	}
	for i := range want {
		if cw[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i, cw[i], want[i])
		}
	}
	cal, err := s.Calibration(ctx, GainQuery{Items: gainItems, Filter: Filter{Cohort: "X"}})
	if err != nil {
		t.Fatal(err)
	}
	// Every question counts here, the law question too. Sure in X: X1 5 (3 right), X3 6
	// (4), X4 3 (1), X5 3 (2): 17, 10 right. Guessing: X2 2, 1 right.
	if len(cal) != 1 || cal[0].Sure != (Confidence{4, 17, 10}) || cal[0].Guessing != (Confidence{1, 2, 1}) {
		t.Errorf("calibration %+v", cal)
	}
}

func TestWorkplaceQuestionsOncePerRefresher(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	start := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	move := clockAt(s, start)
	l := newLearner(t, s, "Hanne")
	takeQuiz(t, s, l.ID, "core", 2, 2, time.Second)
	later := start.AddDate(0, 0, DefaultRefresherDays+3)
	if due, _, err := s.WorkplaceDue(ctx, l.ID, "core", later); err != nil || due {
		t.Errorf("asked while the trainer has not turned the questions on: %v %v", due, err)
	}
	if err := s.SetWorkplaceQuestions(ctx, true); err != nil {
		t.Fatal(err)
	}
	if due, _, _ := s.WorkplaceDue(ctx, l.ID, "core", start.AddDate(0, 1, 0)); due {
		t.Error("asked before the refresher fell due")
	}
	due, dueAt, err := s.WorkplaceDue(ctx, l.ID, "core", later)
	if err != nil || !due || !dueAt.Equal(time.UnixMilli(start.UnixMilli()).AddDate(0, 0, DefaultRefresherDays)) {
		t.Fatalf("when the refresher is due: %v %v %v", due, dueAt, err)
	}
	move(later)
	if err := s.RecordWorkplace(ctx, l.ID, "core", dueAt, WorkplaceAnswer{ReplyYes, ReplyNo, Reply("maybe")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a reply that is not yes, no or unsaid: %v", err)
	}
	if err := s.RecordWorkplace(ctx, l.ID, "core", dueAt, WorkplaceAnswer{ReplyYes, ReplyNo, ReplyUnsaid}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordWorkplace(ctx, l.ID, "core", dueAt, WorkplaceAnswer{ReplyNo, ReplyNo, ReplyNo}); err != nil {
		t.Fatal(err)
	}
	if due, _, _ := s.WorkplaceDue(ctx, l.ID, "core", later); due {
		t.Error("asked again for the same refresher")
	}
	rows, err := s.WorkplaceTotals(ctx, Filter{}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Learners != 1 || rows[0].Answers != 1 || rows[0].MetSign[ReplyYes] != 1 ||
		rows[0].Alerted[ReplyNo] != 1 || rows[0].KnewWhom[ReplyUnsaid] != 1 {
		t.Errorf("totals %+v", rows)
	}
	if rows, _ := s.WorkplaceTotals(ctx, Filter{}, true, []string{"police"}); len(rows) != 0 {
		t.Errorf("another module's totals %+v", rows)
	}
}
