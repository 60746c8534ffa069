package app

import (
	"errors"
	"fmt"
	"image/color"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/locales"
	"indicia/modules"
	"indicia/quiz"
)

// trainerScreen is what a trainer sees after giving the passphrase: the completion
// matrix, module statistics, cohorts and settings. Learners never reach it.
type trainerScreen struct {
	u      *UI
	filter progress.Filter
	rows   []progress.LearnerStatus
	tabs   *container.AppTabs
	tab    int
	// detail is the learner whose record is open, if any.
	detail *progress.LearnerStatus
}

// askTrainer asks for the trainer passphrase (or has one set on first use), then opens
// trainer mode.
func (u *UI) askTrainer() {
	has, err := u.store.HasTrainerPassphrase(u.ctx)
	if err != nil {
		u.showError(err)
		return
	}
	pass := widget.NewPasswordEntry()
	if !has {
		again := widget.NewPasswordEntry()
		items := []*widget.FormItem{
			widget.NewFormItem(u.T("Trainer.NewPassphrase"), pass),
			widget.NewFormItem(u.T("Trainer.RepeatPassphrase"), again),
		}
		code := widget.NewEntry()
		if state, err := u.store.TrainerSetup(u.ctx); err == nil && state == progress.SetupNeedsCode {
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
			if err := u.store.SetupTrainer(u.ctx, code.Text, pass.Text); err != nil {
				if errors.Is(err, progress.ErrSetupCode) {
					dialog.ShowInformation(u.T("Trainer.SetTitle"), u.T("Trainer.SetupCodeWrong"), u.win)
					return
				}
				if errors.Is(err, progress.ErrInvalid) {
					dialog.ShowInformation(u.T("Trainer.SetTitle"), u.T("Trainer.TooShort", map[string]any{"N": progress.MinPassphrase}), u.win)
					return
				}
				u.showError(err)
				return
			}
			if v, err := u.store.OpenVault(u.ctx, pass.Text); err == nil {
				u.vault = v
				u.syncSigningKey()
			}
			u.showTrainer()
		}, u.win)
		d.Resize(fyne.NewSize(520, 260))
		d.Show()
		return
	}
	d := dialog.NewForm(u.T("Trainer.Title"), u.T("PIN.OK"), u.T("Common.Cancel"),
		[]*widget.FormItem{widget.NewFormItem(u.T("Trainer.Passphrase"), pass)}, func(ok bool) {
			if !ok {
				return
			}
			v, err := u.store.OpenVault(u.ctx, pass.Text)
			var wait *progress.WaitError
			switch {
			case err == nil:
				u.vault = v
				u.syncSigningKey()
				u.showTrainer()
			case errors.As(err, &wait):
				dialog.ShowInformation(u.T("Trainer.Title"), u.T("Trainer.Wait", map[string]any{"Seconds": u.loc.Number(int(wait.Wait.Seconds() + 0.999))}), u.win)
			case errors.Is(err, progress.ErrWrongPassphrase):
				dialog.ShowInformation(u.T("Trainer.Title"), u.T("Trainer.Wrong"), u.win)
			default:
				u.showError(err)
			}
		}, u.win)
	d.Resize(fyne.NewSize(480, 200))
	d.Show()
	u.win.Canvas().Focus(pass)
}

func (u *UI) showTrainer() {
	u.learner = nil
	t := &trainerScreen{u: u}
	u.trainer = t
	t.load()
	u.show(t.view)
	u.leave = func() { u.trainer, u.vault = nil, nil }
}

func (t *trainerScreen) load() {
	rows, err := t.u.store.Dashboard(t.u.ctx, t.filter)
	if err != nil {
		t.u.showError(err)
	}
	t.rows = rows
}

