package app

import (
	"context"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/modules"
)

// workplacePanel asks, on a module's page when its refresher has fallen due and the
// trainer turned the questions on, whether the training reached the learner's
// workplace: three questions answered yes, no or prefer not to say; never free text.
// It is optional: the learner may leave it unanswered.
type workplacePanel struct {
	u       *UI
	module  *modules.Module
	learner int64
	root    *fyne.Container
	dueAt   time.Time
	// choice is each question's group of answers.
	choice [3]*widget.RadioGroup
}

func (u *UI) newWorkplacePanel(m *modules.Module) *workplacePanel {
	return &workplacePanel{u: u, module: m, learner: u.learner.ID, root: container.NewVBox()}
}

// reload reads whether the questions are due, and shows them if they are.
func (p *workplacePanel) reload() {
	u, m, learner := p.u, p.module, p.learner
	type due struct {
		due bool
		at  time.Time
	}
	fetch(u, func(ctx context.Context) (due, error) {
		d, at, err := u.store.WorkplaceDue(ctx, learner, m.ID, time.Now())
		return due{d, at}, err
	}, func(d due) {
		if !d.due {
			p.root.Objects = nil
			p.root.Refresh()
			return
		}
		if !p.dueAt.Equal(d.at) || len(p.root.Objects) == 0 {
			p.dueAt = d.at
			p.show()
		}
	})
}

func (p *workplacePanel) content() fyne.CanvasObject { return p.root }

// replyNames are the three answers in the interface's language, in progress.Replies'
// order.
func (p *workplacePanel) replyNames() []string {
	u := p.u
	return []string{u.T("Workplace.Yes"), u.T("Workplace.No"), u.T("Workplace.Unsaid")}
}

func (p *workplacePanel) show() {
	u := p.u
	questions := []string{u.T("Workplace.MetSign"), u.T("Workplace.Alerted"), u.T("Workplace.KnewWhom")}
	box := container.NewVBox(heading(u.T("Workplace.Title")), wrapped(u.T("Workplace.Intro")))
	for i, q := range questions {
		g := widget.NewRadioGroup(p.replyNames(), nil)
		g.Horizontal = true
		p.choice[i] = g
		box.Add(wrapped(q))
		box.Add(g)
	}
	note := wrapped(u.T("Workplace.Private"))
	note.TextStyle = fyne.TextStyle{Italic: true}
	send := widget.NewButtonWithIcon(u.T("Workplace.Send"), theme.MailSendIcon(), p.send)
	box.Add(note)
	box.Add(container.NewHBox(send))
	p.root.Objects = []fyne.CanvasObject{widget.NewSeparator(), widget.NewCard("", "", box)}
	p.root.Refresh()
}

// send stores the answers; a question left without one counts as prefer not to say.
func (p *workplacePanel) send() {
	u := p.u
	var replies [3]progress.Reply
	for i, g := range p.choice {
		replies[i] = progress.ReplyUnsaid
		if j := slices.Index(p.replyNames(), g.Selected); j >= 0 {
			replies[i] = progress.Replies[j]
		}
	}
	learner, module, dueAt := p.learner, p.module.ID, p.dueAt
	a := progress.WorkplaceAnswer{MetSign: replies[0], Alerted: replies[1], KnewWhom: replies[2]}
	u.perform(func(ctx context.Context) error { return u.store.RecordWorkplace(ctx, learner, module, dueAt, a) }, func() {
		thanks := wrapped(u.T("Workplace.Thanks"))
		p.root.Objects = []fyne.CanvasObject{widget.NewSeparator(), thanks}
		p.root.Refresh()
	})
}
