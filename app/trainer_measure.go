package app

import (
	"cmp"
	"context"
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"indicia/app/measure"
	"indicia/app/progress"
	"indicia/app/report"
)

// measureTab is trainer mode's proof that the training works: for the learners the
// trainer's filter selects, before / after / kept per module with their 95 % intervals,
// the learners behind each and the normalised gain; the same per warning sign of one
// module, the worst kept first; how often a "sure" answer was wrong, per sign; how
// often "sure" and "guessing" answers were right, per cohort; and what learners said
// about their workplace, per cohort. Groups of fewer than measure.MinGroup learners
// show their counts only. Its data is read off the UI goroutine.
type measureTab struct {
	t      *trainerScreen
	u      *UI
	module string // the module whose signs are shown
	root   fyne.CanvasObject
	body   *fyne.Container // everything below the filters
	mod    *widget.Select
	// query counts the reads asked for: a slow read's result that a newer one replaced
	// is dropped.
	query int
	// filter is the filter the figures shown were read for.
	filter progress.Filter
}

// measureData is what the tab reads for one choice of filters.
type measureData struct {
	modules []report.GainGroup // one per module
	signs   []report.GainGroup // one per indicator of the chosen module
	wrong   []progress.ConfidentWrongRow
	// calibration and workplace: first the learners the filter selects together, then
	// (when the filter takes every cohort) each cohort.
	calibration []progress.CalibrationRow
	workplace   []progress.WorkplaceRow
}

func (t *trainerScreen) newMeasureTab() *measureTab {
	u := t.u
	m := &measureTab{t: t, u: u, body: container.NewVBox(u.loading())}
	mods := u.catalog().Modules
	m.module = mods[0].ID
	var names []string
	for _, mod := range mods {
		names = append(names, mod.In(u.loc.Lang).Title)
	}
	m.mod = widget.NewSelect(names, nil)
	m.mod.SetSelectedIndex(0)
	m.mod.OnChanged = func(string) {
		if i := m.mod.SelectedIndex(); i >= 0 && i < len(mods) && mods[i].ID != m.module {
			m.module = mods[i].ID
			m.load()
		}
	}
	top := container.NewVBox(t.newFilterBar().root,
		container.NewBorder(nil, nil, widget.NewLabel(u.T("Proof.Module")), nil, m.mod))
	m.root = container.NewBorder(top, nil, nil, nil, container.NewVScroll(container.NewPadded(m.body)))
	m.load()
	return m
}

// load shows that the figures are being read, reads them for the trainer's filter, and
// shows them.
func (m *measureTab) load() {
	u := m.u
	m.query++
	query, f, module := m.query, m.t.filter, m.module
	m.body.Objects = []fyne.CanvasObject{u.loading()}
	m.body.Refresh()
	fetch(u, func(ctx context.Context) (measureData, error) {
		var d measureData
		cat := u.catalog()
		lang := u.loc.Lang
		all, one := report.MeasuredItems(cat), report.MeasuredItems(cat, module)
		rows, err := u.store.Gain(ctx, progress.GainQuery{Filter: f, Items: all})
		if err != nil {
			return d, err
		}
		d.modules = report.GainGroups(rows, cat, lang)
		if rows, err = u.store.Gain(ctx, progress.GainQuery{Filter: f, Items: one, ByIndicator: true}); err != nil {
			return d, err
		}
		d.signs = report.GainGroups(rows, cat, lang)
		if d.wrong, err = u.store.ConfidentWrong(ctx, progress.GainQuery{Filter: f, Items: one}); err != nil {
			return d, err
		}
		if d.calibration, err = u.store.Calibration(ctx, progress.GainQuery{Filter: f, Items: all}); err != nil {
			return d, err
		}
		if d.workplace, err = u.store.WorkplaceTotals(ctx, f, false, nil); err != nil {
			return d, err
		}
		if f.Cohort == "" && !f.NoCohort {
			cal, err := u.store.Calibration(ctx, progress.GainQuery{Filter: f, Items: all, ByCohort: true})
			if err != nil {
				return d, err
			}
			wp, err := u.store.WorkplaceTotals(ctx, f, true, nil)
			if err != nil {
				return d, err
			}
			d.calibration, d.workplace = append(d.calibration, cal...), append(d.workplace, wp...)
		}
		return d, nil
	}, func(d measureData) {
		if query == m.query {
			m.filter = f
			m.show(d)
		}
	})
}

// names are before, after and kept in the interface's language.
func (m *measureTab) names() [3]string {
	u := m.u
	return [3]string{u.T("Gain.Before"), u.T("Gain.After"), u.T("Gain.Kept")}
}

