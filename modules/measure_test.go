package modules

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"indicia/quiz"
)

// measureModule is a module whose bank has signs indicators with per questions each
// (recognise), spots spot-the-signals situations on them, and law questions to make up
// size questions.
func measureModule(signs, per, spots, size int) *Module {
	m := &Module{ID: "m", QuizSize: 12}
	for i := range signs {
		for j := range per {
			m.structure = append(m.structure, quiz.Question{ID: fmt.Sprintf("s%d-%d", i, j), Kind: quiz.Single,
				Skill: quiz.Recognise, Indicators: []string{fmt.Sprintf("sign-%d", i)}})
		}
	}
	for i := range spots {
		m.structure = append(m.structure, quiz.Question{ID: fmt.Sprintf("spot%d", i), Kind: quiz.Spot, Skill: quiz.Recognise,
			Indicators: []string{"sign-0"}})
	}
	for i := 0; len(m.structure) < size; i++ {
		m.structure = append(m.structure, quiz.Question{ID: fmt.Sprintf("law%d", i), Kind: quiz.Single, Skill: quiz.Law})
	}
	return m
}

// The rule at its edges: six signs with three measuring questions each, two measuring
// situations, and a bank of the pre-test's 6 and the quiz's 12 pass; one less of any
// fails, with a message that says what is missing.
func TestMeasurementRuleAtItsEdges(t *testing.T) {
	for _, tt := range []struct {
		name                    string
		signs, per, spots, size int
		want                    string // "" for no error
	}{
		{"enough", 6, 3, 2, 18, ""},
		{"five signs measured", 5, 3, 2, 30, "5 indicators have 3 recognise or act questions each, fewer than 6"},
		{"signs with two questions each", 8, 2, 2, 30, "indicators have 3 recognise or act questions each, fewer than 6"},
		{"one situation", 6, 3, 1, 30, "1 spot-the-signals questions measure a sign"},
		{"a bank of 17", 5, 3, 2, 17, "the bank holds 17 questions, fewer than 18"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := measureModule(tt.signs, tt.per, tt.spots, tt.size)
			if tt.name == "signs with two questions each" {
				// The situations on sign 0 give it its third question.
				m = measureModule(tt.signs, tt.per, 0, tt.size)
				m.structure = append(m.structure,
					quiz.Question{ID: "spot-a", Kind: quiz.Spot, Skill: quiz.Recognise, Indicators: []string{"sign-1"}},
					quiz.Question{ID: "spot-b", Kind: quiz.Spot, Skill: quiz.Recognise, Indicators: []string{"sign-2"}})
			}
			errs := checkMeasurements(&Catalog{Modules: []*Module{m}})
			switch {
			case tt.want == "" && len(errs) > 0:
				t.Errorf("refused: %v", errs)
			case tt.want != "" && !strings.Contains(errs.Error(), tt.want):
				t.Errorf("got %v, want ...%s...", errs, tt.want)
			}
		})
	}
	// A law question on a sign does not measure it.
	m := measureModule(6, 3, 2, 18)
	for i := range m.structure {
		if m.structure[i].ID == "s5-0" {
			m.structure[i].Skill = quiz.Law
		}
	}
	if errs := checkMeasurements(&Catalog{Modules: []*Module{m}}); len(errs) == 0 {
		t.Error("a sign with two recognise questions and a law question counted as measured")
	}
}

func TestMeasurementRuleOnTheShippedContent(t *testing.T) {
	base := testFSAllLanguages(t)
	t.Run("a module whose signs are asked about only as law", func(t *testing.T) {
		m := copyFS(base)
		edit(t, m, "fedasil/module.toml", func(s string) string {
			head, blocks := questionBlocks(s)
			for i, b := range blocks {
				if !strings.Contains(b, `type = "spot"`) {
					blocks[i] = skillLine.ReplaceAllString(b, `skill = "law"`)
				}
			}
			return head + strings.Join(blocks, "")
		})
		wantError(t, m, "fedasil/module.toml", 1, "indicators have 3 recognise or act questions each, fewer than 6")
	})
	t.Run("a module without a measuring situation", func(t *testing.T) {
		m := copyFS(base)
		edit(t, m, "police/module.toml", func(s string) string {
			head, blocks := questionBlocks(s)
			for i, b := range blocks {
				if strings.Contains(b, `type = "spot"`) {
					blocks[i] = regexp.MustCompile(`(?m)^indicators\s*=.*$`).ReplaceAllString(b, "indicators = []")
				}
			}
			return head + strings.Join(blocks, "")
		})
		wantError(t, m, "police/module.toml", 1, "0 spot-the-signals questions measure a sign")
	})
	cat, err := Load(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range cat.Modules {
		if n := len(m.MeasuredIndicators()); n < MinMeasuredIndicators {
			t.Errorf("%s: %d signs measured", m.ID, n)
		}
	}
}

// The three draws on every shipped module: a pre-test of recognise and act questions
// with one situation, a first quiz without the pre-test's questions, and a refresher
// with none of the pre-test's or the first quiz's.
func TestThreeMeasurementsDrawOnEveryModule(t *testing.T) {
	cat, err := Load(testFSAllLanguages(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range cat.Modules {
		bank := m.In("fr").Bank
		byID := map[string]*quiz.Question{}
		for i := range bank {
			byID[bank[i].ID] = &bank[i]
		}
		ids := func(p quiz.Plan) []string {
			var out []string
			for _, d := range p {
				out = append(out, d.QuestionID)
			}
			return out
		}
		for seed := range uint64(100) {
			rng := rand.New(rand.NewPCG(seed, 7))
			pre, err := quiz.DrawPretest(bank, quiz.PretestSize, rng)
			if err != nil {
				t.Fatalf("%s: %v", m.ID, err)
			}
			spots := 0
			for _, id := range ids(pre) {
				q := byID[id]
				if !quiz.Measured(q) {
					t.Fatalf("%s seed %d: the pre-test asks %s (%s)", m.ID, seed, id, q.Skill)
				}
				if q.Kind == quiz.Spot {
					spots++
				}
			}
			if spots == 0 {
				t.Fatalf("%s seed %d: no situation in the pre-test", m.ID, seed)
			}
			prior := quiz.Prior{Pretest: ids(pre)}
			first, err := quiz.DrawQuiz(bank, m.QuizSize, prior, rng)
			if err != nil {
				t.Fatalf("%s: %v", m.ID, err)
			}
			for _, id := range ids(first) {
				if slices.Contains(prior.Pretest, id) {
					t.Fatalf("%s seed %d: the first quiz shows the pre-test's %s", m.ID, seed, id)
				}
			}
			prior.FirstQuiz = ids(first)
			kept, err := quiz.DrawRefresher(bank, m.QuizSize, prior, rng)
			if err != nil {
				t.Fatalf("%s: %v", m.ID, err)
			}
			for _, id := range ids(kept) {
				if slices.Contains(prior.Pretest, id) || slices.Contains(prior.FirstQuiz, id) {
					t.Fatalf("%s seed %d: the refresher asks %s again", m.ID, seed, id)
				}
			}
		}
	}
}
