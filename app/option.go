package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// optionRow is one answer option: a radio or check mark and text that wraps, usable by
// mouse and keyboard. Space toggles it; the arrow keys, Enter and number keys are passed
// to the question screen, which moves the focus, submits, or picks option N. Fyne's own
// Radio and Check do not wrap long text and swallow number keys, hence this widget.
type optionRow struct {
	widget.BaseWidget
	Text     string
	Multi    bool // a check box rather than a radio button
	Selected bool
	// Mark shows the outcome once answered: 0 none, 1 right, -1 wrong.
	Mark     int
	disabled bool
	focused  bool

	OnToggle func()
	OnKey    func(*fyne.KeyEvent)
	OnRune   func(rune)

	bg    *canvas.Rectangle
	icon  *widget.Icon
	label *widget.Label
	mark  *widget.Icon
}

func newOptionRow(text string, multi bool) *optionRow {
	o := &optionRow{Text: text, Multi: multi}
	o.ExtendBaseWidget(o)
	return o
}

func (o *optionRow) CreateRenderer() fyne.WidgetRenderer {
	o.bg = canvas.NewRectangle(color.Transparent)
	o.bg.CornerRadius = theme.InputRadiusSize()
	o.bg.StrokeWidth = 2
	o.icon = widget.NewIcon(nil)
	o.mark = widget.NewIcon(nil)
	o.label = widget.NewLabel(o.Text)
	o.label.Wrapping = fyne.TextWrapWord
	o.update()
	row := container.NewBorder(nil, nil, container.NewCenter(o.icon), container.NewCenter(o.mark), o.label)
	return widget.NewSimpleRenderer(container.NewStack(o.bg, row))
}

func (o *optionRow) update() {
	if o.bg == nil {
		return
	}
	var res fyne.Resource
	switch {
	case o.Multi && o.Selected:
		res = theme.CheckButtonCheckedIcon()
	case o.Multi:
		res = theme.CheckButtonIcon()
	case o.Selected:
		res = theme.RadioButtonCheckedIcon()
	default:
		res = theme.RadioButtonIcon()
	}
	if o.Selected {
		res = theme.NewPrimaryThemedResource(res)
	}
	o.icon.SetResource(res)
	switch o.Mark {
	case 1:
		o.mark.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
	case -1:
		o.mark.SetResource(theme.NewErrorThemedResource(theme.CancelIcon()))
	default:
		o.mark.SetResource(nil)
	}
	o.label.SetText(o.Text)
	o.bg.StrokeColor = color.Transparent
	o.bg.FillColor = color.Transparent
	if o.focused {
		o.bg.StrokeColor = theme.Color(theme.ColorNameFocus)
	}
	if o.Selected {
		o.bg.FillColor = theme.Color(theme.ColorNameSelection)
	}
	o.bg.Refresh()
}

// Refresh redraws the row after a field changed.
func (o *optionRow) Refresh() {
	o.update()
	o.BaseWidget.Refresh()
}

func (o *optionRow) toggle() {
	if o.disabled {
		return
	}
	if o.OnToggle != nil {
		o.OnToggle()
	}
}

// Tapped toggles the option.
func (o *optionRow) Tapped(*fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(o); c != nil && !o.disabled {
		c.Focus(o)
	}
	o.toggle()
}

// Disable stops the option from changing, once the question is answered.
func (o *optionRow) Disable() { o.disabled = true }

// FocusGained is called when the option gets the keyboard focus.
func (o *optionRow) FocusGained() { o.focused = true; o.Refresh() }

// FocusLost is called when the option loses the keyboard focus.
func (o *optionRow) FocusLost() { o.focused = false; o.Refresh() }

// TypedRune toggles with Space and hands other characters to the screen.
func (o *optionRow) TypedRune(r rune) {
	if r == ' ' {
		o.toggle()
		return
	}
	if o.OnRune != nil {
		o.OnRune(r)
	}
}

// TypedKey hands the arrow keys and Enter to the screen.
func (o *optionRow) TypedKey(e *fyne.KeyEvent) {
	if e.Name == fyne.KeySpace {
		return // handled as a rune
	}
	if o.OnKey != nil {
		o.OnKey(e)
	}
}
