package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/modules"
	"indicia/quiz"
)

// quizScreen asks one question per screen. Each answer is committed to the store before
// its feedback (and so the next question) is shown.
type quizScreen struct {
	u       *UI
	module  *modules.Module
	attempt progress.Attempt
	session *quiz.Session
	idx     int
	shown   time.Time // when the current question (or scenario step) appeared

	// What the learner has selected on the current question.
	chosen []string
	order  []string
	pairs  map[string]string
	// The scenario step just decided, whose feedback is shown before going on.
	stepDone *quiz.Choice
	noteSeen map[int]bool
	// noneMarked is set once the learner was told that checking a spot-the-signals
	// situation with nothing marked says it holds no sign; checking again then does.
	noneMarked bool

	root *fyne.Container // holds the question drawn by render
	rows []*optionRow
	hint *widget.Label
	// scroll is the current question's scroll container, and scrollIdx the question it
	// shows: when the same question is drawn again (a scenario's next step, feedback
	// after checking), the learner stays where they were instead of going back to the top.
	scroll    *container.Scroll
	scrollIdx int

	// How sure the learner says they are about the current answer.
	confidence quiz.Confidence
	// review is set for a review session: questions from any module, answers recorded
	// as reviews rather than in an attempt.
	review   bool
	reviewed []int // positions answered in this review session
	moduleOf map[string]*modules.Module
	// pretest is set for a module's pre-test: each answer is recorded and the next
	// question follows at once, with no feedback until the end (it would teach the
	// answers the pre-test measures).
	pretest bool
}

// startQuiz draws a fresh set of questions, stores the new attempt off the UI
// goroutine, then opens it. The draw keeps the measurements comparable: a quiz never
// shows the pre-test's questions and asks again about its signs; a refresher avoids the
// pre-test's and the first quiz's questions where the bank allows (quiz.DrawQuiz,
// quiz.DrawRefresher).
func (u *UI) startQuiz(m *modules.Module) {
	bank := m.In(u.loc.Lang).Bank
	rng := u.rng()
	id, lang := u.learner.ID, u.loc.Lang
	fetch(u, func(ctx context.Context) (progress.Attempt, error) {
		sums, err := u.store.Summaries(ctx, id)
		if err != nil {
			return progress.Attempt{}, err
		}
		measured, err := u.store.MeasuredItems(ctx, id, m.ID)
		if err != nil {
			return progress.Attempt{}, err
		}
		refresher := sums[m.ID].Status == progress.ModulePassed
		draw := quiz.DrawQuiz
		if refresher {
			draw = quiz.DrawRefresher
		}
		plan, err := draw(bank, m.QuizSize, quiz.Prior(measured), rng)
		if err != nil {
			return progress.Attempt{}, err
		}
		return u.store.StartAttempt(ctx, progress.NewAttempt{
			LearnerID: id, ModuleID: m.ID, ContentVersion: m.Version, Language: lang, Plan: plan, PassMark: m.PassMark,
			Refresher: refresher,
		})
	}, func(a progress.Attempt) { u.resumeQuiz(m, a, nil) })
}

// resumeQuiz continues an attempt with the answers already stored.
func (u *UI) resumeQuiz(m *modules.Module, a progress.Attempt, answers []progress.Answer) {
	s := &quizScreen{u: u, module: m, attempt: a, noteSeen: map[int]bool{}, pretest: a.Kind == progress.KindPretest}
	if err := s.load(answers); err != nil {
		dialog.ShowConfirm(u.T("Quiz.ContentChangedTitle"), u.T("Quiz.ContentChanged"), func(ok bool) {
			switch {
			case ok && s.pretest:
				u.startPretest(m)
			case ok:
				u.startQuiz(m)
			}
		}, u.win)
		return
	}
	s.begin(s.session.Current())
	u.openQuiz(s)
}

