package app

import (
	"context"
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/locales"
	"indicia/modules"
)

// handful is how many of this station's learners the first screen lists before anyone
// searches: the most recently active. With more learners than that, a search field finds
// the others by name or cohort code; no one can browse the whole list.
const handful = 6

// searchLimit is the most learners a search lists.
const searchLimit = 50

// learnersScreen is the first screen: choose the language, then continue as one of this
// station's learners (the most recently active first, or found by a search) or create
// one.
type learnersScreen struct {
	u *UI

	root     *fyne.Container
	columns  *fyne.Container // the returning learners and the new learner's form
	existing *fyne.Container
	newOne   *fyne.Container

	search  *widget.Entry
	list    *widget.List
	status  *widget.Label // "no one yet", "no match", "type more", or loading
	shown   []progress.Learner
	total   int // this station's learners
	query   int // the search under way: answers to older ones are dropped
	loaded  bool
	focused bool

	name   *widget.Entry
	role   *widget.Select
	cohort *widget.Entry
	pin    *widget.Entry
	create *widget.Button
}

func (u *UI) learnersScreen() screen {
	s := &learnersScreen{u: u}
	s.build()
	s.find("")
	return s
}

func (s *learnersScreen) content() fyne.CanvasObject { return s.root }

func (u *UI) roleName(r string) string { return u.T("Role." + r) }

func (u *UI) roleOptions() []string {
	var out []string
	for _, r := range modules.Roles {
		out = append(out, u.roleName(string(r)))
	}
	return out
}

func (s *learnersScreen) build() {
	u := s.u
	var names []string
	for _, l := range locales.Languages {
		names = append(names, locales.Native[l])
	}
	lang := widget.NewSelect(names, nil)
	lang.SetSelected(locales.Native[u.loc.Lang])
	lang.OnChanged = s.onLanguage
	intro := container.NewVBox(
		heading(u.T("Learners.Welcome")),
		wrapped(u.T("Learners.Intro")),
		container.NewBorder(nil, nil, widget.NewLabel(u.T("Learners.Language")), nil, lang),
	)

	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(u.T("Learners.Search"))
	s.search.OnChanged = s.find
	s.search.Hide() // shown once there are more than a handful of learners
	s.status = wrapped(u.T("Common.Loading"))
	s.status.TextStyle = fyne.TextStyle{Italic: true}
	s.list = widget.NewList(
		func() int { return len(s.shown) },
		func() fyne.CanvasObject {
			b := widget.NewButtonWithIcon("", theme.AccountIcon(), nil)
			b.Alignment = widget.ButtonAlignLeading
			return b
		},
		s.showRow)
	s.list.HideSeparators = true
	// The list scrolls within a fixed height: a handful of rows.
	rows := canvas.NewRectangle(color.Transparent)
	row := widget.NewButtonWithIcon("Indicia", theme.AccountIcon(), nil).MinSize().Height + theme.Padding()
	rows.SetMinSize(fyne.NewSize(0, float32(handful)*row))
	s.existing = container.NewVBox(heading(u.T("Learners.Existing")), s.search, s.status, container.NewStack(rows, s.list))

	s.name = widget.NewEntry()
	s.name.SetPlaceHolder(u.T("Learners.NamePlaceholder"))
	s.role = widget.NewSelect(u.roleOptions(), nil)
	s.role.PlaceHolder = u.T("Learners.RolePlaceholder")
	s.cohort = widget.NewEntry()
	s.cohort.SetPlaceHolder(u.T("Learners.Optional"))
	s.pin = widget.NewPasswordEntry()
	s.pin.SetPlaceHolder(u.T("Learners.PINPlaceholder"))
	s.create = widget.NewButtonWithIcon(u.T("Learners.Create"), theme.ContentAddIcon(), s.onCreate)
	// Enter in any field creates the learner.
	s.name.OnSubmitted = func(string) { s.onCreate() }
	s.cohort.OnSubmitted = func(string) { s.onCreate() }
	s.pin.OnSubmitted = func(string) { s.onCreate() }
	form := widget.NewForm(
		widget.NewFormItem(u.T("Learners.Name"), s.name),
		widget.NewFormItem(u.T("Learners.Role"), s.role),
		widget.NewFormItem(u.T("Learners.Cohort"), s.cohort),
		widget.NewFormItem(u.T("Learners.PIN"), s.pin),
	)
	s.newOne = container.NewVBox(heading(u.T("Learners.New")), wrapped(u.T("Learners.NewHelp")), form, s.create)

	// Those who have trained here before come first (see arrange): on a shared machine
	// most people come back, and at a large text size the columns are stacked.
	s.columns = container.NewStack(u.fitColumns(container.NewPadded(s.existing), container.NewPadded(s.newOne)))
	body := container.NewVBox(intro, widget.NewSeparator(), s.columns)
	s.root = container.NewStack(container.NewVScroll(container.NewPadded(body)))
}

