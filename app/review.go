package app

import (
	"context"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/modules"
	"indicia/quiz"
)

// ReviewSessionSize is the most questions a daily review session asks.
const ReviewSessionSize = 10

// startReview opens a review session of the learner's due questions, mixing modules,
// confident mistakes first.
func (u *UI) startReview() {
	id := u.learner.ID
	fetch(u, func(ctx context.Context) ([]progress.DueCard, error) {
		return u.store.DueCards(ctx, id, time.Now(), ReviewSessionSize)
	}, u.openReview)
}

// openReview opens the review session of the due questions.
func (u *UI) openReview(due []progress.DueCard) {
	s := &quizScreen{u: u, review: true, moduleOf: map[string]*modules.Module{}, noteSeen: map[int]bool{}}
	rng := u.rng()
	var plan quiz.Plan
	for _, d := range due {
		m, ok := u.catalog().Module(d.ModuleID)
		if !ok {
			continue // a module no longer shipped
		}
		for _, q := range m.In(u.loc.Lang).Bank {
			if q.ID == d.QuestionID {
				plan = append(plan, quiz.DrawFor(q, rng))
				s.moduleOf[q.ID] = m
			}
		}
	}
	if len(plan) == 0 {
		dialog.ShowInformation(u.T("Review.Title"), u.T("Review.NothingDue"), u.win)
		return
	}
	var err error
	s.session, err = quiz.NewSession(s.bank(), plan, 0)
	if err != nil {
		u.showError(err)
		return
	}
	s.begin(0)
	u.openQuiz(s)
}

// reviewResultsScreen sums up a review session and says when the next one is. It takes
// the session's place: Back goes to the catalog.
type reviewResultsScreen struct {
	root  fyne.CanvasObject
	still *widget.Label
}

func (s *reviewResultsScreen) content() fyne.CanvasObject { return s.root }

