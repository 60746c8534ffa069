package quiz

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

func opts(ids ...string) []Option {
	out := make([]Option, len(ids))
	for i, id := range ids {
		out[i] = Option{ID: id, Text: "text " + id}
	}
	return out
}

func sampleBank() []Question {
	return []Question{
		{ID: "single", Kind: Single, Options: opts("a", "b", "c"), Answer: []string{"b"}},
		{ID: "multi", Kind: Multiple, Options: opts("a", "b", "c", "d"), Answer: []string{"a", "c"}},
		{ID: "tf", Kind: TrueFalse, Options: opts(True, False), Answer: []string{False}},
		{ID: "order", Kind: Ordering, Options: opts("first", "second", "third"), Answer: []string{"first", "second", "third"}},
		{ID: "match", Kind: Matching, Options: opts("s1", "s2"), Targets: opts("t1", "t2", "t3"),
			Pairs: map[string]string{"s1": "t2", "s2": "t1"}},
		{ID: "scen", Kind: Scenario, Start: "one", Steps: []Step{
			{ID: "one", Choices: []Choice{{ID: "good", Good: true, Next: "two"}, {ID: "bad", Next: "detour"}}},
			{ID: "detour", Choices: []Choice{{ID: "good", Good: true, Next: "two"}, {ID: "bad", Next: ""}}},
			{ID: "two", Choices: []Choice{{ID: "good", Good: true}, {ID: "bad"}}},
		}},
	}
}

func question(t *testing.T, id string) Question {
	t.Helper()
	for _, q := range sampleBank() {
		if q.ID == id {
			return q
		}
	}
	t.Fatalf("no question %s", id)
	return Question{}
}

func TestGrade(t *testing.T) {
	tests := []struct {
		name      string
		q         string
		r         Response
		correct   bool
		wrong     []string
		incomplet bool
		fails     bool
	}{
		{"single right", "single", Response{Chosen: []string{"b"}}, true, nil, false, false},
		{"single wrong", "single", Response{Chosen: []string{"a"}}, false, []string{"a"}, false, false},
		{"single none", "single", Response{}, false, nil, true, false},
		{"single two", "single", Response{Chosen: []string{"a", "b"}}, false, nil, true, false},
		{"single unknown", "single", Response{Chosen: []string{"z"}}, false, nil, false, true},
		{"multi right", "multi", Response{Chosen: []string{"c", "a"}}, true, nil, false, false},
		{"multi missing one", "multi", Response{Chosen: []string{"a"}}, false, []string{"c"}, false, false},
		{"multi extra", "multi", Response{Chosen: []string{"a", "b", "c"}}, false, []string{"b"}, false, false},
		{"multi none", "multi", Response{}, false, nil, true, false},
		{"tf right", "tf", Response{Chosen: []string{False}}, true, nil, false, false},
		{"tf wrong", "tf", Response{Chosen: []string{True}}, false, []string{True}, false, false},
		{"order right", "order", Response{Order: []string{"first", "second", "third"}}, true, nil, false, false},
		{"order swapped", "order", Response{Order: []string{"second", "first", "third"}}, false, []string{"second", "first"}, false, false},
		{"order short", "order", Response{Order: []string{"first"}}, false, nil, true, false},
		{"order repeated", "order", Response{Order: []string{"first", "first", "third"}}, false, nil, false, true},
		{"match right", "match", Response{Pairs: map[string]string{"s1": "t2", "s2": "t1"}}, true, nil, false, false},
		{"match wrong", "match", Response{Pairs: map[string]string{"s1": "t3", "s2": "t1"}}, false, []string{"s1"}, false, false},
		{"match unpaired", "match", Response{Pairs: map[string]string{"s1": "t2"}}, false, nil, true, false},
		{"match unknown target", "match", Response{Pairs: map[string]string{"s1": "zz", "s2": "t1"}}, false, nil, false, true},
		{"scenario all good", "scen", Response{Path: []string{"one:good", "two:good"}}, true, nil, false, false},
		{"scenario detour", "scen", Response{Path: []string{"one:bad", "detour:good", "two:good"}}, false, []string{"one:bad"}, false, false},
		{"scenario ends early badly", "scen", Response{Path: []string{"one:bad", "detour:bad"}}, false, []string{"one:bad", "detour:bad"}, false, false},
		{"scenario unfinished", "scen", Response{Path: []string{"one:good"}}, false, nil, true, false},
		{"scenario off graph", "scen", Response{Path: []string{"two:good"}}, false, nil, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := question(t, tt.q)
			g, err := q.Grade(tt.r)
			var inc ErrIncomplete
			switch {
			case tt.incomplet:
				if !errors.As(err, &inc) {
					t.Fatalf("want ErrIncomplete, got %v", err)
				}
				return
			case tt.fails:
				if err == nil || errors.As(err, &inc) {
					t.Fatalf("want a hard error, got %v", err)
				}
				return
			case err != nil:
				t.Fatalf("unexpected error %v", err)
			}
			if g.Correct != tt.correct || !slices.Equal(g.Wrong, tt.wrong) {
				t.Errorf("got correct=%v wrong=%v, want %v %v", g.Correct, g.Wrong, tt.correct, tt.wrong)
			}
		})
	}
}

