package app

import (
	"context"
	"errors"
	"log"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/modules"
)

// trainerScreen is what a trainer sees after giving the passphrase: the completion
// matrix, module statistics, cohorts, exports and settings, as tabs. Learners never
// reach it. One filter (cohort, role, last activity) serves the matrix, the charts and
// the exported report.
type trainerScreen struct {
	u      *UI
	filter progress.Filter
	root   fyne.CanvasObject
	// tabs is the row of tabs; their contents are shown in body, not in the tabs (which
	// refresh every tab's content, every widget of it, each time one is chosen).
	tabs     *container.AppTabs
	body     *fyne.Container
	contents [6]fyne.CanvasObject // each tab's content, once built

	completion *completionTab
	modules    *modulesTab
	cohorts    *cohortsTab
	exports    *exportsTab
	settings   *settingsTab
	measure    *measureTab
	// filterBars are the filter rows over the matrix and over the charts, kept showing
	// the same filter.
	filterBars []*filterBar
	// trustBox holds the trust settings, at the end of the settings tab (trust.go).
	trustBox *fyne.Container
	// changed is set when a learner's record changed what the tabs show (a cohort, an
	// erasure): they are read again when the trainer comes back to them.
	changed bool
}

// askTrainer asks for the trainer passphrase (or has one set on first use), then opens
// trainer mode.
func (u *UI) askTrainer() {
	type trainerState struct {
		has   bool
		setup progress.TrainerSetupState
	}
	fetch(u, func(ctx context.Context) (trainerState, error) {
		has, err := u.store.HasTrainerPassphrase(ctx)
		if err != nil || has {
			return trainerState{has: has}, err
		}
		setup, err := u.store.TrainerSetup(ctx)
		return trainerState{setup: setup}, err
	}, func(st trainerState) {
		if st.has {
			u.askPassphrase()
		} else {
			u.setFirstPassphrase(st.setup == progress.SetupNeedsCode)
		}
	})
}

// setFirstPassphrase has the first trainer choose the passphrase; once learners exist,
// with the one-time code `indicia trainer init` gives.
func (u *UI) setFirstPassphrase(needsCode bool) {
	pass, again, code := widget.NewPasswordEntry(), widget.NewPasswordEntry(), widget.NewEntry()
	items := []*widget.FormItem{
		widget.NewFormItem(u.T("Trainer.NewPassphrase"), pass),
		widget.NewFormItem(u.T("Trainer.RepeatPassphrase"), again),
	}
	if needsCode {
		items = append([]*widget.FormItem{widget.NewFormItem(u.T("Trainer.SetupCode"), code)}, items...)
		items[0].HintText = u.T("Trainer.SetupCodeHint")
	}
	d := dialog.NewForm(u.T("Trainer.SetTitle"), u.T("Trainer.Set"), u.T("Common.Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		if pass.Text != again.Text {
			dialog.ShowInformation(u.T("Trainer.SetTitle"), u.T("Trainer.Mismatch"), u.win)
			return
		}
		given, oneTime := pass.Text, code.Text
		fetch(u, func(ctx context.Context) (vaultResult, error) {
			err := u.store.SetupTrainer(ctx, oneTime, given)
			if errors.Is(err, progress.ErrSetupCode) || errors.Is(err, progress.ErrInvalid) {
				return vaultResult{refused: err}, nil
			}
			if err != nil {
				return vaultResult{}, err
			}
			v, err := u.store.OpenVault(ctx, given)
			if err != nil {
				log.Printf("trainer vault: %v", err)
				return vaultResult{}, nil
			}
			return vaultResult{vault: v}, nil
		}, func(r vaultResult) {
			switch {
			case errors.Is(r.refused, progress.ErrSetupCode):
				dialog.ShowInformation(u.T("Trainer.SetTitle"), u.T("Trainer.SetupCodeWrong"), u.win)
			case r.refused != nil:
				dialog.ShowInformation(u.T("Trainer.SetTitle"), u.T("Trainer.TooShort", map[string]any{"N": progress.MinPassphrase}), u.win)
			default:
				u.openTrainerMode(r.vault)
			}
		})
	}, u.win)
	d.Resize(fyne.NewSize(520, 260))
	d.Show()
	u.win.Canvas().Focus(items[0].Widget.(fyne.Focusable))
}

// vaultResult is the trainer's vault opened by a passphrase, or why it was refused.
type vaultResult struct {
	vault   *progress.Vault
	refused error
}

