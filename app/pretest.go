package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/modules"
	"indicia/quiz"
)

// The pre-test: when a learner first opens a module, before its lessons, a few
// questions on what they already know. It is never graded pass or fail; its answers
// are shown at its end, not one by one; it can be skipped (recorded as such) and it
// resumes after a crash like a quiz. See progress.Pretest and quiz.DrawPretest.

// pretestOffer is the module page's offer of its pre-test: take it (or resume it), or
// skip it. The page shows it instead of its lessons and quiz until the learner chose.
type pretestOffer struct {
	s     *moduleScreen
	root  *fyne.Container
	start *widget.Button // take or resume the pre-test
	skip  *widget.Button
	// attempt and answers are the pre-test under way, when there is one.
	attempt progress.Attempt
	answers []progress.Answer
	open    bool
}

func newPretestOffer(s *moduleScreen) *pretestOffer {
	u := s.u
	o := &pretestOffer{s: s}
	intro := wrapped(u.T("Pretest.Intro", map[string]any{"Count": quiz.PretestSize}))
	private := wrapped(u.T("Pretest.Private"))
	private.TextStyle = fyne.TextStyle{Italic: true}
	o.start = widget.NewButtonWithIcon(u.T("Pretest.Start"), theme.MediaPlayIcon(), o.take)
	o.start.Importance = widget.HighImportance
	o.skip = widget.NewButtonWithIcon(u.T("Pretest.Skip"), theme.MediaSkipNextIcon(), o.doSkip)
	o.root = container.NewVBox(widget.NewSeparator(), heading(u.T("Pretest.Title")), intro, private, container.NewHBox(o.skip, o.start))
	o.root.Hide()
	return o
}

// show offers the pre-test (state offered), offers to resume it (open), or hides the
// offer (done).
func (o *pretestOffer) show(state progress.PretestState, a progress.Attempt, answers []progress.Answer) {
	u := o.s.u
	o.attempt, o.answers, o.open = a, answers, state == progress.PretestOpen
	switch state {
	case progress.PretestDone:
		o.root.Hide()
		return
	case progress.PretestOpen:
		done := 0
		for _, ans := range answers {
			if ans.Complete {
				done++
			}
		}
		o.start.SetText(u.T("Pretest.Resume", map[string]any{"Done": done, "Total": a.Total}))
		o.skip.SetText(u.T("Pretest.SkipRest"))
	default:
		o.start.SetText(u.T("Pretest.Start"))
		o.skip.SetText(u.T("Pretest.Skip"))
	}
	o.root.Show()
}

// take starts the pre-test, or resumes the one under way.
func (o *pretestOffer) take() {
	if o.open {
		o.s.u.resumeQuiz(o.s.module, o.attempt, o.answers)
		return
	}
	o.s.u.startPretest(o.s.module)
}

// doSkip records the skip; the page then shows the lessons.
func (o *pretestOffer) doSkip() {
	u, m := o.s.u, o.s.module
	id, lang := o.s.learnerID, u.loc.Lang
	u.perform(func(ctx context.Context) error {
		_, err := u.store.SkipPretest(ctx, id, m.ID, m.Version, lang)
		return err
	}, o.s.reload)
}

// startPretest draws a pre-test (quiz.DrawPretest), stores it off the UI goroutine and
// asks its first question.
func (u *UI) startPretest(m *modules.Module) {
	plan, err := quiz.DrawPretest(m.In(u.loc.Lang).Bank, quiz.PretestSize, u.rng())
	if err != nil {
		u.showError(err)
		return
	}
	id, lang := u.learner.ID, u.loc.Lang
	fetch(u, func(ctx context.Context) (progress.Attempt, error) {
		return u.store.StartAttempt(ctx, progress.NewAttempt{LearnerID: id, ModuleID: m.ID, ContentVersion: m.Version,
			Language: lang, Plan: plan, Kind: progress.KindPretest})
	}, func(a progress.Attempt) { u.resumeQuiz(m, a, nil) })
}

// pretestResultsScreen ends a pre-test: what the learner knew, never as a pass or a
// fail, and now every question with its answer and explanation. It takes the pre-test's
// place: Back, or "Go to the lessons", returns to the module's page.
type pretestResultsScreen struct {
	u    *UI
	root fyne.CanvasObject
}

func (s *pretestResultsScreen) content() fyne.CanvasObject { return s.root }

// focus lets Enter go on to the lessons.
func (s *pretestResultsScreen) focus() {
	s.u.win.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyReturn || e.Name == fyne.KeyEnter {
			s.u.back()
		}
	})
}

// showPretestResults shows the pre-test's end in place of its last question.
func (u *UI) showPretestResults(m *modules.Module, a progress.Attempt, session *quiz.Session) {
	u.replace(func() screen { return &pretestResultsScreen{u: u, root: u.pretestResultsView(m, a, session)} })
}

func (u *UI) pretestResultsView(m *modules.Module, a progress.Attempt, session *quiz.Session) fyne.CanvasObject {
	sc := session.Score()
	lessons := widget.NewButtonWithIcon(u.T("Pretest.ToLessons"), theme.NavigateNextIcon(), u.back)
	lessons.Importance = widget.HighImportance
	box := container.NewVBox(heading(m.In(u.loc.Lang).Title), heading(u.T("Pretest.DoneTitle")),
		wrapped(u.T("Pretest.DoneScore", map[string]any{"Correct": u.loc.Number(sc.Correct), "Total": u.loc.Number(sc.Total),
			"Score": u.loc.Percent(a.Percent)})),
		wrapped(u.T("Pretest.DoneNext")), container.NewHBox(lessons), widget.NewSeparator(),
		heading(u.T("Pretest.Answers")))
	bank := m.In(u.loc.Lang).Bank
	for i := range session.Len() {
		it := session.Item(i)
		for _, q := range bank {
			if q.ID == it.Question.ID {
				it.Question = localized(q, it.Question)
			}
		}
		prompt := widget.NewLabelWithStyle(it.Question.Prompt, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		prompt.Wrapping = fyne.TextWrapWord
		box.Add(widget.NewCard("", "", container.NewVBox(prompt, u.feedbackView(it))))
	}
	return container.NewVScroll(container.NewPadded(box))
}
