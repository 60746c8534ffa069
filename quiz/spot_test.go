package quiz

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// spotQuestion has five phrases, of which p1, p3 and p4 are signs.
func spotQuestion() Question {
	return Question{
		ID: "spot", Kind: Spot, Options: opts("p1", "p2", "p3", "p4", "p5"),
		Answer:    []string{"p1", "p3", "p4"},
		Signs:     map[string]string{"p1": "speaks-for-child", "p3": "no-identity-papers", "p4": "companion-watches"},
		Situation: "At the desk. {p1} Then {p2}\n{p3} {p4} Later: {p5}",
	}
}

func TestGradeSpot(t *testing.T) {
	tests := []struct {
		name    string
		marked  []string
		correct bool
		score   float64
		wrong   []string
	}{
		{"every sign and nothing else", []string{"p4", "p1", "p3"}, true, 1, nil},
		{"two signs of three", []string{"p1", "p3"}, false, 2.0 / 3, []string{"p4"}},
		{"every sign and one non-sign", []string{"p1", "p2", "p3", "p4"}, false, 2.0 / 3, []string{"p2"}},
		{"one sign and one non-sign cancel out", []string{"p1", "p5"}, false, 0, []string{"p3", "p4", "p5"}},
		{"more wrong marks than right ones floor at zero", []string{"p2", "p5", "p1"}, false, 0, []string{"p2", "p3", "p4", "p5"}},
		{"nothing marked is an answer worth nothing", nil, false, 0, []string{"p1", "p3", "p4"}},
		{"everything marked", []string{"p1", "p2", "p3", "p4", "p5"}, false, 1.0 / 3, []string{"p2", "p5"}},
	}
	q := spotQuestion()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := q.Grade(Response{Chosen: tt.marked})
			if err != nil {
				t.Fatal(err)
			}
			if g.Correct != tt.correct || !near(g.Score, tt.score) || !slices.Equal(g.Wrong, tt.wrong) {
				t.Errorf("got correct=%v score=%.3f wrong=%v, want %v %.3f %v", g.Correct, g.Score, g.Wrong, tt.correct, tt.score, tt.wrong)
			}
		})
	}
	for _, bad := range [][]string{{"p9"}, {"p1", "p1"}} {
		if _, err := q.Grade(Response{Chosen: bad}); err == nil {
			t.Errorf("marking %v: no error", bad)
		}
	}
}

func TestSpotScoreRule(t *testing.T) {
	for _, tt := range []struct {
		hits, falseMarks, signs int
		want                    float64
	}{
		{3, 0, 3, 1}, {2, 0, 4, 0.5}, {2, 1, 4, 0.25}, {1, 3, 2, 0}, {0, 0, 2, 0}, {0, 0, 0, 0},
	} {
		if got := SpotScore(tt.hits, tt.falseMarks, tt.signs); !near(got, tt.want) {
			t.Errorf("SpotScore(%d, %d, %d) = %v, want %v", tt.hits, tt.falseMarks, tt.signs, got, tt.want)
		}
	}
}

func TestSessionScoreCountsPartialCredit(t *testing.T) {
	bank := append(sampleBank(), spotQuestion())
	plan := Plan{{QuestionID: "single", Options: []string{"a", "b", "c"}}, {QuestionID: "spot"}, {QuestionID: "tf"}}
	s, err := NewSession(bank, plan, 50)
	if err != nil {
		t.Fatal(err)
	}
	mustAnswer := func(i int, r Response) {
		t.Helper()
		if _, err := s.Answer(i, r); err != nil {
			t.Fatal(err)
		}
	}
	mustAnswer(0, Response{Chosen: []string{"b"}})        // right: 1
	mustAnswer(1, Response{Chosen: []string{"p1", "p3"}}) // two signs of three: 2/3
	mustAnswer(2, Response{Chosen: []string{True}})       // wrong: 0
	sc := s.Score()
	// (1 + 2/3 + 0) / 3 = 55.6 %: rounded down to 55, a pass at 50.
	if sc.Correct != 1 || !near(sc.Points, 5.0/3) || sc.Percent != 55 || !sc.Passed {
		t.Errorf("score %+v, want 1 right, 1.667 points, 55 %%, passed", sc)
	}
	if got := s.Missed(); !slices.Equal(got, []int{1, 2}) {
		t.Errorf("missed %v: a partly right spot answer is not right", got)
	}
}