// openQuiz shows a quiz screen: over the module's page, or in place of the results of
// the attempt before (a retry) or of a quiz left for a new one.
func (u *UI) openQuiz(s *quizScreen) {
	s.root = container.NewStack()
	s.render()
	build := func() screen {
		s.render() // in the new language: the questions are looked up in it
		return s
	}
	if top := u.top(); top != nil {
		switch top.s.(type) {
		case *quizScreen, *resultsScreen:
			u.replace(build)
			return
		}
	}
	u.push(build)
}

func (s *quizScreen) content() fyne.CanvasObject { return s.root }

// render draws the current question (or its feedback) in the screen.
func (s *quizScreen) render() {
	s.root.Objects = []fyne.CanvasObject{s.view()}
	s.root.Refresh()
	s.focus()
}

// focus gives the quiz the number keys and Enter while it is shown.
func (s *quizScreen) focus() {
	if top := s.u.top(); top != nil && top.s == screen(s) {
		s.u.win.Canvas().SetOnTypedRune(s.onRune)
		s.u.win.Canvas().SetOnTypedKey(s.onKey)
	}
}

// load rebuilds the session from the stored plan and replays the stored answers.
func (s *quizScreen) load(answers []progress.Answer) error {
	session, err := quiz.NewSession(s.bank(), s.attempt.Plan, s.attempt.PassMark)
	if err != nil {
		return err
	}
	for _, a := range answers {
		if a.Position >= session.Len() || session.Item(a.Position).Question.ID != a.QuestionID {
			return fmt.Errorf("stored answer %d does not match the plan", a.Position)
		}
		if a.Complete {
			if _, err := session.Answer(a.Position, a.Response); err != nil {
				return err
			}
		} else {
			session.Partial(a.Position, a.Response)
		}
	}
	s.session = session
	return nil
}

func (s *quizScreen) bank() []quiz.Question {
	if s.review {
		var all []quiz.Question
		for _, m := range s.u.catalog().Modules {
			all = append(all, m.In(s.u.loc.Lang).Bank...)
		}
		return all
	}
	return s.module.In(s.u.loc.Lang).Bank
}

func (s *quizScreen) title() string {
	if s.review {
		return s.u.T("Review.Title")
	}
	if s.pretest {
		return s.u.T("Pretest.QuizTitle", map[string]any{"Module": s.module.In(s.u.loc.Lang).Title})
	}
	return s.module.In(s.u.loc.Lang).Title
}

// moduleID is the module the question at position i belongs to.
func (s *quizScreen) moduleID(i int) string {
	if s.review {
		return s.moduleOf[s.session.Item(i).Question.ID].ID
	}
	return s.module.ID
}

// begin resets the selection for question i.
func (s *quizScreen) begin(i int) {
	s.idx = i
	s.shown = time.Now()
	s.chosen, s.pairs, s.stepDone, s.noneMarked = nil, map[string]string{}, nil, false
	s.confidence = quiz.Unsaid
	s.order = nil
	if i < s.session.Len() {
		q := s.session.Item(i).Question
		if q.Kind == quiz.Ordering {
			for _, o := range q.Options {
				s.order = append(s.order, o.ID)
			}
		}
	}
}

// item is the current question with the question text in the current language (the
// learner may switch language during a quiz; the structure is the same in all).
func (s *quizScreen) item() quiz.Item {
	it := s.session.Item(s.idx)
	for _, q := range s.bank() {
		if q.ID == it.Question.ID {
			it.Question = localized(q, it.Question)
		}
	}
	return it
}

// localized returns q (texts in the current language) with options in drawn's order.
func localized(q, drawn quiz.Question) quiz.Question {
	reorder := func(opts, order []quiz.Option) []quiz.Option {
		out := make([]quiz.Option, 0, len(order))
		for _, d := range order {
			if i := slices.IndexFunc(opts, func(o quiz.Option) bool { return o.ID == d.ID }); i >= 0 {
				out = append(out, opts[i])
			}
		}
		return out
	}
	q.Options = reorder(q.Options, drawn.Options)
	q.Targets = reorder(q.Targets, drawn.Targets)
	return q
}

