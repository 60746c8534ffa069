// Package app is Indicia's desktop user interface (Fyne): one file per screen. It reads
// and writes progress only through app/progress and content only through modules.
//
// Each screen is a type that builds its widgets once, in its constructor, and updates
// them in place; its data is read off the UI goroutine (fetch) and applied with fyne.Do.
// The one exception is an answer's commit, which is waited for before its feedback is
// shown. The screens form a stack (nav.go): Back returns to exactly where the user was.
package app

import (
	"context"
	"errors"
	"log"
	"math/rand/v2"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/locales"
	"indicia/modules"
)

// UI is the application window and what every screen shares.
type UI struct {
	app fyne.App
	win fyne.Window
	// store is what the screens read and write, always off the UI goroutine except for
	// an answer's commit.
	store Store
	// files is the same store, for app/report's exports, bundles and certificates,
	// which run behind a progress dialog off the UI goroutine (see work).
	files *progress.Store
	// content gives the training content, loading it the first time it is needed (see
	// NewLazy).
	content func() *modules.Catalog
	bundle  *locales.Bundle
	loc     *locales.Localizer
	prefs   prefs
	ctx     context.Context

	learner *progress.Learner // nil until someone is signed in
	vault   *progress.Vault   // the trainer's secrets, open while trainer mode is
	stack   []*navEntry       // the screens, the one shown last
	bar     *topBar
	body    *fyne.Container // holds the shown screen's content, under the top bar
	// generation grows when the language or the text size changes: a screen built for
	// an older generation is built again when it comes back to the top.
	generation int
	// jobs runs the store's reads and writes off the UI goroutine, one after the other
	// in the order they were asked for: a screen reads what the one before it saved.
	// They wait for the store to be open (see NewOpening).
	jobs serial
	// opened is closed once store is set.
	opened chan struct{}
	// peek lists this station's learners from the file while the store is being opened
	// (progress.PeekStationLearners); nil when the store was open from the start.
	peek func(ctx context.Context, q progress.LearnerSearch) ([]progress.Learner, int, error)
	// pending counts the jobs under way (tests wait for them).
	pending sync.WaitGroup
	// onUI runs a job's result on the UI goroutine: fyne.Do. Fyne's test driver runs
	// fyne.Do at once on the calling goroutine; the tests run the results on theirs.
	onUI func(func())

	// Seed, when not zero, makes quiz draws repeatable (INDICIA_SEED; for demos and
	// the smoke test).
	Seed  uint64
	draws uint64

	// closed, when set, runs once the window is closed (OnClosed).
	closed func()
}

// OnClosed sets what runs once the window has been closed, after the shown screen was
// left (its position saved).
func (u *UI) OnClosed(f func()) { u.closed = f }

// rng returns the random source for the next quiz draw.
func (u *UI) rng() *rand.Rand {
	if u.Seed != 0 {
		u.draws++
		return rand.New(rand.NewPCG(u.Seed, u.draws))
	}
	return rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
}

// New builds the UI on a; systemLocales are the user's preferred languages (BCP 47),
// used when no language was chosen yet.
func New(a fyne.App, store *progress.Store, catalog *modules.Catalog, bundle *locales.Bundle, systemLocales ...string) *UI {
	return NewLazy(a, store, func() *modules.Catalog { return catalog }, bundle, systemLocales...)
}

// NewLazy is New with the content loaded by load the first time a screen needs it. The
// first screen (choosing a learner) does not: the window opens without waiting for the
// content, and the memory it takes is not spent by a window left open on that screen.
// load must not fail: the shipped content is checked by the tests and by `indicia
// content check`.
func NewLazy(a fyne.App, store *progress.Store, load func() *modules.Catalog, bundle *locales.Bundle, systemLocales ...string) *UI {
	u := NewOpening(a, load, bundle, nil, systemLocales...)
	u.Opened(store)
	return u
}

// NewOpening is NewLazy while the store is still being opened (and its file checked, on
// the other core): the window and the first screen are made at once, and the store's
// work waits for Opened. Meanwhile peek, when not nil, lists the learners for the first
// screen straight from the file.
func NewOpening(a fyne.App, load func() *modules.Catalog, bundle *locales.Bundle,
	peek func(ctx context.Context, q progress.LearnerSearch) ([]progress.Learner, int, error), systemLocales ...string) *UI {
	content := sync.OnceValue(load)
	u := &UI{app: a, content: content, bundle: bundle, prefs: prefs{a.Preferences()}, ctx: context.Background(), onUI: fyne.Do,
		opened: make(chan struct{}), peek: peek}
	u.jobs.wait = u.opened
	lang := u.prefs.language()
	if lang == "" {
		lang = locales.Match(systemLocales...)
	}
	u.loc = bundle.For(lang)
	u.applyTheme()
	u.win = a.NewWindow(u.loc.T("App.Title"))
	u.win.Resize(fyne.NewSize(1000, 720))
	u.win.SetOnClosed(func() {
		if top := u.top(); top != nil {
			if l, ok := top.s.(leaver); ok {
				l.leave()
			}
		}
		if u.closed != nil {
			u.closed()
		}
	})
	u.bar = newTopBar(u)
	u.body = container.NewStack()
	u.win.SetContent(container.NewBorder(u.bar.box, nil, nil, nil, u.body))
	return u
}

