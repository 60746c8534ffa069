// Package quiz is the assessment engine: question types, grading, and quiz sessions
// (draw from a bank, shuffle options, answer, score). It uses the standard library only
// and knows nothing of storage or screens.
package quiz

import (
	"fmt"
	"slices"
)

// Kind is the type of a question.
type Kind string

// The question types.
const (
	Single    Kind = "single"    // one right option
	Multiple  Kind = "multiple"  // every right option, and none of the wrong ones
	TrueFalse Kind = "truefalse" // options "true" and "false"
	Ordering  Kind = "ordering"  // put every option in the right order
	Matching  Kind = "matching"  // pair each option with a target
	Scenario  Kind = "scenario"  // a vignette with steps; a choice leads to the next step
	Spot      Kind = "spot"      // a situation: mark the phrases that are warning signs
)

// Kinds lists every question type, in the order they are documented.
var Kinds = []Kind{Single, Multiple, TrueFalse, Ordering, Matching, Scenario, Spot}

// Valid reports whether k is a known question type.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Skill is what a question asks of the learner.
type Skill string

// The skills. Recognising a sign and acting on it are what the training is for; the law
// and the context serve them.
const (
	Recognise Skill = "recognise" // spot a sign in a situation
	Act       Skill = "act"       // choose what to do, whom to alert, how to speak to the child
	Law       Skill = "law"       // a rule the professional must apply
	Context   Skill = "context"   // figures, dates, plans, history
)

// Skills lists every skill, in the order reports show them.
var Skills = []Skill{Recognise, Act, Law, Context}

// Valid reports whether s is a known skill.
func (s Skill) Valid() bool { return slices.Contains(Skills, s) }

// The option ids of a true/false question.
const (
	True  = "true"
	False = "false"
)

// Option is one choice of a question: an option to pick, an item to order, a situation
// to match, or a target to match it with.
type Option struct {
	ID   string
	Text string
	// Why says why this option is wrong; empty for a right option.
	Why string
}

// Step is one step of a scenario.
type Step struct {
	ID      string
	Text    string
	Choices []Choice
}

// Choice is one possible decision at a scenario step.
type Choice struct {
	ID       string
	Text     string
	Feedback string
	Good     bool
	// Next is the id of the following step, or "" when the scenario ends here.
	Next string
}

// Question is one question in one language.
type Question struct {
	ID    string
	Kind  Kind
	Skill Skill // what the question asks of the learner
	// Topic is what the question is about (a short slug, such as "hearing-recording"):
	// review cards are kept under it.
	Topic string
	// Indicators are the ids of the catalogue's warning signs the question exercises
	// (none for a question on the law or the context).
	Indicators []string
	// Workplace is set when the question puts the learner in the workplace of the
	// module's audience (a road check, a night shift, an intake).
	Workplace bool
	Citation  Citation // where the report says it
	// General names the public source of a question that is general guidance, not drawn
	// from the report; empty for report-based questions.
	General string
	Prompt  string
	Intro   string // the vignette of a scenario
	// Situation is the text of a spot-the-signals question, with each phrase (option)
	// in it as {id}.
	Situation string
	// Explanation is shown after answering, right or wrong.
	Explanation string

	Options []Option // single, multiple, truefalse, ordering (the steps), matching (the situations), spot (the phrases)
	Targets []Option // matching: what each option is paired with
	// Answer holds the right option ids: one for single and truefalse, the set for
	// multiple, the right order for ordering, the phrases that are signs for spot.
	Answer []string
	// Signs maps each phrase of a spot question that is a warning sign to the catalogue
	// indicator it shows. Its keys are the Answer.
	Signs map[string]string
	// Pairs maps each option id to its target id (matching).
	Pairs map[string]string

	Start string // scenario: the first step
	Steps []Step // scenario
}

// Step returns the scenario step with the given id.
func (q *Question) Step(id string) (Step, bool) {
	for _, s := range q.Steps {
		if s.ID == id {
			return s, true
		}
	}
	return Step{}, false
}

// Option returns the option with the given id.
func (q *Question) Option(id string) (Option, bool) {
	for _, o := range q.Options {
		if o.ID == id {
			return o, true
		}
	}
	return Option{}, false
}

// Target returns the matching target with the given id.
func (q *Question) Target(id string) (Option, bool) {
	for _, o := range q.Targets {
		if o.ID == id {
			return o, true
		}
	}
	return Option{}, false
}

