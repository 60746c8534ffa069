package app

import (
	"cmp"
	"context"
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
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/locales"
	"indicia/modules"
	"indicia/quiz"
)

// Colours of the completion matrix.
var (
	notStartedColor = color.NRGBA{R: 0x9e, G: 0x9e, B: 0x9e, A: 0x40}
	inProgressColor = color.NRGBA{R: 0x3b, G: 0x82, B: 0xd6, A: 0x90}
	passedColor     = color.NRGBA{R: 0x2e, G: 0x9d, B: 0x4f, A: 0xb0}
	refresherColor  = color.NRGBA{R: 0xf0, G: 0x8c, B: 0x29, A: 0xc0}
)

// completionTab is the learners × modules matrix, virtualised so it stays quick with
// thousands of learners.
type completionTab struct {
	t     *trainerScreen
	root  fyne.CanvasObject
	table *widget.Table
	count *widget.Label
	rows  []progress.LearnerStatus
	mods  []*modules.Module
	days  map[string]int
	query int // the reading under way: answers to older filters are dropped
	// fitted remembers each text cut to its column's width (see fit).
	fitted map[fitKey]string
}

// completionData is what the matrix reads off the UI goroutine.
type completionData struct {
	rows []progress.LearnerStatus
	mods []*modules.Module
	days map[string]int
}

func (t *trainerScreen) newCompletionTab() *completionTab {
	u := t.u
	c := &completionTab{t: t, fitted: map[fitKey]string{}}
	const fixed = 5 // name, role, language, cohort, last active
	headers := []string{u.T("Learners.Name"), u.T("Learners.Role"), u.T("Learners.Language"), u.T("Trainer.Cohort"), u.T("Trainer.LastActive")}
	c.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(c.rows), fixed + len(c.mods) },
		func() fyne.CanvasObject {
			// A cell is plain text on a coloured rectangle, cut to its column's width by
			// fit: a label that truncates itself shapes its text again on every refresh,
			// and the tabs refresh every visible cell each time one is chosen.
			bg := canvas.NewRectangle(color.Transparent)
			t := canvas.NewText("", theme.Color(theme.ColorNameForeground))
			pad := theme.InnerPadding()
			return container.NewStack(bg, container.New(layout.NewCustomPaddedLayout(0, 0, pad, pad),
				container.NewVBox(layout.NewSpacer(), t, layout.NewSpacer())))
		},
		c.showCell)
	c.table.ShowHeaderColumn = false
	c.table.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	c.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		switch {
		case id.Col >= 0 && id.Col < fixed:
			o.(*widget.Label).SetText(headers[id.Col])
		case id.Col >= fixed && id.Col-fixed < len(c.mods):
			o.(*widget.Label).SetText(c.mods[id.Col-fixed].In(u.loc.Lang).Title)
		}
	}
	for i, w := range fixedWidths {
		c.table.SetColumnWidth(i, w)
	}
	c.table.OnSelected = c.onSelected
	legend := container.NewHBox(
		swatch(notStartedColor), widget.NewLabel(u.T("Status.NotStarted")),
		swatch(inProgressColor), widget.NewLabel(u.T("Status.InProgress")),
		swatch(passedColor), widget.NewLabel(u.T("Results.Passed")),
		swatch(refresherColor), widget.NewLabel(u.T("Trainer.CellRefresherDue")))
	c.count = widget.NewLabel(u.T("Common.Loading"))
	c.root = container.NewBorder(container.NewVBox(t.newFilterBar().root, container.NewBorder(nil, nil, c.count, nil, legend)), nil, nil, nil, c.table)
	c.reload()
	return c
}

// reload reads the matrix for the trainer's filter.
func (c *completionTab) reload() {
	u, f := c.t.u, c.t.filter
	c.query++
	query := c.query
	c.count.SetText(u.T("Common.Loading"))
	fetch(u, func(ctx context.Context) (completionData, error) {
		var d completionData
		var err error
		d.mods = u.catalog().Modules
		if d.days, err = u.store.RefresherDays(ctx); err != nil {
			return d, err
		}
		d.rows, err = u.store.Dashboard(ctx, f)
		return d, err
	}, func(d completionData) {
		if query != c.query {
			return
		}
		first := c.mods == nil
		c.rows, c.mods, c.days = d.rows, d.mods, d.days
		if first {
			for i := range c.mods {
				c.table.SetColumnWidth(5+i, moduleWidth)
			}
		}
		c.table.UnselectAll()
		c.table.Refresh()
		c.count.SetText(u.N("Trainer.LearnerCount", len(c.rows), nil))
	})
}

