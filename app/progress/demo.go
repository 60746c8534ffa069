package progress

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"indicia/quiz"
)

// DemoModule is what BulkDemo needs of a module: its structure and its question bank
// (ids, types and answer keys are the same in every language, so one language's bank
// serves for all).
type DemoModule struct {
	ID       string
	Version  string
	Audience string // "all" or the role the module is for
	PassMark int
	QuizSize int
	Lessons  []DemoLesson
	Bank     []quiz.Question
}

// DemoLesson is a lesson's id and its number of sections.
type DemoLesson struct {
	ID       string
	Sections int
}

// demoBatch is how many learners BulkDemo commits at once.
const demoBatch = 500

// BulkDemo adds n synthetic learners for demonstrations, load tests and benchmarks:
// Belgian names from the four language communities, roles, languages and cohort codes,
// each with pre-tests, lesson progress, quiz attempts, refreshers when they fell due,
// every answer (questions drawn from the real banks by the measurements' draws and
// graded by the quiz engine), workplace answers, review cards and module status,
// written the way the app writes them, so every query works on them. The answers come
// from a model of learning and forgetting (demoKnowledge), which is not stored: only
// what the learners answered is. The workplace questions are turned on, unless a
// trainer chose already. The same seed gives the same learners. Learners are committed
// 500 at a time; progress, when not nil, is called after each commit. A cancelled ctx
// stops it after the last commit.
func (s *Store) BulkDemo(ctx context.Context, n int, mods []DemoModule, seed uint64, progress func(done, total int)) error {
	if n <= 0 {
		return fmt.Errorf("%w: the number of demo learners must be positive", ErrInvalid)
	}
	for _, m := range mods {
		if m.QuizSize <= 0 || len(m.Bank) < m.QuizSize || len(m.Lessons) == 0 {
			return fmt.Errorf("%w: demo module %q needs lessons and a bank of at least %d questions", ErrInvalid, m.ID, m.QuizSize)
		}
	}
	// Activity stops half a day ago, so that nothing a learner started (a lesson, a quiz)
	// ends in the future.
	now := s.now().Add(-12 * time.Hour)
	if _, err := s.write.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, 'true') ON CONFLICT (key) DO NOTHING`,
		settingWorkplace); err != nil {
		return wrapWrite("write demo learners", err)
	}
	for done := 0; done < n; {
		if err := ctx.Err(); err != nil {
			return err
		}
		size := min(demoBatch, n-done)
		if err := s.demoBatch(ctx, done, size, mods, seed, now); err != nil {
			return err
		}
		done += size
		if progress != nil {
			progress(done, n)
		}
	}
	return nil
}

// demoWriter holds one batch's transaction and prepared statements.
type demoWriter struct {
	ctx                                         context.Context
	tx                                          *sql.Tx
	learner, lesson, attempt, answer, modStatus *sql.Stmt
	card, workplace                             *sql.Stmt
	questions                                   map[string]map[string]*quiz.Question // by module, by id
}

// demoCard is a review card while a learner's answers are generated.
type demoCard struct {
	quiz.Card
	indicator   string
	lastCorrect bool
}

type cardKey struct{ module, question string }

func (s *Store) demoBatch(ctx context.Context, first, size int, mods []DemoModule, seed uint64, now time.Time) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapWrite("write demo learners", err)
	}
	defer tx.Rollback()
	// The statements run without the cancellation: the driver would watch a cancellable
	// context with a goroutine per statement, which costs more than the statement. ctx
	// is checked between learners instead.
	w := &demoWriter{ctx: context.WithoutCancel(ctx), tx: tx, questions: map[string]map[string]*quiz.Question{}}
	for _, m := range mods {
		byID := make(map[string]*quiz.Question, len(m.Bank))
		for i := range m.Bank {
			byID[m.Bank[i].ID] = &m.Bank[i]
		}
		w.questions[m.ID] = byID
	}
	prepare := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = tx.PrepareContext(ctx, q)
		return st
	}
	w.learner = prepare(`INSERT INTO learners (name, role, language, cohort, created_at, last_active_at) VALUES (?, ?, ?, ?, ?, ?)`)
	w.lesson = prepare(`INSERT INTO lesson_progress (learner_id, module_id, lesson_id, position, time_spent_ms, completed_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`)
	w.attempt = prepare(`INSERT INTO attempts (learner_id, module_id, content_version, language, plan, pass_mark, total, kind,
			status, correct, score_percent, passed, started_at, finished_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	w.workplace = prepare(`INSERT INTO workplace_answers (uid, learner_id, module_id, due_at, answered_at, met_sign, alerted, knew_whom)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	w.answer = prepare(`INSERT INTO answers (attempt_id, position, question_id, response, complete, correct, time_ms, answered_at, confidence, score)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	w.modStatus = prepare(`INSERT INTO module_status (learner_id, module_id, status, best_percent, passed_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)`)
	w.card = prepare(`INSERT INTO review_cards (learner_id, module_id, question_id, indicator, stability, difficulty,
			reps, lapses, last_correct, priority, last_review, due)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return wrapWrite("write demo learners", err)
	}
	for i := first; i < first+size; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		if err := w.learnerWithProgress(rng, mods, now); err != nil {
			return wrapWrite("write demo learners", err)
		}
	}
	return wrapWrite("write demo learners", tx.Commit())
}

// A community's first and last names, the language its members usually choose, and the
// towns its cohorts are trained in.
type community struct {
	weight float64
	lang   []string // the learner's language, drawn from these (the first most often)
	first  []string
	last   []string
	towns  []string
}

var communities = []community{
	{weight: 0.37, lang: []string{"fr"},
		first: []string{"Anaïs", "Sébastien", "Chloé", "Hélène", "Loïc", "Maëlle", "Gaëtan", "Noémie", "Jérôme", "Benoît",
			"Amélie", "Théo", "Léa", "Raphaël", "Inès", "François", "Céline", "Aurélie", "Frédéric", "Stéphanie", "Cédric",
			"Julien", "Camille", "Manon", "Hugo", "Élodie", "Mélanie", "Grégory", "Valérie", "Zoé", "Maxime", "Émilie",
			"Nathalie", "Thibault", "Geneviève", "Joël", "Michaël", "Anne-Sophie", "Jean-François", "Marie-Hélène"},
		last: []string{"Dubois", "Lambert", "Dupont", "Lefèvre", "Leroy", "Renard", "Fontaine", "Gérard", "Lemaire", "Wéry",
			"Hénin", "Collard", "Lejeune", "Delvaux", "Piérard", "Goffin", "Lecomte", "Masson", "Dumont", "Herman", "Simon",
			"Laurent", "Denis", "Maréchal", "Bodart", "Thiry", "Noël", "Frère", "Dethier", "Lhoest"},
		towns: []string{"BXL", "LGE", "NAM", "CRL", "MON"}},
	{weight: 0.45, lang: []string{"nl"},
		first: []string{"Zoë", "Daan", "Sien", "Lotte", "Wout", "Jens", "Femke", "Ruben", "Noor", "Liesbeth", "Bram", "Ine",
			"Joëlle", "Stijn", "Griet", "Koen", "Annelies", "Pieter", "Sofie", "Tom", "Els", "Lieve", "Jasper", "Hanne",
			"Maarten", "Arne", "Tine", "Kobe", "Jef", "Elise", "Mathijs", "Eline", "Chloë", "Michiel", "Siebe", "Laurens"},
		last: []string{"Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
			"Van den Broeck", "Vermeulen", "De Backer", "Vandenberghe", "Dewulf", "Van Acker", "Verbruggen", "Hermans",
			"Declercq", "Pauwels", "Aerts", "Van de Velde", "D'Hondt", "Vanhoutte", "Coppens", "Segers", "Cuypers",
			"Lenaerts", "Stevens", "Van Daële"},
		towns: []string{"ANT", "GNT", "LEU", "BRG", "HAS", "BXL"}},
	{weight: 0.06, lang: []string{"de"},
		first: []string{"Jürgen", "Jörg", "Lukas", "Anja", "Björn", "Günter", "Sören", "Käthe", "Lena", "Jonas", "Hannah",
			"Tobias", "Mareike", "Sabine", "Heike", "Uwe", "Ute", "Bärbel", "Niklas", "Svenja", "Katrin", "Jörn", "Kai"},
		last: []string{"Müller", "Schmitz", "Krings", "Heinen", "Brüls", "Mießen", "Kessler", "Jöris", "Hilgers", "Cremer",
			"Lentz", "Thönnissen", "Radermacher", "Kohnen", "Schröder", "Hoffmann", "Küpper", "Förster"},
		towns: []string{"EUP", "SVI"}},
	{weight: 0.12, lang: []string{"fr", "nl"},
		first: []string{"Mohamed", "Yasmina", "Fatima", "Karim", "Nour", "Ayşe", "Emre", "Özlem", "Samira", "Bilal", "Amina",
			"Youssef", "Rachida", "Grâce", "Bénédicte", "Merve", "Hüseyin", "Ikram", "Chaïma", "Tuğba"},
		last: []string{"El Amrani", "Benali", "El Idrissi", "Özdemir", "Yılmaz", "Kaya", "Nguyen", "Kabongo", "Mukendi",
			"Bouzid", "Aït Ouali", "Tshibangu", "Çelik", "Şahin", "Ben Saïd"},
		towns: []string{"BXL", "ANT", "LGE", "GNT", "CRL"}},
}

// Roles with how common each is among the people trained.
var demoRoles = []struct {
	role   string
	weight float64
}{{"police", 0.35}, {"hospital", 0.25}, {"guardian", 0.15}, {"fedasil", 0.25}}

// demoLearner is one synthetic learner before it is written.
type demoLearner struct {
	id                int64
	name, role, lang  string
	cohort            string
	created, lastSeen time.Time
	// The model of learning and forgetting behind the learner's answers (never stored):
	// prior is the chance of a right answer on an average question before any training;
	// learns is the share of what is left to learn that a module's lessons teach them;
	// memory is how many days what they learnt takes to fall back by about 63 %
	// (exponential forgetting); keen is the chance that they take a refresher that fell
	// due (the keener tend to know more: who takes it is self-selected).
	prior, learns, memory, keen float64
	// cards are the learner's review cards, scheduled after each answer as RecordAnswer
	// does (updateCard), and written once the learner is complete.
	cards    map[cardKey]*demoCard
	cardKeys []cardKey // in the order the cards were made
}

func (w *demoWriter) learnerWithProgress(rng *rand.Rand, mods []DemoModule, now time.Time) error {
	c := communities[pick(rng, len(communities), func(i int) float64 { return communities[i].weight })]
	l := demoLearner{
		name:  c.first[rng.IntN(len(c.first))] + " " + c.last[rng.IntN(len(c.last))],
		role:  demoRoles[pick(rng, len(demoRoles), func(i int) float64 { return demoRoles[i].weight })].role,
		lang:  c.lang[rng.IntN(len(c.lang))],
		cards: map[cardKey]*demoCard{},
	}
	l.prior = clamp(0.5+0.12*rng.NormFloat64(), 0.15, 0.92)
	l.learns = clamp(0.6+0.14*rng.NormFloat64(), 0.15, 0.95)
	l.memory = clamp(220+70*rng.NormFloat64(), 60, 500)
	l.keen = clamp(0.45+0.6*(l.learns-0.6)+0.4*(l.prior-0.5)+0.15*rng.NormFloat64(), 0.1, 0.9)
	if rng.Float64() < 0.06 {
		l.lang = "en" // international staff, or a preference for English
	}
	// Registered at some point in the last 18 months, during working hours.
	day := now.AddDate(0, 0, -rng.IntN(540)).Truncate(24 * time.Hour)
	l.created = day.Add(time.Duration(8*60+rng.IntN(9*60)) * time.Minute)
	if l.created.After(now) {
		l.created = now.Add(-time.Duration(rng.IntN(3600)) * time.Second)
	}
	if rng.Float64() < 0.88 {
		l.cohort = fmt.Sprintf("%s-%s", c.towns[rng.IntN(len(c.towns))], l.created.Format("2006-01"))
	}
	l.lastSeen = l.created
	res, err := w.learner.ExecContext(w.ctx, l.name, l.role, l.lang, l.cohort, l.created.UnixMilli(), l.created.UnixMilli())
	if err != nil {
		return err
	}
	if l.id, err = res.LastInsertId(); err != nil {
		return err
	}
	t := l.created.Add(time.Duration(rng.IntN(20)) * time.Minute)
	for _, m := range mods {
		chance := 0.07 // a module for another role
		switch m.Audience {
		case "all":
			chance = 0.9
		case l.role:
			chance = 0.75
		}
		if rng.Float64() >= chance {
			continue
		}
		t, err = w.module(rng, &l, m, t, now)
		if err != nil {
			return err
		}
		t = t.Add(time.Duration(rng.IntN(72*60)) * time.Minute) // the next module, hours or days later
	}
	for _, k := range l.cardKeys {
		c := l.cards[k]
		if _, err := w.card.ExecContext(w.ctx, l.id, k.module, k.question, c.indicator, c.Stability, c.Difficulty, c.Reps, c.Lapses,
			c.lastCorrect, c.Priority, c.LastReview.UnixMilli(), c.Due.UnixMilli()); err != nil {
			return err
		}
	}
	_, err = w.tx.ExecContext(w.ctx, `UPDATE learners SET last_active_at = ? WHERE id = ?`, l.lastSeen.UnixMilli(), l.id)
	return err
}

// review schedules the learner's card for a question after an answer at t: what
// updateCard does in the app, kept in memory until the learner is written. Times go
// through milliseconds, as they do through the database.
func (l *demoLearner) review(moduleID string, q *quiz.Question, correct bool, conf quiz.Confidence, t time.Time) {
	k := cardKey{moduleID, q.ID}
	c, ok := l.cards[k]
	if !ok {
		c = &demoCard{}
		l.cards[k] = c
		l.cardKeys = append(l.cardKeys, k)
	}
	next := c.Card.Review(quiz.RatingFor(correct, conf), conf, t)
	next.LastReview, next.Due = time.UnixMilli(next.LastReview.UnixMilli()), time.UnixMilli(next.Due.UnixMilli())
	c.Card, c.indicator, c.lastCorrect = next, q.Topic, correct
}

// demoKnowledge is what a learner knows of a module at some moment, in the model of
// learning and forgetting: the chance of a right answer to an average question.
type demoKnowledge struct {
	before float64 // before the lessons
	after  float64 // right after them (0 until then)
	since  time.Time
}

// at is the chance of a right answer to q at t: before the lessons, the prior; after
// them, what was learnt fading exponentially with time, faster for some signs than for
// others; each question and sign a little harder or easier than average.
func (k demoKnowledge) at(l *demoLearner, q *quiz.Question, t time.Time) float64 {
	p := k.before
	if k.after > 0 {
		days := max(t.Sub(k.since).Hours()/24, 0)
		p = k.before + (k.after-k.before)*math.Exp(-days/(l.memory*signMemory(q)))
	}
	return clamp(p+difficulty(q)+signDifficulty(q), 0.03, 0.98)
}

// module writes the learner's work on one module from t on, stopping at now, and returns
// when the learner finished with it: the pre-test (taken, skipped, or left unfinished),
// the lessons, quiz attempts until a pass or until they give up for now, and, once a
// pass has held past its refresher period, the workplace questions and the refresher.
func (w *demoWriter) module(rng *rand.Rand, l *demoLearner, m DemoModule, t, now time.Time) (time.Time, error) {
	if !t.Before(now) {
		return t, nil
	}
	know := demoKnowledge{before: clamp(l.prior+0.05*rng.NormFloat64(), 0.1, 0.95)}
	var prior quiz.Prior
	switch r := rng.Float64(); {
	case r < 0.17: // skipped
		if _, err := w.attempt.ExecContext(w.ctx, l.id, m.ID, m.Version, l.lang, "[]", 0, 0, KindPretest, AttemptSkipped,
			nil, nil, nil, t.UnixMilli(), t.UnixMilli()); err != nil {
			return t, err
		}
		t = t.Add(time.Duration(5+rng.IntN(30)) * time.Second)
	case r < 0.19: // begun, then the learner went away for good
		plan, err := quiz.DrawPretest(m.Bank, quiz.PretestSize, rng)
		if err != nil {
			return t, err
		}
		a, err := w.attemptWithAnswers(rng, l, m, KindPretest, plan, know, attemptOpen, t, now)
		return a.end, err
	default:
		plan, err := quiz.DrawPretest(m.Bank, quiz.PretestSize, rng)
		if err != nil {
			return t, err
		}
		a, err := w.attemptWithAnswers(rng, l, m, KindPretest, plan, know, attemptFinished, t, now)
		if err != nil {
			return t, err
		}
		prior.Pretest = planQuestions(plan)
		t = a.end.Add(time.Duration(1+rng.IntN(10)) * time.Minute)
	}
	if !t.Before(now) {
		return t, nil
	}
	// The module's status, by the store's one rule (ModuleRecord.WithAttempt).
	status := ModuleRecord{Status: ModuleInProgress, Updated: t.UnixMilli()}
	// Lessons, in order; about one learner in five stops partway through.
	stopAt := len(m.Lessons)
	if rng.Float64() < 0.2 {
		stopAt = rng.IntN(len(m.Lessons))
	}
	for i, lesson := range m.Lessons {
		if i > stopAt || !t.Before(now) {
			break
		}
		read := lesson.Sections
		var completed any
		if i == stopAt {
			read = 1 + rng.IntN(lesson.Sections) // the lesson they left off in
		}
		spent := time.Duration(0)
		for range read {
			spent += time.Duration(45+rng.IntN(240)) * time.Second
		}
		end := t.Add(spent)
		if i < stopAt {
			completed = end.UnixMilli()
		}
		if _, err := w.lesson.ExecContext(w.ctx, l.id, m.ID, lesson.ID, read-1, spent.Milliseconds(), completed, end.UnixMilli()); err != nil {
			return t, err
		}
		l.seen(end)
		t = end.Add(time.Duration(rng.IntN(36*60)) * time.Minute) // often the next lesson another day
	}
	if stopAt < len(m.Lessons) || !t.Before(now) {
		return t, w.writeStatus(l, m, status)
	}
	// What the lessons taught this learner.
	gain := clamp(l.learns+0.08*rng.NormFloat64(), 0.05, 0.97)
	know.after, know.since = know.before+gain*(1-know.before), t
	// Quiz attempts until a pass, or until the learner gives up for now.
	abandoned := false
	for try := 1; try <= 4 && t.Before(now); try++ {
		outcome := attemptFinished
		switch r := rng.Float64(); {
		case r < 0.04 && !abandoned:
			outcome = attemptAbandoned // restarted later from the beginning
		case r < 0.08 && try > 1:
			outcome = attemptOpen // left unfinished
		}
		plan, err := quiz.DrawQuiz(m.Bank, m.QuizSize, prior, rng)
		if err != nil {
			return t, err
		}
		a, err := w.attemptWithAnswers(rng, l, m, KindQuiz, plan, know, outcome, t, now)
		if err != nil {
			return t, err
		}
		t = a.end
		if a.status == AttemptOpen {
			break
		}
		if a.status == AttemptAbandoned {
			try, abandoned = try-1, true
			t = t.Add(time.Duration(10+rng.IntN(48*60)) * time.Minute)
			continue
		}
		if prior.FirstQuiz == nil {
			prior.FirstQuiz = planQuestions(plan)
		}
		status = status.WithAttempt(a.score, a.end.UnixMilli())
		if a.score.Passed {
			break
		}
		if rng.Float64() < 0.25 {
			break // gives up, for now
		}
		// Going over the lessons again before the next try.
		know.after, know.since = min(know.after+0.04, 0.97), t
		t = t.Add(time.Duration(10+rng.IntN(5*24*60)) * time.Minute)
	}
	if status.Status != ModulePassed {
		return t, w.writeStatus(l, m, status)
	}
	// The pass holds for DefaultRefresherDays; then the workplace questions, and the
	// refresher for those keen enough, some weeks later.
	due := time.UnixMilli(status.PassedAt).AddDate(0, 0, DefaultRefresherDays)
	if at := due.Add(time.Duration(rng.IntN(12*24*60)) * time.Minute); at.Before(now) && rng.Float64() < 0.6 {
		if err := w.workplaceAnswers(rng, l, m, due, at); err != nil {
			return t, err
		}
		l.seen(at)
		t = at
	}
	if start := due.Add(time.Duration(rng.ExpFloat64() * 25 * 24 * float64(time.Hour))); start.Before(now) && rng.Float64() < l.keen {
		plan, err := quiz.DrawRefresher(m.Bank, m.QuizSize, prior, rng)
		if err != nil {
			return t, err
		}
		outcome := attemptFinished
		if rng.Float64() < 0.04 {
			outcome = attemptOpen
		}
		a, err := w.attemptWithAnswers(rng, l, m, KindRefresher, plan, know, outcome, start, now)
		if err != nil {
			return t, err
		}
		if a.status == AttemptFinished {
			status = status.WithAttempt(a.score, a.end.UnixMilli())
		}
		t = a.end
	}
	return t, w.writeStatus(l, m, status)
}

// workplaceAnswers writes what the learner said about the module when its refresher
// fell due: most met no sign; those who did mostly alerted someone.
func (w *demoWriter) workplaceAnswers(rng *rand.Rand, l *demoLearner, m DemoModule, due, at time.Time) error {
	reply := func(yes, no float64) Reply {
		switch r := rng.Float64(); {
		case r < yes:
			return ReplyYes
		case r < yes+no:
			return ReplyNo
		}
		return ReplyUnsaid
	}
	met := reply(0.32, 0.6)
	alerted := reply(0.04, 0.86)
	if met == ReplyYes {
		alerted = reply(0.62, 0.3)
	}
	knew := reply(0.58+0.3*(l.learns-0.6), 0.32)
	uid := fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64())
	_, err := w.workplace.ExecContext(w.ctx, uid, l.id, m.ID, due.UnixMilli(), at.UnixMilli(), met, alerted, knew)
	return err
}

func (w *demoWriter) writeStatus(l *demoLearner, m DemoModule, rec ModuleRecord) error {
	_, err := w.modStatus.ExecContext(w.ctx, l.id, m.ID, rec.Status, rec.nullBest(), rec.nullPassed(), rec.Updated)
	return err
}

func (l *demoLearner) seen(t time.Time) {
	if t.After(l.lastSeen) {
		l.lastSeen = t
	}
}

func planQuestions(p quiz.Plan) []string {
	out := make([]string, len(p))
	for i, d := range p {
		out[i] = d.QuestionID
	}
	return out
}

type attemptOutcome int

const (
	attemptFinished attemptOutcome = iota
	attemptAbandoned
	attemptOpen
)

type demoAttempt struct {
	status AttemptStatus
	score  AttemptScore
	end    time.Time
}

// attemptWithAnswers writes one attempt of kind with plan and its answers, as the quiz
// screen would: an answer per question, right with the chance the learner's knowledge
// gives, graded by the quiz engine; the review card of each answered question (none for
// a pre-test); and the score.
func (w *demoWriter) attemptWithAnswers(rng *rand.Rand, l *demoLearner, m DemoModule, kind AttemptKind, plan quiz.Plan,
	know demoKnowledge, outcome attemptOutcome, start, now time.Time) (demoAttempt, error) {
	planJSON, err := json.Marshal(plan)
	if err != nil {
		return demoAttempt{}, err
	}
	passMark := m.PassMark
	if passMark == 0 {
		passMark = quiz.DefaultPassMark
	}
	if kind == KindPretest {
		passMark = 0
	}
	answered := len(plan)
	if outcome != attemptFinished {
		answered = rng.IntN(len(plan))
	}
	res, err := w.attempt.ExecContext(w.ctx, l.id, m.ID, m.Version, l.lang, string(planJSON), passMark, len(plan), kind,
		AttemptOpen, nil, nil, nil, start.UnixMilli(), nil)
	if err != nil {
		return demoAttempt{}, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return demoAttempt{}, err
	}
	byID := w.questions[m.ID]
	t := start
	credits := make([]AnswerCredit, 0, answered)
	for pos, d := range plan[:answered] {
		q := byID[d.QuestionID]
		r := demoResponse(rng, q, rng.Float64() < know.at(l, q, t))
		g, err := q.Grade(r)
		if err != nil {
			return demoAttempt{}, fmt.Errorf("demo answer to %s: %w", q.ID, err)
		}
		credit := CreditOf(g.Correct, &g.Score)
		credits = append(credits, credit)
		spent := answerTime(rng, q)
		t = t.Add(spent)
		conf := demoConfidence(rng, g.Correct)
		resp, err := json.Marshal(r)
		if err != nil {
			return demoAttempt{}, err
		}
		if _, err := w.answer.ExecContext(w.ctx, id, pos, q.ID, string(resp), true, g.Correct, spent.Milliseconds(), t.UnixMilli(),
			confidenceValue(conf), credit.Score); err != nil {
			return demoAttempt{}, err
		}
		if q.Topic != "" && kind != KindPretest {
			l.review(m.ID, q, g.Correct, conf, time.UnixMilli(t.UnixMilli()))
		}
		if kind != KindPretest {
			t = t.Add(time.Duration(2+rng.IntN(15)) * time.Second) // reading the feedback
		}
	}
	l.seen(t)
	a := demoAttempt{status: AttemptOpen, end: t}
	switch outcome {
	case attemptAbandoned:
		a.status = AttemptAbandoned
		_, err = w.tx.ExecContext(w.ctx, `UPDATE attempts SET status = 'abandoned', finished_at = ? WHERE id = ?`, t.UnixMilli(), id)
	case attemptFinished:
		a.status, a.score = AttemptFinished, ScoreAttempt(credits, len(plan), passMark)
		var passed any = a.score.Passed
		if kind == KindPretest {
			passed, a.score.Passed = nil, false
		}
		_, err = w.tx.ExecContext(w.ctx, `UPDATE attempts SET status = 'finished', correct = ?, score_percent = ?, passed = ?, finished_at = ?
			WHERE id = ?`, a.score.Correct, a.score.Percent, passed, t.UnixMilli(), id)
	}
	return a, err
}

// difficulty shifts the chance of a right answer for a question: the same for every
// learner (drawn from its id), scenarios and orderings somewhat harder.
func difficulty(q *quiz.Question) float64 {
	h := fnv.New32a()
	h.Write([]byte(q.ID))
	d := float64(h.Sum32()%1000)/1000*0.24 - 0.12
	switch q.Kind {
	case quiz.Scenario, quiz.Ordering, quiz.Matching:
		d -= 0.06
	case quiz.TrueFalse:
		d += 0.05
	}
	return d
}

// signDifficulty shifts the chance of a right answer for the signs a question exercises:
// some signs are harder to see than others, the same for every learner (drawn from the
// indicator ids).
func signDifficulty(q *quiz.Question) float64 {
	if len(q.Indicators) == 0 {
		return 0
	}
	d := 0.0
	for _, ind := range q.Indicators {
		d += float64(hashOf(ind)%1000)/1000*0.2 - 0.1
	}
	return d / float64(len(q.Indicators))
}

// signMemory scales how long what was learnt of a question's signs is kept: from about
// half to one and a half times the learner's memory, by sign.
func signMemory(q *quiz.Question) float64 {
	if len(q.Indicators) == 0 {
		return 1
	}
	f := 0.0
	for _, ind := range q.Indicators {
		f += 0.5 + float64(hashOf("memory/"+ind)%1000)/1000
	}
	return f / float64(len(q.Indicators))
}

func hashOf(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// demoResponse builds a learner's answer to q: the key when right, a plausible mistake
// when not. The quiz engine grades it afterwards, so the stored grade is always the
// engine's.
func demoResponse(rng *rand.Rand, q *quiz.Question, right bool) quiz.Response {
	ids := func(opts []quiz.Option) []string {
		out := make([]string, len(opts))
		for i, o := range opts {
			out[i] = o.ID
		}
		return out
	}
	switch q.Kind {
	case quiz.Single, quiz.TrueFalse:
		if right || len(q.Options) < 2 {
			return quiz.Response{Chosen: slices.Clone(q.Answer[:1])}
		}
		var wrong []string
		for _, id := range ids(q.Options) {
			if id != q.Answer[0] {
				wrong = append(wrong, id)
			}
		}
		return quiz.Response{Chosen: []string{wrong[rng.IntN(len(wrong))]}}
	case quiz.Multiple:
		chosen := slices.Clone(q.Answer)
		if !right {
			// One option too many or one too few.
			flip := q.Options[rng.IntN(len(q.Options))].ID
			if i := slices.Index(chosen, flip); i >= 0 && len(chosen) > 1 {
				chosen = slices.Delete(chosen, i, i+1)
			} else if i < 0 {
				chosen = append(chosen, flip)
			}
		}
		return quiz.Response{Chosen: chosen}
	case quiz.Ordering:
		order := slices.Clone(q.Answer)
		if !right && len(order) > 1 {
			i := rng.IntN(len(order) - 1)
			order[i], order[i+1] = order[i+1], order[i]
		}
		return quiz.Response{Order: order}
	case quiz.Matching:
		pairs := make(map[string]string, len(q.Pairs))
		for k, v := range q.Pairs {
			pairs[k] = v
		}
		if !right && len(q.Options) > 1 {
			// Two situations swapped.
			i := rng.IntN(len(q.Options))
			j := (i + 1 + rng.IntN(len(q.Options)-1)) % len(q.Options)
			a, b := q.Options[i].ID, q.Options[j].ID
			pairs[a], pairs[b] = pairs[b], pairs[a]
		}
		return quiz.Response{Pairs: pairs}
	case quiz.Scenario:
		return quiz.Response{Path: scenarioPath(rng, q, right)}
	case quiz.Spot:
		marked := slices.Clone(q.Answer)
		if !right {
			// A sign missed, or a phrase marked that is not one.
			flip := q.Options[rng.IntN(len(q.Options))].ID
			if i := slices.Index(marked, flip); i >= 0 {
				marked = slices.Delete(marked, i, i+1)
			} else {
				marked = append(marked, flip)
			}
		}
		return quiz.Response{Chosen: marked}
	}
	return quiz.Response{}
}

// scenarioPath walks the scenario from its start: good choices when right, otherwise a
// bad choice at some step and whatever follows.
func scenarioPath(rng *rand.Rand, q *quiz.Question, right bool) []string {
	var path []string
	slip := -1
	if !right {
		slip = rng.IntN(2)
	}
	for step := 0; step < 2*len(q.Steps)+2; step++ {
		s, more, err := q.ScenarioNext(path)
		if err != nil || !more {
			break
		}
		var good, bad []quiz.Choice
		for _, c := range s.Choices {
			if c.Good {
				good = append(good, c)
			} else {
				bad = append(bad, c)
			}
		}
		pool := good
		if (step >= slip && slip >= 0 && len(bad) > 0) || len(good) == 0 {
			pool, slip = bad, -1
		}
		path = append(path, quiz.PathEntry(s.ID, pool[rng.IntN(len(pool))].ID))
	}
	return path
}

// answerTime is how long a learner takes over a question of q's kind.
func answerTime(rng *rand.Rand, q *quiz.Question) time.Duration {
	base, spread := 12, 40
	switch q.Kind {
	case quiz.Multiple:
		base, spread = 20, 60
	case quiz.Ordering, quiz.Matching:
		base, spread = 30, 90
	case quiz.Scenario, quiz.Spot:
		base, spread = 45, 120
	}
	return time.Duration(base*1000+rng.IntN(spread*1000)) * time.Millisecond
}

// demoConfidence is how sure a learner said they were: mostly sure when right, often
// guessing when wrong; now and then they do not say.
func demoConfidence(rng *rand.Rand, correct bool) quiz.Confidence {
	r := rng.Float64()
	switch {
	case r < 0.05:
		return quiz.Unsaid
	case correct && r < 0.55, !correct && r < 0.22:
		return quiz.Sure
	case correct && r < 0.88, !correct && r < 0.6:
		return quiz.Fairly
	}
	return quiz.Guessing
}

// pick draws an index from 0 to n-1 with the given weights.
func pick(rng *rand.Rand, n int, weight func(int) float64) int {
	total := 0.0
	for i := range n {
		total += weight(i)
	}
	r := rng.Float64() * total
	for i := range n {
		if r -= weight(i); r < 0 {
			return i
		}
	}
	return n - 1
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }
