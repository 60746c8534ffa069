package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/locales"
	"indicia/modules"
)

// learnersScreen is the first screen: choose the language, then pick an existing learner
// of this machine or create one.
type learnersScreen struct {
	u *UI

	name   *widget.Entry
	role   *widget.Select
	cohort *widget.Entry
	pin    *widget.Entry
	create *widget.Button
	recent *widget.Button // the most recently active learner
}

func (u *UI) showLearners() {
	s := &learnersScreen{u: u}
	u.show(s.view)
	if s.recent != nil {
		u.win.Canvas().Focus(s.recent) // Space continues as the most recent learner
	} else {
		u.win.Canvas().Focus(s.name) // no one yet: let them type their name at once
	}
}

func (u *UI) roleName(r string) string { return u.T("Role." + r) }

func (u *UI) roleOptions() []string {
	var out []string
	for _, r := range modules.Roles {
		out = append(out, u.roleName(string(r)))
	}
	return out
}

func (s *learnersScreen) view() fyne.CanvasObject {
	u := s.u
	var names []string
	for _, l := range locales.Languages {
		names = append(names, locales.Native[l])
	}
	lang := widget.NewSelect(names, func(name string) {
		for _, l := range locales.Languages {
			if locales.Native[l] == name && l != u.loc.Lang {
				u.setLanguage(l)
			}
		}
	})
	lang.SetSelected(locales.Native[u.loc.Lang])

	intro := container.NewVBox(
		heading(u.T("Learners.Welcome")),
		wrapped(u.T("Learners.Intro")),
		container.NewBorder(nil, nil, widget.NewLabel(u.T("Learners.Language")), nil, lang),
	)

	learners, err := u.store.Learners(u.ctx)
	if err != nil {
		u.showError(err)
	}
	existing := container.NewVBox(heading(u.T("Learners.Existing")))
	if len(learners) == 0 {
		existing.Add(wrapped(u.T("Learners.None")))
	}
	for i, l := range learners {
		l := l
		label := l.Name + " — " + u.roleName(l.Role)
		if l.Cohort != "" {
			label += " (" + l.Cohort + ")"
		}
		icon := theme.AccountIcon()
		if l.HasPIN {
			icon = theme.VisibilityOffIcon()
		}
		b := widget.NewButtonWithIcon(label, icon, func() { s.choose(l) })
		b.Alignment = widget.ButtonAlignLeading
		if i == 0 {
			b.Importance = widget.HighImportance // the one most recently active
			s.recent = b
		}
		existing.Add(b)
	}

	s.name = widget.NewEntry()
	s.name.SetPlaceHolder(u.T("Learners.NamePlaceholder"))
	s.role = widget.NewSelect(u.roleOptions(), nil)
	s.role.PlaceHolder = u.T("Learners.RolePlaceholder")
	s.cohort = widget.NewEntry()
	s.cohort.SetPlaceHolder(u.T("Learners.Optional"))
	s.pin = widget.NewPasswordEntry()
	s.pin.SetPlaceHolder(u.T("Learners.PINPlaceholder"))
	s.create = widget.NewButtonWithIcon(u.T("Learners.Create"), theme.ContentAddIcon(), s.onCreate)
	if len(learners) == 0 {
		s.create.Importance = widget.HighImportance
	}
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
	newLearner := container.NewVBox(heading(u.T("Learners.New")), wrapped(u.T("Learners.NewHelp")), form, s.create)

	// Those who have trained here before come first, once there are any: on a shared
	// machine most people come back, and at a large text size the columns are stacked.
	first, second := container.NewPadded(newLearner), container.NewPadded(existing)
	if len(learners) > 0 {
		first, second = second, first
	}
	body := container.NewVBox(intro, widget.NewSeparator(), u.fitColumns(first, second))
	return container.NewVScroll(container.NewPadded(body))
}

func (s *learnersScreen) onCreate() {
	u := s.u
	i := slices.Index(u.roleOptions(), s.role.Selected)
	if s.name.Text == "" || i < 0 {
		dialog.ShowInformation(u.T("Learners.Missing"), u.T("Learners.MissingHelp"), u.win)
		return
	}
	l, err := u.store.CreateLearner(u.ctx, progress.NewLearner{
		Name: s.name.Text, Role: string(modules.Roles[i]), Language: u.loc.Lang, Cohort: s.cohort.Text, PIN: s.pin.Text,
	})
	if err != nil {
		u.showError(err)
		return
	}
	u.signIn(l)
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
		ok, err := u.store.CheckPIN(u.ctx, l.ID, pin.Text)
		if err != nil {
			u.showError(err)
			return
		}
		if !ok {
			pin.SetText("")
			dialog.ShowInformation(u.T("PIN.WrongTitle"), u.T("PIN.Wrong"), u.win)
			return
		}
		d.Hide()
		u.signIn(l)
	}
	pin.OnSubmitted = func(string) { check() }
	d = dialog.NewCustomConfirm(u.T("PIN.Title", map[string]any{"Name": l.Name}), u.T("PIN.OK"), u.T("Common.Cancel"),
		container.NewVBox(wrapped(u.T("PIN.Prompt")), pin), func(ok bool) {
			if ok {
				check()
			}
		}, u.win)
	d.Resize(fyne.NewSize(420, 200))
	d.Show()
	u.win.Canvas().Focus(pin)
}

func (u *UI) signIn(l progress.Learner) {
	if err := u.store.Touch(u.ctx, l.ID); err != nil {
		u.showError(err)
	}
	u.learner = &l
	if l.Language != u.loc.Lang {
		u.loc = u.bundle.For(l.Language)
		u.prefs.setLanguage(l.Language)
	}
	u.showCatalog()
}