func TestCheckFindsBrokenQuestions(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(q *Question)
		id    string
		field string
	}{
		{"single two answers", func(q *Question) { q.Answer = []string{"a", "b"} }, "single", "answer"},
		{"single answer not an option", func(q *Question) { q.Answer = []string{"z"} }, "single", "answer"},
		{"too few options", func(q *Question) { q.Options = opts("a"); q.Answer = []string{"a"} }, "single", "options"},
		{"duplicate option", func(q *Question) { q.Options = opts("a", "a", "b") }, "single", "options"},
		{"tf bad answer", func(q *Question) { q.Answer = []string{"yes"} }, "tf", "answer"},
		{"multi empty", func(q *Question) { q.Answer = nil }, "multi", "answer"},
		{"order missing one", func(q *Question) { q.Answer = []string{"first", "second"} }, "order", "answer"},
		{"match unpaired", func(q *Question) { delete(q.Pairs, "s2") }, "match", "pairs"},
		{"match bad target", func(q *Question) { q.Pairs["s1"] = "nope" }, "match", "pairs"},
		{"unknown kind", func(q *Question) { q.Kind = "essay" }, "single", "type"},
		{"scenario dead end", func(q *Question) { q.Steps[2].Choices[1].Next = "nowhere" }, "scen", "steps.two"},
		{"scenario cycle", func(q *Question) { q.Steps[2].Choices[1].Next = "one" }, "scen", "steps.one"},
		{"scenario unreachable", func(q *Question) {
			q.Steps = append(q.Steps, Step{ID: "orphan", Choices: []Choice{{ID: "a", Good: true}, {ID: "b"}}})
		}, "scen", "steps.orphan"},
		{"scenario no good choice", func(q *Question) { q.Steps[2].Choices[0].Good = false }, "scen", "steps.two"},
		{"scenario bad start", func(q *Question) { q.Start = "zero" }, "scen", "start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := question(t, tt.id)
			if ps := q.Check(); len(ps) != 0 {
				t.Fatalf("sample question is not clean: %v", ps)
			}
			tt.edit(&q)
			ps := q.Check()
			if len(ps) == 0 {
				t.Fatal("no problem found")
			}
			if !slices.ContainsFunc(ps, func(p Problem) bool { return p.Field == tt.field }) {
				t.Errorf("problems %v, want one on %s", ps, tt.field)
			}
		})
	}
}

func TestPlanDrawsShufflesAndNeverStartsOrderingSolved(t *testing.T) {
	bank := sampleBank()
	seen := map[string]bool{}
	for seed := range uint64(200) {
		plan, err := NewPlan(bank, 4, rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if len(plan) != 4 {
			t.Fatalf("plan has %d questions", len(plan))
		}
		ids := map[string]bool{}
		for _, d := range plan {
			if ids[d.QuestionID] {
				t.Fatalf("question %s drawn twice", d.QuestionID)
			}
			ids[d.QuestionID] = true
			seen[d.QuestionID] = true
			if d.QuestionID == "order" && slices.Equal(d.Options, []string{"first", "second", "third"}) {
				t.Fatal("ordering question starts in the right order")
			}
		}
	}
	if len(seen) != len(bank) {
		t.Errorf("200 draws reached only %d of %d questions", len(seen), len(bank))
	}
	if _, err := NewPlan(bank, len(bank)+1, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("drawing more than the bank holds must fail")
	}
}

func TestSessionScoresAndResumesFromPlan(t *testing.T) {
	bank := sampleBank()
	plan := Plan{{QuestionID: "single", Options: []string{"c", "b", "a"}}, {QuestionID: "tf"}, {QuestionID: "multi", Options: []string{"d", "c", "b", "a"}}, {QuestionID: "scen"}, {QuestionID: "order", Options: []string{"third", "first", "second"}}}
	s, err := NewSession(bank, plan, 80)
	if err != nil {
		t.Fatal(err)
	}
	if got := optionIDsOf(s.Item(0).Question.Options); !slices.Equal(got, []string{"c", "b", "a"}) {
		t.Fatalf("options not in plan order: %v", got)
	}
	mustAnswer := func(i int, r Response, want bool) {
		t.Helper()
		g, err := s.Answer(i, r)
		if err != nil || g.Correct != want {
			t.Fatalf("answer %d: %v %v", i, g, err)
		}
	}
	mustAnswer(0, Response{Chosen: []string{"b"}}, true)
	mustAnswer(1, Response{Chosen: []string{False}}, true)
	if _, err := s.Answer(1, Response{Chosen: []string{True}}); !errors.Is(err, ErrAlreadyAnswered) {
		t.Fatalf("second answer accepted: %v", err)
	}
	if s.Current() != 2 || s.Done() {
		t.Fatalf("current %d", s.Current())
	}

	// A new session from the same plan, given the stored answers, continues where it was.
	data, _ := json.Marshal(plan)
	var stored Plan
	if err := json.Unmarshal(data, &stored); err != nil {
		t.Fatal(err)
	}
	resumed, err := NewSession(bank, stored, 80)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := resumed.Answer(i, s.Item(i).Response); err != nil {
			t.Fatal(err)
		}
	}
	if resumed.Current() != 2 {
		t.Fatalf("resumed at %d", resumed.Current())
	}
	s = resumed
	mustAnswer(2, Response{Chosen: []string{"a", "c"}}, true)
	mustAnswer(3, Response{Path: []string{"one:good", "two:good"}}, true)
	mustAnswer(4, Response{Order: []string{"first", "third", "second"}}, false)
	sc := s.Score()
	if sc.Correct != 4 || sc.Total != 5 || sc.Percent != 80 || !sc.Passed {
		t.Errorf("score %+v, want 4/5 = 80%% passed", sc)
	}
	if !slices.Equal(s.Missed(), []int{4}) {
		t.Errorf("missed %v", s.Missed())
	}
}