func (s *quizScreen) view() fyne.CanvasObject {
	u := s.u
	s.rows = nil
	s.hint = widget.NewLabel("")
	s.hint.Importance = widget.WarningImportance
	s.hint.Wrapping = fyne.TextWrapWord
	pause := widget.NewButtonWithIcon(u.T("Quiz.Pause"), theme.MediaPauseIcon(), s.pause)
	total := s.session.Len()
	bar, _, _ := progressRow(float64(s.session.Score().Answered)/float64(total),
		u.T("Quiz.Counter", map[string]any{"N": min(s.idx+1, total), "Total": total}))
	top := container.NewVBox(container.NewBorder(nil, nil, nil, pause, heading(s.title())), bar)

	it := s.item()
	var body fyne.CanvasObject
	var actions fyne.CanvasObject
	if s.needsNote(it) {
		body, actions = s.contentNote()
	} else {
		body, actions = s.questionView(it)
	}
	scroll := container.NewVScroll(body)
	if s.scroll != nil && s.scrollIdx == s.idx {
		scroll.Offset = s.scroll.Offset
	}
	s.scroll, s.scrollIdx = scroll, s.idx
	return container.NewPadded(container.NewBorder(top, container.NewVBox(s.hint, actions), nil, nil, scroll))
}

// needsNote reports whether the content note comes before question it: a case (a
// scenario or a spot-the-signals situation) not yet begun.
func (s *quizScreen) needsNote(it quiz.Item) bool {
	isCase := it.Question.Kind == quiz.Scenario || it.Question.Kind == quiz.Spot
	return isCase && !it.Answered && len(it.Response.Path) == 0 && !s.noteSeen[s.idx]
}

// contentNote is shown before a case scenario or situation.
func (s *quizScreen) contentNote() (fyne.CanvasObject, fyne.CanvasObject) {
	u := s.u
	cont := widget.NewButtonWithIcon(u.T("Note.Continue"), theme.NavigateNextIcon(), func() {
		s.noteSeen[s.idx] = true
		s.shown = time.Now()
		s.render()
	})
	cont.Importance = widget.HighImportance
	leave := widget.NewButtonWithIcon(u.T("Quiz.Pause"), theme.MediaPauseIcon(), s.pause)
	support := widget.NewButtonWithIcon(u.T("Support.Button"), theme.HelpIcon(), u.showSupport)
	body := container.NewVBox(heading(u.T("Note.Title")), wrapped(u.T("Note.Text")))
	return body, container.NewHBox(support, leave, cont)
}

