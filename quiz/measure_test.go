package quiz

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// measureBank is a bank like a module's: for each of signs indicators, three
// recognise or act questions (the first of some of them a spot-the-signals situation on
// two signs), and law and context questions on no sign.
func measureBank(signs, spots, other int) []Question {
	var bank []Question
	single := func(id string, skill Skill, inds ...string) Question {
		return Question{ID: id, Kind: Single, Skill: skill, Indicators: inds,
			Options: []Option{{ID: "a"}, {ID: "b"}}, Answer: []string{"a"}}
	}
	for i := range signs {
		ind := fmt.Sprintf("sign-%d", i)
		bank = append(bank, single(ind+"-r", Recognise, ind), single(ind+"-a", Act, ind), single(ind+"-r2", Recognise, ind))
	}
	for i := range spots {
		a, b := fmt.Sprintf("sign-%d", i%signs), fmt.Sprintf("sign-%d", (i+1)%signs)
		bank = append(bank, Question{ID: fmt.Sprintf("spot-%d", i), Kind: Spot, Skill: Recognise, Indicators: []string{a, b},
			Options: []Option{{ID: "p1"}, {ID: "p2"}, {ID: "p3"}}, Signs: map[string]string{"p1": a, "p2": b}, Answer: []string{"p1", "p2"}})
	}
	for i := range other {
		skill := Law
		if i%4 == 3 {
			skill = Context
		}
		bank = append(bank, single(fmt.Sprintf("other-%d", i), skill))
	}
	return bank
}

func byID(bank []Question) map[string]*Question {
	out := map[string]*Question{}
	for i := range bank {
		out[bank[i].ID] = &bank[i]
	}
	return out
}

func planIDs(p Plan) []string {
	var out []string
	for _, d := range p {
		out = append(out, d.QuestionID)
	}
	return out
}

func TestPretestIsShortSpreadAndOnRecognisingAndActing(t *testing.T) {
	for _, tt := range []struct {
		name                 string
		signs, spots, others int
		wantSigns            int // distinct indicators the pre-test must exercise at least
	}{
		{"a module's bank", 10, 4, 14, PretestSize},
		{"few signs", 4, 2, 20, 4},
		{"one situation", 8, 1, 10, PretestSize},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bank := measureBank(tt.signs, tt.spots, tt.others)
			qs := byID(bank)
			for seed := range uint64(300) {
				plan, err := DrawPretest(bank, PretestSize, rand.New(rand.NewPCG(seed, 1)))
				if err != nil {
					t.Fatal(err)
				}
				ids := planIDs(plan)
				if len(ids) != PretestSize || hasDuplicates(ids) {
					t.Fatalf("seed %d: %v", seed, ids)
				}
				spots, signs := 0, map[string]bool{}
				for _, id := range ids {
					q := qs[id]
					if q.Skill != Recognise && q.Skill != Act {
						t.Fatalf("seed %d: %s asks %s, not recognise or act", seed, id, q.Skill)
					}
					if q.Kind == Spot {
						spots++
					}
					for _, ind := range q.Indicators {
						signs[ind] = true
					}
				}
				if spots != 1 {
					t.Fatalf("seed %d: %d spot-the-signals situations, want exactly one (%v)", seed, spots, ids)
				}
				if len(signs) < tt.wantSigns {
					t.Fatalf("seed %d: the pre-test exercises %d signs, want at least %d (%v)", seed, len(signs), tt.wantSigns, ids)
				}
			}
		})
	}
}

