package app

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/locales"
	"indicia/modules"
	"indicia/quiz"
)

// catalogForTest loads the shipped content. While a translation is still missing it
// fills that language with the French text, so the screens can be tested; the content
// test in package modules fails on the missing language all the same.
func catalogForTest(t testing.TB) *modules.Catalog {
	t.Helper()
	cat, err := modules.LoadEmbedded()
	if err == nil {
		return cat
	}
	m := fstest.MapFS{}
	fs.WalkDir(modules.Embedded(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(modules.Embedded(), p)
			m[p] = &fstest.MapFile{Data: data}
		}
		return nil
	})
	for p, f := range m {
		if strings.HasSuffix(p, "/fr.toml") {
			for _, l := range []string{"nl", "en", "de"} {
				if _, ok := m[strings.TrimSuffix(p, "fr.toml")+l+".toml"]; !ok {
					m[strings.TrimSuffix(p, "fr.toml")+l+".toml"] = f
				}
			}
		}
	}
	cat, err = modules.Load(m)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

type harness struct {
	mu      sync.Mutex
	results []func() // results of reads to apply on the test's goroutine (see settle)
	t       testing.TB
	ui      *UI
	store   *progress.Store
	path    string
	cat     *modules.Catalog
}

func newHarness(t testing.TB, path string) *harness {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	if path == "" {
		path = filepath.Join(t.TempDir(), "indicia.db")
	}
	a := test.NewTempApp(t)
	store, err := progress.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	bundle, err := locales.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, store: store, path: path, cat: catalogForTest(t)}
	h.ui = New(a, store, h.cat, bundle, "fr-BE")
	h.ui.onUI = func(apply func()) {
		h.mu.Lock()
		h.results = append(h.results, apply)
		h.mu.Unlock()
	}
	h.ui.Start()
	h.ui.Window().Resize(fyne.NewSize(1000, 720))
	return h
}

// settle waits for the reads and writes under way off the UI goroutine, and applies
// their results on the test's goroutine, which stands for the UI goroutine.
func (h *harness) settle() {
	for {
		h.ui.pending.Wait()
		h.mu.Lock()
		results := h.results
		h.results = nil
		h.mu.Unlock()
		if len(results) == 0 {
			return
		}
		for _, apply := range results {
			apply()
		}
	}
}

// quiz is the quiz on screen, nil when none is.
func (h *harness) quiz() *quizScreen {
	h.settle()
	if top := h.ui.top(); top != nil {
		if s, ok := top.s.(*quizScreen); ok {
			return s
		}
	}
	return nil
}

// trainer is trainer mode's tabs when open (on screen or under a learner's record).
func (h *harness) trainer() *trainerScreen {
	h.settle()
	for _, e := range h.ui.stack {
		if t, ok := e.s.(*trainerScreen); ok {
			return t
		}
	}
	return nil
}

// openModule shows a module's page as if chosen in the catalog, skipping its pre-test
// if the learner is offered it (pretest_test.go tests the pre-test itself).
func (h *harness) openModule(m *modules.Module) {
	h.ui.push(func() screen { return h.ui.moduleScreen(m) })
	h.settle()
	h.skipPretestIfOffered()
}

// skipPretestIfOffered skips the module page's pre-test when it is offered.
func (h *harness) skipPretestIfOffered() {
	h.t.Helper()
	for _, b := range findAll(h, func(b *widget.Button) bool {
		return b.Text == h.ui.T("Pretest.Skip") || b.Text == h.ui.T("Pretest.SkipRest")
	}) {
		test.Tap(b)
		h.settle()
		return
	}
}

// objects lists every object shown in the window, overlays (dialogs) included, once
// the screen's data has been read.
func (h *harness) objects() []fyne.CanvasObject {
	h.settle()
	var out []fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		out = append(out, o)
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	c := h.ui.Window().Canvas()
	walk(c.Content())
	for _, o := range c.Overlays().List() {
		walk(o)
	}
	return out
}

