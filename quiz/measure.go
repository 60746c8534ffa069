package quiz

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// The three measurements of the same knowledge: a pre-test before the lessons (before),
// the module's quiz (after) and the refresher when it falls due (kept). Each draws from
// the same warning signs (the catalogue's indicators) with different items, so that the
// three are comparable: an indicator the pre-test asked about is asked again in the quiz
// and in the refresher, by another question.

// PretestSize is how many questions a pre-test asks: short, so that learners take it.
const PretestSize = 6

// ItemsPerIndicator is how many recognise or act questions must exercise an indicator
// for the three measurements to ask about it with three different questions.
const ItemsPerIndicator = 3

// Measured reports whether q can measure a warning sign: a recognise or act question
// that exercises at least one of the catalogue's indicators. Only such questions count
// in the three measurements' scores.
func Measured(q *Question) bool {
	return (q.Skill == Recognise || q.Skill == Act) && len(q.Indicators) > 0
}

// Prior is what a learner was already asked in a module's measurements.
type Prior struct {
	Pretest   []string // the questions of the learner's pre-tests
	FirstQuiz []string // the questions of the learner's first finished quiz
}

// DrawPretest draws a pre-test of size questions: recognise and act questions only, at
// least one spot-the-signals situation, each question chosen for an indicator the
// others do not yet exercise, so that the pre-test spreads over the module's signs.
// The indicators come from those with ItemsPerIndicator questions or more (which the
// quiz and the refresher can ask about again with other questions), then the others.
func DrawPretest(bank []Question, size int, rng *rand.Rand) (Plan, error) {
	if size <= 0 {
		return nil, fmt.Errorf("pre-test size must be positive, got %d", size)
	}
	if len(bank) < size {
		return nil, fmt.Errorf("the bank holds %d questions, fewer than the %d to draw", len(bank), size)
	}
	var items []int // the measuring questions, by index in bank
	perIndicator := map[string]int{}
	for i := range bank {
		if Measured(&bank[i]) {
			items = append(items, i)
			for _, ind := range bank[i].Indicators {
				perIndicator[ind]++
			}
		}
	}
	d := newDrawer(bank, rng)
	// One spot-the-signals situation, on a sign the later measurements can ask about
	// again if there is one.
	var spots, measurableSpots []int
	for _, i := range items {
		if bank[i].Kind != Spot {
			continue
		}
		spots = append(spots, i)
		if slices.ContainsFunc(bank[i].Indicators, func(ind string) bool { return perIndicator[ind] >= ItemsPerIndicator }) {
			measurableSpots = append(measurableSpots, i)
		}
	}
	if len(measurableSpots) > 0 {
		d.take(measurableSpots[rng.IntN(len(measurableSpots))])
	} else if len(spots) > 0 {
		d.take(spots[rng.IntN(len(spots))])
	}
	// Then one question per indicator not yet covered: the measurable indicators in a
	// random order, then the others. Other situations are left for later: a pre-test is
	// short.
	var strong, weak []string
	for ind, n := range perIndicator {
		if n >= ItemsPerIndicator {
			strong = append(strong, ind)
		} else {
			weak = append(weak, ind)
		}
	}
	for _, group := range [][]string{strong, weak} {
		slices.Sort(group) // map order is random: sort, then shuffle with rng
		rng.Shuffle(len(group), func(i, j int) { group[i], group[j] = group[j], group[i] })
		for _, ind := range group {
			if len(d.picked) == size {
				break
			}
			if d.covered[ind] {
				continue
			}
			d.takeOne(items, func(q *Question) bool { return q.Kind != Spot && slices.Contains(q.Indicators, ind) })
		}
	}
	// A module with few indicators: more of its measuring questions (situations last:
	// they take longest), then any.
	for len(d.picked) < size && d.takeOne(items, func(q *Question) bool { return q.Kind != Spot }) {
	}
	for len(d.picked) < size && d.takeOne(items, func(*Question) bool { return true }) {
	}
	for len(d.picked) < size && d.takeOne(nil, func(*Question) bool { return true }) {
	}
	return d.plan(), nil
}

// DrawQuiz draws a quiz of size questions after the pre-test: never a question of the
// pre-test; first, for each indicator the pre-test asked about, another question on it
// (up to half the quiz, so that the rest still samples the whole bank), then questions at
// random. Without a pre-test it is a draw at random.
func DrawQuiz(bank []Question, size int, prior Prior, rng *rand.Rand) (Plan, error) {
	exclude := set(prior.Pretest)
	if n := countUnless(bank, exclude); n < size {
		return nil, fmt.Errorf("the bank holds %d questions besides the pre-test's, fewer than the %d to draw", n, size)
	}
	return drawCovering(bank, size, indicatorsOf(bank, prior.Pretest), exclude, nil, rng)
}