// Opened gives the UI its store, once open: the store's work waiting for it starts.
func (u *UI) Opened(store *progress.Store) {
	u.store, u.files = store, store
	close(u.opened)
}

// isOpen tells whether the store is open.
func (u *UI) isOpen() bool {
	select {
	case <-u.opened:
		return true
	default:
		return false
	}
}

// Preload loads and validates the training content now, if no screen has yet. It may be
// called from any goroutine; a screen that needs the content meanwhile waits for it.
func (u *UI) Preload() { u.content() }

// catalog is the training content, waiting for it if it is still loading. Screens call
// it off the UI goroutine (in fetch) the first time.
func (u *UI) catalog() *modules.Catalog { return u.content() }

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// Start shows the first screen: choosing or creating a learner.
func (u *UI) Start() { u.home(u.learnersScreen) }

// T translates a message id.
func (u *UI) T(id string, data ...map[string]any) string { return u.loc.T(id, data...) }

// N translates a plural message id for count.
func (u *UI) N(id string, count int, data map[string]any) string { return u.loc.N(id, count, data) }

// fetch runs read off the UI goroutine, then apply with its result on the UI goroutine.
// An error is shown to the user instead, and apply is not called. read must look the
// store up when it runs (a closure, not a method value of u.store): while the store is
// being opened, u.store is not set yet.
func fetch[T any](u *UI, read func(ctx context.Context) (T, error), apply func(T)) {
	u.pending.Add(1)
	u.jobs.do(func() {
		defer u.pending.Done()
		v, err := read(u.ctx)
		u.onUI(func() {
			if err != nil {
				u.showError(err)
				return
			}
			apply(v)
		})
	})
}

// serial runs jobs on a goroutine of its own, one at a time, in the order given. The
// goroutine ends when there is nothing left to do.
type serial struct {
	wait    <-chan struct{} // the jobs start once it is closed
	mu      sync.Mutex
	jobs    []func()
	running bool
}

func (q *serial) do(job func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, job)
	if !q.running {
		q.running = true
		go q.run()
	}
}

func (q *serial) run() {
	if q.wait != nil {
		<-q.wait
	}
	for {
		q.mu.Lock()
		if len(q.jobs) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		job := q.jobs[0]
		q.jobs = q.jobs[1:]
		q.mu.Unlock()
		job()
	}
}

// perform is fetch for a change with no result: write runs off the UI goroutine, then
// done on it when write succeeded.
func (u *UI) perform(write func(ctx context.Context) error, done func()) {
	fetch(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, write(ctx) }, func(struct{}) {
		if done != nil {
			done()
		}
	})
}

// signOut returns to the first screen.
func (u *UI) signOut() {
	u.learner = nil
	u.home(u.learnersScreen)
}

// setLanguage switches the interface and content language at run time.
func (u *UI) setLanguage(lang string) {
	u.loc = u.bundle.For(lang)
	u.prefs.setLanguage(lang)
	if u.learner != nil && u.learner.Language != lang {
		id := u.learner.ID
		u.learner.Language = lang
		u.perform(func(ctx context.Context) error { return u.store.SetLanguage(ctx, id, lang) }, nil)
	}
	u.rebuild()
}

// showError tells the user what went wrong in words they can act on.
func (u *UI) showError(err error) {
	log.Printf("error: %v", err)
	dialog.ShowError(errors.New(u.errorText(err)), u.win)
}

// errorText turns a store error into a translated message.
func (u *UI) errorText(err error) string {
	var wait *progress.WaitError
	var cert *report.CertificateError
	switch {
	case errors.Is(err, progress.ErrDiskFull):
		return u.T("Error.DiskFull")
	case errors.Is(err, progress.ErrNotWritable):
		return u.T("Error.NotWritable")
	case errors.Is(err, progress.ErrInUse):
		return u.T("Error.InUse")
	case errors.Is(err, progress.ErrCorrupt):
		return u.T("Error.Corrupt")
	case errors.Is(err, progress.ErrInvalid):
		return u.T("Error.Invalid")
	case errors.As(err, &wait):
		return u.T("Trainer.Wait", map[string]any{"Seconds": u.loc.Number(int(wait.Wait.Seconds() + 0.999))})
	case errors.As(err, &cert):
		return cert.Message(u.loc)
	}
	return u.T("Error.Generic", map[string]any{"Detail": err.Error()})
}