func (s *quizScreen) questionView(it quiz.Item) (fyne.CanvasObject, fyne.CanvasObject) {
	u := s.u
	q := it.Question
	box := container.NewVBox()
	if q.Kind == quiz.Scenario {
		box.Add(heading(q.Prompt))
		box.Add(wrapped(q.Intro))
	} else {
		box.Add(heading(q.Prompt))
	}
	if hint := u.T("Quiz.Hint." + string(q.Kind)); hint != "" {
		h := wrapped(hint)
		h.TextStyle = fyne.TextStyle{Italic: true}
		box.Add(h)
	}
	switch q.Kind {
	case quiz.Single, quiz.TrueFalse, quiz.Multiple:
		s.addOptionRows(box, it)
	case quiz.Ordering:
		s.addOrdering(box, it)
	case quiz.Matching:
		s.addMatching(box, it)
	case quiz.Scenario:
		s.addScenario(box, it)
	case quiz.Spot:
		s.addSpot(box, it)
	}

	var action *widget.Button
	switch {
	case it.Answered && s.idx == s.session.Len()-1:
		action = widget.NewButtonWithIcon(u.T("Quiz.SeeResults"), theme.ConfirmIcon(), s.finish)
	case it.Answered:
		action = widget.NewButtonWithIcon(u.T("Quiz.Next"), theme.NavigateNextIcon(), s.next)
	case s.stepDone != nil:
		action = widget.NewButtonWithIcon(u.T("Quiz.Continue"), theme.NavigateNextIcon(), func() {
			s.stepDone, s.chosen, s.shown = nil, nil, time.Now()
			s.render()
		})
	case s.pretest:
		action = widget.NewButtonWithIcon(u.T("Pretest.Answer"), theme.NavigateNextIcon(), s.submit)
	default:
		action = widget.NewButtonWithIcon(u.T("Quiz.Check"), theme.ConfirmIcon(), s.submit)
	}
	action.Importance = widget.HighImportance
	if it.Answered {
		box.Add(widget.NewSeparator())
		box.Add(u.feedbackView(it))
		if !it.Grade.Correct && s.confidence == quiz.Sure {
			warn := wrapped(u.T("Quiz.ConfidentMistake"))
			warn.Importance = widget.WarningImportance
			warn.TextStyle = fyne.TextStyle{Bold: true}
			box.Add(warn)
		}
		return box, container.NewBorder(nil, nil, nil, action)
	}
	if q.Kind == quiz.Scenario {
		return box, container.NewBorder(nil, nil, nil, action)
	}
	// The confidence choice has a row of its own: beside the button it would not fit at
	// large text sizes.
	return box, container.NewVBox(s.confidenceChoice(), container.NewBorder(nil, nil, nil, action))
}

// confidenceChoice lets the learner say how sure they are before checking; optional.
func (s *quizScreen) confidenceChoice() fyne.CanvasObject {
	u := s.u
	names := []string{u.T("Confidence.Guessing"), u.T("Confidence.Fairly"), u.T("Confidence.Sure")}
	levels := []quiz.Confidence{quiz.Guessing, quiz.Fairly, quiz.Sure}
	group := widget.NewRadioGroup(names, func(name string) {
		s.confidence = quiz.Unsaid
		if i := slices.Index(names, name); i >= 0 {
			s.confidence = levels[i]
		}
	})
	group.Horizontal = true
	if i := slices.Index(levels, s.confidence); i >= 0 {
		group.Selected = names[i]
	}
	return container.NewHBox(widget.NewLabel(u.T("Confidence.Question")), group)
}

func (u *UI) optionText(q quiz.Question, o quiz.Option) string {
	if q.Kind == quiz.TrueFalse {
		if o.ID == quiz.True {
			return u.T("Quiz.True")
		}
		return u.T("Quiz.False")
	}
	return o.Text
}

// addOptionRows shows the options of a single, true/false or multiple question.
func (s *quizScreen) addOptionRows(box *fyne.Container, it quiz.Item) {
	q := it.Question
	for i, o := range q.Options {
		row := newOptionRow(fmt.Sprintf("%d. %s", i+1, s.u.optionText(q, o)), q.Kind == quiz.Multiple)
		id := o.ID
		if it.Answered {
			row.Selected = slices.Contains(it.Response.Chosen, id)
			right := slices.Contains(q.Answer, id)
			switch {
			case right:
				row.Mark = 1
			case row.Selected:
				row.Mark = -1
			}
			row.Disable()
		} else {
			row.Selected = slices.Contains(s.chosen, id)
			row.OnToggle = func() { s.toggle(id, q.Kind == quiz.Multiple) }
		}
		s.wireRow(row)
		box.Add(row)
	}
}

func (s *quizScreen) wireRow(row *optionRow) {
	row.OnRune = s.onRune
	row.OnKey = func(e *fyne.KeyEvent) {
		i := slices.Index(s.rows, row)
		switch e.Name {
		case fyne.KeyUp:
			if i > 0 {
				s.u.win.Canvas().Focus(s.rows[i-1])
			}
		case fyne.KeyDown:
			if i < len(s.rows)-1 {
				s.u.win.Canvas().Focus(s.rows[i+1])
			}
		default:
			s.onKey(e)
		}
	}
	s.rows = append(s.rows, row)
}