// showReviewResults shows the review's results in place of the session.
func (u *UI) showReviewResults(session *quiz.Session) {
	u.replace(func() screen {
		s := &reviewResultsScreen{}
		sc := session.Score()
		s.still = wrapped(u.T("Common.Loading"))
		box := container.NewVBox(heading(u.T("Review.Done")),
			wrapped(u.T("Review.Score", map[string]any{"Correct": u.loc.Number(sc.Correct), "Total": u.loc.Number(sc.Answered)})),
			s.still)
		back := widget.NewButtonWithIcon(u.T("Top.Catalog"), theme.HomeIcon(), u.back)
		back.Importance = widget.HighImportance
		mastery := widget.NewButtonWithIcon(u.T("Mastery.Button"), theme.GridIcon(), func() { u.push(u.masteryScreen) })
		box.Add(container.NewHBox(back, mastery))
		box.Add(widget.NewSeparator())
		for _, i := range session.Missed() {
			it := session.Item(i)
			prompt := widget.NewLabelWithStyle(it.Question.Prompt, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			prompt.Wrapping = fyne.TextWrapWord
			box.Add(widget.NewCard("", "", container.NewVBox(prompt, u.feedbackView(it))))
		}
		s.root = container.NewVScroll(container.NewPadded(box))
		id := u.learner.ID
		fetch(u, func(ctx context.Context) (int, error) { return u.store.CountDue(ctx, id, time.Now()) }, func(n int) {
			if n > 0 {
				s.still.SetText(u.N("Review.StillDue", n, nil))
			} else {
				s.still.SetText(u.T("Review.AllDone"))
			}
		})
		return s
	})
}

// Colours of the mastery picture, readable in every theme.
var (
	masteredColor = color.NRGBA{R: 0x2e, G: 0x9d, B: 0x4f, A: 0xff}
	learningColor = color.NRGBA{R: 0xf0, G: 0xb4, B: 0x29, A: 0xff}
	missingColor  = color.NRGBA{R: 0xd6, G: 0x3b, B: 0x3b, A: 0xff}
)

// indicatorLabel names a catalogue indicator in the current language, saying when it is
// general guidance rather than a sign from the report.
func (u *UI) indicatorLabel(id string) string {
	ind, ok := u.catalog().Indicator(id)
	if !ok {
		return id
	}
	if !ind.FromReport() {
		return u.T("Indicator.GeneralLabel", map[string]any{"Title": ind.In(u.loc.Lang).Title})
	}
	return ind.In(u.loc.Lang).Title
}

// indicatorMastery is the mastery of one warning sign of the catalogue: the review cards
// of every question that exercises it, added up.
type indicatorMastery struct {
	id                                    string
	mastered, learning, missing, priority int
}

// masteryByIndicator adds up the cards of each question under each catalogue indicator
// the question exercises, in the catalogue's order (the report's signs first). Questions
// on the law or the context exercise no indicator and are left out; so are indicators no
// answered question exercises.
func masteryByIndicator(cat *modules.Catalog, rows []progress.QuestionMastery) []indicatorMastery {
	indicatorsOf := map[string][]string{} // module/question -> indicator ids
	for _, m := range cat.Modules {
		for _, q := range m.In("fr").Bank {
			indicatorsOf[m.ID+"/"+q.ID] = q.Indicators
		}
	}
	sums := map[string]*indicatorMastery{}
	for _, r := range rows {
		for _, id := range indicatorsOf[r.ModuleID+"/"+r.QuestionID] {
			s := sums[id]
			if s == nil {
				s = &indicatorMastery{id: id}
				sums[id] = s
			}
			s.mastered += r.Mastered
			s.learning += r.Learning
			s.missing += r.Missing
			s.priority += r.Priority
		}
	}
	var out []indicatorMastery
	for _, ind := range cat.Indicators() {
		if s := sums[ind.ID]; s != nil {
			out = append(out, *s)
		}
	}
	return out
}

// masteryScreen draws, for every indicator the learner was asked about, how many of its
// questions they know well, are learning, or keep missing.
type masteryScreen struct {
	root *fyne.Container
}

func (s *masteryScreen) content() fyne.CanvasObject { return s.root }

// masteryScreen is the signed-in learner's mastery picture.
func (u *UI) masteryScreen() screen {
	id := u.learner.ID
	return u.newMasteryScreen(u.T("Mastery.Title"), u.T("Mastery.Intro"), func(ctx context.Context) ([]progress.QuestionMastery, error) {
		return u.store.Mastery(ctx, id)
	})
}

// newMasteryScreen shows the mastery rows that read gives, read off the UI goroutine.
// Its questions' review cards are added up per catalogue indicator there too.
func (u *UI) newMasteryScreen(title, intro string, read func(ctx context.Context) ([]progress.QuestionMastery, error)) *masteryScreen {
	s := &masteryScreen{root: container.NewStack()}
	back := widget.NewButtonWithIcon(u.T("Common.Back"), theme.NavigateBackIcon(), u.back)
	top := container.NewPadded(container.NewHBox(back))
	s.root.Objects = []fyne.CanvasObject{container.NewBorder(top, nil, nil, nil, container.NewPadded(container.NewVBox(heading(title), u.loading())))}
	fetch(u, func(ctx context.Context) ([]indicatorMastery, error) {
		rows, err := read(ctx)
		return masteryByIndicator(u.catalog(), rows), err
	}, func(rows []indicatorMastery) {
		s.root.Objects = []fyne.CanvasObject{container.NewBorder(top, nil, nil, nil, u.masteryView(rows, title, intro))}
		s.root.Refresh()
	})
	return s
}

func (u *UI) masteryView(rows []indicatorMastery, title, intro string) fyne.CanvasObject {
	legend := container.NewHBox(
		swatch(masteredColor), widget.NewLabel(u.T("Mastery.Mastered")),
		swatch(learningColor), widget.NewLabel(u.T("Mastery.Learning")),
		swatch(missingColor), widget.NewLabel(u.T("Mastery.Missing")))
	box := container.NewVBox(heading(title), wrapped(intro), legend, widget.NewSeparator())
	if len(rows) == 0 {
		box.Add(wrapped(u.T("Mastery.Empty")))
	}
	for _, r := range rows {
		label := u.indicatorLabel(r.id)
		if r.priority > 0 {
			label = "⚠ " + label + " — " + u.T("Mastery.ConfidentMistake")
		}
		box.Add(container.NewGridWithColumns(2, container.NewBorder(nil, nil, nil, u.signButton(r.id), wrapped(label)),
			masteryBar(r.mastered, r.learning, r.missing)))
	}
	return container.NewVScroll(container.NewPadded(box))
}

func swatch(c color.Color) fyne.CanvasObject {
	r := canvas.NewRectangle(c)
	r.SetMinSize(fyne.NewSize(16, 16))
	return container.NewCenter(r)
}

// masteryBar is a bar split in proportion to the questions at each level.
func masteryBar(mastered, learning, missing int) fyne.CanvasObject {
	bar := &stackedBar{parts: []int{mastered, learning, missing}, colors: []color.Color{masteredColor, learningColor, missingColor}}
	bar.ExtendBaseWidget(bar)
	return bar
}

type stackedBar struct {
	widget.BaseWidget
	parts  []int
	colors []color.Color
}

func (b *stackedBar) CreateRenderer() fyne.WidgetRenderer {
	r := &stackedBarRenderer{bar: b}
	for _, c := range b.colors {
		r.rects = append(r.rects, canvas.NewRectangle(c))
	}
	return r
}

type stackedBarRenderer struct {
	bar   *stackedBar
	rects []*canvas.Rectangle
}

func (r *stackedBarRenderer) Layout(size fyne.Size) {
	total := 0
	for _, p := range r.bar.parts {
		total += p
	}
	x := float32(0)
	for i, rect := range r.rects {
		w := float32(0)
		if total > 0 {
			w = size.Width * float32(r.bar.parts[i]) / float32(total)
		}
		rect.Move(fyne.NewPos(x, size.Height/4))
		rect.Resize(fyne.NewSize(w, size.Height/2))
		x += w
	}
}

func (r *stackedBarRenderer) MinSize() fyne.Size {
	return fyne.NewSize(120, theme.Size(theme.SizeNameText)*2)
}
func (r *stackedBarRenderer) Refresh() { r.Layout(r.bar.Size()) }
func (r *stackedBarRenderer) Destroy() {}
func (r *stackedBarRenderer) Objects() []fyne.CanvasObject {
	out := make([]fyne.CanvasObject, len(r.rects))
	for i, rect := range r.rects {
		out[i] = rect
	}
	return out
}