func findAll[T fyne.CanvasObject](h *harness, match func(T) bool) []T {
	var out []T
	for _, o := range h.objects() {
		if v, ok := o.(T); ok && (match == nil || match(v)) {
			out = append(out, v)
		}
	}
	return out
}

func find[T fyne.CanvasObject](h *harness, what string, match func(T) bool) T {
	h.t.Helper()
	all := findAll(h, match)
	if len(all) == 0 {
		var zero T
		h.t.Fatalf("nothing on screen matches %s (%s)", what, reflect.TypeOf(zero))
	}
	return all[0]
}

// button finds a button by its label in the current language.
func (h *harness) button(id string, data ...map[string]any) *widget.Button {
	h.t.Helper()
	text := h.ui.T(id, data...)
	return find(h, "button "+text, func(b *widget.Button) bool { return b.Text == text && !b.Disabled() })
}

func (h *harness) tap(id string, data ...map[string]any) {
	h.t.Helper()
	test.Tap(h.button(id, data...))
	h.settle()
}

// shows reports whether some label or rich text on screen contains text.
func (h *harness) shows(text string) bool {
	for _, o := range h.objects() {
		switch v := o.(type) {
		case *widget.Label:
			if strings.Contains(v.Text, text) {
				return true
			}
		case *widget.RichText:
			if strings.Contains(v.String(), text) {
				return true
			}
		case *widget.Card:
			if strings.Contains(v.Title, text) || strings.Contains(v.Subtitle, text) {
				return true
			}
		}
	}
	return false
}

func (h *harness) mustShow(text string) {
	h.t.Helper()
	if !h.shows(text) {
		h.t.Fatalf("the screen does not show %q", text)
	}
}

func (h *harness) createLearner(name, roleID string) {
	h.t.Helper()
	entry := find(h, "name entry", func(e *widget.Entry) bool { return e.PlaceHolder == h.ui.T("Learners.NamePlaceholder") })
	test.Type(entry, name)
	role := find(h, "role select", func(s *widget.Select) bool { return s.PlaceHolder == h.ui.T("Learners.RolePlaceholder") })
	role.SetSelected(h.ui.roleName(roleID))
	h.tap("Learners.Create")
	h.settle()
	if h.ui.learner == nil {
		h.t.Fatal("no learner signed in after creating one")
	}
}

func (h *harness) core() *modules.Module {
	m, _ := h.cat.Module("core")
	return m
}

// answer answers the current question of the quiz through the screen, rightly or not.
func (h *harness) answer(right bool) {
	h.t.Helper()
	s := h.quiz()
	if s == nil {
		h.t.Fatal("no quiz on screen")
	}
	it := s.item()
	q := it.Question
	idx := s.idx // a pre-test moves on to the next question once an answer is saved
	answered := func() bool { return s.session.Item(idx).Answered }
	rows := func() []*optionRow { return findAll[*optionRow](h, nil) }
	switch q.Kind {
	case quiz.Single, quiz.TrueFalse, quiz.Multiple:
		picked := 0
		for i, o := range q.Options {
			isRight := slices.Contains(q.Answer, o.ID)
			if isRight == right && (q.Kind == quiz.Multiple || picked == 0) {
				test.Tap(rows()[i])
				picked++
			}
		}
		h.check()
	case quiz.Ordering:
		target := slices.Clone(q.Answer)
		if !right {
			slices.Reverse(target)
		}
		for i, id := range target {
			j := slices.Index(s.order, id)
			for ; j > i; j-- {
				// Each row has an up and a down button, icons only.
				moves := findAll(h, func(b *widget.Button) bool { return b.Text == "" && b.Icon != nil })
				test.Tap(moves[2*j])
			}
		}
		if !slices.Equal(s.order, target) {
			h.t.Fatalf("ordering by buttons gave %v, want %v", s.order, target)
		}
		h.check()
	case quiz.Matching:
		sels := findAll(h, func(sel *widget.Select) bool { return sel.PlaceHolder == h.ui.T("Quiz.ChooseTarget") })
		if len(sels) != len(q.Options) {
			h.t.Fatalf("%d lists for %d situations", len(sels), len(q.Options))
		}
		for i, o := range q.Options {
			t, _ := q.Target(q.Pairs[o.ID])
			if !right {
				for _, other := range q.Targets {
					if other.ID != t.ID {
						t = other
						break
					}
				}
			}
			sels[i].SetSelected(t.Text)
		}
		h.check()
		if s.pretest {
			break
		}
		// Once checked, each pair given is shown as text, not as a faint disabled list.
		if n := len(findAll(h, func(sel *widget.Select) bool { return sel.PlaceHolder == h.ui.T("Quiz.ChooseTarget") })); n != 0 {
			h.t.Errorf("%d lists still shown after checking", n)
		}
		for _, o := range q.Options {
			t, _ := q.Target(s.item().Response.Pairs[o.ID])
			h.mustShow("→ " + t.Text)
		}
	case quiz.Spot:
		// Right: every sign and nothing else; wrong: only phrases that are not signs.
		h.markSpot(func(id string) bool { _, sign := q.Signs[id]; return sign == right })
		h.check()
	case quiz.Scenario:
		if h.shows(h.ui.T("Note.Title")) {
			h.tap("Note.Continue")
		}
		for !answered() {
			step, _, err := q.ScenarioNext(s.item().Response.Path)
			if err != nil {
				h.t.Fatal(err)
			}
			for i, c := range step.Choices {
				if c.Good == right {
					test.Tap(rows()[i])
					break
				}
			}
			h.check()
			if !answered() && !s.pretest {
				h.tap("Quiz.Continue")
			}
		}
	}
	if !answered() {
		h.t.Fatalf("question %s (%s) not answered", q.ID, q.Kind)
	}
}

