package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// screen is one screen of the app: a type that owns its widgets, built once by its
// constructor, which reads nothing on the UI goroutine (its data comes through fetch).
type screen interface {
	// content is the screen's widget tree.
	content() fyne.CanvasObject
}

// leaver is a screen with something to save before it is left (a lesson's position).
type leaver interface{ leave() }

// reloader is a screen whose data may have changed while it was under another one: it
// is read again when the screen comes back to the top.
type reloader interface{ reload() }

// focuser is a screen with a widget to focus when it is shown.
type focuser interface{ focus() }

// navEntry is a screen on the navigation stack, with the constructor that builds it
// again after a change of language or text size.
type navEntry struct {
	s          screen
	build      func() screen
	generation int
}

// top is the screen shown, nil before the first.
func (u *UI) top() *navEntry {
	if len(u.stack) == 0 {
		return nil
	}
	return u.stack[len(u.stack)-1]
}

// push shows a new screen over the current one; Back returns to the current one as it
// was.
func (u *UI) push(build func() screen) {
	u.leaveTop()
	u.stack = append(u.stack, &navEntry{s: build(), build: build, generation: u.generation})
	u.showTop()
}

// replace shows a new screen in place of the current one (a quiz by its results):
// Back goes to the screen under both.
func (u *UI) replace(build func() screen) {
	u.leaveTop()
	if len(u.stack) > 0 {
		u.stack = u.stack[:len(u.stack)-1]
	}
	u.stack = append(u.stack, &navEntry{s: build(), build: build, generation: u.generation})
	u.showTop()
}

// home starts a new stack with one screen: the first screen, trainer mode's tabs after
// the first screen, or a learner's catalog.
func (u *UI) home(build func() screen) {
	u.leaveTop()
	u.stack = append(u.stack[:0], &navEntry{s: build(), build: build, generation: u.generation})
	if !u.inTrainerMode() {
		u.vault = nil // the trainer's secrets are open only in trainer mode
	}
	u.showTop()
}

// back returns to the screen under the current one, exactly as it was; from the bottom
// of the stack, to the first screen.
func (u *UI) back() {
	u.leaveTop()
	if len(u.stack) > 1 {
		u.stack = u.stack[:len(u.stack)-1]
		if r, ok := u.top().s.(reloader); ok && u.top().generation == u.generation {
			r.reload()
		}
		u.showTop()
		return
	}
	u.learner = nil
	u.stack = u.stack[:0]
	u.home(u.learnersScreen)
}

// inTrainerMode tells whether trainer mode is open (its tabs are on the stack).
func (u *UI) inTrainerMode() bool {
	for _, e := range u.stack {
		if _, ok := e.s.(*trainerScreen); ok {
			return true
		}
	}
	return false
}

func (u *UI) leaveTop() {
	if top := u.top(); top != nil {
		if l, ok := top.s.(leaver); ok {
			l.leave()
		}
	}
}

// showTop puts the top screen in the window, built again first if the language or the
// text size changed since it was built.
func (u *UI) showTop() {
	top := u.top()
	if top.generation != u.generation {
		top.s, top.generation = top.build(), u.generation
	}
	c := u.win.Canvas()
	c.SetOnTypedKey(nil)
	c.SetOnTypedRune(nil)
	c.Unfocus()
	u.win.SetTitle(u.T("App.Title"))
	u.bar.update()
	// The screen's widgets are up to date (a screen updates them in place): the body is
	// laid out and drawn again, without refreshing every widget of the screen, which for
	// the trainer's matrix means shaping the text of every visible cell again.
	u.body.Objects = []fyne.CanvasObject{top.s.content()}
	u.body.Layout.Layout(u.body.Objects, u.body.Size())
	canvas.Refresh(u.body)
	if f, ok := top.s.(focuser); ok {
		f.focus()
	}
}

// rebuild builds the top bar and the shown screen again, after a change of language or
// text size; the screens under it are built again when they come back.
func (u *UI) rebuild() {
	u.generation++
	u.bar.build()
	if u.top() != nil {
		u.leaveTop()
		u.showTop()
	}
}