// Response is what a learner answered. Which fields are used depends on the kind.
type Response struct {
	Chosen []string          `json:"chosen,omitempty"` // single, multiple, truefalse: the picked option ids; spot: the marked phrases
	Order  []string          `json:"order,omitempty"`  // ordering: option ids in the learner's order
	Pairs  map[string]string `json:"pairs,omitempty"`  // matching: option id -> target id
	Path   []string          `json:"path,omitempty"`   // scenario: "step:choice" for each step taken
}

// Grade tells whether r answers q correctly, and why not.
type Grade struct {
	Correct bool
	// Score is the credit the answer earns, from 0 to 1: 1 for a right answer and 0 for a
	// wrong one, except for spot-the-signals, which gives partial credit (see SpotScore).
	Score float64
	// Wrong lists the ids of the options the learner got wrong: a wrong option picked, a
	// right option missed (multiple), an item out of place (ordering), a wrongly paired
	// situation (matching), or the "step:choice" of a bad scenario decision.
	Wrong []string
}

// ErrIncomplete is returned when a response does not answer the question fully.
type ErrIncomplete struct{ Reason string }

func (e ErrIncomplete) Error() string { return "incomplete answer: " + e.Reason }

// Grade checks r against the answer key. It returns an ErrIncomplete when the response
// is not a complete answer (nothing chosen, an item left unpaired, a scenario unfinished).
func (q *Question) Grade(r Response) (Grade, error) {
	switch q.Kind {
	case Single, TrueFalse:
		if len(r.Chosen) != 1 {
			return Grade{}, ErrIncomplete{"choose one option"}
		}
		if !q.hasOption(r.Chosen[0]) {
			return Grade{}, fmt.Errorf("question %s: unknown option %q", q.ID, r.Chosen[0])
		}
		if len(q.Answer) == 1 && r.Chosen[0] == q.Answer[0] {
			return Grade{Correct: true, Score: 1}, nil
		}
		return Grade{Wrong: []string{r.Chosen[0]}}, nil
	case Multiple:
		if len(r.Chosen) == 0 {
			return Grade{}, ErrIncomplete{"choose at least one option"}
		}
		var wrong []string
		for _, o := range q.Options {
			picked := slices.Contains(r.Chosen, o.ID)
			right := slices.Contains(q.Answer, o.ID)
			if picked != right {
				wrong = append(wrong, o.ID)
			}
		}
		for _, c := range r.Chosen {
			if !q.hasOption(c) {
				return Grade{}, fmt.Errorf("question %s: unknown option %q", q.ID, c)
			}
		}
		return allOrNothing(wrong), nil
	case Ordering:
		if len(r.Order) != len(q.Answer) {
			return Grade{}, ErrIncomplete{"place every step"}
		}
		var wrong []string
		for i, id := range r.Order {
			if !q.hasOption(id) || slices.Index(r.Order, id) != i {
				return Grade{}, fmt.Errorf("question %s: bad order %v", q.ID, r.Order)
			}
			if id != q.Answer[i] {
				wrong = append(wrong, id)
			}
		}
		return allOrNothing(wrong), nil
	case Matching:
		var wrong []string
		for _, o := range q.Options {
			t, ok := r.Pairs[o.ID]
			if !ok || t == "" {
				return Grade{}, ErrIncomplete{"pair every situation"}
			}
			if _, ok := q.Target(t); !ok {
				return Grade{}, fmt.Errorf("question %s: unknown target %q", q.ID, t)
			}
			if q.Pairs[o.ID] != t {
				wrong = append(wrong, o.ID)
			}
		}
		return allOrNothing(wrong), nil
	case Scenario:
		return q.gradeScenario(r.Path)
	case Spot:
		return q.gradeSpot(r.Chosen)
	}
	return Grade{}, fmt.Errorf("question %s: unknown kind %q", q.ID, q.Kind)
}

// allOrNothing is the grade of an answer that is right only without a single mistake.
func allOrNothing(wrong []string) Grade {
	if len(wrong) == 0 {
		return Grade{Correct: true, Score: 1}
	}
	return Grade{Wrong: wrong}
}