// check taps the button that checks an answer: "Check", or in a pre-test, which shows
// no feedback, "Save and continue".
func (h *harness) check() {
	h.t.Helper()
	if s := h.quiz(); s != nil && s.pretest {
		h.tap("Pretest.Answer")
		return
	}
	h.tap("Quiz.Check")
}

// takeQuiz answers every remaining question, rightly or not, and opens the results.
func (h *harness) takeQuiz(right func(i int) bool) {
	h.t.Helper()
	s := h.quiz()
	for i := s.idx; i < s.session.Len(); i++ {
		h.answer(right(i))
		if i < s.session.Len()-1 {
			h.tap("Quiz.Next")
		}
	}
	h.tap("Quiz.SeeResults")
}

func TestLearnerJourneyFromFirstStartToPassedModule(t *testing.T) {
	h := newHarness(t, "")
	h.mustShow(h.ui.T("Learners.Welcome"))
	if h.ui.loc.Lang != "fr" {
		t.Fatalf("system locale fr-BE gave %s", h.ui.loc.Lang)
	}
	h.createLearner("Anaïs Dubois", "hospital")
	core := h.core()
	h.mustShow(core.In("fr").Title)
	h.mustShow(h.ui.T("Catalog.ForEveryone"))

	// Open the core module, skip its pre-test, and read its first lesson to the end.
	test.Tap(findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T("Catalog.Open") })[0])
	h.mustShow(h.ui.T("Pretest.Title"))
	h.tap("Pretest.Skip")
	h.mustShow(h.ui.T("Module.Lessons"))
	test.Tap(findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T("Module.Read") })[0])
	lesson := core.In("fr").Lessons[0]
	for i, sec := range lesson.Sections {
		h.mustShow(sec.Title)
		h.mustShow(fmt.Sprintf("%d–%d", sec.Cite.From, sec.Cite.To))
		if i < len(lesson.Sections)-1 {
			h.tap("Lesson.Next")
		}
	}
	h.tap("Lesson.Finish")
	lp, _ := h.store.Lessons(context.Background(), h.ui.learner.ID, "core")
	if !lp[lesson.ID].Completed {
		t.Fatal("the lesson is not recorded as read")
	}

	// Fail the quiz, see what was missed, retry with a fresh draw, and pass.
	h.tap("Module.StartQuiz")
	first := h.quiz().attempt.Plan
	h.takeQuiz(func(int) bool { return false })
	h.mustShow(h.ui.T("Results.Failed"))
	h.mustShow(h.ui.N("Results.Missed", core.QuizSize, nil))
	h.tap("Results.Retry")
	if reflect.DeepEqual(first, h.quiz().attempt.Plan) {
		t.Error("the retry drew the same questions in the same order")
	}
	h.takeQuiz(func(int) bool { return true })
	h.mustShow(h.ui.T("Results.Passed"))
	h.mustShow(h.ui.T("Results.NoneMissed"))

	sum, _ := h.store.Summaries(context.Background(), h.ui.learner.ID)
	if s := sum["core"]; s.Status != "passed" || s.BestPercent != 100 {
		t.Errorf("module status %+v", s)
	}
	attempts, _ := h.store.Attempts(context.Background(), h.ui.learner.ID, "core")
	// The two quizzes, and the pre-test skipped at the start (no questions).
	if len(attempts) != 3 || attempts[0].Passed == attempts[1].Passed || attempts[2].Status != progress.AttemptSkipped {
		t.Errorf("attempts %+v", attempts)
	}
	for _, a := range attempts[:2] {
		answers, _ := h.store.Answers(context.Background(), a.ID)
		if len(answers) != core.QuizSize {
			t.Errorf("attempt %d stored %d answers", a.ID, len(answers))
		}
	}
	h.tap("Results.BackToModule")
	h.tap("Top.Catalog")
	h.mustShow(h.ui.T("Status.Passed", map[string]any{"Date": h.ui.loc.Date(sum["core"].PassedAt)}))
}