// The matrix's column widths: name, role, language, cohort, last active; each module.
var (
	fixedWidths = []float32{200, 150, 110, 110, 110}
	moduleWidth = float32(170)
)

func (c *completionTab) showCell(id widget.TableCellID, o fyne.CanvasObject) {
	u := c.t.u
	stack := o.(*fyne.Container)
	bg := stack.Objects[0].(*canvas.Rectangle)
	t := stack.Objects[1].(*fyne.Container).Objects[0].(*fyne.Container).Objects[1].(*canvas.Text)
	if id.Row >= len(c.rows) {
		return
	}
	r := c.rows[id.Row]
	bg.FillColor = color.Transparent
	var text string
	switch id.Col {
	case 0:
		text = r.Name
	case 1:
		text = u.roleName(r.Role)
	case 2:
		text = locales.Native[r.Language]
	case 3:
		text = r.Cohort
	case 4:
		text = u.loc.Date(r.LastActive)
	default:
		m := c.mods[id.Col-5]
		st, ok := r.Modules[m.ID]
		text, bg.FillColor = c.t.cellState(st, ok, m.ID, c.days)
	}
	width := moduleWidth
	if id.Col < len(fixedWidths) {
		width = fixedWidths[id.Col]
	}
	t.Text = c.fit(text, width-2*theme.InnerPadding())
	t.Color = theme.Color(theme.ColorNameForeground)
	t.TextSize = theme.TextSize()
	bg.Refresh()
	t.Refresh()
}

// fit cuts text to width with an ellipsis, remembering each answer: the matrix shows the
// same few statuses, roles and dates over and over.
func (c *completionTab) fit(text string, width float32) string {
	key := fitKey{text, width}
	if cut, ok := c.fitted[key]; ok {
		return cut
	}
	size, style := theme.TextSize(), fyne.TextStyle{}
	cut := text
	if fyne.MeasureText(text, size, style).Width > width {
		runes := []rune(text)
		lo, hi := 0, len(runes) // the most runes that fit with the ellipsis: in [lo, hi)
		for lo+1 < hi {
			mid := (lo + hi) / 2
			if fyne.MeasureText(string(runes[:mid])+"…", size, style).Width <= width {
				lo = mid
			} else {
				hi = mid
			}
		}
		cut = strings.TrimSpace(string(runes[:lo])) + "…"
	}
	if len(c.fitted) > 5000 {
		clear(c.fitted) // names scrolled past: bound the memory
	}
	c.fitted[key] = cut
	return cut
}

type fitKey struct {
	text  string
	width float32
}

// onSelected opens the learner's record.
func (c *completionTab) onSelected(id widget.TableCellID) {
	if id.Row < 0 || id.Row >= len(c.rows) {
		return
	}
	r := c.rows[id.Row]
	c.table.UnselectAll()
	c.t.u.push(func() screen { return c.t.learnerRecord(r) })
}

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

// modulesTab shows, per module, the score distribution and the questions and indicators
// most often missed, as charts.
type modulesTab struct {
	t     *trainerScreen
	root  fyne.CanvasObject
	cards *fyne.Container
	query int
}

// moduleChart is what one module's card shows.
type moduleChart struct {
	module *modules.Module
	stats  progress.ModuleStats
}

func (t *trainerScreen) newModulesTab() *modulesTab {
	m := &modulesTab{t: t, cards: container.NewVBox(t.u.loading())}
	m.root = container.NewBorder(t.newFilterBar().root, nil, nil, nil, container.NewVScroll(m.cards))
	m.reload()
	return m
}

// reload reads every module's statistics for the trainer's filter.
func (m *modulesTab) reload() {
	u, f := m.t.u, m.t.filter
	m.query++
	query := m.query
	fetch(u, func(ctx context.Context) ([]moduleChart, error) {
		all, err := u.store.AllModuleStats(ctx, f)
		if err != nil {
			return nil, err
		}
		var out []moduleChart
		for _, mod := range u.catalog().Modules {
			out = append(out, moduleChart{mod, all[mod.ID]})
		}
		return out, nil
	}, func(charts []moduleChart) {
		if query != m.query {
			return
		}
		var cards []fyne.CanvasObject
		for _, c := range charts {
			cards = append(cards, m.card(c))
		}
		m.cards.Objects = cards
		m.cards.Refresh()
	})
}

// missRate is a share wrong of total in thousandths, for sorting.
func missRate(wrong, total int) int { return wrong * 1000 / max(total, 1) }

// card is one module's charts.
func (m *modulesTab) card(c moduleChart) fyne.CanvasObject {
	u := m.t.u
	text := c.module.In(u.loc.Lang)
	byID := map[string]quiz.Question{}
	for _, q := range text.Bank {
		byID[q.ID] = q
	}
	var bars []labelledValue
	for i, n := range c.stats.Scores {
		label := fmt.Sprintf("%d–%d", i*10, i*10+9)
		if i == 10 {
			label = "100"
		}
		bars = append(bars, labelledValue{label, n})
	}
	// The questions most often missed, by their share of wrong answers.
	questions := slices.Clone(c.stats.Questions)
	slices.SortStableFunc(questions, func(a, b progress.QuestionMisses) int {
		return cmp.Or(cmp.Compare(missRate(b.Wrong, b.Total), missRate(a.Wrong, a.Total)), cmp.Compare(b.Wrong, a.Wrong))
	})
	missed := container.NewVBox(widget.NewLabelWithStyle(u.T("Trainer.MostMissedQuestions"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	shown := 0
	for _, q := range questions {
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
	indicators := map[string]indMiss{}
	for _, q := range c.stats.Questions {
		for _, slug := range byID[q.QuestionID].Indicators {
			v := indicators[slug]
			indicators[slug] = indMiss{slug, v.wrong + q.Wrong, v.total + q.Total}
		}
	}
	var inds []indMiss
	for _, v := range indicators {
		if v.wrong > 0 {
			inds = append(inds, v)
		}
	}
	slices.SortFunc(inds, func(a, b indMiss) int {
		return cmp.Or(cmp.Compare(missRate(b.wrong, b.total), missRate(a.wrong, a.total)), strings.Compare(a.slug, b.slug))
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
	// The title in a wrapping label: a card's own title does not wrap, and a long one
	// would widen the window.
	return widget.NewCard("", "", container.NewVBox(heading(text.Title), wrapped(u.T("Trainer.ScoreDistribution")),
		histogram(bars), container.NewGridWithColumns(2, missed, indBox)))
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
		count.SizeName = theme.SizeNameCaptionText
		label := widget.NewLabel(v.label + " %")
		label.Alignment = fyne.TextAlignCenter
		label.SizeName = theme.SizeNameCaptionText
		label.Truncation = fyne.TextTruncateClip // never wider than its share of the card
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

// learnerRecordScreen is one learner's record: every attempt, their cohort, a
// certificate for each module passed, and erasure.
type learnerRecordScreen struct {
	t        *trainerScreen
	r        progress.LearnerStatus
	root     *fyne.Container
	cohort   *widget.Entry
	attempts *fyne.Container
}

// attemptLine is one attempt of a learner's record with its answers counted.
type attemptLine struct {
	attempt  progress.Attempt
	answered int
	right    int
}

// moduleRecord is a learner's attempts at one module.
type moduleRecord struct {
	module   *modules.Module
	attempts []attemptLine
}

func (t *trainerScreen) learnerRecord(r progress.LearnerStatus) screen {
	u := t.u
	s := &learnerRecordScreen{t: t, r: r}
	back := widget.NewButtonWithIcon(u.T("Common.Back"), theme.NavigateBackIcon(), u.back)
	info := wrapped(u.T("Trainer.LearnerInfo", map[string]any{
		"Role": u.roleName(r.Role), "Language": r.Language, "Created": u.loc.Date(r.CreatedAt), "Active": u.loc.Date(r.LastActive)}))
	s.cohort = widget.NewEntry()
	s.cohort.SetText(r.Cohort)
	saveCohort := widget.NewButtonWithIcon(u.T("Trainer.AssignCohort"), theme.DocumentSaveIcon(), s.saveCohort)
	erase := widget.NewButtonWithIcon(u.T("Trainer.Delete"), theme.DeleteIcon(), s.confirmDelete)
	erase.Importance = widget.DangerImportance
	s.attempts = container.NewVBox(u.loading())
	box := container.NewVBox(container.NewBorder(nil, nil, back, erase, heading(r.Name)), info,
		container.NewBorder(nil, nil, widget.NewLabel(u.T("Trainer.Cohort")), saveCohort, s.cohort), widget.NewSeparator(), s.attempts)
	s.root = container.NewPadded(container.NewVScroll(box))
	fetch(u, s.read, s.apply)
	return s
}

func (s *learnerRecordScreen) content() fyne.CanvasObject { return s.root }

// read reads the learner's attempts at every module, with their answers counted.
func (s *learnerRecordScreen) read(ctx context.Context) ([]moduleRecord, error) {
	u := s.t.u
	var out []moduleRecord
	for _, m := range u.catalog().Modules {
		attempts, err := u.store.Attempts(ctx, s.r.ID, m.ID)
		if err != nil {
			return nil, err
		}
		rec := moduleRecord{module: m}
		for _, a := range attempts {
			answers, err := u.store.Answers(ctx, a.ID)
			if err != nil {
				return nil, err
			}
			line := attemptLine{attempt: a, answered: len(answers)}
			for _, an := range answers {
				if an.Complete && an.Correct {
					line.right++
				}
			}
			rec.attempts = append(rec.attempts, line)
		}
		out = append(out, rec)
	}
	return out, nil
}

func (s *learnerRecordScreen) apply(records []moduleRecord) {
	u, r := s.t.u, s.r
	var objs []fyne.CanvasObject
	for _, rec := range records {
		title := widget.NewLabelWithStyle(rec.module.In(u.loc.Lang).Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		title.Wrapping = fyne.TextWrapWord
		if r.Modules[rec.module.ID].Status == progress.ModulePassed {
			objs = append(objs, container.NewBorder(nil, nil, nil, s.t.certificateButton(r.ID, r.Name, rec.module.ID), title))
		} else {
			objs = append(objs, title)
		}
		if len(rec.attempts) == 0 {
			objs = append(objs, widget.NewLabel(u.T("Status.NotStarted")))
		}
		for _, line := range rec.attempts {
			a := line.attempt
			outcome := u.T("Trainer.AttemptOpen")
			switch {
			case a.Status == progress.AttemptSkipped:
				objs = append(objs, wrapped(u.T("Pretest.Kind")+" · "+u.T("Pretest.SkippedLine", map[string]any{"Date": u.loc.Date(a.FinishedAt)})))
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
			objs = append(objs, wrapped(kind+u.T("Trainer.AttemptLine", map[string]any{
				"Date": u.loc.Date(a.StartedAt), "Answered": u.loc.Number(line.answered), "Total": u.loc.Number(a.Total),
				"Right": u.loc.Number(line.right), "Outcome": outcome})))
		}
	}
	s.attempts.Objects = objs
	s.attempts.Refresh()
}

// saveCohort assigns the learner to the cohort typed.
func (s *learnerRecordScreen) saveCohort() {
	u, id, code := s.t.u, s.r.ID, s.cohort.Text
	u.perform(func(ctx context.Context) error { return u.store.SetCohort(ctx, id, code) }, func() {
		s.t.changed = true
		s.r.Cohort = strings.TrimSpace(code)
		s.cohort.SetText(s.r.Cohort)
	})
}

// confirmDelete erases the learner after the trainer confirms, then goes back to the
// matrix.
func (s *learnerRecordScreen) confirmDelete() {
	u, r := s.t.u, s.r
	dialog.ShowConfirm(u.T("Trainer.DeleteTitle"), u.T("Trainer.DeleteConfirm", map[string]any{"Name": r.Name}), func(ok bool) {
		if ok {
			u.perform(func(ctx context.Context) error { return u.store.DeleteLearner(ctx, r.ID) }, func() {
				s.t.changed = true
				u.back()
			})
		}
	}, u.win)
}

// cohortsTab lists the cohorts and creates new ones.
type cohortsTab struct {
	t    *trainerScreen
	root fyne.CanvasObject
	list *fyne.Container
	code *widget.Entry
	name *widget.Entry
}

func (t *trainerScreen) newCohortsTab() *cohortsTab {
	u := t.u
	c := &cohortsTab{t: t, list: container.NewVBox(u.loading())}
	c.code = widget.NewEntry()
	c.code.SetPlaceHolder(u.T("Trainer.CohortCode"))
	c.name = widget.NewEntry()
	c.name.SetPlaceHolder(u.T("Trainer.CohortName"))
	add := widget.NewButtonWithIcon(u.T("Trainer.CreateCohort"), theme.ContentAddIcon(), c.create)
	c.root = container.NewVScroll(container.NewVBox(c.list, widget.NewSeparator(), container.NewGridWithColumns(3, c.code, c.name, add)))
	c.reload()
	return c
}

// reload reads the cohorts with their learners counted.
func (c *cohortsTab) reload() {
	u := c.t.u
	fetch(u, func(ctx context.Context) ([]progress.Cohort, error) { return u.store.Cohorts(ctx) }, func(cohorts []progress.Cohort) {
		var rows []fyne.CanvasObject
		for _, co := range cohorts {
			label := co.Code
			if co.Name != "" {
				label += " — " + co.Name
			}
			code := co.Code
			mastery := widget.NewButtonWithIcon(u.T("Mastery.Button"), theme.GridIcon(), func() { c.showMastery(code) })
			rows = append(rows, container.NewBorder(nil, nil, nil, mastery, widget.NewLabel(label+" · "+u.N("Trainer.LearnerCount", co.Learners, nil))))
		}
		if len(cohorts) == 0 {
			rows = append(rows, wrapped(u.T("Trainer.NoCohorts")))
		}
		c.list.Objects = rows
		c.list.Refresh()
	})
}

// showMastery opens the cohort's mastery picture over trainer mode; Back returns to
// this tab.
func (c *cohortsTab) showMastery(code string) {
	u := c.t.u
	u.push(func() screen {
		return u.newMasteryScreen(u.T("Trainer.CohortMastery", map[string]any{"Cohort": code}), u.T("Trainer.CohortMasteryIntro"),
			func(ctx context.Context) ([]progress.QuestionMastery, error) {
				return u.store.CohortMastery(ctx, code)
			})
	})
}

// create adds the cohort typed.
func (c *cohortsTab) create() {
	u, code, name := c.t.u, c.code.Text, c.name.Text
	u.perform(func(ctx context.Context) error { return u.store.CreateCohort(ctx, code, name) }, func() {
		c.code.SetText("")
		c.name.SetText("")
		c.reload()
		for _, f := range c.t.filterBars {
			f.readCohorts()
		}
	})
}

// settingsTab sets each module's refresher period and changes the passphrase.
type settingsTab struct {
	t       *trainerScreen
	root    fyne.CanvasObject
	form    *widget.Form
	entries map[string]*widget.Entry
	mods    []*modules.Module
	old     *widget.Entry
	pass    *widget.Entry
	again   *widget.Entry
	// workplace turns the workplace questions on or off (off by default).
	workplace *widget.Check
}

// refresherData is what the settings tab reads off the UI goroutine.
type refresherData struct {
	mods []*modules.Module
	days map[string]int
}

func (t *trainerScreen) newSettingsTab() *settingsTab {
	u := t.u
	s := &settingsTab{t: t, form: widget.NewForm(), entries: map[string]*widget.Entry{}}
	save := widget.NewButtonWithIcon(u.T("Trainer.SaveRefresher"), theme.DocumentSaveIcon(), s.saveDays)
	s.old, s.pass, s.again = widget.NewPasswordEntry(), widget.NewPasswordEntry(), widget.NewPasswordEntry()
	change := widget.NewButtonWithIcon(u.T("Trainer.ChangePassphrase"), theme.ConfirmIcon(), s.changePassphrase)
	passForm := widget.NewForm(
		widget.NewFormItem(u.T("Trainer.OldPassphrase"), s.old),
		widget.NewFormItem(u.T("Trainer.NewPassphrase"), s.pass),
		widget.NewFormItem(u.T("Trainer.RepeatPassphrase"), s.again))
	s.workplace = widget.NewCheck(u.T("Proof.WorkplaceSetting"), nil)
	s.workplace.Disable() // until the setting is read
	s.root = container.NewVScroll(container.NewVBox(
		heading(u.T("Trainer.RefresherTitle")), wrapped(u.T("Trainer.RefresherHelp")), s.form, container.NewHBox(save),
		widget.NewSeparator(), heading(u.T("Proof.WorkplaceTitle")), wrapped(u.T("Proof.WorkplaceSettingHelp")), s.workplace,
		widget.NewSeparator(), heading(u.T("Trainer.ChangePassphrase")), passForm, container.NewHBox(change),
		widget.NewSeparator(), t.trustSettings()))
	fetch(u, func(ctx context.Context) (bool, error) { return u.store.WorkplaceQuestions(ctx) }, func(on bool) {
		s.workplace.SetChecked(on)
		s.workplace.OnChanged = func(on bool) {
			u.perform(func(ctx context.Context) error { return u.store.SetWorkplaceQuestions(ctx, on) }, nil)
		}
		s.workplace.Enable()
	})
	fetch(u, func(ctx context.Context) (refresherData, error) {
		days, err := u.store.RefresherDays(ctx)
		return refresherData{u.catalog().Modules, days}, err
	}, func(d refresherData) {
		s.mods = d.mods
		for _, m := range d.mods {
			e := widget.NewEntry()
			n := d.days[m.ID]
			if n == 0 {
				n = progress.DefaultRefresherDays
			}
			e.SetText(strconv.Itoa(n))
			s.entries[m.ID] = e
			s.form.Append(m.In(u.loc.Lang).Title, e)
		}
	})
	return s
}

// saveDays saves the refresher periods typed, each a whole number of days.
func (s *settingsTab) saveDays() {
	u := s.t.u
	days := map[string]int{}
	for _, m := range s.mods {
		n, err := strconv.Atoi(strings.TrimSpace(s.entries[m.ID].Text))
		if err != nil || n < 1 {
			dialog.ShowInformation(u.T("Trainer.TabSettings"), u.T("Trainer.BadDays", map[string]any{"Module": m.In(u.loc.Lang).Title}), u.win)
			return
		}
		days[m.ID] = n
	}
	mods := s.mods
	fetch(u, func(ctx context.Context) (*modules.Module, error) {
		for _, m := range mods {
			err := u.store.SetRefresherDays(ctx, m.ID, days[m.ID])
			if errors.Is(err, progress.ErrInvalid) {
				return m, nil
			}
			if err != nil {
				return nil, err
			}
		}
		return nil, nil
	}, func(bad *modules.Module) {
		if bad != nil {
			dialog.ShowInformation(u.T("Trainer.TabSettings"), u.T("Trainer.BadDays", map[string]any{"Module": bad.In(u.loc.Lang).Title}), u.win)
			return
		}
		if s.t.completion != nil {
			s.t.completion.reload()
		}
	})
}

// changePassphrase changes the trainer passphrase (argon2id: a moment, off the UI
// goroutine).
func (s *settingsTab) changePassphrase() {
	u := s.t.u
	if s.pass.Text != s.again.Text {
		dialog.ShowInformation(u.T("Trainer.TabSettings"), u.T("Trainer.Mismatch"), u.win)
		return
	}
	old, pass := s.old.Text, s.pass.Text
	fetch(u, func(ctx context.Context) (error, error) {
		err := u.store.SetTrainerPassphrase(ctx, old, pass)
		if err == nil || errors.Is(err, progress.ErrInvalid) || errors.Is(err, progress.ErrWrongPassphrase) || errors.Is(err, progress.ErrWait) {
			return err, nil
		}
		return nil, err
	}, func(refused error) {
		switch {
		case refused == nil:
			s.old.SetText("")
			s.pass.SetText("")
			s.again.SetText("")
			dialog.ShowInformation(u.T("Trainer.TabSettings"), u.T("Trainer.PassphraseChanged"), u.win)
		case errors.Is(refused, progress.ErrInvalid):
			dialog.ShowInformation(u.T("Trainer.TabSettings"), u.T("Trainer.TooShort", map[string]any{"N": progress.MinPassphrase}), u.win)
		default:
			dialog.ShowInformation(u.T("Trainer.TabSettings"), u.T("Trainer.Wrong"), u.win)
		}
	})
}
