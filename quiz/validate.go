package quiz

import (
	"fmt"
	"slices"
)

// Problem is one thing wrong with a question's structure. Field names the part at fault
// ("answer", "options", "steps.s2") so a loader can point at the right line.
type Problem struct {
	Field   string
	Message string
}

func (p Problem) Error() string { return p.Field + ": " + p.Message }

// Limits on the number of options per kind.
var optionLimits = map[Kind][2]int{
	Single:   {2, 6},
	Multiple: {3, 8},
	Ordering: {3, 7},
	Matching: {2, 6},
	Spot:     {3, 8},
}

// Check returns every structural problem of q: answer keys that do not fit the kind,
// duplicate ids, and scenarios with unreachable steps, dead ends or cycles. Texts are not
// checked here; the content loader checks that every language has them.
func (q *Question) Check() []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{field, fmt.Sprintf(format, args...)})
	}
	if !q.Kind.Valid() {
		add("type", "unknown question type %q (want one of %v)", q.Kind, Kinds)
		return ps
	}
	if dup := duplicateID(q.Options); dup != "" {
		add("options", "option id %q appears twice", dup)
	}
	if lim, ok := optionLimits[q.Kind]; ok && (len(q.Options) < lim[0] || len(q.Options) > lim[1]) {
		add("options", "a %s question needs %d to %d options, has %d", q.Kind, lim[0], lim[1], len(q.Options))
	}
	answerIsOption := func() {
		for _, a := range q.Answer {
			if !q.hasOption(a) {
				add("answer", "answer %q is not one of the options", a)
			}
		}
	}
	switch q.Kind {
	case Single:
		if len(q.Answer) != 1 {
			add("answer", "a single-choice question needs exactly one answer, has %d", len(q.Answer))
		}
		answerIsOption()
	case TrueFalse:
		if len(q.Answer) != 1 || (q.Answer[0] != True && q.Answer[0] != False) {
			add("answer", "a true/false question needs answer [\"true\"] or [\"false\"], has %v", q.Answer)
		}
	case Multiple:
		if len(q.Answer) == 0 {
			add("answer", "a multiple-response question needs at least one right option")
		}
		if hasDuplicates(q.Answer) {
			add("answer", "an answer is listed twice")
		}
		answerIsOption()
	case Ordering:
		if len(q.Answer) != len(q.Options) || hasDuplicates(q.Answer) {
			add("answer", "an ordering question needs every option exactly once in the answer")
		}
		answerIsOption()
	case Matching:
		if dup := duplicateID(q.Targets); dup != "" {
			add("targets", "target id %q appears twice", dup)
		}
		if len(q.Targets) < 2 || len(q.Targets) > 8 {
			add("targets", "a matching question needs 2 to 8 targets, has %d", len(q.Targets))
		}
		for _, o := range q.Options {
			t, ok := q.Pairs[o.ID]
			if !ok {
				add("pairs", "situation %q has no pair", o.ID)
				continue
			}
			if _, ok := q.Target(t); !ok {
				add("pairs", "situation %q is paired with %q, which is not a target", o.ID, t)
			}
		}
		for k := range q.Pairs {
			if !q.hasOption(k) {
				add("pairs", "pair for %q, which is not a situation", k)
			}
		}
	case Scenario:
		ps = append(ps, q.checkScenario()...)
	case Spot:
		ps = append(ps, q.checkSpot()...)
	}
	if q.Kind != Spot && len(q.Signs) > 0 {
		add("signs", "only a spot question has signs")
	}
	return ps
}

// checkSpot checks a spot-the-signals question: its answer is the phrases that are
// signs, each naming the indicator it shows; at least one phrase is a sign and at least
// one is not (a situation where everything or nothing is a sign trains no eye).
func (q *Question) checkSpot() []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{field, fmt.Sprintf(format, args...)})
	}
	if len(q.Signs) == 0 {
		add("signs", "a spot question needs at least one phrase that is a sign")
	}
	if len(q.Signs) >= len(q.Options) && len(q.Options) > 0 {
		add("signs", "a spot question needs at least one phrase that is not a sign")
	}
	for id, ind := range q.Signs {
		if !q.hasOption(id) {
			add("signs", "sign %q is not one of the phrases (options)", id)
		}
		if ind == "" {
			add("signs", "sign %q names no indicator", id)
		}
	}
	var want []string
	for _, o := range q.Options {
		if _, ok := q.Signs[o.ID]; ok {
			want = append(want, o.ID)
		}
	}
	if !slices.Equal(q.Answer, want) {
		add("answer", "the answer of a spot question is its signs in reading order, %v, not %v", want, q.Answer)
	}
	return ps
}

func (q *Question) checkScenario() []Problem {
	var ps []Problem
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{field, fmt.Sprintf(format, args...)})
	}
	if len(q.Steps) == 0 {
		add("steps", "a scenario needs steps")
		return ps
	}
	ids := map[string]bool{}
	for _, s := range q.Steps {
		if ids[s.ID] {
			add("steps."+s.ID, "step id %q appears twice", s.ID)
		}
		ids[s.ID] = true
	}
	if !ids[q.Start] {
		add("start", "start step %q does not exist", q.Start)
		return ps
	}
	for _, s := range q.Steps {
		field := "steps." + s.ID
		if len(s.Choices) < 2 {
			add(field, "step %q needs at least two choices", s.ID)
		}
		good := false
		seen := map[string]bool{}
		for _, c := range s.Choices {
			if seen[c.ID] {
				add(field, "choice id %q appears twice in step %q", c.ID, s.ID)
			}
			seen[c.ID] = true
			good = good || c.Good
			if c.Next != "" && !ids[c.Next] {
				add(field, "choice %q of step %q leads to %q, which is not a step (dead end)", c.ID, s.ID, c.Next)
			}
		}
		if !good {
			add(field, "step %q has no good choice", s.ID)
		}
	}
	if len(ps) > 0 {
		return ps
	}
	// Every step reachable from the start; no cycles, so every path ends.
	const (
		unvisited = iota
		onPath
		finished
	)
	state := map[string]int{}
	var visit func(id string) bool
	visit = func(id string) bool {
		switch state[id] {
		case onPath:
			add("steps."+id, "step %q can be reached again from itself: the scenario never ends", id)
			return false
		case finished:
			return true
		}
		state[id] = onPath
		s, _ := q.Step(id)
		for _, c := range s.Choices {
			if c.Next != "" && !visit(c.Next) {
				return false
			}
		}
		state[id] = finished
		return true
	}
	if visit(q.Start) {
		for _, s := range q.Steps {
			if state[s.ID] != finished {
				add("steps."+s.ID, "step %q cannot be reached from the start", s.ID)
			}
		}
	}
	return ps
}

func duplicateID(opts []Option) string {
	seen := map[string]bool{}
	for _, o := range opts {
		if seen[o.ID] {
			return o.ID
		}
		seen[o.ID] = true
	}
	return ""
}

func hasDuplicates(ids []string) bool {
	s := slices.Clone(ids)
	slices.Sort(s)
	return len(slices.Compact(s)) != len(ids)
}
