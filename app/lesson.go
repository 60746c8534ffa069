package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/modules"
)

// lessonScreen shows one section of a lesson at a time, with its citation beside it,
// and remembers the position and the time spent.
type lessonScreen struct {
	u        *UI
	module   *modules.Module
	lessonID string
	pos      int
	since    time.Time // when the time spent was last saved
}

func (u *UI) showLesson(m *modules.Module, lessonID string) {
	s := &lessonScreen{u: u, module: m, lessonID: lessonID, since: time.Now()}
	if p, err := u.store.Lessons(u.ctx, u.learner.ID, m.ID); err == nil {
		s.pos = p[lessonID].Position
	}
	u.show(s.view)
	u.leave = func() { s.save(false) }
}

func (s *lessonScreen) lesson() modules.Lesson {
	l, _ := s.module.Lesson(s.u.loc.Lang, s.lessonID)
	return l
}

// save records the position and the time spent since the last save.
func (s *lessonScreen) save(completed bool) bool {
	now := time.Now()
	spent := now.Sub(s.since)
	s.since = now
	if err := s.u.store.SaveLesson(s.u.ctx, s.u.learner.ID, s.module.ID, s.lessonID, s.pos, spent, completed); err != nil {
		s.u.showError(err)
		return false
	}
	return true
}

func (s *lessonScreen) goTo(pos int) {
	s.pos = pos
	s.save(false)
	s.u.redraw()
}

func (s *lessonScreen) view() fyne.CanvasObject {
	u := s.u
	l := s.lesson()
	if s.pos >= len(l.Sections) {
		s.pos = 0
	}
	sec := l.Sections[s.pos]

	body := markdownBlocks(sec.Body)
	cite := wrapped(u.citationText(sec.Cite, sec.General))
	cite.TextStyle = fyne.TextStyle{Italic: true}
	side := container.NewVBox(widget.NewLabelWithStyle(u.T("Lesson.Source"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), cite,
		widget.NewButtonWithIcon(u.T("Glossary.Button"), theme.SearchIcon(), u.showGlossary))

	prev := widget.NewButtonWithIcon(u.T("Lesson.Previous"), theme.NavigateBackIcon(), func() { s.goTo(s.pos - 1) })
	if s.pos == 0 {
		prev.Disable()
	}
	var next *widget.Button
	if s.pos < len(l.Sections)-1 {
		next = widget.NewButtonWithIcon(u.T("Lesson.Next"), theme.NavigateNextIcon(), func() { s.goTo(s.pos + 1) })
	} else {
		next = widget.NewButtonWithIcon(u.T("Lesson.Finish"), theme.ConfirmIcon(), func() {
			if s.save(true) {
				u.leave = nil
				u.showModule(s.module)
			}
		})
	}
	next.Importance = widget.HighImportance
	back := widget.NewButtonWithIcon(u.T("Lesson.BackToModule"), theme.NavigateBackIcon(), func() { u.showModule(s.module) })
	bar, _, _ := progressRow(float64(s.pos+1)/float64(len(l.Sections)),
		u.T("Lesson.Counter", map[string]any{"N": s.pos + 1, "Total": len(l.Sections)}))

	top := container.NewVBox(container.NewBorder(nil, nil, back, nil, heading(l.Title)), bar)
	nav := container.NewBorder(nil, nil, prev, next)
	main := container.NewBorder(heading(sec.Title), nil, nil, nil, container.NewVScroll(body))
	split := container.NewHSplit(main, container.NewVScroll(container.NewPadded(side)))
	split.Offset = 0.72
	return container.NewPadded(container.NewBorder(top, nav, nil, nil, split))
}
