package app

import (
	"context"
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
	u         *UI
	module    *modules.Module
	lessonID  string
	learnerID int64
	pos       int
	since     time.Time // when the time spent was last saved
	loaded    bool      // the saved position was read

	root    *fyne.Container
	title   *widget.Label
	counter *widget.Label
	bar     *widget.ProgressBar
	section *widget.Label
	body    *fyne.Container
	cite    *widget.Label
	scroll  *container.Scroll
	prev    *widget.Button
	next    *widget.Button
}

func (u *UI) lessonScreen(m *modules.Module, lessonID string) screen {
	s := &lessonScreen{u: u, module: m, lessonID: lessonID, learnerID: u.learner.ID, since: time.Now()}
	l := s.lesson()
	s.title = heading(l.Title)
	back := widget.NewButtonWithIcon(u.T("Lesson.BackToModule"), theme.NavigateBackIcon(), u.back)
	row, bar, counter := progressRow(0, "")
	s.bar, s.counter = bar, counter
	s.section = heading("")
	s.body = container.NewVBox(u.loading())
	s.cite = wrapped("")
	s.cite.TextStyle = fyne.TextStyle{Italic: true}
	side := container.NewVBox(widget.NewLabelWithStyle(u.T("Lesson.Source"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), s.cite,
		widget.NewButtonWithIcon(u.T("Glossary.Button"), theme.SearchIcon(), u.showGlossary))
	s.prev = widget.NewButtonWithIcon(u.T("Lesson.Previous"), theme.NavigateBackIcon(), func() { s.goTo(s.pos - 1) })
	s.next = widget.NewButtonWithIcon(u.T("Lesson.Next"), theme.NavigateNextIcon(), s.onNext)
	s.next.Importance = widget.HighImportance
	s.prev.Disable()
	s.next.Disable()
	top := container.NewVBox(container.NewBorder(nil, nil, back, nil, s.title), row)
	nav := container.NewBorder(nil, nil, s.prev, s.next)
	s.scroll = container.NewVScroll(s.body)
	main := container.NewBorder(s.section, nil, nil, nil, s.scroll)
	split := container.NewHSplit(main, container.NewVScroll(container.NewPadded(side)))
	split.Offset = 0.72
	s.root = container.NewPadded(container.NewBorder(top, nav, nil, nil, split))

	fetch(u, func(ctx context.Context) (int, error) {
		p, err := u.store.Lessons(ctx, s.learnerID, m.ID)
		return p[lessonID].Position, err
	}, func(pos int) {
		s.loaded = true
		s.pos = pos
		s.showSection()
	})
	return s
}

func (s *lessonScreen) content() fyne.CanvasObject { return s.root }

func (s *lessonScreen) lesson() modules.Lesson {
	l, _ := s.module.Lesson(s.u.loc.Lang, s.lessonID)
	return l
}

// leave saves the position and the time spent when the lesson is left.
func (s *lessonScreen) leave() {
	if s.loaded {
		s.save(false, nil)
	}
}

// save records the position and the time spent since the last save, off the UI
// goroutine, then calls done.
func (s *lessonScreen) save(completed bool, done func()) {
	now := time.Now()
	spent := now.Sub(s.since)
	s.since = now
	u, pos := s.u, s.pos
	u.perform(func(ctx context.Context) error {
		return u.store.SaveLesson(ctx, s.learnerID, s.module.ID, s.lessonID, pos, spent, completed)
	}, done)
}

func (s *lessonScreen) goTo(pos int) {
	s.pos = pos
	s.save(false, nil)
	s.showSection()
}

// onNext goes to the next section, or after the last marks the lesson read and returns
// to the module.
func (s *lessonScreen) onNext() {
	if s.pos < len(s.lesson().Sections)-1 {
		s.goTo(s.pos + 1)
		return
	}
	s.next.Disable()
	s.loaded = false // saved here, not again on leaving
	s.save(true, s.u.back)
}

// showSection puts the current section in the screen's widgets.
func (s *lessonScreen) showSection() {
	u := s.u
	l := s.lesson()
	if s.pos >= len(l.Sections) || s.pos < 0 {
		s.pos = 0
	}
	sec := l.Sections[s.pos]
	s.section.SetText(sec.Title)
	s.body.Objects = []fyne.CanvasObject{markdownBlocks(sec.Body)}
	s.body.Refresh()
	s.scroll.ScrollToTop()
	s.cite.SetText(u.citationText(sec.Cite, sec.General))
	s.bar.SetValue(float64(s.pos+1) / float64(len(l.Sections)))
	s.counter.SetText(u.T("Lesson.Counter", map[string]any{"N": s.pos + 1, "Total": len(l.Sections)}))
	if s.pos == 0 {
		s.prev.Disable()
	} else {
		s.prev.Enable()
	}
	if s.pos < len(l.Sections)-1 {
		s.next.SetText(u.T("Lesson.Next"))
		s.next.SetIcon(theme.NavigateNextIcon())
	} else {
		s.next.SetText(u.T("Lesson.Finish"))
		s.next.SetIcon(theme.ConfirmIcon())
	}
	s.next.Enable()
}