// toggle selects option id: alone for single choice, added or removed for multiple.
func (s *quizScreen) toggle(id string, multi bool) {
	switch {
	case !multi:
		s.chosen = []string{id}
	case slices.Contains(s.chosen, id):
		s.chosen = slices.DeleteFunc(s.chosen, func(c string) bool { return c == id })
	default:
		s.chosen = append(s.chosen, id)
	}
	for _, r := range s.rows {
		r.Selected = false
	}
	for i, r := range s.rows {
		r.Selected = slices.Contains(s.chosen, s.rowID(i))
		r.Refresh()
	}
	s.hint.SetText("")
}

// rowID is the option or choice id behind row i.
func (s *quizScreen) rowID(i int) string {
	it := s.item()
	if it.Question.Kind == quiz.Scenario {
		step, ok, _ := it.Question.ScenarioNext(it.Response.Path)
		if ok && i < len(step.Choices) {
			return step.Choices[i].ID
		}
		return ""
	}
	if i < len(it.Question.Options) {
		return it.Question.Options[i].ID
	}
	return ""
}

// addOrdering shows the steps to put in order, each with buttons to move it.
func (s *quizScreen) addOrdering(box *fyne.Container, it quiz.Item) {
	q := it.Question
	order := s.order
	if it.Answered {
		order = it.Response.Order
	}
	for i, id := range order {
		o, _ := q.Option(id)
		label := wrapped(fmt.Sprintf("%d. %s", i+1, o.Text))
		if it.Answered {
			var icon fyne.Resource = theme.NewErrorThemedResource(theme.CancelIcon())
			if i < len(q.Answer) && q.Answer[i] == id {
				icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
			}
			box.Add(container.NewBorder(nil, nil, nil, widget.NewIcon(icon), label))
			continue
		}
		i := i
		up := widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { s.move(i, -1) })
		down := widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { s.move(i, 1) })
		if i == 0 {
			up.Disable()
		}
		if i == len(order)-1 {
			down.Disable()
		}
		box.Add(container.NewBorder(nil, nil, nil, container.NewHBox(up, down), label))
	}
}

func (s *quizScreen) move(i, by int) {
	j := i + by
	if j < 0 || j >= len(s.order) {
		return
	}
	s.order[i], s.order[j] = s.order[j], s.order[i]
	s.render()
}

// addMatching shows each situation with a list of the targets to pair it with.
func (s *quizScreen) addMatching(box *fyne.Container, it quiz.Item) {
	q := it.Question
	var names []string
	for _, t := range q.Targets {
		names = append(names, t.Text)
	}
	for _, o := range q.Options {
		id := o.ID
		if it.Answered {
			// The pair given, as text in full colour: a disabled list is too faint to read.
			given := it.Response.Pairs[id]
			chosen := "—"
			if t, ok := q.Target(given); ok {
				chosen = t.Text
			}
			label := wrapped("→ " + chosen)
			label.TextStyle = fyne.TextStyle{Bold: true}
			var icon fyne.Resource = theme.NewErrorThemedResource(theme.CancelIcon())
			if q.Pairs[id] == given {
				icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
			}
			box.Add(container.NewBorder(nil, nil, nil, widget.NewIcon(icon), container.NewVBox(wrapped(o.Text), label)))
			continue
		}
		sel := widget.NewSelect(names, func(name string) {
			for _, t := range q.Targets {
				if t.Text == name {
					s.pairs[id] = t.ID
				}
			}
			s.hint.SetText("")
		})
		sel.PlaceHolder = s.u.T("Quiz.ChooseTarget")
		if t, ok := q.Target(s.pairs[id]); ok {
			sel.Selected = t.Text
		}
		// The list below its situation, full width: long answers stay readable.
		box.Add(container.NewVBox(wrapped(o.Text), sel))
	}
}