// topBar is on every screen: who is signed in, the way home, and the support, glossary
// and settings buttons. It is built once (again when the language or text size changes)
// and its buttons are shown or hidden as the user moves.
type topBar struct {
	u        *UI
	box      *fyne.Container
	title    *widget.Label
	who      *widget.Label
	home     *widget.Button
	switcher *widget.Button
	trainer  *widget.Button
	mode     string // what the bar is laid out for: "learner", "trainer" or "start"
}

func newTopBar(u *UI) *topBar {
	b := &topBar{u: u, box: container.NewVBox()}
	b.build()
	return b
}

// build makes the bar's widgets in the current language.
func (b *topBar) build() {
	u := b.u
	b.title = widget.NewLabelWithStyle(u.T("App.Title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	b.title.Truncation = fyne.TextTruncateEllipsis
	b.who = widget.NewLabel("")
	b.who.Truncation = fyne.TextTruncateEllipsis
	b.home = widget.NewButtonWithIcon(u.T("Top.Catalog"), theme.HomeIcon(), func() { u.home(u.catalogScreen) })
	b.switcher = widget.NewButtonWithIcon(u.T("Top.SwitchLearner"), theme.AccountIcon(), u.signOut)
	b.trainer = widget.NewButtonWithIcon(u.T("Trainer.Button"), theme.VisibilityIcon(), u.askTrainer)
	b.mode = ""
	b.update()
}

// update lays the bar out for where the user is: a learner's screens, trainer mode, or
// the first screen (the only place trainer mode is entered from, with the passphrase).
func (b *topBar) update() {
	u := b.u
	mode := "start"
	switch {
	case u.learner != nil:
		mode = "learner"
	case u.inTrainerMode():
		mode = "trainer"
	}
	if u.learner != nil {
		b.who.SetText(u.T("Top.SignedInAs", map[string]any{"Name": u.learner.Name}))
	}
	if mode == b.mode {
		return
	}
	b.mode = mode
	support := widget.NewButtonWithIcon(u.T("Support.Button"), theme.HelpIcon(), u.showSupport)
	support.Importance = widget.HighImportance
	glossary := widget.NewButtonWithIcon(u.T("Glossary.Button"), theme.SearchIcon(), u.showGlossary)
	settings := widget.NewButtonWithIcon(u.T("Settings.Button"), theme.SettingsIcon(), u.showSettings)
	right := container.NewHBox(glossary, settings, support)
	var row fyne.CanvasObject
	switch mode {
	case "learner":
		row = u.fitBar(container.NewHBox(b.home, b.switcher), b.who, right)
	case "trainer":
		row = u.fitBar(container.NewHBox(), b.title, right)
	default:
		right.Objects = append([]fyne.CanvasObject{b.trainer}, right.Objects...)
		row = u.fitBar(container.NewHBox(), b.title, right)
	}
	b.box.Objects = []fyne.CanvasObject{row, widget.NewSeparator()}
	b.box.Refresh()
}

// fitBar lays out a bar as left, middle (which truncates) and right on one row, or on two
// rows when that row would be wider than the window (large text, long words): buttons
// cannot wrap, and a too-wide bar would push the window past the screen.
func (u *UI) fitBar(left *fyne.Container, middle, right fyne.CanvasObject) fyne.CanvasObject {
	if left.MinSize().Width+right.MinSize().Width+theme.Padding()*6+80 <= u.width() {
		return container.NewBorder(nil, nil, left, right, middle)
	}
	return container.NewVBox(container.NewBorder(nil, nil, nil, right, middle), left)
}

// fitColumns lays out a and b side by side in two equal columns, or one above the other
// when two columns as wide as the wider of them would not fit the window (large text,
// long names on buttons, which cannot wrap).
func (u *UI) fitColumns(a, b fyne.CanvasObject) fyne.CanvasObject {
	if 2*max(a.MinSize().Width, b.MinSize().Width)+theme.Padding()*4 <= u.width() {
		return container.NewGridWithColumns(2, a, b)
	}
	return container.NewVBox(a, b)
}

// width is the window's width to lay a screen out in: the window's own, or the width it
// opens at before it is shown.
func (u *UI) width() float32 {
	if w := u.win.Canvas().Size().Width; w > 0 {
		return w
	}
	return 1000
}

// wrapped returns a label that wraps words, for running text.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// progressRow is a progress bar at value (0 to 1) with its text in a label beside it.
// Fyne writes a bar's own text in the colour for text on the primary colour (white),
// which cannot be read on the pale part of the bar that is not yet filled.
func progressRow(value float64, text string) (*fyne.Container, *widget.ProgressBar, *widget.Label) {
	bar := widget.NewProgressBar()
	bar.TextFormatter = func() string { return "" }
	bar.SetValue(value)
	label := widget.NewLabel(text)
	return container.NewBorder(nil, nil, nil, label, bar), bar, label
}

func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// loading is what a part of a screen shows while its data is read.
func (u *UI) loading() fyne.CanvasObject {
	l := widget.NewLabelWithStyle(u.T("Common.Loading"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	return l
}
