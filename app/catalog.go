package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/modules"
)

// catalogScreen lists the modules: the core module and the learner's role module first,
// each with its status, best score, time spent and a progress bar; and the day's review.
type catalogScreen struct {
	u       *UI
	learner progress.Learner
	root    *fyne.Container
	list    *fyne.Container // the module cards, once read
	due     *widget.Label
	start   *widget.Button
}

// catalogData is what the catalog reads off the UI goroutine.
type catalogData struct {
	modules   []*modules.Module
	summaries map[string]progress.ModuleSummary
	days      map[string]int
	due       int
}

func (u *UI) catalogScreen() screen {
	s := &catalogScreen{u: u, learner: *u.learner}
	s.due = wrapped(u.T("Common.Loading"))
	s.start = widget.NewButtonWithIcon(u.T("Review.Start"), theme.MediaPlayIcon(), u.startReview)
	s.start.Disable()
	mastery := widget.NewButtonWithIcon(u.T("Mastery.Button"), theme.GridIcon(), func() { u.push(u.masteryScreen) })
	sub := wrapped(u.T("Review.Subtitle"))
	sub.TextStyle = fyne.TextStyle{Italic: true}
	signs := widget.NewButtonWithIcon(u.T("Signs.Button"), theme.InfoIcon(), func() { u.showSigns("") })
	review := widget.NewCard("", "", container.NewVBox(heading(u.T("Review.Title")), sub, s.due,
		container.NewHBox(mastery, s.start), container.NewHBox(signs)))
	s.list = container.NewVBox(u.loading())
	s.root = container.NewStack(container.NewVScroll(container.NewPadded(
		container.NewVBox(heading(u.T("Catalog.Title")), wrapped(u.T("Catalog.Intro")), review, s.list))))
	s.reload()
	return s
}

func (s *catalogScreen) content() fyne.CanvasObject { return s.root }

// reload reads the learner's standing in every module and the questions due.
func (s *catalogScreen) reload() {
	u, id := s.u, s.learner.ID
	role := modules.Role(s.learner.Role)
	fetch(u, func(ctx context.Context) (catalogData, error) {
		var d catalogData
		var err error
		d.modules = u.catalog().For(role)
		if d.summaries, err = u.store.Summaries(ctx, id); err != nil {
			return d, err
		}
		if d.days, err = u.store.RefresherDays(ctx); err != nil {
			return d, err
		}
		d.due, err = u.store.CountDue(ctx, id, time.Now())
		return d, err
	}, s.apply)
}

func (s *catalogScreen) apply(d catalogData) {
	u := s.u
	if d.due > 0 {
		s.due.SetText(u.N("Review.Due", d.due, nil))
		s.start.Enable()
	} else {
		s.due.SetText(u.T("Review.NoneDue"))
		s.start.Disable()
	}
	var cards []fyne.CanvasObject
	for _, m := range d.modules {
		cards = append(cards, s.card(m, d.summaries[m.ID], d.days))
	}
	s.list.Objects = cards
	s.list.Refresh()
}

// card is one module's card.
func (s *catalogScreen) card(m *modules.Module, sum progress.ModuleSummary, days map[string]int) fyne.CanvasObject {
	u := s.u
	role := modules.Role(s.learner.Role)
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
	open := widget.NewButtonWithIcon(u.T("Catalog.Open"), theme.NavigateNextIcon(), func() { u.push(func() screen { return u.moduleScreen(m) }) })
	open.Importance = widget.HighImportance
	details := widget.NewLabel(u.statusText(m, sum, days) + " · " + best + " · " +
		u.T("Catalog.TimeSpent", map[string]any{"Time": u.loc.Duration(sum.TimeSpent)}))
	details.Wrapping = fyne.TextWrapWord
	// The title goes in a wrapping label: a card's own title does not wrap, and a long
	// title at a large text size would widen the window past the screen.
	sub := wrapped(audience)
	sub.TextStyle = fyne.TextStyle{Italic: true}
	return widget.NewCard("", "", container.NewVBox(heading(t.Title), sub,
		wrapped(t.Summary), details, container.NewBorder(nil, nil, nil, open, bar)))
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