// askPassphrase opens the trainer's vault with the passphrase (argon2id: a moment, off
// the UI goroutine), waiting longer after each wrong one.
func (u *UI) askPassphrase() {
	pass := widget.NewPasswordEntry()
	d := dialog.NewForm(u.T("Trainer.Title"), u.T("PIN.OK"), u.T("Common.Cancel"),
		[]*widget.FormItem{widget.NewFormItem(u.T("Trainer.Passphrase"), pass)}, func(ok bool) {
			if !ok {
				return
			}
			given := pass.Text
			fetch(u, func(ctx context.Context) (vaultResult, error) {
				v, err := u.store.OpenVault(ctx, given)
				if errors.Is(err, progress.ErrWait) || errors.Is(err, progress.ErrWrongPassphrase) {
					return vaultResult{refused: err}, nil
				}
				return vaultResult{vault: v}, err
			}, func(r vaultResult) {
				var wait *progress.WaitError
				switch {
				case r.refused == nil:
					u.openTrainerMode(r.vault)
				case errors.As(r.refused, &wait):
					dialog.ShowInformation(u.T("Trainer.Title"), u.T("Trainer.Wait", map[string]any{"Seconds": u.loc.Number(int(wait.Wait.Seconds() + 0.999))}), u.win)
				default:
					dialog.ShowInformation(u.T("Trainer.Title"), u.T("Trainer.Wrong"), u.win)
				}
			})
		}, u.win)
	d.Resize(fyne.NewSize(480, 200))
	d.Show()
	u.win.Canvas().Focus(pass)
}

// openTrainerMode opens trainer mode with the trainer's vault, first bringing back or
// sealing the signing key (off the UI goroutine).
func (u *UI) openTrainerMode(v *progress.Vault) {
	u.showTrainer()
	u.vault = v // after showTrainer: the vault is cleared outside trainer mode
	u.syncSigningKey()
}

// showTrainer opens trainer mode over the first screen.
func (u *UI) showTrainer() {
	u.learner = nil
	u.push(u.trainerScreen)
}

func (u *UI) trainerScreen() screen {
	t := &trainerScreen{u: u}
	leave := widget.NewButtonWithIcon(u.T("Trainer.Leave"), theme.LogoutIcon(), func() { u.home(u.learnersScreen) })
	title := heading(u.T("Trainer.ModeTitle"))
	// Each tab is built when it is first shown: the statistics and the outbox are not
	// worth reading for a trainer who only looks at the matrix.
	items := []*container.TabItem{
		container.NewTabItemWithIcon(u.T("Trainer.TabCompletion"), theme.ListIcon(), container.NewStack()),
		container.NewTabItemWithIcon(u.T("Trainer.TabModules"), theme.InfoIcon(), container.NewStack()),
		container.NewTabItemWithIcon(u.T("Trainer.TabCohorts"), theme.AccountIcon(), container.NewStack()),
		container.NewTabItemWithIcon(u.T("Exports.Tab"), theme.UploadIcon(), container.NewStack()),
		container.NewTabItemWithIcon(u.T("Trainer.TabSettings"), theme.SettingsIcon(), container.NewStack()),
		container.NewTabItemWithIcon(u.T("Proof.Tab"), theme.HistoryIcon(), container.NewStack()),
	}
	t.tabs = container.NewAppTabs(items...)
	t.body = container.NewStack()
	t.tabs.OnSelected = func(*container.TabItem) { t.showTab(t.tabs.SelectedIndex()) }
	t.showTab(0)
	t.root = container.NewPadded(container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, nil, leave, title), t.tabs), nil, nil, nil, t.body))
	return t
}

func (t *trainerScreen) content() fyne.CanvasObject { return t.root }

// The trainer's tabs, in order.
const (
	tabCompletion = iota
	tabModules
	tabCohorts
	tabExports
	tabSettings
	tabMeasure // before, after, kept: the last, so that the others keep their places
)

// showTab shows tab i's content, built the first time.
func (t *trainerScreen) showTab(i int) {
	t.buildTab(i)
	t.body.Objects = []fyne.CanvasObject{t.contents[i]}
	t.body.Layout.Layout(t.body.Objects, t.body.Size())
	canvas.Refresh(t.body)
}

// buildTab builds tab i the first time it is shown.
func (t *trainerScreen) buildTab(i int) {
	if t.contents[i] != nil {
		return
	}
	var tab fyne.CanvasObject
	switch i {
	case tabCompletion:
		t.completion = t.newCompletionTab()
		tab = t.completion.root
	case tabModules:
		t.modules = t.newModulesTab()
		tab = t.modules.root
	case tabCohorts:
		t.cohorts = t.newCohortsTab()
		tab = t.cohorts.root
	case tabExports:
		t.exports = t.newExportsTab()
		tab = t.exports.root
	case tabSettings:
		t.settings = t.newSettingsTab()
		tab = t.settings.root
	case tabMeasure:
		t.measure = t.newMeasureTab()
		tab = t.measure.root
	}
	t.contents[i] = tab
}

// selectTab shows tab i, as choosing it does.
func (t *trainerScreen) selectTab(i int) {
	t.tabs.SelectIndex(i)
	t.showTab(i)
}

// reload reads again what a learner's record changed, when the trainer comes back to
// the tabs; after only looking (a record, a cohort's mastery) there is nothing to read.
func (t *trainerScreen) reload() {
	if t.changed {
		t.changed = false
		t.readAgain()
	}
}