// addScenario shows the steps taken so far and the choices of the current step.
func (s *quizScreen) addScenario(box *fyne.Container, it quiz.Item) {
	q := it.Question
	for _, p := range it.Response.Path {
		step, c, _ := q.ScenarioChoice(p)
		done := wrapped(step.Text + "\n→ " + c.Text)
		done.TextStyle = fyne.TextStyle{Italic: true}
		box.Add(done)
		if s.stepDone != nil && p == it.Response.Path[len(it.Response.Path)-1] && !it.Answered {
			box.Add(s.choiceFeedback(*s.stepDone))
		}
	}
	if it.Answered || s.stepDone != nil {
		return
	}
	step, ok, err := q.ScenarioNext(it.Response.Path)
	if err != nil || !ok {
		return
	}
	box.Add(widget.NewSeparator())
	box.Add(heading(step.Text))
	for i, c := range step.Choices {
		id := c.ID
		row := newOptionRow(fmt.Sprintf("%d. %s", i+1, c.Text), false)
		row.Selected = slices.Contains(s.chosen, id)
		row.OnToggle = func() { s.toggle(id, false) }
		s.wireRow(row)
		box.Add(row)
	}
}

func (s *quizScreen) choiceFeedback(c quiz.Choice) fyne.CanvasObject {
	title := s.u.T("Quiz.StepGood")
	imp := widget.SuccessImportance
	if !c.Good {
		title, imp = s.u.T("Quiz.StepBad"), widget.DangerImportance
	}
	t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.Importance = imp
	return container.NewVBox(t, wrapped(c.Feedback))
}

// response is what the learner has selected on the current question.
func (s *quizScreen) response(q quiz.Question) quiz.Response {
	switch q.Kind {
	case quiz.Ordering:
		return quiz.Response{Order: slices.Clone(s.order)}
	case quiz.Matching:
		pairs := map[string]string{}
		for k, v := range s.pairs {
			pairs[k] = v
		}
		return quiz.Response{Pairs: pairs}
	}
	return quiz.Response{Chosen: slices.Clone(s.chosen)}
}

// submit grades the selection, commits it to the store, then shows the feedback.
func (s *quizScreen) submit() {
	u := s.u
	it := s.item()
	if it.Answered {
		return
	}
	q := it.Question
	spent := time.Since(s.shown)
	if q.Kind == quiz.Scenario {
		s.submitStep(it, spent)
		return
	}
	r := s.response(q)
	if q.Kind == quiz.Spot && len(r.Chosen) == 0 && !s.noneMarked {
		// Marking nothing is an answer (no sign here), but more often a slip: ask once.
		s.noneMarked = true
		s.hint.SetText(u.T("Quiz.SpotNoneMarked"))
		return
	}
	g, err := s.session.Grade(s.idx, r)
	var inc quiz.ErrIncomplete
	if errors.As(err, &inc) {
		s.hint.SetText(u.T("Quiz.Incomplete." + string(q.Kind)))
		return
	}
	if err != nil {
		u.showError(err)
		return
	}
	if err := s.record(progress.Answer{
		Position: s.idx, QuestionID: q.ID, Response: r, Complete: true, Correct: g.Correct, Score: &g.Score, Time: spent,
		Confidence: s.confidence, Indicator: s.cardTopic(q),
	}); err != nil {
		u.showError(err)
		return
	}
	if _, err := s.session.Answer(s.idx, r); err != nil {
		u.showError(err)
		return
	}
	if s.pretest {
		s.onward()
		return
	}
	s.render()
}