func (t *trainerScreen) view() fyne.CanvasObject {
	u := t.u
	if t.detail != nil {
		return t.learnerView(*t.detail)
	}
	leave := widget.NewButtonWithIcon(u.T("Trainer.Leave"), theme.LogoutIcon(), u.showLearners)
	title := heading(u.T("Trainer.ModeTitle"))
	// Each tab is built when it is first shown: the statistics and the outbox are not
	// worth reading for a trainer who only looks at the matrix.
	builders := []func() fyne.CanvasObject{t.completionTab, t.modulesTab, t.cohortsTab, t.exportsTab, t.settingsTab,
		func() fyne.CanvasObject { return u.newMeasureTab().content() }}
	items := []*container.TabItem{
		container.NewTabItemWithIcon(u.T("Trainer.TabCompletion"), theme.ListIcon(), container.NewStack()),
		container.NewTabItemWithIcon(u.T("Trainer.TabModules"), theme.InfoIcon(), container.NewStack()),
		container.NewTabItemWithIcon(u.T("Trainer.TabCohorts"), theme.AccountIcon(), container.NewStack()),
		container.NewTabItemWithIcon(u.T("Exports.Tab"), theme.UploadIcon(), container.NewStack()),
		container.NewTabItemWithIcon(u.T("Trainer.TabSettings"), theme.SettingsIcon(), container.NewStack()),
		container.NewTabItemWithIcon(u.T("Proof.Tab"), theme.HistoryIcon(), container.NewStack()),
	}
	build := func(i int) {
		if stack := items[i].Content.(*fyne.Container); len(stack.Objects) == 0 {
			stack.Add(builders[i]())
		}
	}
	t.tabs = container.NewAppTabs(items...)
	build(t.tab)
	t.tabs.SelectIndex(t.tab)
	t.tabs.OnSelected = func(*container.TabItem) {
		t.tab = t.tabs.SelectedIndex()
		build(t.tab)
	}
	return container.NewPadded(container.NewBorder(container.NewBorder(nil, nil, nil, leave, title), nil, nil, nil, t.tabs))
}

// Dates the "active since" filter offers, in days back (0: any time).
var sinceDays = []int{0, 7, 30, 90, 365}

// filters is the row of cohort, role and date filters over the completion matrix and
// the statistics.
func (t *trainerScreen) filters() fyne.CanvasObject {
	u := t.u
	cohorts, err := u.store.Cohorts(u.ctx)
	if err != nil {
		u.showError(err)
	}
	cohortNames := []string{u.T("Trainer.AllCohorts"), u.T("Trainer.NoCohort")}
	for _, c := range cohorts {
		cohortNames = append(cohortNames, c.Code)
	}
	cohort := widget.NewSelect(cohortNames, nil)
	switch {
	case t.filter.NoCohort:
		cohort.SetSelectedIndex(1)
	case t.filter.Cohort != "":
		cohort.SetSelected(t.filter.Cohort)
	default:
		cohort.SetSelectedIndex(0)
	}
	roleNames := append([]string{u.T("Trainer.AllRoles")}, u.roleOptions()...)
	role := widget.NewSelect(roleNames, nil)
	role.SetSelectedIndex(0)
	for i, r := range modules.Roles {
		if string(r) == t.filter.Role {
			role.SetSelectedIndex(i + 1)
		}
	}
	var sinceNames []string
	for _, d := range sinceDays {
		if d == 0 {
			sinceNames = append(sinceNames, u.T("Trainer.AnyTime"))
		} else {
			sinceNames = append(sinceNames, u.N("Trainer.LastDays", d, nil))
		}
	}
	since := widget.NewSelect(sinceNames, nil)
	since.SetSelectedIndex(0)
	if !t.filter.Since.IsZero() {
		days := int(time.Since(t.filter.Since).Hours()/24 + 0.5)
		if i := slices.Index(sinceDays, days); i >= 0 {
			since.SetSelectedIndex(i)
		}
	}
	apply := func(string) {
		f := progress.Filter{}
		switch i := cohort.SelectedIndex(); {
		case i == 1:
			f.NoCohort = true
		case i > 1:
			f.Cohort = cohort.Selected
		}
		if i := role.SelectedIndex(); i > 0 {
			f.Role = string(modules.Roles[i-1])
		}
		if i := since.SelectedIndex(); i > 0 {
			f.Since = time.Now().AddDate(0, 0, -sinceDays[i])
		}
		if f != t.filter {
			t.filter = f
			t.load()
			u.redraw()
		}
	}
	cohort.OnChanged, role.OnChanged, since.OnChanged = apply, apply, apply
	return container.NewGridWithColumns(3,
		container.NewBorder(nil, nil, widget.NewLabel(u.T("Trainer.Cohort")), nil, cohort),
		container.NewBorder(nil, nil, widget.NewLabel(u.T("Learners.Role")), nil, role),
		container.NewBorder(nil, nil, widget.NewLabel(u.T("Trainer.ActiveSince")), nil, since))
}