// SpotScore is the partial-credit rule of spot-the-signals: each sign marked earns a
// point and each phrase marked that is not a sign loses one; the total, floored at zero,
// is divided by the number of signs. Marking every phrase therefore earns no more than
// the signs outnumber the other phrases, and the answer is right only with every sign
// marked and nothing else. The same rule scores the quiz, the reports and the xAPI
// result.
func SpotScore(signsMarked, nonSignsMarked, signs int) float64 {
	if signs <= 0 {
		return 0
	}
	return float64(max(signsMarked-nonSignsMarked, 0)) / float64(signs)
}

// gradeSpot grades the phrases marked in a spot-the-signals question. Marking nothing is
// an answer (that the situation holds no sign), not an incomplete one. Wrong lists the
// signs missed and the phrases marked that are not signs, in reading order.
func (q *Question) gradeSpot(marked []string) (Grade, error) {
	if hasDuplicates(marked) {
		return Grade{}, fmt.Errorf("question %s: a phrase is marked twice", q.ID)
	}
	for _, id := range marked {
		if !q.hasOption(id) {
			return Grade{}, fmt.Errorf("question %s: unknown phrase %q", q.ID, id)
		}
	}
	var wrong []string
	hits, falseMarks := 0, 0
	for _, o := range q.Options {
		isMarked, isSign := slices.Contains(marked, o.ID), slices.Contains(q.Answer, o.ID)
		switch {
		case isMarked && isSign:
			hits++
		case isMarked:
			falseMarks++
			wrong = append(wrong, o.ID)
		case isSign:
			wrong = append(wrong, o.ID)
		}
	}
	return Grade{Correct: len(wrong) == 0, Score: SpotScore(hits, falseMarks, len(q.Answer)), Wrong: wrong}, nil
}

func (q *Question) hasOption(id string) bool {
	_, ok := q.Option(id)
	return ok
}

// ScenarioNext follows path from the start and returns the step the learner is at now,
// or ok=false when the path has reached the end. It fails on a path that does not follow
// the scenario's graph.
func (q *Question) ScenarioNext(path []string) (step Step, ok bool, err error) {
	current := q.Start
	for _, p := range path {
		stepID, choiceID, found := cutPath(p)
		if !found || stepID != current {
			return Step{}, false, fmt.Errorf("question %s: path entry %q does not follow step %q", q.ID, p, current)
		}
		s, _ := q.Step(current)
		c, found := findChoice(s, choiceID)
		if !found {
			return Step{}, false, fmt.Errorf("question %s: step %s has no choice %q", q.ID, current, choiceID)
		}
		if c.Next == "" {
			return Step{}, false, nil
		}
		current = c.Next
	}
	s, found := q.Step(current)
	if !found {
		return Step{}, false, fmt.Errorf("question %s: no step %q", q.ID, current)
	}
	return s, true, nil
}

// ScenarioChoice returns the choice that a path entry ("step:choice") names.
func (q *Question) ScenarioChoice(entry string) (Step, Choice, bool) {
	stepID, choiceID, ok := cutPath(entry)
	if !ok {
		return Step{}, Choice{}, false
	}
	s, ok := q.Step(stepID)
	if !ok {
		return Step{}, Choice{}, false
	}
	c, ok := findChoice(s, choiceID)
	return s, c, ok
}

// PathEntry is the path entry for choosing choiceID at stepID.
func PathEntry(stepID, choiceID string) string { return stepID + ":" + choiceID }

func (q *Question) gradeScenario(path []string) (Grade, error) {
	_, more, err := q.ScenarioNext(path)
	if err != nil {
		return Grade{}, err
	}
	if more {
		return Grade{}, ErrIncomplete{"finish the scenario"}
	}
	var wrong []string
	for _, p := range path {
		_, c, _ := q.ScenarioChoice(p)
		if !c.Good {
			wrong = append(wrong, p)
		}
	}
	return allOrNothing(wrong), nil
}

func cutPath(entry string) (step, choice string, ok bool) {
	for i := len(entry) - 1; i >= 0; i-- {
		if entry[i] == ':' {
			return entry[:i], entry[i+1:], true
		}
	}
	return "", "", false
}

func findChoice(s Step, id string) (Choice, bool) {
	for _, c := range s.Choices {
		if c.ID == id {
			return c, true
		}
	}
	return Choice{}, false
}

// Citation points into the report: the section title and the line range of
// ecpat-belgique-2015.txt that a lesson section or a question rests on.
type Citation struct {
	Section  string
	From, To int
}

// IsZero reports whether no citation is set.
func (c Citation) IsZero() bool { return c.Section == "" && c.From == 0 && c.To == 0 }