// onward leaves a pre-test's question once its answer is recorded: the next question,
// or the end, with no feedback in between.
func (s *quizScreen) onward() {
	if s.idx >= s.session.Len()-1 {
		s.finish()
		return
	}
	s.next()
}

// cardTopic is what an answer's review card is kept under: the question's topic, none
// for a pre-test's answer (it makes no card).
func (s *quizScreen) cardTopic(q quiz.Question) string {
	if s.pretest {
		return ""
	}
	return q.Topic
}

// submitStep takes the chosen scenario choice, stores the path so far, and grades the
// scenario when it has ended.
func (s *quizScreen) submitStep(it quiz.Item, spent time.Duration) {
	u := s.u
	q := it.Question
	if len(s.chosen) != 1 {
		s.hint.SetText(u.T("Quiz.Incomplete.scenario"))
		return
	}
	step, ok, err := q.ScenarioNext(it.Response.Path)
	if err != nil || !ok {
		u.showError(fmt.Errorf("scenario %s: %v", q.ID, err))
		return
	}
	entry := quiz.PathEntry(step.ID, s.chosen[0])
	_, choice, _ := q.ScenarioChoice(entry)
	r := quiz.Response{Path: append(slices.Clone(it.Response.Path), entry)}
	_, more, err := q.ScenarioNext(r.Path)
	if err != nil {
		u.showError(err)
		return
	}
	a := progress.Answer{Position: s.idx, QuestionID: q.ID, Response: r, Time: spent, Indicator: s.cardTopic(q)}
	if !more {
		g, err := s.session.Grade(s.idx, r)
		if err != nil {
			u.showError(err)
			return
		}
		a.Complete, a.Correct, a.Score = true, g.Correct, &g.Score
	}
	if err := s.record(a); err != nil {
		u.showError(err)
		return
	}
	switch {
	case more && s.pretest:
		// The next step at once: a choice's feedback would teach the answer.
		s.session.Partial(s.idx, r)
		s.chosen, s.shown = nil, time.Now()
	case more:
		s.session.Partial(s.idx, r)
		s.stepDone = &choice
	default:
		if _, err := s.session.Answer(s.idx, r); err != nil {
			u.showError(err)
			return
		}
		if s.pretest {
			s.onward()
			return
		}
	}
	s.render()
}

// record commits an answer before its feedback shows: in the attempt, or for a review
// session as a review (a scenario's unfinished steps are not reviews yet).
func (s *quizScreen) record(a progress.Answer) error {
	if !s.review {
		return s.u.store.RecordAnswer(s.u.ctx, s.attempt.ID, a)
	}
	if !a.Complete {
		return nil
	}
	err := s.u.store.RecordReview(s.u.ctx, s.u.learner.ID, progress.ReviewAnswer{
		ModuleID: s.moduleID(a.Position), QuestionID: a.QuestionID, Indicator: a.Indicator,
		Response: a.Response, Correct: a.Correct, Confidence: a.Confidence, Time: a.Time,
	})
	if err == nil {
		s.reviewed = append(s.reviewed, a.Position)
	}
	return err
}