func TestPercentKeepsWholeNumbers(t *testing.T) {
	third := 1.0 / 3
	if got := Percent(third+third+third, 1); got != 100 {
		t.Errorf("3 × 1/3 of 1 = %d %%, want 100", got)
	}
	if got := Percent(7.0/3, 3); got != 77 {
		t.Errorf("7/3 of 3 = %d %%, want 77", got)
	}
}

func TestSpotPhrasesKeepTheirOrder(t *testing.T) {
	q := spotQuestion()
	for seed := range uint64(20) {
		if d := DrawFor(q, rand.New(rand.NewPCG(seed, 1))); d.Options != nil {
			t.Fatalf("a spot question's phrases were shuffled: %v", d.Options)
		}
	}
}

func TestSituationParts(t *testing.T) {
	q := spotQuestion()
	var got []string
	for _, p := range q.SituationParts() {
		if p.Phrase != "" {
			got = append(got, "["+p.Phrase+":"+p.Text+"]")
		} else {
			got = append(got, p.Text)
		}
	}
	want := []string{"At the desk.", "[p1:text p1]", "Then", "[p2:text p2]", "[p3:text p3]", "[p4:text p4]", "Later:", "[p5:text p5]"}
	if !slices.Equal(got, want) {
		t.Errorf("parts\n got %q\nwant %q", got, want)
	}
	q.Situation = "Cost {x} and {p1}"
	parts := q.SituationParts()
	if len(parts) != 2 || parts[0].Text != "Cost {x} and" || parts[1].Phrase != "p1" {
		t.Errorf("a brace that names no phrase: %+v", parts)
	}
	counts := PhraseCounts("{p1} {p1} {p3}", q.Options)
	if counts["p1"] != 2 || counts["p2"] != 0 || counts["p3"] != 1 {
		t.Errorf("counts %v", counts)
	}
}

func TestCheckSpot(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(q *Question)
		field string
		msg   string
	}{
		{"no sign", func(q *Question) { q.Signs, q.Answer = nil, nil }, "signs", "at least one phrase that is a sign"},
		{"only signs", func(q *Question) {
			q.Options = opts("p1", "p3", "p4")
		}, "signs", "at least one phrase that is not a sign"},
		{"sign that is no phrase", func(q *Question) { q.Signs["p9"] = "x" }, "signs", `sign "p9" is not one of the phrases`},
		{"sign without indicator", func(q *Question) { q.Signs["p1"] = "" }, "signs", "names no indicator"},
		{"answer not the signs", func(q *Question) { q.Answer = []string{"p1"} }, "answer", "its signs in reading order"},
		{"too few phrases", func(q *Question) {
			q.Options, q.Signs, q.Answer = opts("p1", "p2"), map[string]string{"p1": "x"}, []string{"p1"}
		}, "options", "needs 3 to 8 options"},
	}
	good := spotQuestion()
	if ps := good.Check(); len(ps) != 0 {
		t.Fatalf("a good spot question has problems: %v", ps)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := spotQuestion()
			tt.edit(&q)
			found := false
			for _, p := range q.Check() {
				found = found || p.Field == tt.field && strings.Contains(p.Message, tt.msg)
			}
			if !found {
				t.Errorf("problems %v, want %s: %q", q.Check(), tt.field, tt.msg)
			}
		})
	}
	single := question(t, "single")
	single.Signs = map[string]string{"a": "x"}
	if ps := single.Check(); len(ps) == 0 {
		t.Error("signs on a single-choice question are not refused")
	}
}