func TestEveryQuestionTypeCanBeAnsweredRightAndWrong(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Jan Peeters", "police")
	core := h.core()
	for _, kind := range quiz.Kinds {
		for _, right := range []bool{true, false} {
			var q quiz.Question
			for _, b := range core.In("fr").Bank {
				if b.Kind == kind {
					q = b
					break
				}
			}
			// An attempt with just this question, through the store as the app does.
			plan, err := quiz.NewPlan([]quiz.Question{q}, 1, randFor(t))
			if err != nil {
				t.Fatal(err)
			}
			a, err := h.store.StartAttempt(context.Background(), progress.NewAttempt{LearnerID: h.ui.learner.ID, ModuleID: "core", Language: "fr", Plan: plan, PassMark: 80})
			if err != nil {
				t.Fatal(err)
			}
			h.ui.resumeQuiz(core, a, nil)
			h.answer(right)
			if got := h.quiz().item().Grade.Correct; got != right {
				t.Errorf("%s answered %v graded %v", kind, right, got)
			}
			h.mustShow(h.ui.T(map[bool]string{true: "Quiz.Right", false: "Quiz.Wrong"}[right]))
			h.mustShow(fmt.Sprintf("%d–%d", q.Citation.From, q.Citation.To))
			if !right && (kind == quiz.Single || kind == quiz.Multiple) {
				// The chosen wrong option's "why" is shown.
				for _, o := range q.Options {
					if !slices.Contains(q.Answer, o.ID) && slices.Contains(h.quiz().item().Response.Chosen, o.ID) {
						h.mustShow(o.Why)
					}
				}
			}
			answers, _ := h.store.Answers(context.Background(), a.ID)
			if len(answers) != 1 || !answers[0].Complete || answers[0].Correct != right {
				t.Errorf("%s: stored %+v", kind, answers)
			}
		}
	}
}

