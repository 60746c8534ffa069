package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/modules"
)

// showCatalog lists the modules: the core module and the learner's role module first,
// each with its status, best score, time spent and a progress bar.
func (u *UI) showCatalog() {
	u.show(u.catalogView)
}

// moduleProgress is the share of a module done: its lessons, then its quiz passed.
func moduleProgress(m *modules.Module, sum progress.ModuleSummary) float64 {
	steps := len(m.In("fr").Lessons) + 1
	done := min(sum.LessonsDone, steps-1)
	if sum.Status == progress.ModulePassed {
		done = steps
	}
	return float64(done) / float64(steps)
}

func (u *UI) statusText(m *modules.Module, sum progress.ModuleSummary, refresherDays map[string]int) string {
	switch sum.Status {
	case progress.ModulePassed:
		switch state, due := progress.RefresherState(sum.PassedAt, refresherDays[m.ID], time.Now()); state {
		case progress.RefresherDue:
			return u.T("Status.RefresherDue", map[string]any{"Date": u.loc.Date(due)})
		case progress.RefresherOverdue:
			return u.T("Status.RefresherOverdue", map[string]any{"Date": u.loc.Date(due)})
		}
		return u.T("Status.Passed", map[string]any{"Date": u.loc.Date(sum.PassedAt)})
	case progress.ModuleFailed:
		return u.T("Status.Failed")
	case progress.ModuleInProgress:
		return u.T("Status.InProgress")
	}
	return u.T("Status.NotStarted")
}

func (u *UI) catalogView() fyne.CanvasObject {
	summaries, err := u.store.Summaries(u.ctx, u.learner.ID)
	if err != nil {
		u.showError(err)
	}
	refresherDays, err := u.store.RefresherDays(u.ctx)
	if err != nil {
		u.showError(err)
	}
	role := modules.Role(u.learner.Role)
	list := container.NewVBox(heading(u.T("Catalog.Title")), wrapped(u.T("Catalog.Intro")), u.reviewCard())
	for _, m := range u.catalog().For(role) {
		m := m
		sum := summaries[m.ID]
		t := m.In(u.loc.Lang)
		var audience string
		switch m.Audience {
		case modules.RoleAll:
			audience = u.T("Catalog.ForEveryone")
		case role:
			audience = u.T("Catalog.ForYourRole")
		default:
			audience = u.T("Catalog.ForOthers", map[string]any{"Role": u.roleName(string(m.Audience))})
		}
		best := u.T("Catalog.NoScore")
		if sum.HasScore {
			best = u.T("Catalog.BestScore", map[string]any{"Score": u.loc.Percent(sum.BestPercent)})
		}
		done := moduleProgress(m, sum)
		bar, _, _ := progressRow(done, u.loc.Percent(int(done*100)))
		open := widget.NewButtonWithIcon(u.T("Catalog.Open"), theme.NavigateNextIcon(), func() { u.openModule(m) })
		open.Importance = widget.HighImportance
		details := widget.NewLabel(u.statusText(m, sum, refresherDays) + " · " + best + " · " +
			u.T("Catalog.TimeSpent", map[string]any{"Time": u.loc.Duration(sum.TimeSpent)}))
		details.Wrapping = fyne.TextWrapWord
		// The title goes in a wrapping label: a card's own title does not wrap, and a long
		// title at a large text size would widen the window past the screen.
		sub := wrapped(audience)
		sub.TextStyle = fyne.TextStyle{Italic: true}
		card := widget.NewCard("", "", container.NewVBox(heading(t.Title), sub,
			wrapped(t.Summary), details, container.NewBorder(nil, nil, nil, open, bar)))
		list.Add(card)
	}
	return container.NewVScroll(container.NewPadded(list))
}

// reviewCard offers the day's review of due questions, and the mastery picture.
func (u *UI) reviewCard() fyne.CanvasObject {
	due, err := u.store.CountDue(u.ctx, u.learner.ID, time.Now())
	if err != nil {
		u.showError(err)
	}
	text := u.T("Review.NoneDue")
	if due > 0 {
		text = u.N("Review.Due", due, nil)
	}
	start := widget.NewButtonWithIcon(u.T("Review.Start"), theme.MediaPlayIcon(), u.startReview)
	if due == 0 {
		start.Disable()
	}
	mastery := widget.NewButtonWithIcon(u.T("Mastery.Button"), theme.GridIcon(), u.showMastery)
	sub := wrapped(u.T("Review.Subtitle"))
	sub.TextStyle = fyne.TextStyle{Italic: true}
	return widget.NewCard("", "", container.NewVBox(heading(u.T("Review.Title")), sub, wrapped(text),
		container.NewHBox(mastery, start)))
}