// figure is a measurement's text beside its bar: the mean and the learners, or the
// learners alone for a group too small to show more.
func (m *measureTab) figure(e measure.Estimate) string {
	u := m.u
	switch {
	case e.N == 0:
		return u.T("Gain.NoOne")
	case !e.Shown():
		return u.N("Gain.CountOnly", e.N, nil)
	}
	return u.T("Gain.MeanN", map[string]any{"Mean": u.loc.PercentDecimal(e.Mean), "N": u.loc.Number(e.N)})
}

// gainLine is the normalised gain and the learners it rests on, or why there is none.
func (m *measureTab) gainLine(g report.GainGroup) string {
	u := m.u
	if !g.HasGain {
		return u.N("Gain.NoGain", g.Pairs, nil)
	}
	return u.T("Gain.GainOf", map[string]any{"Gain": u.loc.Decimal(g.Gain, 2), "N": u.loc.Number(g.Pairs)})
}

// bars is a group's chart.
func (m *measureTab) bars(g report.GainGroup, compact bool) *gainBars {
	est := [3]measure.Estimate{g.Before, g.After, g.Kept}
	var values [3]string
	for i, e := range est {
		values[i] = m.figure(e)
	}
	return newGainBars(m.names(), values, est, compact)
}

// share is a proportion as text: the rate with its interval and what it rests on, or
// the counts alone for too few learners.
func (m *measureTab) share(p measure.Proportion, key string) string {
	u := m.u
	if !p.Shown() {
		return u.N("Proof.ShareCountOnly", p.Count, nil)
	}
	return u.T(key, map[string]any{"Rate": u.loc.Percent(int(p.Rate*100 + 0.5)), "Low": u.loc.Number(int(p.Low*100 + 0.5)),
		"High": u.loc.Number(int(p.High*100 + 0.5)), "Answers": u.loc.Number(p.Count), "Learners": u.loc.Number(p.Learners)})
}

// cohortName names a row of the calibration or workplace lists: the first is the
// selection as a whole, the others cohorts ("" the learners without one).
func (m *measureTab) cohortName(i int, code string) string {
	switch {
	case i == 0 && m.filter.Cohort != "":
		return m.filter.Cohort
	case i == 0 && m.filter.NoCohort:
		return m.u.T("Trainer.NoCohort")
	case i == 0:
		return m.u.T("Proof.AllSelected")
	case code == "":
		return m.u.T("Trainer.NoCohort")
	}
	return code
}