func TestQuizResumesAfterRestartWithEarlierAnswers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resume.db")
	h := newHarness(t, path)
	h.createLearner("Sofie", "guardian")
	h.openModule(h.core())
	h.tap("Module.StartQuiz")
	h.answer(true)
	h.tap("Quiz.Next")
	h.answer(false)
	h.tap("Quiz.Next")
	third := h.quiz().item().Question.ID
	plan := h.quiz().attempt.Plan
	h.store.Close()

	// A new start of the app on the same file.
	h2 := newHarness(t, path)
	test.Tap(find(h2, "learner button", func(b *widget.Button) bool { return strings.HasPrefix(b.Text, "Sofie") }))
	h2.openModule(h2.core())
	h2.tap("Module.ResumeQuiz", map[string]any{"Done": 2, "Total": len(plan)})
	s := h2.quiz()
	if s.idx != 2 || s.item().Question.ID != third || !reflect.DeepEqual(s.attempt.Plan, plan) {
		t.Fatalf("resumed at %d (%s), want 2 (%s)", s.idx, s.item().Question.ID, third)
	}
	if sc := s.session.Score(); sc.Answered != 2 || sc.Correct != 1 {
		t.Errorf("earlier answers not kept: %+v", sc)
	}
}

func TestPauseAndLeaveIsAlwaysThere(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Omar", "fedasil")
	h.openModule(h.core())
	h.tap("Module.StartQuiz")
	for i := 0; i < 3; i++ {
		h.button("Quiz.Pause")
		h.button("Support.Button")
		h.answer(true)
		h.button("Quiz.Pause")
		h.tap("Quiz.Next")
	}
	h.tap("Quiz.Pause")
	h.mustShow(h.ui.T("Module.Lessons"))
	if _, answers, err := h.store.OpenAttempt(context.Background(), h.ui.learner.ID, "core"); err != nil || len(answers) != 3 {
		t.Errorf("after pausing: %d answers, %v", len(answers), err)
	}
}

// Closing the window leaves the screen shown (a lesson's place is saved), then runs
// what OnClosed set, once: the desktop's end-of-app safeguard stops the store there.
func TestClosingTheWindowLeavesTheScreenThenRunsOnClosed(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Omar", "fedasil")
	h.openModule(h.core())
	test.Tap(findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T("Module.Read") })[0])
	h.tap("Lesson.Next")
	h.settle()
	lesson := h.core().In("fr").Lessons[0]
	spent := func() time.Duration {
		lp, err := h.store.Lessons(context.Background(), h.ui.learner.ID, "core")
		if err != nil {
			t.Fatal(err)
		}
		return lp[lesson.ID].TimeSpent
	}
	before := spent()
	time.Sleep(20 * time.Millisecond) // time in the lesson that only leaving records
	calls := 0
	var atClose time.Duration
	h.ui.OnClosed(func() {
		calls++
		h.ui.pending.Wait() // what leaving started off the UI goroutine
		atClose = spent()
	})
	h.ui.Window().Close()
	h.settle()
	if calls != 1 {
		t.Fatalf("OnClosed ran %d times, want once", calls)
	}
	if atClose <= before {
		t.Errorf("when OnClosed ran, the lesson's time was %v, as before closing (%v): the screen was not left first", atClose, before)
	}
}