// showRow fills list row i: a learner's name, role and cohort, a lock when a PIN
// protects the profile; the first (the most recently active, or the best match of a
// search) is the primary button.
func (s *learnersScreen) showRow(i widget.ListItemID, o fyne.CanvasObject) {
	b := o.(*widget.Button)
	if i >= len(s.shown) {
		return
	}
	l := s.shown[i]
	label := l.Name + " — " + s.u.roleName(l.Role)
	if l.Cohort != "" {
		label += " (" + l.Cohort + ")"
	}
	b.SetText(label)
	b.SetIcon(theme.AccountIcon())
	if l.HasPIN {
		b.SetIcon(theme.VisibilityOffIcon())
	}
	b.Importance = widget.MediumImportance
	if i == 0 {
		b.Importance = widget.HighImportance
	}
	b.OnTapped = func() { s.choose(l) }
	b.Refresh()
}

// foundLearners is what a search of the learners found.
type foundLearners struct {
	learners []progress.Learner
	total    int // this station's learners
}

// find lists the learners that text matches (the most recent when it is empty), read off
// the UI goroutine.
func (s *learnersScreen) find(text string) {
	u := s.u
	s.query++
	query := s.query
	limit := searchLimit
	if text == "" {
		limit = handful
	}
	search := progress.LearnerSearch{Text: text, Limit: limit}
	apply := func(f foundLearners) {
		if query != s.query {
			return // the learner typed on meanwhile
		}
		s.shown, s.total = f.learners, f.total
		s.arrange(text, limit)
	}
	if !u.isOpen() && u.peek != nil {
		// The store is still being opened and its file checked: the first screen's
		// learners are read from the file meanwhile, on a goroutine of their own. If the
		// file cannot be read, the store's opening says why.
		u.pending.Add(1)
		go func() {
			defer u.pending.Done()
			ls, total, err := u.peek(u.ctx, search)
			if err != nil {
				ls, total = nil, 0
			}
			u.onUI(func() { apply(foundLearners{ls, total}) })
		}()
		return
	}
	fetch(u, func(ctx context.Context) (foundLearners, error) {
		ls, total, err := u.store.StationLearners(ctx, search)
		return foundLearners{ls, total}, err
	}, apply)
}

// arrange shows what a search found, and lays the screen out for whether anyone has
// trained here yet.
func (s *learnersScreen) arrange(text string, limit int) {
	u := s.u
	s.list.UnselectAll()
	s.list.Refresh()
	s.list.ScrollToTop()
	switch {
	case s.total == 0:
		s.status.SetText(u.T("Learners.None"))
	case len(s.shown) == 0:
		s.status.SetText(u.T("Learners.NoMatch"))
	case text != "" && len(s.shown) == limit:
		s.status.SetText(u.T("Learners.TypeMore"))
	default:
		s.status.SetText("")
	}
	s.status.Hidden = s.status.Text == ""
	s.status.Refresh()
	if s.total > handful {
		s.search.Show()
	}
	if s.loaded {
		return
	}
	s.loaded = true
	if s.total == 0 {
		// No one yet: the form comes first, its button is the primary one, and the name
		// field takes the focus.
		s.columns.Objects = []fyne.CanvasObject{u.fitColumns(container.NewPadded(s.newOne), container.NewPadded(s.existing))}
		s.columns.Refresh()
		s.create.Importance = widget.HighImportance
		s.create.Refresh()
	}
	s.focus()
}