func TestPassMarkBoundaries(t *testing.T) {
	bank := make([]Question, 12)
	plan := make(Plan, 12)
	for i := range bank {
		bank[i] = Question{ID: string(rune('a' + i)), Kind: TrueFalse, Options: opts(True, False), Answer: []string{True}}
		plan[i] = Draw{QuestionID: bank[i].ID}
	}
	for _, tt := range []struct {
		right   int
		percent int
		passed  bool
	}{{12, 100, true}, {10, 83, true}, {9, 75, false}, {0, 0, false}} {
		s, _ := NewSession(bank, plan, 0)
		for i := range 12 {
			ans := False
			if i < tt.right {
				ans = True
			}
			if _, err := s.Answer(i, Response{Chosen: []string{ans}}); err != nil {
				t.Fatal(err)
			}
		}
		if sc := s.Score(); sc.Percent != tt.percent || sc.Passed != tt.passed {
			t.Errorf("%d right: %+v", tt.right, sc)
		}
	}
	s, _ := NewSession(bank, plan, 0)
	for i := range 11 {
		s.Answer(i, Response{Chosen: []string{True}})
	}
	if s.Score().Passed {
		t.Error("an unfinished session cannot pass")
	}
}

func TestSessionRefusesChangedContent(t *testing.T) {
	bank := sampleBank()
	for _, plan := range []Plan{
		{{QuestionID: "gone"}},
		{{QuestionID: "single", Options: []string{"a", "b"}}},
		{{QuestionID: "single", Options: []string{"a", "b", "x"}}},
		{},
	} {
		if _, err := NewSession(bank, plan, 80); err == nil {
			t.Errorf("plan %v accepted", plan)
		}
	}
}

func optionIDsOf(o []Option) []string {
	ids := make([]string, len(o))
	for i := range o {
		ids[i] = o[i].ID
	}
	return ids
}

// FuzzGrade feeds arbitrary responses to every kind of question: grading must never
// panic, and a response graded correct must be exactly the answer key.
func FuzzGrade(f *testing.F) {
	f.Add(`{"chosen":["b"]}`)
	f.Add(`{"order":["first","second","third"]}`)
	f.Add(`{"pairs":{"s1":"t2","s2":"t1"}}`)
	f.Add(`{"path":["one:bad","detour:good","two:good"]}`)
	f.Add(`{"path":[":",":::","one:"]}`)
	bank := sampleBank()
	f.Fuzz(func(t *testing.T, data string) {
		var r Response
		if json.Unmarshal([]byte(data), &r) != nil {
			return
		}
		for _, q := range bank {
			g, err := q.Grade(r)
			if err != nil || !g.Correct {
				continue
			}
			switch q.Kind {
			case Single, TrueFalse:
				if r.Chosen[0] != q.Answer[0] {
					t.Fatalf("%s graded correct for %v", q.ID, r)
				}
			case Ordering:
				if !slices.Equal(r.Order, q.Answer) {
					t.Fatalf("%s graded correct for %v", q.ID, r)
				}
			case Scenario:
				for _, p := range r.Path {
					if _, c, _ := q.ScenarioChoice(p); !c.Good {
						t.Fatalf("%s graded correct with a bad choice %v", q.ID, r)
					}
				}
			}
		}
	})
}