// feedbackView explains an answered question: right or wrong, why, and where the
// report says so.
func (u *UI) feedbackView(it quiz.Item) fyne.CanvasObject {
	q := it.Question
	title := widget.NewLabelWithStyle(u.T("Quiz.Right"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Importance = widget.SuccessImportance
	switch {
	case !it.Grade.Correct && it.Grade.Score > 0:
		title.SetText(u.T("Quiz.PartlyRight", map[string]any{"Percent": int(it.Grade.Score*100 + 1e-9)}))
		title.Importance = widget.WarningImportance
	case !it.Grade.Correct:
		title.SetText(u.T("Quiz.Wrong"))
		title.Importance = widget.DangerImportance
	}
	box := container.NewVBox(title, wrapped(q.Explanation))
	var notes []string
	switch q.Kind {
	case quiz.Single, quiz.TrueFalse, quiz.Multiple:
		for _, id := range it.Response.Chosen {
			if o, ok := q.Option(id); ok && !slices.Contains(q.Answer, id) && o.Why != "" {
				notes = append(notes, u.T("Quiz.WhyWrong", map[string]any{"Option": u.optionText(q, o), "Why": o.Why}))
			}
		}
		if q.Kind == quiz.Multiple {
			for _, id := range q.Answer {
				if !slices.Contains(it.Response.Chosen, id) {
					o, _ := q.Option(id)
					notes = append(notes, u.T("Quiz.Missed", map[string]any{"Option": o.Text}))
				}
			}
		}
	case quiz.Ordering:
		if !it.Grade.Correct {
			var steps []string
			for i, id := range q.Answer {
				o, _ := q.Option(id)
				steps = append(steps, fmt.Sprintf("%d. %s", i+1, o.Text))
			}
			notes = append(notes, u.T("Quiz.RightOrder")+"\n"+strings.Join(steps, "\n"))
		}
	case quiz.Matching:
		for _, o := range q.Options {
			if it.Response.Pairs[o.ID] != q.Pairs[o.ID] {
				t, _ := q.Target(q.Pairs[o.ID])
				notes = append(notes, u.T("Quiz.RightPair", map[string]any{"Situation": o.Text, "Target": t.Text}))
			}
		}
	case quiz.Scenario:
		for _, p := range it.Response.Path {
			_, c, _ := q.ScenarioChoice(p)
			box.Add(scenarioStepLine(c))
		}
	case quiz.Spot:
		box.Add(u.spotFeedback(it))
	}
	for _, n := range notes {
		box.Add(wrapped(n))
	}
	cite := wrapped(u.citationText(q.Citation, q.General))
	cite.TextStyle = fyne.TextStyle{Italic: true}
	box.Add(cite)
	return box
}

func scenarioStepLine(c quiz.Choice) fyne.CanvasObject {
	mark := "✔"
	if !c.Good {
		mark = "✘"
	}
	return wrapped(mark + " " + c.Text + " — " + c.Feedback)
}

func (s *quizScreen) next() {
	s.begin(s.idx + 1)
	s.render()
}

// finish closes the attempt with its score off the UI goroutine and shows the results.
func (s *quizScreen) finish() {
	u := s.u
	if s.review {
		u.showReviewResults(s.session)
		return
	}
	id := s.attempt.ID
	fetch(u, func(ctx context.Context) (progress.Attempt, error) { return u.store.FinishAttempt(ctx, id) },
		func(a progress.Attempt) {
			if s.pretest {
				u.showPretestResults(s.module, a, s.session)
				return
			}
			u.showResults(s.module, a, s.session)
		})
}

// pause leaves the quiz; every answer is already stored, so nothing is lost. A pre-test
// left is offered again, to resume, on the module's page.
func (s *quizScreen) pause() { s.u.back() }

// onRune picks option N with the number keys.
func (s *quizScreen) onRune(r rune) {
	if r < '1' || r > '9' || len(s.rows) == 0 || s.item().Answered || s.stepDone != nil {
		return
	}
	i := int(r - '1')
	if i < len(s.rows) {
		s.rows[i].toggle()
		s.u.win.Canvas().Focus(s.rows[i])
	}
}

// onKey: Enter checks the answer, or goes on once it is checked.
func (s *quizScreen) onKey(e *fyne.KeyEvent) {
	if e.Name != fyne.KeyReturn && e.Name != fyne.KeyEnter {
		return
	}
	it := s.item()
	switch {
	case it.Answered && s.idx == s.session.Len()-1:
		s.finish()
	case it.Answered:
		s.next()
	case s.stepDone != nil:
		s.stepDone, s.chosen, s.shown = nil, nil, time.Now()
		s.render()
	case s.needsNote(it):
		s.noteSeen[s.idx] = true
		s.render()
	default:
		s.submit()
	}
}
