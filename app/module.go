package app

import (
	"context"
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

// moduleScreen is a module's page: its lessons, its quiz and past attempts. A learner
// who never opened the module is first offered its pre-test there (pretest.go): the
// lessons and the quiz show once they take or skip it.
type moduleScreen struct {
	u         *UI
	module    *modules.Module
	learnerID int64
	root      *fyne.Container
	offer     *pretestOffer   // the pre-test's offer, shown instead of the rest
	rest      *fyne.Container // the lessons, the quiz, the attempts
	lessons   *fyne.Container // a row per lesson, with where the learner is in it
	quiz      *fyne.Container // start, resume or restart the quiz
	attempts  *fyne.Container // finished attempts
	workplace *workplacePanel // the workplace questions, when due
}

// moduleData is what the module's page reads off the UI goroutine.
type moduleData struct {
	lessons  map[string]progress.LessonProgress
	open     *progress.Attempt // the attempt under way, if any
	answers  []progress.Answer // its answers
	state    string            // the refresher's state (progress.RefresherState)
	attempts []progress.Attempt
	// The pre-test: offered, under way (with its attempt and answers), or done.
	pretest        progress.PretestState
	pretestAttempt progress.Attempt
	pretestAnswers []progress.Answer
}

func (u *UI) moduleScreen(m *modules.Module) screen {
	s := &moduleScreen{u: u, module: m, learnerID: u.learner.ID}
	t := m.In(u.loc.Lang)
	back := widget.NewButtonWithIcon(u.T("Common.Back"), theme.NavigateBackIcon(), u.back)
	info := widget.NewLabel(u.T("Module.Version", map[string]any{"Version": m.Version, "Source": m.Source, "Date": m.SourceDate}))
	info.Wrapping = fyne.TextWrapWord
	info.TextStyle = fyne.TextStyle{Italic: true}
	s.lessons = container.NewVBox(u.loading())
	s.quiz = container.NewVBox()
	s.attempts = container.NewVBox()
	s.offer = newPretestOffer(s)
	s.workplace = u.newWorkplacePanel(m)
	s.rest = container.NewVBox(widget.NewSeparator(),
		heading(u.T("Module.Lessons")), s.lessons,
		widget.NewSeparator(), heading(u.T("Module.Quiz")),
		wrapped(u.T("Module.QuizRules", map[string]any{"Count": m.QuizSize, "Bank": len(t.Bank), "Mark": u.loc.Percent(m.PassMark)})),
		s.quiz, s.attempts, s.workplace.content())
	box := container.NewVBox(container.NewHBox(back), heading(t.Title), wrapped(t.Summary), info, s.offer.root, s.rest)
	s.root = container.NewStack(container.NewVScroll(container.NewPadded(box)))
	s.reload()
	return s
}

func (s *moduleScreen) content() fyne.CanvasObject { return s.root }

// citationText says where in the report a passage comes from, or that it is general
// guidance and from where.
func (u *UI) citationText(c quiz.Citation, general string) string {
	if c.IsZero() {
		return u.T("Cite.General", map[string]any{"Source": general})
	}
	return u.T("Cite.Report", map[string]any{"Section": c.Section, "From": c.From, "To": c.To})
}

// reload reads the learner's pre-test, lessons and attempts in the module.
func (s *moduleScreen) reload() {
	u, id, m := s.u, s.learnerID, s.module
	s.workplace.reload()
	fetch(u, func(ctx context.Context) (moduleData, error) {
		var d moduleData
		var err error
		if d.pretest, d.pretestAttempt, d.pretestAnswers, err = u.store.Pretest(ctx, id, m.ID); err != nil {
			return d, err
		}
		if d.lessons, err = u.store.Lessons(ctx, id, m.ID); err != nil {
			return d, err
		}
		open, answers, err := u.store.OpenAttempt(ctx, id, m.ID)
		switch {
		case err == nil:
			d.open, d.answers = &open, answers
		case errors.Is(err, progress.ErrNotFound):
			sums, err := u.store.Summaries(ctx, id)
			if err != nil {
				return d, err
			}
			days, err := u.store.RefresherDays(ctx)
			if err != nil {
				return d, err
			}
			d.state, _ = progress.RefresherState(sums[m.ID].PassedAt, days[m.ID], time.Now())
		default:
			return d, err
		}
		d.attempts, err = u.store.Attempts(ctx, id, m.ID)
		return d, err
	}, s.apply)
}

func (s *moduleScreen) apply(d moduleData) {
	u, m := s.u, s.module
	t := m.In(u.loc.Lang)
	// Before its lessons, the pre-test: taken, or skipped, first.
	s.offer.show(d.pretest, d.pretestAttempt, d.pretestAnswers)
	if d.pretest == progress.PretestDone {
		s.rest.Show()
	} else {
		s.rest.Hide()
	}
	var rows []fyne.CanvasObject
	for i, l := range t.Lessons {
		p, started := d.lessons[l.ID]
		state := u.T("Module.LessonNotStarted")
		icon := theme.RadioButtonIcon()
		switch {
		case p.Completed:
			state, icon = u.T("Module.LessonDone"), theme.NewSuccessThemedResource(theme.ConfirmIcon())
		case started:
			state = u.T("Module.LessonAt", map[string]any{"N": p.Position + 1, "Total": len(l.Sections)})
		}
		lessonID := l.ID
		read := widget.NewButtonWithIcon(u.T("Module.Read"), theme.NavigateNextIcon(), func() { u.push(func() screen { return u.lessonScreen(m, lessonID) }) })
		rows = append(rows, container.NewBorder(nil, nil, widget.NewIcon(icon), read,
			wrapped(u.T("Module.LessonTitle", map[string]any{"N": i + 1, "Title": l.Title})+" — "+state)))
	}
	s.lessons.Objects = rows
	s.lessons.Refresh()

	var quizRows []fyne.CanvasObject
	if d.open != nil {
		open, answers := *d.open, d.answers
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
		quizRows = append(quizRows, container.NewHBox(resume, restart))
	} else {
		label := u.T("Module.StartQuiz")
		if d.state != progress.RefresherNone {
			label = u.T("Module.StartRefresher")
			quizRows = append(quizRows, wrapped(u.T("Module.RefresherExplained")))
		}
		start := widget.NewButtonWithIcon(label, theme.MediaPlayIcon(), func() { u.startQuiz(m) })
		start.Importance = widget.HighImportance
		quizRows = append(quizRows, container.NewHBox(start))
	}
	s.quiz.Objects = quizRows
	s.quiz.Refresh()

	var lines []fyne.CanvasObject
	for _, a := range d.attempts {
		switch {
		case a.Kind == progress.KindPretest && a.Status == progress.AttemptSkipped:
			lines = append(lines, widget.NewLabel(u.T("Pretest.SkippedLine", map[string]any{"Date": u.loc.Date(a.FinishedAt)})))
		case a.Status != progress.AttemptFinished:
		case a.Kind == progress.KindPretest:
			// What the learner knew before: a score, never a pass or a fail.
			lines = append(lines, widget.NewLabel(u.T("Pretest.Line", map[string]any{"Date": u.loc.Date(a.FinishedAt), "Score": u.loc.Percent(a.Percent)})))
		default:
			outcome := u.T("Results.Failed")
			if a.Passed {
				outcome = u.T("Results.Passed")
			}
			lines = append(lines, widget.NewLabel(u.T("Module.Attempt", map[string]any{
				"Date": u.loc.Date(a.FinishedAt), "Score": u.loc.Percent(a.Percent), "Outcome": outcome})))
		}
	}
	s.attempts.Objects = lines
	s.attempts.Refresh()
}