// scenarioQuiz signs a learner in and opens a quiz of one question: the core module's
// first case.
func scenarioQuiz(t *testing.T, h *harness) quiz.Question {
	t.Helper()
	h.createLearner("Lena", "police")
	core := h.core()
	var sc quiz.Question
	for _, q := range core.In("fr").Bank {
		if q.Kind == quiz.Scenario {
			sc = q
			break
		}
	}
	plan, _ := quiz.NewPlan([]quiz.Question{sc}, 1, randFor(t))
	a, err := h.store.StartAttempt(context.Background(), progress.NewAttempt{LearnerID: h.ui.learner.ID, ModuleID: "core", Language: "fr", Plan: plan, PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	h.ui.resumeQuiz(core, a, nil)
	return sc
}

func TestContentNoteBeforeScenario(t *testing.T) {
	h := newHarness(t, "")
	sc := scenarioQuiz(t, h)
	h.mustShow(h.ui.T("Note.Title"))
	if h.shows(sc.Intro) {
		t.Error("the case is shown before its content note")
	}
	h.button("Quiz.Pause")
	h.tap("Note.Continue")
	h.mustShow(sc.Intro)
}

func TestKeyboardNumberKeysAndEnter(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Marc", "police")
	core := h.core()
	var q quiz.Question
	for _, b := range core.In("fr").Bank {
		if b.Kind == quiz.Single {
			q = b
			break
		}
	}
	plan := quiz.Plan{{QuestionID: q.ID, Options: nil}}
	for _, o := range q.Options {
		plan[0].Options = append(plan[0].Options, o.ID)
	}
	a, _ := h.store.StartAttempt(context.Background(), progress.NewAttempt{LearnerID: h.ui.learner.ID, ModuleID: "core", Language: "fr", Plan: plan, PassMark: 80})
	h.ui.resumeQuiz(core, a, nil)
	right := slices.Index(plan[0].Options, q.Answer[0])
	c := h.ui.Window().Canvas()
	// Number key with nothing focused, then the arrow keys from the focused option.
	c.OnTypedRune()(rune('1' + right))
	if got := h.quiz().chosen; !slices.Equal(got, []string{q.Answer[0]}) {
		t.Fatalf("number key chose %v", got)
	}
	rows := findAll[*optionRow](h, nil)
	if c.Focused() != rows[right] {
		t.Error("the chosen option does not have the focus")
	}
	if right > 0 {
		rows[right].TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
		if c.Focused() != rows[right-1] {
			t.Error("arrow up did not move the focus")
		}
		rows[right-1].TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	}
	// Space on the focused option keeps it chosen; Enter checks.
	test.Type(rows[right], " ")
	rows[right].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !h.quiz().item().Answered || !h.quiz().item().Grade.Correct {
		t.Fatal("Enter did not check the answer")
	}
	c.OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})
	h.mustShow(h.ui.T("Results.Passed"))
}

func TestSettingsSwitchLanguageTextSizeAndTheme(t *testing.T) {
	h := newHarness(t, "")
	h.createLearner("Anna Schmidt", "guardian")
	h.tap("Settings.Button")
	radios := findAll[*widget.RadioGroup](h, nil)
	if len(radios) != 3 {
		t.Fatalf("%d choice groups in settings", len(radios))
	}
	radios[0].SetSelected(locales.Native["de"])
	if h.ui.loc.Lang != "de" {
		t.Fatal("language not switched")
	}
	h.mustShow(h.core().In("de").Title)
	if l, _ := h.store.Learner(context.Background(), h.ui.learner.ID); l.Language != "de" {
		t.Errorf("the learner's language is %s", l.Language)
	}
	radios = findAll[*widget.RadioGroup](h, nil)
	radios[1].SetSelected(h.ui.T("Settings.SizeLargest"))
	radios[2].SetSelected(h.ui.T("Settings.ThemeContrast"))
	th := h.ui.app.Settings().Theme()
	if got := th.Size("text"); got < 20 {
		t.Errorf("largest text size is %v", got)
	}
	if bg := th.Color("background", 0); bg != contrastBackground {
		t.Errorf("high contrast background is %v", bg)
	}
	for _, lang := range locales.Languages {
		h.ui.setLanguage(lang)
		h.mustShow(h.ui.T("Catalog.Title"))
	}
}

func TestSupportAndGlossaryFromEveryScreen(t *testing.T) {
	h := newHarness(t, "")
	check := func() {
		h.tap("Support.Button")
		h.mustShow(h.ui.T("Support.Title"))
		if !h.shows("116 000") {
			t.Error("the support panel does not show 116 000")
		}
		h.tap("Common.Close")
		h.tap("Glossary.Button")
		search := find(h, "glossary search", func(e *widget.Entry) bool { return e.PlaceHolder == h.ui.T("Glossary.Search") })
		test.Type(search, "mena")
		found := false
		for _, term := range h.cat.Glossary(h.ui.loc.Lang) {
			if strings.Contains(strings.ToLower(term.Term), "mena") {
				found = found || h.shows(term.Definition)
			}
		}
		if !found {
			t.Error("searching the glossary for MENA finds nothing")
		}
		h.tap("Common.Close")
	}
	check() // first start
	h.createLearner("Nadia", "fedasil")
	check() // catalog
	h.openModule(h.core())
	check()
	h.ui.push(func() screen { return h.ui.lessonScreen(h.core(), h.core().In("fr").Lessons[0].ID) })
	check()
	h.openModule(h.core())
	h.tap("Module.StartQuiz")
	check()
}