// Colours of the completion matrix.
var (
	notStartedColor = color.NRGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0x40}
	inProgressColor = color.NRGBA{R: 0x3b, G: 0x82, B: 0xd6, A: 0x90}
	passedColor     = color.NRGBA{R: 0x2e, G: 0x9d, B: 0x4f, A: 0xb0}
	refresherColor  = color.NRGBA{R: 0xf0, G: 0x8c, B: 0x29, A: 0xc0}
)

// cellState is what a matrix cell shows for a learner's module.
func (t *trainerScreen) cellState(st progress.ModuleState, ok bool, moduleID string, days map[string]int) (string, color.Color) {
	u := t.u
	switch {
	case !ok:
		return u.T("Status.NotStarted"), notStartedColor
	case st.Status == progress.ModulePassed:
		state, _ := progress.RefresherState(st.PassedAt, days[moduleID], time.Now())
		switch state {
		case progress.RefresherDue:
			return u.T("Trainer.CellRefresherDue"), refresherColor
		case progress.RefresherOverdue:
			return u.T("Trainer.CellRefresherOverdue"), refresherColor
		}
		return u.T("Trainer.CellPassed", map[string]any{"Score": u.loc.Percent(st.BestPercent)}), passedColor
	case st.HasScore:
		return u.T("Trainer.CellFailed", map[string]any{"Score": u.loc.Percent(st.BestPercent)}), inProgressColor
	}
	return u.T("Status.InProgress"), inProgressColor
}

// completionTab is the learners × modules matrix, virtualised so it stays quick with
// thousands of learners.
func (t *trainerScreen) completionTab() fyne.CanvasObject {
	u := t.u
	mods := u.catalog().Modules
	days, err := u.store.RefresherDays(u.ctx)
	if err != nil {
		u.showError(err)
	}
	const fixed = 5 // name, role, language, cohort, last active
	headers := []string{u.T("Learners.Name"), u.T("Learners.Role"), u.T("Learners.Language"), u.T("Trainer.Cohort"), u.T("Trainer.LastActive")}
	for _, m := range mods {
		headers = append(headers, m.In(u.loc.Lang).Title)
	}
	table := widget.NewTableWithHeaders(
		func() (int, int) { return len(t.rows), len(headers) },
		func() fyne.CanvasObject {
			bg := canvas.NewRectangle(color.Transparent)
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return container.NewStack(bg, l)
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			stack := o.(*fyne.Container)
			bg, l := stack.Objects[0].(*canvas.Rectangle), stack.Objects[1].(*widget.Label)
			r := t.rows[id.Row]
			bg.FillColor = color.Transparent
			switch id.Col {
			case 0:
				l.SetText(r.Name)
			case 1:
				l.SetText(u.roleName(r.Role))
			case 2:
				l.SetText(locales.Native[r.Language])
			case 3:
				l.SetText(r.Cohort)
			case 4:
				l.SetText(u.loc.Date(r.LastActive))
			default:
				m := mods[id.Col-fixed]
				st, ok := r.Modules[m.ID]
				text, c := t.cellState(st, ok, m.ID, days)
				l.SetText(text)
				bg.FillColor = c
			}
			bg.Refresh()
		})
	table.ShowHeaderColumn = false
	table.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(headers) {
			o.(*widget.Label).SetText(headers[id.Col])
		}
	}
	widths := []float32{200, 150, 110, 110, 110}
	for i := range headers {
		w := float32(170)
		if i < len(widths) {
			w = widths[i]
		}
		table.SetColumnWidth(i, w)
	}
	table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(t.rows) {
			r := t.rows[id.Row]
			t.detail = &r
			u.redraw()
		}
	}
	legend := container.NewHBox(
		swatch(notStartedColor), widget.NewLabel(u.T("Status.NotStarted")),
		swatch(inProgressColor), widget.NewLabel(u.T("Status.InProgress")),
		swatch(passedColor), widget.NewLabel(u.T("Results.Passed")),
		swatch(refresherColor), widget.NewLabel(u.T("Trainer.CellRefresherDue")))
	count := widget.NewLabel(u.N("Trainer.LearnerCount", len(t.rows), nil))
	return container.NewBorder(container.NewVBox(t.filters(), container.NewBorder(nil, nil, count, nil, legend)), nil, nil, nil, table)
}

