package app

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"indicia/quiz"
)

// addSpot shows a spot-the-signals situation: its running text, with each phrase that
// may be marked as a row of its own where it falls in the text. A phrase row is marked
// and unmarked by click, by Space, or by its number key; the arrow keys move between
// phrases and Enter checks. Once checked, every sign carries a tick and every phrase
// marked that is not a sign a cross, as a multiple-response question does.
func (s *quizScreen) addSpot(box *fyne.Container, it quiz.Item) {
	q := it.Question
	n := 0
	for _, part := range q.SituationParts() {
		if part.Phrase == "" {
			box.Add(wrapped(part.Text))
			continue
		}
		n++
		id := part.Phrase
		row := newOptionRow(fmt.Sprintf("%d. %s", n, part.Text), true)
		if it.Answered {
			row.Selected = slices.Contains(it.Response.Chosen, id)
			_, sign := q.Signs[id]
			switch {
			case sign:
				row.Mark = 1
			case row.Selected:
				row.Mark = -1
			}
			row.Disable()
		} else {
			row.Selected = slices.Contains(s.chosen, id)
			row.OnToggle = func() {
				s.toggle(id, true)
				s.noneMarked = false
			}
		}
		s.wireRow(row)
		box.Add(row)
	}
}

// spotFeedback goes through every phrase of a checked situation, marked or not: whether
// it is a warning sign and why, and for a sign the indicator it shows and where that
// sign is documented.
func (u *UI) spotFeedback(it quiz.Item) fyne.CanvasObject {
	q := it.Question
	box := container.NewVBox()
	n := 0
	for _, part := range q.SituationParts() {
		if part.Phrase == "" {
			continue
		}
		n++
		o, _ := q.Option(part.Phrase)
		marked := slices.Contains(it.Response.Chosen, o.ID)
		indicatorID, sign := q.Signs[o.ID]
		var verdict string
		switch {
		case sign && marked:
			verdict = u.T("Spot.SignFound")
		case sign:
			verdict = u.T("Spot.SignMissed")
		case marked:
			verdict = u.T("Spot.NotSignMarked")
		default:
			verdict = u.T("Spot.NotSignLeft")
		}
		// The mark alone carries the colour: the phrase stays in the text colour, which
		// reads better than green or red text in every theme.
		mark := widget.NewLabelWithStyle("✔", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		mark.Importance = widget.SuccessImportance
		if sign != marked {
			mark.SetText("✘")
			mark.Importance = widget.DangerImportance
		}
		head := widget.NewLabelWithStyle(fmt.Sprintf("%d. %s — %s", n, o.Text, verdict), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		head.Wrapping = fyne.TextWrapWord
		box.Add(container.NewBorder(nil, nil, container.NewVBox(mark), nil, head))
		box.Add(wrapped(o.Why))
		if sign {
			if ind, ok := u.catalog().Indicator(indicatorID); ok {
				line := wrapped(u.T("Spot.Indicator", map[string]any{"Indicator": ind.In(u.loc.Lang).Title}) + " " +
					u.citationText(ind.Cite, ind.General))
				line.TextStyle = fyne.TextStyle{Italic: true}
				box.Add(container.NewBorder(nil, nil, nil, container.NewVBox(u.signButton(ind.ID)), line))
			}
		}
	}
	return box
}