func TestFirstQuizNeverShowsThePretestsItemsAndAsksItsSignsAgain(t *testing.T) {
	bank := measureBank(10, 4, 16)
	qs := byID(bank)
	const size = 12
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 2))
		pre, err := DrawPretest(bank, PretestSize, rng)
		if err != nil {
			t.Fatal(err)
		}
		prior := Prior{Pretest: planIDs(pre)}
		plan, err := DrawQuiz(bank, size, prior, rng)
		if err != nil {
			t.Fatal(err)
		}
		ids := planIDs(plan)
		if len(ids) != size || hasDuplicates(ids) {
			t.Fatalf("seed %d: %v", seed, ids)
		}
		for _, id := range ids {
			if slices.Contains(prior.Pretest, id) {
				t.Fatalf("seed %d: the quiz shows the pre-test's %s", seed, id)
			}
		}
		// Half the quiz goes to the pre-test's signs, each asked again by another question.
		asked := map[string]bool{}
		for _, id := range ids {
			for _, ind := range qs[id].Indicators {
				asked[ind] = true
			}
		}
		missing := 0
		for _, ind := range indicatorsOf(bank, prior.Pretest) {
			if !asked[ind] {
				missing++
			}
		}
		if covered := len(indicatorsOf(bank, prior.Pretest)) - missing; covered < min(size/2, len(indicatorsOf(bank, prior.Pretest))) {
			t.Fatalf("seed %d: the quiz asks again about %d of the pre-test's signs", seed, covered)
		}
	}
	// Without a pre-test, any question may come.
	seen := map[string]bool{}
	for seed := range uint64(200) {
		plan, err := DrawQuiz(bank, size, Prior{}, rand.New(rand.NewPCG(seed, 3)))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range planIDs(plan) {
			seen[id] = true
		}
	}
	if len(seen) != len(bank) {
		t.Errorf("without a pre-test, %d of the %d questions were ever drawn", len(seen), len(bank))
	}
	// A bank too small to keep the pre-test's questions out is refused, not drawn from.
	small := measureBank(6, 2, 4) // 24 questions
	pre, _ := DrawPretest(small, PretestSize, rand.New(rand.NewPCG(1, 1)))
	if _, err := DrawQuiz(small, 20, Prior{Pretest: planIDs(pre)}, rand.New(rand.NewPCG(1, 2))); err == nil {
		t.Error("a quiz of 20 from 18 questions besides the pre-test's")
	}
}

func TestRefresherAvoidsEarlierItemsWhereTheBankAllows(t *testing.T) {
	const size = 12
	bank := measureBank(10, 4, 16) // 50 questions: 32 left besides a pre-test and a first quiz
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 4))
		pre, _ := DrawPretest(bank, PretestSize, rng)
		first, _ := DrawQuiz(bank, size, Prior{Pretest: planIDs(pre)}, rng)
		prior := Prior{Pretest: planIDs(pre), FirstQuiz: planIDs(first)}
		plan, err := DrawRefresher(bank, size, prior, rng)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range planIDs(plan) {
			if slices.Contains(prior.Pretest, id) || slices.Contains(prior.FirstQuiz, id) {
				t.Fatalf("seed %d: the refresher asks %s again although the bank has others", seed, id)
			}
		}
	}
	// A bank with too few others: the refresher still comes, with as few repeats as can be.
	small := measureBank(6, 2, 4) // 24 questions
	rng := rand.New(rand.NewPCG(9, 9))
	pre, _ := DrawPretest(small, PretestSize, rng)
	first, _ := DrawQuiz(small, size, Prior{Pretest: planIDs(pre)}, rng)
	prior := Prior{Pretest: planIDs(pre), FirstQuiz: planIDs(first)}
	plan, err := DrawRefresher(small, size, prior, rng)
	if err != nil {
		t.Fatal(err)
	}
	repeats := 0
	for _, id := range planIDs(plan) {
		if slices.Contains(prior.Pretest, id) || slices.Contains(prior.FirstQuiz, id) {
			repeats++
		}
	}
	if len(plan) != size || repeats != size-(len(small)-PretestSize-size) {
		t.Errorf("%d questions with %d repeats, want %d with %d", len(plan), repeats, size, size-(len(small)-PretestSize-size))
	}
}

func TestMeasuredQuestions(t *testing.T) {
	for _, tt := range []struct {
		q    Question
		want bool
	}{
		{Question{Skill: Recognise, Indicators: []string{"x"}}, true},
		{Question{Skill: Act, Indicators: []string{"x"}}, true},
		{Question{Skill: Law, Indicators: []string{"x"}}, false},
		{Question{Skill: Recognise}, false},
		{Question{Skill: Context}, false},
	} {
		if got := Measured(&tt.q); got != tt.want {
			t.Errorf("%+v: %v", tt.q, got)
		}
	}
}
