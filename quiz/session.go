package quiz

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
)

// DefaultPassMark is the percentage needed to pass when a module sets none.
const DefaultPassMark = 80

// Draw is one drawn question and the order its options and targets are shown in.
// A Plan of draws is what gets stored, so an interrupted attempt resumes with the same
// questions in the same order.
type Draw struct {
	QuestionID string   `json:"q"`
	Options    []string `json:"o,omitempty"`
	Targets    []string `json:"t,omitempty"`
}

// Plan is the list of questions an attempt asks, in order.
type Plan []Draw

// NewPlan draws n questions from bank at random, in random order, and shuffles the
// options of each. Ordering questions never start in the right order. It fails when the
// bank holds fewer than n questions.
func NewPlan(bank []Question, n int, rng *rand.Rand) (Plan, error) {
	if n <= 0 {
		return nil, fmt.Errorf("quiz size must be positive, got %d", n)
	}
	if len(bank) < n {
		return nil, fmt.Errorf("the bank holds %d questions, fewer than the %d to draw", len(bank), n)
	}
	picks := rng.Perm(len(bank))[:n]
	plan := make(Plan, 0, n)
	for _, i := range picks {
		plan = append(plan, DrawFor(bank[i], rng))
	}
	return plan, nil
}

// DrawFor shuffles the options (and targets) of one question; an ordering question never
// starts in the right order.
func DrawFor(q Question, rng *rand.Rand) Draw {
	d := Draw{QuestionID: q.ID}
	switch q.Kind {
	case Single, Multiple, Matching:
		d.Options = shuffledIDs(q.Options, rng)
	case Ordering:
		d.Options = shuffledIDs(q.Options, rng)
		for len(d.Options) > 1 && slices.Equal(d.Options, q.Answer) {
			d.Options = shuffledIDs(q.Options, rng)
		}
	}
	// The phrases of a spot question stay where the situation has them.
	if q.Kind == Matching {
		d.Targets = shuffledIDs(q.Targets, rng)
	}
	return d
}

func shuffledIDs(opts []Option, rng *rand.Rand) []string {
	ids := make([]string, len(opts))
	for i, o := range opts {
		ids[i] = o.ID
	}
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids
}

// Item is one question of a session with what the learner did with it.
type Item struct {
	Question Question // options already in the order shown
	Response Response
	Answered bool
	Grade    Grade
}

// Session is one attempt at a quiz: the drawn questions and the answers so far.
type Session struct {
	items    []Item
	passMark int
}

// ErrAlreadyAnswered is returned when a question is answered a second time.
var ErrAlreadyAnswered = errors.New("this question has already been answered")

// NewSession builds the session for plan from the questions of bank. passMark is a
// percentage; zero means DefaultPassMark. It fails when the plan names a question or an
// option the bank does not have (for example after a content update).
func NewSession(bank []Question, plan Plan, passMark int) (*Session, error) {
	if passMark == 0 {
		passMark = DefaultPassMark
	}
	if passMark < 0 || passMark > 100 {
		return nil, fmt.Errorf("pass mark %d is not a percentage", passMark)
	}
	byID := make(map[string]Question, len(bank))
	for _, q := range bank {
		byID[q.ID] = q
	}
	s := &Session{passMark: passMark}
	for _, d := range plan {
		q, ok := byID[d.QuestionID]
		if !ok {
			return nil, fmt.Errorf("question %q is no longer in the bank", d.QuestionID)
		}
		var err error
		if d.Options != nil {
			if q.Options, err = reorder(q.Options, d.Options); err != nil {
				return nil, fmt.Errorf("question %s: %w", q.ID, err)
			}
		}
		if d.Targets != nil {
			if q.Targets, err = reorder(q.Targets, d.Targets); err != nil {
				return nil, fmt.Errorf("question %s: %w", q.ID, err)
			}
		}
		s.items = append(s.items, Item{Question: q})
	}
	if len(s.items) == 0 {
		return nil, errors.New("the plan has no questions")
	}
	return s, nil
}

func reorder(opts []Option, ids []string) ([]Option, error) {
	if len(ids) != len(opts) {
		return nil, fmt.Errorf("the stored order has %d options, the question %d", len(ids), len(opts))
	}
	out := make([]Option, 0, len(opts))
	for _, id := range ids {
		i := slices.IndexFunc(opts, func(o Option) bool { return o.ID == id })
		if i < 0 {
			return nil, fmt.Errorf("option %q is no longer in the question", id)
		}
		out = append(out, opts[i])
	}
	return out, nil
}

// Len is the number of questions.
func (s *Session) Len() int { return len(s.items) }

// Item returns question i with its answer, if any.
func (s *Session) Item(i int) Item { return s.items[i] }

// PassMark is the percentage needed to pass.
func (s *Session) PassMark() int { return s.passMark }

// Grade grades r for question i without recording it.
func (s *Session) Grade(i int, r Response) (Grade, error) {
	if i < 0 || i >= len(s.items) {
		return Grade{}, fmt.Errorf("no question %d", i)
	}
	return s.items[i].Question.Grade(r)
}

// Answer grades r for question i and records it. A question is answered once.
func (s *Session) Answer(i int, r Response) (Grade, error) {
	if i >= 0 && i < len(s.items) && s.items[i].Answered {
		return Grade{}, ErrAlreadyAnswered
	}
	g, err := s.Grade(i, r)
	if err != nil {
		return Grade{}, err
	}
	s.items[i].Response, s.items[i].Answered, s.items[i].Grade = r, true, g
	return g, nil
}

// Partial records an unfinished response (the path of a scenario so far) for question i.
func (s *Session) Partial(i int, r Response) {
	if i >= 0 && i < len(s.items) && !s.items[i].Answered {
		s.items[i].Response = r
	}
}

// Current is the first unanswered question, or Len() when all are answered.
func (s *Session) Current() int {
	for i, it := range s.items {
		if !it.Answered {
			return i
		}
	}
	return len(s.items)
}

// Done reports whether every question is answered.
func (s *Session) Done() bool { return s.Current() == len(s.items) }

// Score is the result of a session.
type Score struct {
	Correct, Answered, Total int
	// Points is the credit earned: one per right answer, and a part of one for a
	// partly right spot-the-signals answer.
	Points  float64
	Percent int // of Total, from Points, rounded down
	Passed  bool
}

// Percent is points out of total as a whole percentage, rounded down. Points are sums of
// fractions, so a total that is a whole number on paper may be a hair below it in floating
// point: the tolerance keeps 3 × (1/3) at 100 %.
func Percent(points float64, total int) int {
	if total <= 0 {
		return 0
	}
	return int(points*100/float64(total) + 1e-9)
}

// Score adds up the answers. Passed needs every question answered and Percent at least
// the pass mark.
func (s *Session) Score() Score {
	sc := Score{Total: len(s.items)}
	for _, it := range s.items {
		if it.Answered {
			sc.Answered++
			sc.Points += it.Grade.Score
			if it.Grade.Correct {
				sc.Correct++
			}
		}
	}
	sc.Percent = Percent(sc.Points, sc.Total)
	sc.Passed = sc.Answered == sc.Total && sc.Percent >= s.passMark
	return sc
}

// Missed lists the indexes of the questions answered wrongly.
func (s *Session) Missed() []int {
	var out []int
	for i, it := range s.items {
		if it.Answered && !it.Grade.Correct {
			out = append(out, i)
		}
	}
	return out
}
