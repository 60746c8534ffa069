package app

import (
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/modules"
	"indicia/quiz"
)

// showModule shows a module's page: its lessons, its quiz and past attempts.
func (u *UI) showModule(m *modules.Module) {
	u.show(func() fyne.CanvasObject { return u.moduleView(m) })
}

// citationText says where in the report a passage comes from, or that it is general
// guidance and from where.
func (u *UI) citationText(c quiz.Citation, general string) string {
	if c.IsZero() {
		return u.T("Cite.General", map[string]any{"Source": general})
	}
	return u.T("Cite.Report", map[string]any{"Section": c.Section, "From": c.From, "To": c.To})
}

func (u *UI) moduleView(m *modules.Module) fyne.CanvasObject {
	t := m.In(u.loc.Lang)
	lessons, err := u.store.Lessons(u.ctx, u.learner.ID, m.ID)
	if err != nil {
		u.showError(err)
	}
	back := widget.NewButtonWithIcon(u.T("Common.Back"), theme.NavigateBackIcon(), u.showCatalog)
	info := widget.NewLabel(u.T("Module.Version", map[string]any{"Version": m.Version, "Source": m.Source, "Date": m.SourceDate}))
	info.Wrapping = fyne.TextWrapWord
	info.TextStyle = fyne.TextStyle{Italic: true}
	box := container.NewVBox(container.NewHBox(back), heading(t.Title), wrapped(t.Summary), info, widget.NewSeparator(),
		heading(u.T("Module.Lessons")))
	for i, l := range t.Lessons {
		l := l
		p, started := lessons[l.ID]
		state := u.T("Module.LessonNotStarted")
		icon := theme.RadioButtonIcon()
		switch {
		case p.Completed:
			state, icon = u.T("Module.LessonDone"), theme.NewSuccessThemedResource(theme.ConfirmIcon())
		case started:
			state = u.T("Module.LessonAt", map[string]any{"N": p.Position + 1, "Total": len(l.Sections)})
		}
		read := widget.NewButtonWithIcon(u.T("Module.Read"), theme.NavigateNextIcon(), func() { u.showLesson(m, l.ID) })
		row := container.NewBorder(nil, nil, widget.NewIcon(icon), read,
			wrapped(u.T("Module.LessonTitle", map[string]any{"N": i + 1, "Title": l.Title})+" — "+state))
		box.Add(row)
	}

	box.Add(widget.NewSeparator())
	box.Add(heading(u.T("Module.Quiz")))
	box.Add(wrapped(u.T("Module.QuizRules", map[string]any{"Count": m.QuizSize, "Bank": len(t.Bank), "Mark": u.loc.Percent(m.PassMark)})))
	open, answers, err := u.store.OpenAttempt(u.ctx, u.learner.ID, m.ID)
	switch {
	case err == nil:
		done := 0
		for _, a := range answers {
			if a.Complete {
				done++
			}
		}
		resume := widget.NewButtonWithIcon(u.T("Module.ResumeQuiz", map[string]any{"Done": done, "Total": open.Total}), theme.MediaPlayIcon(),
			func() { u.resumeQuiz(m, open, answers) })
		resume.Importance = widget.HighImportance
		restart := widget.NewButtonWithIcon(u.T("Module.RestartQuiz"), theme.MediaReplayIcon(), func() { u.startQuiz(m) })
		box.Add(container.NewHBox(resume, restart))
	case errors.Is(err, progress.ErrNotFound):
		sums, _ := u.store.Summaries(u.ctx, u.learner.ID)
		days, _ := u.store.RefresherDays(u.ctx)
		state, _ := progress.RefresherState(sums[m.ID].PassedAt, days[m.ID], time.Now())
		label := u.T("Module.StartQuiz")
		if state != progress.RefresherNone {
			label = u.T("Module.StartRefresher")
			box.Add(wrapped(u.T("Module.RefresherExplained")))
		}
		start := widget.NewButtonWithIcon(label, theme.MediaPlayIcon(), func() { u.startQuiz(m) })
		start.Importance = widget.HighImportance
		box.Add(container.NewHBox(start))
	default:
		u.showError(err)
	}

	attempts, err := u.store.Attempts(u.ctx, u.learner.ID, m.ID)
	if err != nil {
		u.showError(err)
	}
	for _, a := range attempts {
		switch {
		case a.Kind == progress.KindPretest && a.Status == progress.AttemptSkipped:
			box.Add(widget.NewLabel(u.T("Pretest.SkippedLine", map[string]any{"Date": u.loc.Date(a.FinishedAt)})))
		case a.Status != progress.AttemptFinished:
		case a.Kind == progress.KindPretest:
			// What the learner knew before: a score, never a pass or a fail.
			box.Add(widget.NewLabel(u.T("Pretest.Line", map[string]any{"Date": u.loc.Date(a.FinishedAt), "Score": u.loc.Percent(a.Percent)})))
		default:
			outcome := u.T("Results.Failed")
			if a.Passed {
				outcome = u.T("Results.Passed")
			}
			box.Add(widget.NewLabel(u.T("Module.Attempt", map[string]any{
				"Date": u.loc.Date(a.FinishedAt), "Score": u.loc.Percent(a.Percent), "Outcome": outcome})))
		}
	}
	box.Add(u.newWorkplacePanel(m).content())
	return container.NewVScroll(container.NewPadded(box))
}
