package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/measure"
	"indicia/app/report"
)

// measurementColours are before, after and kept: the colours of the gain report's PDF
// (report.MeasurementColours), which people with colour-blindness tell apart.
var measurementColours = func() [3]color.Color {
	var out [3]color.Color
	for i, c := range report.MeasurementColours {
		out[i] = color.NRGBA{R: uint8(c[0]), G: uint8(c[1]), B: uint8(c[2]), A: 0xff}
	}
	return out
}()

// gainBars draws before, after and kept as three horizontal bars from 0 to 100 %, each
// with its 95 % interval as a whisker and, beside it, its figure and the learners behind
// it. A measurement whose group is too small shows no bar, only its count.
type gainBars struct {
	widget.BaseWidget
	names  [3]string
	est    [3]measure.Estimate
	values [3]string // the text beside each bar
	rowH   float32
}

func newGainBars(names, values [3]string, est [3]measure.Estimate, compact bool) *gainBars {
	g := &gainBars{names: names, values: values, est: est, rowH: 22}
	if compact {
		g.rowH = 17
	}
	g.ExtendBaseWidget(g)
	return g
}

func (g *gainBars) CreateRenderer() fyne.WidgetRenderer {
	r := &gainBarsRenderer{g: g}
	for i := range 5 {
		line := canvas.NewLine(theme.Color(theme.ColorNameSeparator))
		line.StrokeWidth = 1
		r.grid[i] = line
	}
	for i := range 3 {
		r.names[i] = canvas.NewText(g.names[i], theme.Color(theme.ColorNameForeground))
		r.names[i].Alignment = fyne.TextAlignTrailing
		r.bars[i] = canvas.NewRectangle(measurementColours[i])
		for j := range 3 {
			r.whisker[i][j] = canvas.NewLine(theme.Color(theme.ColorNameForeground))
			r.whisker[i][j].StrokeWidth = 1.5
		}
		r.values[i] = canvas.NewText(g.values[i], theme.Color(theme.ColorNameForeground))
	}
	r.Refresh()
	return r
}

type gainBarsRenderer struct {
	g       *gainBars
	grid    [5]*canvas.Line
	names   [3]*canvas.Text
	bars    [3]*canvas.Rectangle
	whisker [3][3]*canvas.Line
	values  [3]*canvas.Text
}

// The chart's columns: the names, the bars, the figures; in text widths.
func (r *gainBarsRenderer) columns(width float32) (nameW, barX, barW float32) {
	size := theme.TextSize()
	nameW = 0
	for _, t := range r.names {
		nameW = max(nameW, fyne.MeasureText(t.Text, size, t.TextStyle).Width)
	}
	valueW := float32(0)
	for _, t := range r.values {
		valueW = max(valueW, fyne.MeasureText(t.Text, size, t.TextStyle).Width)
	}
	pad := theme.Padding()
	barX = nameW + 2*pad
	barW = max(width-barX-valueW-3*pad, 60)
	return nameW, barX, barW
}

func (r *gainBarsRenderer) Layout(size fyne.Size) {
	nameW, barX, barW := r.columns(size.Width)
	h := r.g.rowH
	bottom := 3 * h
	for i, line := range r.grid {
		x := barX + barW*float32(i)/4
		line.Position1, line.Position2 = fyne.NewPos(x, 0), fyne.NewPos(x, bottom)
	}
	for i := range 3 {
		y := float32(i) * h
		r.names[i].Move(fyne.NewPos(0, y+(h-r.names[i].MinSize().Height)/2))
		r.names[i].Resize(fyne.NewSize(nameW, r.names[i].MinSize().Height))
		e := r.g.est[i]
		barH := h * 0.62
		top := y + (h-barH)/2
		mid := y + h/2
		if e.Shown() {
			r.bars[i].Move(fyne.NewPos(barX, top))
			r.bars[i].Resize(fyne.NewSize(barW*float32(e.Mean)/100, barH))
			lo, hi := barX+barW*float32(e.Low)/100, barX+barW*float32(e.High)/100
			r.whisker[i][0].Position1, r.whisker[i][0].Position2 = fyne.NewPos(lo, mid), fyne.NewPos(hi, mid)
			r.whisker[i][1].Position1, r.whisker[i][1].Position2 = fyne.NewPos(lo, mid-barH/2), fyne.NewPos(lo, mid+barH/2)
			r.whisker[i][2].Position1, r.whisker[i][2].Position2 = fyne.NewPos(hi, mid-barH/2), fyne.NewPos(hi, mid+barH/2)
		}
		r.values[i].Move(fyne.NewPos(barX+barW+theme.Padding(), y+(h-r.values[i].MinSize().Height)/2))
	}
}

func (r *gainBarsRenderer) MinSize() fyne.Size {
	nameW, _, _ := r.columns(0)
	valueW := float32(0)
	for _, t := range r.values {
		valueW = max(valueW, t.MinSize().Width)
	}
	return fyne.NewSize(nameW+valueW+5*theme.Padding()+120, 3*r.g.rowH)
}

func (r *gainBarsRenderer) Refresh() {
	fg := theme.Color(theme.ColorNameForeground)
	for i := range 3 {
		shown := r.g.est[i].Shown()
		r.names[i].Text, r.names[i].Color = r.g.names[i], fg
		r.values[i].Text, r.values[i].Color = r.g.values[i], fg
		if !shown {
			r.values[i].Color = theme.Color(theme.ColorNamePlaceHolder)
		}
		r.bars[i].Hidden = !shown
		for _, w := range r.whisker[i] {
			w.Hidden, w.StrokeColor = !shown, fg
		}
	}
	for _, line := range r.grid {
		line.StrokeColor = theme.Color(theme.ColorNameSeparator)
	}
	r.Layout(r.g.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

func (r *gainBarsRenderer) Objects() []fyne.CanvasObject {
	out := make([]fyne.CanvasObject, 0, 5+3*6)
	for _, l := range r.grid {
		out = append(out, l)
	}
	for i := range 3 {
		out = append(out, r.bars[i], r.whisker[i][0], r.whisker[i][1], r.whisker[i][2], r.names[i], r.values[i])
	}
	return out
}

func (r *gainBarsRenderer) Destroy() {}