func TestPINIsAskedOnASharedMachine(t *testing.T) {
	h := newHarness(t, "")
	if _, err := h.store.CreateLearner(context.Background(), progress.NewLearner{Name: "Protected", Role: "police", Language: "nl", PIN: "2468"}); err != nil {
		t.Fatal(err)
	}
	h.ui.home(h.ui.learnersScreen)
	test.Tap(find(h, "learner", func(b *widget.Button) bool { return strings.HasPrefix(b.Text, "Protected") }))
	pin := find(h, "PIN entry", func(e *widget.Entry) bool { return e.Password })
	test.Type(pin, "1111")
	h.tap("PIN.OK")
	if h.ui.learner != nil {
		t.Fatal("signed in with a wrong PIN")
	}
	h.mustShow(h.ui.T("PIN.Wrong"))
	test.Tap(find(h, "learner", func(b *widget.Button) bool { return strings.HasPrefix(b.Text, "Protected") }))
	pin = find(h, "PIN entry", func(e *widget.Entry) bool { return e.Password && e.Text == "" })
	test.Type(pin, "2468")
	h.tap("PIN.OK")
	if h.ui.learner == nil || h.ui.learner.Name != "Protected" {
		t.Fatal("the right PIN did not sign in")
	}
	if h.ui.loc.Lang != "nl" {
		t.Errorf("the learner's language nl was not applied: %s", h.ui.loc.Lang)
	}
}

func randFor(t testing.TB) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(len(t.Name())), 7))
}

func TestOpenErrorsAreExplainedInTheUsersLanguage(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	bundle, err := locales.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		err  error
		key  string
		lang string
	}{
		{progress.ErrNewerSchema, "Open.Newer", "nl-BE"},
		{progress.ErrForeign, "Open.Foreign", "fr-BE"},
		{progress.ErrCorrupt, "Open.Corrupt", "de-BE"},
		{progress.ErrNotWritable, "Open.NotWritable", "en-GB"},
		{progress.ErrInUse, "Open.InUse", "fr-BE"},
	} {
		a := test.NewTempApp(t)
		w := ShowOpenError(a, bundle, "/data/indicia.db", &progress.OpenError{Path: "/data/indicia.db", Reason: tt.err}, nil, tt.lang)
		want := bundle.For(locales.Match(tt.lang)).T(tt.key)
		found := false
		var walk func(o fyne.CanvasObject)
		walk = func(o fyne.CanvasObject) {
			switch v := o.(type) {
			case *widget.Label:
				found = found || v.Text == want
			case *fyne.Container:
				for _, c := range v.Objects {
					walk(c)
				}
			case fyne.Widget:
				for _, c := range test.WidgetRenderer(v).Objects() {
					walk(c)
				}
			}
		}
		walk(w.Content())
		if !found {
			t.Errorf("%v: the window does not say %q", tt.err, want)
		}
	}
}

func TestOpenErrorOffersToRestoreABackup(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	path := filepath.Join(t.TempDir(), "indicia.db")
	s, err := progress.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.CreateLearner(context.Background(), progress.NewLearner{Name: "Kept", Role: "police", Language: "fr"})
	if _, err := s.BackupNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	os.WriteFile(path, []byte("SQLite format 3\x00 damaged"), 0o600)
	os.Remove(path + "-wal")
	_, openErr := progress.Open(context.Background(), path)

	bundle, _ := locales.NewBundle()
	a := test.NewTempApp(t)
	retried := false
	w := ShowOpenError(a, bundle, path, openErr, func() { retried = true }, "fr-BE")
	loc := bundle.For("fr")
	restore := findIn(w.Canvas(), func(b *widget.Button) bool { return b.Text == loc.T("Open.Restore") })
	if restore == nil {
		t.Fatal("no restore offered")
	}
	test.Tap(restore)
	yes := findIn(w.Canvas(), func(b *widget.Button) bool { return b.Text == "Yes" })
	if yes == nil {
		t.Fatal("no confirmation asked")
	}
	test.Tap(yes)
	if !retried {
		t.Fatal("the app did not try again after restoring")
	}
	s, err = progress.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("after restoring: %v", err)
	}
	defer s.Close()
	if ls, _ := s.Learners(context.Background()); len(ls) != 1 || ls[0].Name != "Kept" {
		t.Errorf("restored learners %+v", ls)
	}
}