// modulesTab shows, per module, the score distribution and the questions and indicators
// most often missed, as charts.
func (t *trainerScreen) modulesTab() fyne.CanvasObject {
	u := t.u
	box := container.NewVBox(t.filters())
	for _, m := range u.catalog().Modules {
		st, err := u.store.ModuleStats(u.ctx, m.ID, t.filter)
		if err != nil {
			u.showError(err)
			continue
		}
		text := m.In(u.loc.Lang)
		byID := map[string]quiz.Question{}
		for _, q := range text.Bank {
			byID[q.ID] = q
		}
		var bars []labelledValue
		for i, n := range st.Scores {
			label := fmt.Sprintf("%d–%d", i*10, i*10+9)
			if i == 10 {
				label = "100"
			}
			bars = append(bars, labelledValue{label, n})
		}
		missed := container.NewVBox(widget.NewLabelWithStyle(u.T("Trainer.MostMissedQuestions"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		indicators := map[string][2]int{}
		shown := 0
		for _, q := range st.Questions {
			for _, ind := range byID[q.QuestionID].Indicators {
				v := indicators[ind]
				indicators[ind] = [2]int{v[0] + q.Wrong, v[1] + q.Total}
			}
			if shown < 5 && q.Wrong > 0 {
				shown++
				prompt := byID[q.QuestionID].Prompt
				if prompt == "" {
					prompt = q.QuestionID
				}
				missed.Add(container.NewGridWithColumns(2, wrapped(prompt), shareBar(q.Wrong, q.Total, u)))
			}
		}
		if shown == 0 {
			missed.Add(wrapped(u.T("Trainer.NoData")))
		}
		type indMiss struct {
			slug         string
			wrong, total int
		}
		var inds []indMiss
		for slug, v := range indicators {
			if v[0] > 0 {
				inds = append(inds, indMiss{slug, v[0], v[1]})
			}
		}
		slices.SortFunc(inds, func(a, b indMiss) int {
			if d := b.wrong*1000/max(b.total, 1) - a.wrong*1000/max(a.total, 1); d != 0 {
				return d
			}
			return strings.Compare(a.slug, b.slug)
		})
		indBox := container.NewVBox(widget.NewLabelWithStyle(u.T("Trainer.MostMissedIndicators"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for i, in := range inds {
			if i == 5 {
				break
			}
			indBox.Add(container.NewGridWithColumns(2, wrapped(u.indicatorLabel(in.slug)), shareBar(in.wrong, in.total, u)))
		}
		if len(inds) == 0 {
			indBox.Add(wrapped(u.T("Trainer.NoData")))
		}
		card := widget.NewCard(text.Title, u.T("Trainer.ScoreDistribution"), container.NewVBox(
			histogram(bars), container.NewGridWithColumns(2, missed, indBox)))
		box.Add(card)
	}
	return container.NewVScroll(box)
}

type labelledValue struct {
	label string
	value int
}

// histogram draws bars of the values, labelled underneath.
func histogram(values []labelledValue) fyne.CanvasObject {
	maxV := 1
	for _, v := range values {
		maxV = max(maxV, v.value)
	}
	const height = 90
	cols := make([]fyne.CanvasObject, 0, len(values))
	for _, v := range values {
		bar := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
		h := float32(height) * float32(v.value) / float32(maxV)
		bar.SetMinSize(fyne.NewSize(20, h))
		spacer := canvas.NewRectangle(color.Transparent)
		spacer.SetMinSize(fyne.NewSize(20, height-h))
		count := widget.NewLabel(strconv.Itoa(v.value))
		count.Alignment = fyne.TextAlignCenter
		label := widget.NewLabel(v.label + " %")
		label.Alignment = fyne.TextAlignCenter
		label.SizeName = theme.SizeNameCaptionText
		cols = append(cols, container.NewVBox(count, spacer, bar, label))
	}
	return container.NewGridWithColumns(len(cols), cols...)
}

// shareBar shows wrong out of total as a red share of a bar, with the percentage.
func shareBar(wrong, total int, u *UI) fyne.CanvasObject {
	pct := 0
	if total > 0 {
		pct = wrong * 100 / total
	}
	bar := &stackedBar{parts: []int{wrong, total - wrong}, colors: []color.Color{missingColor, notStartedColor}}
	bar.ExtendBaseWidget(bar)
	return container.NewBorder(nil, nil, nil, widget.NewLabel(u.loc.Percent(pct)), bar)
}

// learnerView is one learner's record: every attempt, their cohort, and erasure.
func (t *trainerScreen) learnerView(r progress.LearnerStatus) fyne.CanvasObject {
	u := t.u
	back := widget.NewButtonWithIcon(u.T("Common.Back"), theme.NavigateBackIcon(), func() {
		t.detail = nil
		t.load()
		u.redraw()
	})
	info := wrapped(u.T("Trainer.LearnerInfo", map[string]any{
		"Role": u.roleName(r.Role), "Language": r.Language, "Created": u.loc.Date(r.CreatedAt), "Active": u.loc.Date(r.LastActive)}))
	cohort := widget.NewEntry()
	cohort.SetText(r.Cohort)
	saveCohort := widget.NewButtonWithIcon(u.T("Trainer.AssignCohort"), theme.DocumentSaveIcon(), func() {
		if err := u.store.SetCohort(u.ctx, r.ID, cohort.Text); err != nil {
			u.showError(err)
			return
		}
		t.detail.Cohort = strings.TrimSpace(cohort.Text)
		u.redraw()
	})
	erase := widget.NewButtonWithIcon(u.T("Trainer.Delete"), theme.DeleteIcon(), func() { t.confirmDelete(r) })
	erase.Importance = widget.DangerImportance
	box := container.NewVBox(container.NewBorder(nil, nil, back, erase, heading(r.Name)), info,
		container.NewBorder(nil, nil, widget.NewLabel(u.T("Trainer.Cohort")), saveCohort, cohort), widget.NewSeparator())
	for _, m := range u.catalog().Modules {
		attempts, err := u.store.Attempts(u.ctx, r.ID, m.ID)
		if err != nil {
			u.showError(err)
			continue
		}
		title := widget.NewLabelWithStyle(m.In(u.loc.Lang).Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		title.Wrapping = fyne.TextWrapWord
		if r.Modules[m.ID].Status == progress.ModulePassed {
			box.Add(container.NewBorder(nil, nil, nil, t.certificateButton(r.ID, r.Name, m.ID), title))
		} else {
			box.Add(title)
		}
		if len(attempts) == 0 {
			box.Add(widget.NewLabel(u.T("Status.NotStarted")))
		}
		for _, a := range attempts {
			answers, _ := u.store.Answers(u.ctx, a.ID)
			right := 0
			for _, an := range answers {
				if an.Complete && an.Correct {
					right++
				}
			}
			outcome := u.T("Trainer.AttemptOpen")
			switch {
			case a.Status == progress.AttemptSkipped:
				box.Add(wrapped(u.T("Pretest.Kind") + " · " + u.T("Pretest.SkippedLine", map[string]any{"Date": u.loc.Date(a.FinishedAt)})))
				continue
			case a.Status == progress.AttemptAbandoned:
				outcome = u.T("Trainer.AttemptAbandoned")
			case a.Status == progress.AttemptFinished && a.Kind == progress.KindPretest:
				outcome = u.loc.Percent(a.Percent) // a pre-test is never passed or failed
			case a.Status == progress.AttemptFinished && a.Passed:
				outcome = u.T("Results.Passed")
			case a.Status == progress.AttemptFinished:
				outcome = u.T("Results.Failed")
			}
			kind := ""
			switch a.Kind {
			case progress.KindRefresher:
				kind = u.T("Trainer.Refresher") + " · "
			case progress.KindPretest:
				kind = u.T("Pretest.Kind") + " · "
			}
			box.Add(wrapped(kind + u.T("Trainer.AttemptLine", map[string]any{
				"Date": u.loc.Date(a.StartedAt), "Answered": u.loc.Number(len(answers)), "Total": u.loc.Number(a.Total),
				"Right": u.loc.Number(right), "Outcome": outcome})))
		}
	}
	return container.NewPadded(container.NewVScroll(box))
}

// confirmDelete erases a learner after the trainer confirms.
func (t *trainerScreen) confirmDelete(r progress.LearnerStatus) {
	u := t.u
	dialog.ShowConfirm(u.T("Trainer.DeleteTitle"), u.T("Trainer.DeleteConfirm", map[string]any{"Name": r.Name}), func(ok bool) {
		if !ok {
			return
		}
		if err := u.store.DeleteLearner(u.ctx, r.ID); err != nil {
			u.showError(err)
			return
		}
		t.detail = nil
		t.load()
		u.redraw()
	}, u.win)
}

// cohortsTab lists the cohorts and creates new ones.
func (t *trainerScreen) cohortsTab() fyne.CanvasObject {
	u := t.u
	cohorts, err := u.store.Cohorts(u.ctx)
	if err != nil {
		u.showError(err)
	}
	list := container.NewVBox()
	for _, c := range cohorts {
		c := c
		label := c.Code
		if c.Name != "" {
			label += " — " + c.Name
		}
		mastery := widget.NewButtonWithIcon(u.T("Mastery.Button"), theme.GridIcon(), func() {
			rows, err := u.store.CohortMastery(u.ctx, c.Code)
			if err != nil {
				u.showError(err)
				return
			}
			u.show(func() fyne.CanvasObject {
				back := widget.NewButtonWithIcon(u.T("Common.Back"), theme.NavigateBackIcon(), func() { u.show(t.view) })
				return container.NewBorder(container.NewHBox(back), nil, nil, nil,
					u.masteryView(masteryByIndicator(u.catalog(), rows), u.T("Trainer.CohortMastery", map[string]any{"Cohort": c.Code}), u.T("Trainer.CohortMasteryIntro")))
			})
		})
		list.Add(container.NewBorder(nil, nil, nil, mastery, widget.NewLabel(label+" · "+u.N("Trainer.LearnerCount", c.Learners, nil))))
	}
	if len(cohorts) == 0 {
		list.Add(wrapped(u.T("Trainer.NoCohorts")))
	}
	code := widget.NewEntry()
	code.SetPlaceHolder(u.T("Trainer.CohortCode"))
	name := widget.NewEntry()
	name.SetPlaceHolder(u.T("Trainer.CohortName"))
	add := widget.NewButtonWithIcon(u.T("Trainer.CreateCohort"), theme.ContentAddIcon(), func() {
		if err := u.store.CreateCohort(u.ctx, code.Text, name.Text); err != nil {
			u.showError(err)
			return
		}
		u.redraw()
	})
	return container.NewVScroll(container.NewVBox(list, widget.NewSeparator(),
		container.NewGridWithColumns(3, code, name, add)))
}

// settingsTab sets each module's refresher period and changes the passphrase.
func (t *trainerScreen) settingsTab() fyne.CanvasObject {
	u := t.u
	days, err := u.store.RefresherDays(u.ctx)
	if err != nil {
		u.showError(err)
	}
	form := widget.NewForm()
	entries := map[string]*widget.Entry{}
	for _, m := range u.catalog().Modules {
		e := widget.NewEntry()
		d := days[m.ID]
		if d == 0 {
			d = progress.DefaultRefresherDays
		}
		e.SetText(strconv.Itoa(d))
		entries[m.ID] = e
		form.Append(m.In(u.loc.Lang).Title, e)
	}
	save := widget.NewButtonWithIcon(u.T("Trainer.SaveRefresher"), theme.DocumentSaveIcon(), func() {
		for _, m := range u.catalog().Modules {
			n, err := strconv.Atoi(strings.TrimSpace(entries[m.ID].Text))
			if err == nil {
				err = u.store.SetRefresherDays(u.ctx, m.ID, n)
			}
			if err != nil {
				dialog.ShowInformation(u.T("Trainer.TabSettings"), u.T("Trainer.BadDays", map[string]any{"Module": m.In(u.loc.Lang).Title}), u.win)
				return
			}
		}
		t.load()
		u.redraw()
	})
	old, pass, again := widget.NewPasswordEntry(), widget.NewPasswordEntry(), widget.NewPasswordEntry()
	change := widget.NewButtonWithIcon(u.T("Trainer.ChangePassphrase"), theme.ConfirmIcon(), func() {
		if pass.Text != again.Text {
			dialog.ShowInformation(u.T("Trainer.TabSettings"), u.T("Trainer.Mismatch"), u.win)
			return
		}
		err := u.store.SetTrainerPassphrase(u.ctx, old.Text, pass.Text)
		switch {
		case err == nil:
			dialog.ShowInformation(u.T("Trainer.TabSettings"), u.T("Trainer.PassphraseChanged"), u.win)
		case errors.Is(err, progress.ErrInvalid):
			dialog.ShowInformation(u.T("Trainer.TabSettings"), u.T("Trainer.TooShort", map[string]any{"N": progress.MinPassphrase}), u.win)
		case errors.Is(err, progress.ErrWrongPassphrase), errors.Is(err, progress.ErrWait):
			dialog.ShowInformation(u.T("Trainer.TabSettings"), u.T("Trainer.Wrong"), u.win)
		default:
			u.showError(err)
		}
	})
	workplace := widget.NewCheck(u.T("Proof.WorkplaceSetting"), nil)
	if on, err := u.store.WorkplaceQuestions(u.ctx); err == nil {
		workplace.SetChecked(on)
	} else {
		u.showError(err)
	}
	workplace.OnChanged = func(on bool) {
		if err := u.store.SetWorkplaceQuestions(u.ctx, on); err != nil {
			u.showError(err)
		}
	}
	passForm := widget.NewForm(
		widget.NewFormItem(u.T("Trainer.OldPassphrase"), old),
		widget.NewFormItem(u.T("Trainer.NewPassphrase"), pass),
		widget.NewFormItem(u.T("Trainer.RepeatPassphrase"), again))
	return container.NewVScroll(container.NewVBox(
		heading(u.T("Trainer.RefresherTitle")), wrapped(u.T("Trainer.RefresherHelp")), form, container.NewHBox(save),
		widget.NewSeparator(), heading(u.T("Proof.WorkplaceTitle")), wrapped(u.T("Proof.WorkplaceSettingHelp")), workplace,
		widget.NewSeparator(), heading(u.T("Trainer.ChangePassphrase")), passForm, container.NewHBox(change),
		widget.NewSeparator(), t.trustSettings()))
}