func (m *measureTab) show(d measureData) {
	u := m.u
	cat := u.catalog()
	var objs []fyne.CanvasObject
	legend := container.NewHBox()
	for i, n := range m.names() {
		legend.Add(swatch(measurementColours[i]))
		legend.Add(widget.NewLabel(n))
	}
	intro := wrapped(u.T("Proof.Intro", map[string]any{"N": u.loc.Number(measure.MinGroup)}))
	objs = append(objs, heading(u.T("Proof.Title")), intro, legend)

	// Before, after and kept per module.
	if len(d.modules) == 0 {
		objs = append(objs, wrapped(u.T("Gain.NoData")))
	}
	for _, g := range d.modules {
		gain := wrapped(m.gainLine(g))
		objs = append(objs, widget.NewCard("", "", container.NewVBox(heading(g.Label), m.bars(g, false), gain)))
	}

	// Per sign of the chosen module, the worst kept first.
	mod, _ := cat.Module(m.module)
	title := ""
	if mod != nil {
		title = mod.In(u.loc.Lang).Title
	}
	objs = append(objs, widget.NewSeparator(), heading(u.T("Proof.SignsTitle", map[string]any{"Module": title})),
		wrapped(u.T("Proof.SignsIntro")))
	if len(d.signs) == 0 {
		objs = append(objs, wrapped(u.T("Gain.NoData")))
	}
	for _, g := range d.signs {
		label := widget.NewLabelWithStyle(g.Label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		label.Wrapping = fyne.TextWrapWord
		objs = append(objs, container.NewVBox(label, m.bars(g, true)))
	}

	// Confident and wrong, per sign: the highest share first.
	objs = append(objs, widget.NewSeparator(), heading(u.T("Proof.WrongTitle", map[string]any{"Module": title})),
		wrapped(u.T("Proof.WrongIntro")))
	type wrongRow struct {
		label string
		p     measure.Proportion
	}
	var wrong []wrongRow
	for _, r := range d.wrong {
		wrong = append(wrong, wrongRow{u.indicatorLabel(r.Indicator), measure.Share(r.Sure.Hits, r.Sure.Answers, r.Sure.Learners)})
	}
	slices.SortStableFunc(wrong, func(a, b wrongRow) int {
		switch {
		case a.p.Shown() && b.p.Shown():
			return cmp.Compare(b.p.Rate, a.p.Rate)
		case a.p.Shown():
			return -1
		case b.p.Shown():
			return 1
		}
		return 0
	})
	if len(wrong) == 0 {
		objs = append(objs, wrapped(u.T("Gain.NoData")))
	}
	for _, r := range wrong {
		line := wrapped(m.share(r.p, "Proof.WrongShare"))
		row := container.NewGridWithColumns(2, wrapped(r.label), line)
		if r.p.Shown() {
			row = container.NewGridWithColumns(2, wrapped(r.label), container.NewVBox(rateBar(r.p, missingColor), line))
		}
		objs = append(objs, row)
	}

	// Calibration, per cohort.
	objs = append(objs, widget.NewSeparator(), heading(u.T("Proof.CalibrationTitle")), wrapped(u.T("Proof.CalibrationIntro")))
	if len(d.calibration) == 0 {
		objs = append(objs, wrapped(u.T("Gain.NoData")))
	}
	small := 0
	for i, c := range d.calibration {
		if i > 0 && max(c.Sure.Learners, c.Guessing.Learners) < measure.MinGroup {
			small++ // a cohort too small: its counts show when it is chosen
			continue
		}
		sure := measure.Share(c.Sure.Hits, c.Sure.Answers, c.Sure.Learners)
		guess := measure.Share(c.Guessing.Hits, c.Guessing.Answers, c.Guessing.Learners)
		objs = append(objs, container.NewGridWithColumns(3,
			widget.NewLabelWithStyle(m.cohortName(i, c.Cohort), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			wrapped(u.T("Proof.Sure")+" "+m.share(sure, "Proof.RightShare")),
			wrapped(u.T("Proof.Guessing")+" "+m.share(guess, "Proof.RightShare"))))
	}
	if small > 0 {
		objs = append(objs, wrapped(u.N("Proof.SmallCohorts", small, nil)))
	}

	// Did it reach the workplace?
	objs = append(objs, widget.NewSeparator(), heading(u.T("Proof.WorkplaceTitle")),
		wrapped(u.T("Proof.WorkplaceIntro", map[string]any{"N": u.loc.Number(measure.MinGroup)})))
	if len(d.workplace) == 0 {
		objs = append(objs, wrapped(u.T("Proof.WorkplaceNone")))
	}
	small = 0
	for i, w := range d.workplace {
		name := widget.NewLabelWithStyle(m.cohortName(i, w.Cohort), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		switch {
		case i > 0 && w.Learners < measure.MinGroup:
			small++
			continue
		case w.Learners < measure.MinGroup:
			objs = append(objs, container.NewGridWithColumns(2, name, wrapped(u.N("Proof.WorkplaceTooFew", w.Learners, nil))))
			continue
		}
		lines := container.NewVBox(wrapped(u.T("Proof.WorkplaceLearners", map[string]any{"N": u.loc.Number(w.Learners), "Answers": u.loc.Number(w.Answers)})))
		for _, q := range []struct {
			key    string
			counts map[progress.Reply]int
		}{{"Workplace.MetSign", w.MetSign}, {"Workplace.Alerted", w.Alerted}, {"Workplace.KnewWhom", w.KnewWhom}} {
			lines.Add(wrapped(u.T(q.key) + " " + u.T("Proof.WorkplaceCounts", map[string]any{
				"Yes": u.loc.Number(q.counts[progress.ReplyYes]), "No": u.loc.Number(q.counts[progress.ReplyNo]),
				"Unsaid": u.loc.Number(q.counts[progress.ReplyUnsaid])})))
		}
		objs = append(objs, container.NewGridWithColumns(2, name, lines))
	}
	if small > 0 {
		objs = append(objs, wrapped(u.N("Proof.SmallCohorts", small, nil)))
	}

	// How to read them.
	about := container.NewVBox(wrapped(u.T("Gain.About.Measurements")), wrapped(u.T("Gain.About.Scores")),
		wrapped(u.T("Gain.About.Gain")), wrapped(u.T("Gain.About.Small", map[string]any{"N": u.loc.Number(measure.MinGroup)})),
		wrapped(u.T("Gain.About.Caution")))
	objs = append(objs, widget.NewSeparator(), widget.NewAccordion(widget.NewAccordionItem(u.T("Gain.AboutSheet"), about)))
	m.body.Objects = objs
	m.body.Refresh()
}

// rateBar shows a proportion as a filled share of a bar, in c.
func rateBar(p measure.Proportion, c color.Color) fyne.CanvasObject {
	bar := &stackedBar{parts: []int{int(p.Rate*1000 + 0.5), 1000 - int(p.Rate*1000+0.5)}, colors: []color.Color{c, notStartedColor}}
	bar.ExtendBaseWidget(bar)
	return bar
}