// DrawRefresher draws a refresher of size questions: first a question on each
// indicator the pre-test asked about (or, without a pre-test, the first quiz), up to
// half the refresher, then at random; questions of the pre-test and of the first quiz
// only where the bank has too few others.
func DrawRefresher(bank []Question, size int, prior Prior, rng *rand.Rand) (Plan, error) {
	if len(bank) < size {
		return nil, fmt.Errorf("the bank holds %d questions, fewer than the %d to draw", len(bank), size)
	}
	cover := indicatorsOf(bank, prior.Pretest)
	if len(prior.Pretest) == 0 {
		cover = indicatorsOf(bank, prior.FirstQuiz)
	}
	return drawCovering(bank, size, cover, nil, set(append(slices.Clone(prior.Pretest), prior.FirstQuiz...)), rng)
}

// drawCovering draws size questions never in exclude: first one per indicator of cover
// not yet exercised (measuring questions first, up to half of size), then at random,
// questions in avoid only when nothing else is left.
func drawCovering(bank []Question, size int, cover []string, exclude, avoid map[string]bool, rng *rand.Rand) (Plan, error) {
	if size <= 0 {
		return nil, fmt.Errorf("quiz size must be positive, got %d", size)
	}
	d := newDrawer(bank, rng)
	var allowed, fresh []int
	for i := range bank {
		if exclude[bank[i].ID] {
			continue
		}
		allowed = append(allowed, i)
		if !avoid[bank[i].ID] {
			fresh = append(fresh, i)
		}
	}
	if len(allowed) < size {
		return nil, fmt.Errorf("the bank holds %d questions that may be drawn, fewer than the %d to draw", len(allowed), size)
	}
	cover = slices.Clone(cover)
	rng.Shuffle(len(cover), func(i, j int) { cover[i], cover[j] = cover[j], cover[i] })
	for _, ind := range cover {
		if len(d.picked) >= size/2 {
			break
		}
		if d.covered[ind] {
			continue
		}
		on := func(q *Question) bool { return slices.Contains(q.Indicators, ind) }
		measuring := func(q *Question) bool { return Measured(q) && on(q) }
		// A question asked before is not taken for its sign: repeats come last, if at all.
		_ = d.takeOne(fresh, measuring) || d.takeOne(fresh, on)
	}
	for len(d.picked) < size && d.takeOne(fresh, func(*Question) bool { return true }) {
	}
	for len(d.picked) < size && d.takeOne(allowed, func(*Question) bool { return true }) {
	}
	return d.plan(), nil
}

// drawer collects the questions of one draw.
type drawer struct {
	bank    []Question
	rng     *rand.Rand
	picked  []int
	taken   map[int]bool
	covered map[string]bool // the indicators the picked questions exercise
}

func newDrawer(bank []Question, rng *rand.Rand) *drawer {
	return &drawer{bank: bank, rng: rng, taken: map[int]bool{}, covered: map[string]bool{}}
}

func (d *drawer) take(i int) {
	d.picked = append(d.picked, i)
	d.taken[i] = true
	for _, ind := range d.bank[i].Indicators {
		d.covered[ind] = true
	}
}

// takeOne takes a question at random among those of from (the whole bank when from is
// nil) that ok accepts and that are not taken yet; false when there is none.
func (d *drawer) takeOne(from []int, ok func(*Question) bool) bool {
	var cands []int
	consider := func(i int) {
		if !d.taken[i] && ok(&d.bank[i]) {
			cands = append(cands, i)
		}
	}
	if from == nil {
		for i := range d.bank {
			consider(i)
		}
	} else {
		for _, i := range from {
			consider(i)
		}
	}
	if len(cands) == 0 {
		return false
	}
	d.take(cands[d.rng.IntN(len(cands))])
	return true
}

// plan is the questions taken, in a random order, with their options shuffled.
func (d *drawer) plan() Plan {
	order := slices.Clone(d.picked)
	d.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	plan := make(Plan, 0, len(order))
	for _, i := range order {
		plan = append(plan, DrawFor(d.bank[i], d.rng))
	}
	return plan
}

func set(ids []string) map[string]bool {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}

func countUnless(bank []Question, exclude map[string]bool) int {
	n := 0
	for i := range bank {
		if !exclude[bank[i].ID] {
			n++
		}
	}
	return n
}

// indicatorsOf lists, without repeats, the indicators that the questions ids exercise,
// in the order the questions come.
func indicatorsOf(bank []Question, ids []string) []string {
	var out []string
	for _, id := range ids {
		i := slices.IndexFunc(bank, func(q Question) bool { return q.ID == id })
		if i < 0 {
			continue
		}
		for _, ind := range bank[i].Indicators {
			if !slices.Contains(out, ind) {
				out = append(out, ind)
			}
		}
	}
	return out
}
