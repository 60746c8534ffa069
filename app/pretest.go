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

// openModule opens a module from the catalog: its pre-test first when the learner is
// offered one (or has one under way), else the module's page.
func (u *UI) openModule(m *modules.Module) {
	learner := u.learner.ID
	type state struct {
		state   progress.PretestState
		attempt progress.Attempt
		answers []progress.Answer
	}
	fetch(u, func(ctx context.Context) (state, error) {
		var st state
		var err error
		st.state, st.attempt, st.answers, err = u.store.Pretest(ctx, learner, m.ID)
		return st, err
	}, func(st state) {
		if u.learner == nil || u.learner.ID != learner {
			return // signed out meanwhile
		}
		if st.state == progress.PretestDone {
			u.showModule(m)
			return
		}
		p := &pretestScreen{u: u, module: m, state: st.state, attempt: st.attempt, answers: st.answers}
		u.show(p.view)
	})
}

// pretestScreen offers a module's pre-test: take it (or resume it), or skip it.
type pretestScreen struct {
	u       *UI
	module  *modules.Module
	state   progress.PretestState // offered or open
	attempt progress.Attempt      // the pre-test under way, when open
	answers []progress.Answer
}

func (p *pretestScreen) view() fyne.CanvasObject {
	u := p.u
	t := p.module.In(u.loc.Lang)
	back := widget.NewButtonWithIcon(u.T("Common.Back"), theme.NavigateBackIcon(), u.showCatalog)
	intro := wrapped(u.T("Pretest.Intro", map[string]any{"Count": quiz.PretestSize}))
	private := wrapped(u.T("Pretest.Private"))
	private.TextStyle = fyne.TextStyle{Italic: true}
	var start *widget.Button
	skip := widget.NewButtonWithIcon(u.T("Pretest.Skip"), theme.MediaSkipNextIcon(), p.skip)
	if p.state == progress.PretestOpen {
		done := 0
		for _, a := range p.answers {
			if a.Complete {
				done++
			}
		}
		start = widget.NewButtonWithIcon(u.T("Pretest.Resume", map[string]any{"Done": done, "Total": p.attempt.Total}),
			theme.MediaPlayIcon(), func() { u.resumeQuiz(p.module, p.attempt, p.answers) })
		skip.SetText(u.T("Pretest.SkipRest"))
	} else {
		start = widget.NewButtonWithIcon(u.T("Pretest.Start"), theme.MediaPlayIcon(), func() { u.startPretest(p.module) })
	}
	start.Importance = widget.HighImportance
	box := container.NewVBox(container.NewHBox(back), heading(t.Title), heading(u.T("Pretest.Title")), intro, private,
		container.NewHBox(skip, start))
	u.win.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyReturn || e.Name == fyne.KeyEnter {
			start.OnTapped()
		}
	})
	return container.NewVScroll(container.NewPadded(box))
}

// skip records the skip and opens the module's page.
func (p *pretestScreen) skip() {
	u := p.u
	if _, err := u.store.SkipPretest(u.ctx, u.learner.ID, p.module.ID, p.module.Version, u.loc.Lang); err != nil {
		u.showError(err)
		return
	}
	u.showModule(p.module)
}

// startPretest draws a pre-test (quiz.DrawPretest), stores it and asks its first
// question.
func (u *UI) startPretest(m *modules.Module) {
	plan, err := quiz.DrawPretest(m.In(u.loc.Lang).Bank, quiz.PretestSize, u.rng())
	if err != nil {
		u.showError(err)
		return
	}
	a, err := u.store.StartAttempt(u.ctx, progress.NewAttempt{LearnerID: u.learner.ID, ModuleID: m.ID, ContentVersion: m.Version,
		Language: u.loc.Lang, Plan: plan, Kind: progress.KindPretest})
	if err != nil {
		u.showError(err)
		return
	}
	u.resumeQuiz(m, a, nil)
}

// showPretestResults ends a pre-test: what the learner knew, never as a pass or a
// fail, and now every question with its answer and explanation.
func (u *UI) showPretestResults(m *modules.Module, a progress.Attempt, session *quiz.Session) {
	u.show(func() fyne.CanvasObject { return u.pretestResultsView(m, a, session) })
}

func (u *UI) pretestResultsView(m *modules.Module, a progress.Attempt, session *quiz.Session) fyne.CanvasObject {
	sc := session.Score()
	lessons := widget.NewButtonWithIcon(u.T("Pretest.ToLessons"), theme.NavigateNextIcon(), func() { u.showModule(m) })
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
	u.win.Canvas().SetOnTypedKey(func(e *fyne.KeyEvent) {
		if e.Name == fyne.KeyReturn || e.Name == fyne.KeyEnter {
			u.showModule(m)
		}
	})
	return container.NewVScroll(container.NewPadded(box))
}