// findIn finds a widget in a canvas, overlays included.
func findIn[T fyne.CanvasObject](c fyne.Canvas, match func(T) bool) T {
	var found T
	var walk func(o fyne.CanvasObject) bool
	walk = func(o fyne.CanvasObject) bool {
		if v, ok := o.(T); ok && match(v) {
			found = v
			return true
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, ch := range v.Objects {
				if walk(ch) {
					return true
				}
			}
		case fyne.Widget:
			for _, ch := range test.WidgetRenderer(v).Objects() {
				if walk(ch) {
					return true
				}
			}
		}
		return false
	}
	if !walk(c.Content()) {
		for _, o := range c.Overlays().List() {
			if walk(o) {
				break
			}
		}
	}
	return found
}

// TestScenarioStepKeepsTheScrollPosition: each step of a case redraws the question; the
// learner stays where they had scrolled to instead of going back to the top.
func TestScenarioStepKeepsTheScrollPosition(t *testing.T) {
	h := newHarness(t, "")
	h.ui.Window().Resize(fyne.NewSize(520, 420))
	sc := scenarioQuiz(t, h)
	h.tap("Note.Continue")
	s := h.quiz()
	step, _, err := sc.ScenarioNext(nil)
	if err != nil {
		t.Fatal(err)
	}
	s.scroll.ScrollToOffset(fyne.NewPos(0, 30))
	before := s.scroll.Offset
	if before.Y <= 0 {
		t.Fatalf("the case does not scroll in a small window (offset %v)", before)
	}
	first := s.scroll
	test.Tap(findAll[*optionRow](h, nil)[0])
	h.tap("Quiz.Check")
	if s.scroll == first {
		t.Fatal("checking a step did not redraw the question")
	}
	if s.scroll.Offset != before {
		t.Errorf("after checking step %q the offset is %v, want %v", step.ID, s.scroll.Offset, before)
	}
}

// TestLearnersScreenFitsTheWindowAtTheLargestTextSize: a returning learner's button
// cannot wrap, so at the largest text size the two columns of the first screen are
// stacked (returning learners first) rather than widening the window past the screen.
func TestLearnersScreenFitsTheWindowAtTheLargestTextSize(t *testing.T) {
	h := newHarness(t, "")
	if _, err := h.store.CreateLearner(context.Background(), progress.NewLearner{
		Name: "Stéphanie Piérard", Role: "hospital", Language: "fr", Cohort: "MON-2026-06"}); err != nil {
		t.Fatal(err)
	}
	for _, scale := range []float64{1, textScales[len(textScales)-1]} {
		h.ui.prefs.setTextScale(scale)
		h.ui.applyTheme()
		h.ui.home(h.ui.learnersScreen)
		// The window opens 1000 px wide (see NewLazy).
		if w := h.ui.Window().Canvas().Content().MinSize().Width; w > 1000 {
			t.Errorf("text scale %v: the first screen needs %v px, more than the window's 1000", scale, w)
		}
		existing := find(h, "returning learner", func(l *widget.Label) bool { return l.Text == h.ui.T("Learners.Existing") })
		create := find(h, "new profile", func(l *widget.Label) bool { return l.Text == h.ui.T("Learners.New") })
		at := func(o fyne.CanvasObject) fyne.Position {
			return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
		}
		if scale == 1 && at(existing).Y != at(create).Y {
			t.Errorf("text scale 1: the two columns are not side by side")
		}
		if at(existing).Y > at(create).Y || (at(existing).Y == at(create).Y && at(existing).X > at(create).X) {
			t.Errorf("text scale %v: returning learners do not come first", scale)
		}
	}
}