// focus gives the keyboard to where it is most likely wanted: the name field when no
// one has trained here yet, else the search field when there is one.
func (s *learnersScreen) focus() {
	if !s.loaded || s.u.top() == nil || s.u.top().s != screen(s) {
		return
	}
	switch {
	case s.total == 0:
		s.u.win.Canvas().Focus(s.name)
	case !s.search.Hidden:
		s.u.win.Canvas().Focus(s.search)
	}
}

func (s *learnersScreen) onLanguage(name string) {
	for _, l := range locales.Languages {
		if locales.Native[l] == name && l != s.u.loc.Lang {
			s.u.setLanguage(l)
		}
	}
}

func (s *learnersScreen) onCreate() {
	u := s.u
	i := slices.Index(u.roleOptions(), s.role.Selected)
	if s.name.Text == "" || i < 0 {
		dialog.ShowInformation(u.T("Learners.Missing"), u.T("Learners.MissingHelp"), u.win)
		return
	}
	n := progress.NewLearner{Name: s.name.Text, Role: string(modules.Roles[i]), Language: u.loc.Lang, Cohort: s.cohort.Text, PIN: s.pin.Text}
	s.create.Disable() // once: creating takes a moment with a PIN (argon2)
	fetch(u, func(ctx context.Context) (progress.Learner, error) {
		l, err := u.store.CreateLearner(ctx, n)
		if err != nil {
			fyne.Do(s.create.Enable)
		}
		return l, err
	}, u.signIn)
}

// choose signs in an existing learner, asking the PIN when one is set.
func (s *learnersScreen) choose(l progress.Learner) {
	u := s.u
	if !l.HasPIN {
		u.signIn(l)
		return
	}
	pin := widget.NewPasswordEntry()
	var d dialog.Dialog
	check := func() {
		given := pin.Text
		fetch(u, func(ctx context.Context) (bool, error) { return u.store.CheckPIN(ctx, l.ID, given) }, func(ok bool) {
			if !ok {
				pin.SetText("")
				dialog.ShowInformation(u.T("PIN.WrongTitle"), u.T("PIN.Wrong"), u.win)
				return
			}
			d.Hide()
			u.signIn(l)
		})
	}
	pin.OnSubmitted = func(string) { check() }
	d = dialog.NewCustomWithoutButtons(u.T("PIN.Title", map[string]any{"Name": l.Name}),
		container.NewVBox(wrapped(u.T("PIN.Prompt")), pin), u.win)
	ok := widget.NewButton(u.T("PIN.OK"), check)
	ok.Importance = widget.HighImportance
	d.(*dialog.CustomDialog).SetButtons([]fyne.CanvasObject{widget.NewButton(u.T("Common.Cancel"), d.Hide), ok})
	d.Resize(fyne.NewSize(420, 200))
	d.Show()
	u.win.Canvas().Focus(pin)
}

// signIn opens the learner's catalog; their activity is recorded off the UI goroutine.
func (u *UI) signIn(l progress.Learner) {
	u.learner = &l
	if l.Language != u.loc.Lang {
		u.loc = u.bundle.For(l.Language)
		u.prefs.setLanguage(l.Language)
		u.generation++
		u.bar.build()
	}
	u.perform(func(ctx context.Context) error { return u.store.Touch(ctx, l.ID) }, nil)
	u.home(u.catalogScreen)
}
