// Package app is Indicia's desktop user interface (Fyne): one file per screen. It reads
// and writes progress only through app/progress and content only through modules.
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
	app   fyne.App
	win   fyne.Window
	store *progress.Store
	// content gives the training content, loading it the first time it is needed (see
	// NewLazy).
	content func() *modules.Catalog
	bundle  *locales.Bundle
	loc     *locales.Localizer
	prefs   prefs
	ctx     context.Context

	learner *progress.Learner // nil until someone is signed in
	quiz    *quizScreen       // the quiz under way, if any
	trainer *trainerScreen    // trainer mode, if open
	vault   *progress.Vault   // the trainer's secrets, open while trainer mode is
	screen  func() fyne.CanvasObject
	// leave is called before the screen changes, so a screen can save what it has.
	leave func()
	// Seed, when not zero, makes quiz draws repeatable (INDICIA_SEED; for demos and
	// the smoke test).
	Seed  uint64
	draws uint64
	// onUI runs a read's result on the UI goroutine (fyne.Do); tests collect the
	// results and apply them on the test goroutine. pending counts the reads under way.
	onUI    func(func())
	pending sync.WaitGroup
}

// fetch runs read off the UI goroutine, then apply with its result on the UI
// goroutine; an error is shown instead, and apply is not called. (Issue 11 brings the
// same helper for every screen: when both are in, one of the two goes.)
func fetch[T any](u *UI, read func(ctx context.Context) (T, error), apply func(T)) {
	u.pending.Add(1)
	go func() {
		defer u.pending.Done()
		v, err := read(u.ctx)
		u.onUI(func() {
			if err != nil {
				u.showError(err)
				return
			}
			apply(v)
		})
	}()
}

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
	content := sync.OnceValue(load)
	u := &UI{app: a, store: store, content: content, bundle: bundle, prefs: prefs{a.Preferences()}, ctx: context.Background(),
		onUI: fyne.Do}
	lang := u.prefs.language()
	if lang == "" {
		lang = locales.Match(systemLocales...)
	}
	u.loc = bundle.For(lang)
	u.applyTheme()
	u.win = a.NewWindow(u.loc.T("App.Title"))
	u.win.Resize(fyne.NewSize(1000, 720))
	u.win.SetOnClosed(func() { u.runLeave() })
	return u
}

// Preload loads and validates the training content now, if no screen has yet. It may be
// called from any goroutine; a screen that needs the content meanwhile waits for it.
func (u *UI) Preload() { u.content() }

// catalog is the training content, waiting for it if it is still loading.
func (u *UI) catalog() *modules.Catalog { return u.content() }

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// Start shows the first screen: choosing or creating a learner.
func (u *UI) Start() { u.showLearners() }

// T translates a message id.
func (u *UI) T(id string, data ...map[string]any) string { return u.loc.T(id, data...) }

// N translates a plural message id for count.
func (u *UI) N(id string, count int, data map[string]any) string { return u.loc.N(id, count, data) }

func (u *UI) runLeave() {
	if u.leave != nil {
		leave := u.leave
		u.leave = nil
		leave()
	}
}

// show replaces the window's content with the screen that build makes, under the top
// bar. build is kept so the screen can be rebuilt when the language or text size changes.
func (u *UI) show(build func() fyne.CanvasObject) {
	u.runLeave()
	u.screen = build
	u.redraw()
}

func (u *UI) redraw() {
	u.win.SetTitle(u.T("App.Title"))
	u.win.Canvas().SetOnTypedKey(nil)
	u.win.Canvas().SetOnTypedRune(nil)
	u.win.SetContent(container.NewBorder(u.topBar(), nil, nil, nil, u.screen()))
}

// topBar is on every screen: who is signed in, and the support, glossary and settings
// buttons.
func (u *UI) topBar() fyne.CanvasObject {
	support := widget.NewButtonWithIcon(u.T("Support.Button"), theme.HelpIcon(), u.showSupport)
	support.Importance = widget.HighImportance
	glossary := widget.NewButtonWithIcon(u.T("Glossary.Button"), theme.SearchIcon(), u.showGlossary)
	settings := widget.NewButtonWithIcon(u.T("Settings.Button"), theme.SettingsIcon(), u.showSettings)
	items := []fyne.CanvasObject{}
	if u.learner != nil {
		who := widget.NewLabel(u.T("Top.SignedInAs", map[string]any{"Name": u.learner.Name}))
		who.Truncation = fyne.TextTruncateEllipsis
		items = append(items,
			widget.NewButtonWithIcon(u.T("Top.Catalog"), theme.HomeIcon(), u.showCatalog),
			widget.NewButtonWithIcon(u.T("Top.SwitchLearner"), theme.AccountIcon(), u.signOut))
		left, right := container.NewHBox(items...), container.NewHBox(glossary, settings, support)
		return container.NewVBox(u.fitBar(left, who, right), widget.NewSeparator())
	}
	title := widget.NewLabelWithStyle(u.T("App.Title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	right := container.NewHBox(glossary, settings, support)
	if u.trainer == nil {
		// Trainer mode is entered from the first screen only, with the passphrase.
		right.Objects = append([]fyne.CanvasObject{widget.NewButtonWithIcon(u.T("Trainer.Button"), theme.VisibilityIcon(), u.askTrainer)}, right.Objects...)
	}
	return container.NewVBox(u.fitBar(container.NewHBox(), title, right), widget.NewSeparator())
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

func (u *UI) signOut() {
	u.runLeave()
	u.learner = nil
	u.showLearners()
}

// setLanguage switches the interface and content language at run time.
func (u *UI) setLanguage(lang string) {
	u.loc = u.bundle.For(lang)
	u.prefs.setLanguage(lang)
	if u.learner != nil && u.learner.Language != lang {
		if err := u.store.SetLanguage(u.ctx, u.learner.ID, lang); err != nil {
			u.showError(err)
		}
		u.learner.Language = lang
	}
	u.redraw()
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
