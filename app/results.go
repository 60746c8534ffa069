package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/modules"
	"indicia/quiz"
)

// resultsScreen shows a finished attempt: score, pass or fail, each missed question with
// its explanation, and a retry with a fresh draw. It takes the quiz's place: Back goes
// to the module's page.
type resultsScreen struct {
	root fyne.CanvasObject
}

func (s *resultsScreen) content() fyne.CanvasObject { return s.root }

// showResults shows the results in place of the quiz.
func (u *UI) showResults(m *modules.Module, a progress.Attempt, session *quiz.Session) {
	u.replace(func() screen { return &resultsScreen{root: u.resultsView(m, a, session)} })
}

// partlyRight counts the answers that earned part of a point (spot-the-signals).
func partlyRight(session *quiz.Session) int {
	n := 0
	for i := range session.Len() {
		if g := session.Item(i).Grade; !g.Correct && g.Score > 0 {
			n++
		}
	}
	return n
}

func (u *UI) resultsView(m *modules.Module, a progress.Attempt, session *quiz.Session) fyne.CanvasObject {
	sc := session.Score()
	outcome := widget.NewLabelWithStyle(u.T("Results.Passed"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	outcome.SizeName = theme.SizeNameHeadingText
	outcome.Importance = widget.SuccessImportance
	if !a.Passed {
		outcome.SetText(u.T("Results.Failed"))
		outcome.Importance = widget.DangerImportance
	}
	scoreData := map[string]any{
		"Correct": u.loc.Number(sc.Correct), "Total": u.loc.Number(sc.Total),
		"Score": u.loc.Percent(sc.Percent), "Mark": u.loc.Percent(a.PassMark)}
	scoreKey := "Results.Score"
	if partly := partlyRight(session); partly > 0 {
		scoreKey, scoreData["Partly"] = "Results.ScorePartial", u.loc.Number(partly)
	}
	score := wrapped(u.T(scoreKey, scoreData))
	retry := widget.NewButtonWithIcon(u.T("Results.Retry"), theme.MediaReplayIcon(), func() { u.startQuiz(m) })
	back := widget.NewButtonWithIcon(u.T("Results.BackToModule"), theme.NavigateBackIcon(), u.back)
	if a.Passed {
		back.Importance = widget.HighImportance
	} else {
		retry.Importance = widget.HighImportance
	}
	box := container.NewVBox(heading(m.In(u.loc.Lang).Title), outcome, score, container.NewHBox(back, retry), widget.NewSeparator())
	missed := session.Missed()
	if len(missed) == 0 {
		box.Add(wrapped(u.T("Results.NoneMissed")))
	} else {
		box.Add(heading(u.N("Results.Missed", len(missed), nil)))
	}
	bank := m.In(u.loc.Lang).Bank
	for _, i := range missed {
		it := session.Item(i)
		for _, q := range bank {
			if q.ID == it.Question.ID {
				it.Question = localized(q, it.Question)
			}
		}
		prompt := widget.NewLabelWithStyle(it.Question.Prompt, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		prompt.Wrapping = fyne.TextWrapWord
		card := widget.NewCard("", "", container.NewVBox(prompt, u.feedbackView(it)))
		box.Add(card)
	}
	return container.NewVScroll(container.NewPadded(box))
}