// readAgain reads every tab built so far again (after a change or a merge).
func (t *trainerScreen) readAgain() {
	if t.completion != nil {
		t.completion.reload()
	}
	if t.modules != nil {
		t.modules.reload()
	}
	if t.cohorts != nil {
		t.cohorts.reload()
	}
	if t.measure != nil {
		t.measure.load()
	}
	for _, f := range t.filterBars {
		f.readCohorts()
	}
}

// setFilter applies a new filter to the matrix and the charts (and so to the report).
func (t *trainerScreen) setFilter(f progress.Filter) {
	if f == t.filter {
		return
	}
	t.filter = f
	for _, b := range t.filterBars {
		b.show(f)
	}
	if t.completion != nil {
		t.completion.reload()
	}
	if t.modules != nil {
		t.modules.reload()
	}
	if t.measure != nil {
		t.measure.load()
	}
}

// Dates the "active since" filter offers, in days back (0: any time).
var sinceDays = []int{0, 7, 30, 90, 365}

// filterBar is the row of cohort, role and date filters over the completion matrix and
// the statistics.
type filterBar struct {
	t       *trainerScreen
	root    fyne.CanvasObject
	cohort  *widget.Select
	role    *widget.Select
	since   *widget.Select
	showing bool // the selects are being set from the filter, not by the trainer
}

func (t *trainerScreen) newFilterBar() *filterBar {
	u := t.u
	b := &filterBar{t: t}
	b.cohort = widget.NewSelect([]string{u.T("Trainer.AllCohorts"), u.T("Trainer.NoCohort")}, nil)
	roleNames := append([]string{u.T("Trainer.AllRoles")}, u.roleOptions()...)
	b.role = widget.NewSelect(roleNames, nil)
	var sinceNames []string
	for _, d := range sinceDays {
		if d == 0 {
			sinceNames = append(sinceNames, u.T("Trainer.AnyTime"))
		} else {
			sinceNames = append(sinceNames, u.N("Trainer.LastDays", d, nil))
		}
	}
	b.since = widget.NewSelect(sinceNames, nil)
	b.show(t.filter)
	b.cohort.OnChanged, b.role.OnChanged, b.since.OnChanged = b.changed, b.changed, b.changed
	// Three equal columns whose selects may shrink: a long cohort code or role name is
	// truncated rather than widening the window.
	b.root = container.NewGridWithColumns(3,
		container.NewBorder(nil, nil, widget.NewLabel(u.T("Trainer.Cohort")), nil, b.cohort),
		container.NewBorder(nil, nil, widget.NewLabel(u.T("Learners.Role")), nil, b.role),
		container.NewBorder(nil, nil, widget.NewLabel(u.T("Trainer.ActiveSince")), nil, b.since))
	t.filterBars = append(t.filterBars, b)
	b.readCohorts()
	return b
}

// readCohorts fills the cohort choices, read off the UI goroutine.
func (b *filterBar) readCohorts() {
	u := b.t.u
	fetch(u, func(ctx context.Context) ([]progress.Cohort, error) { return u.store.Cohorts(ctx) }, func(cohorts []progress.Cohort) {
		names := []string{u.T("Trainer.AllCohorts"), u.T("Trainer.NoCohort")}
		for _, c := range cohorts {
			names = append(names, c.Code)
		}
		b.cohort.Options = names
		b.show(b.t.filter)
	})
}

// show sets the selects to f.
func (b *filterBar) show(f progress.Filter) {
	b.showing = true
	defer func() { b.showing = false }()
	switch {
	case f.NoCohort:
		b.cohort.SetSelectedIndex(1)
	case f.Cohort != "":
		b.cohort.SetSelected(f.Cohort)
	default:
		b.cohort.SetSelectedIndex(0)
	}
	b.role.SetSelectedIndex(0)
	for i, r := range modules.Roles {
		if string(r) == f.Role {
			b.role.SetSelectedIndex(i + 1)
		}
	}
	b.since.SetSelectedIndex(0)
	if !f.Since.IsZero() {
		days := int(time.Since(f.Since).Hours()/24 + 0.5)
		if i := slices.Index(sinceDays, days); i >= 0 {
			b.since.SetSelectedIndex(i)
		}
	}
}

// changed applies the filter the trainer chose.
func (b *filterBar) changed(string) {
	if b.showing {
		return
	}
	f := progress.Filter{}
	switch i := b.cohort.SelectedIndex(); {
	case i == 1:
		f.NoCohort = true
	case i > 1:
		f.Cohort = b.cohort.Selected
	}
	if i := b.role.SelectedIndex(); i > 0 {
		f.Role = string(modules.Roles[i-1])
	}
	if i := b.since.SelectedIndex(); i > 0 {
		f.Since = time.Now().AddDate(0, 0, -sinceDays[i])
	}
	b.t.setFilter(f)
}
