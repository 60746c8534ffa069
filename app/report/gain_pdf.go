package report

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/go-pdf/fpdf"

	"indicia/app/measure"
	"indicia/assets"
)

// MeasurementColours are the colours of before, after and kept, in the PDF and in
// trainer mode: Okabe and Ito's orange, blue and bluish green, which people with
// colour-blindness tell apart.
var MeasurementColours = [3][3]int{{230, 159, 0}, {0, 114, 178}, {0, 158, 115}}

// The gain chart's layout, in millimetres: two columns of groups, each a block with a
// title, three bars and the gain.
const (
	gainBlockW     = 133.0
	gainBarH       = 4.2
	gainBarGap     = 1.6
	gainBlockTitle = 5.5
	gainBlockFoot  = 9.5
	gainNameW      = 20.0
	gainValueW     = 36.0
)

func gainBlockH() float64 { return gainBlockTitle + 3*(gainBarH+gainBarGap) + gainBlockFoot }

// WritePDF writes the gain report as a PDF: A4 landscape, the DejaVu font embedded; a
// title, the filters, how to read the figures; then the charts trainer mode shows (per
// group, before, after and kept as bars with their 95 % intervals as whiskers, the
// learners behind each, and the normalised gain); then the table.
func (g *Gain) WritePDF(ctx context.Context, w io.Writer) error {
	groups, err := g.Groups(ctx)
	if err != nil {
		return err
	}
	l := g.Loc
	generated := g.generated()
	d := &pdfDoc{Fpdf: fpdf.New("L", "mm", "A4", "")}
	d.pageW, d.pageH = d.GetPageSize()
	d.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	d.SetAutoPageBreak(false, 0)
	d.SetCompression(true)
	d.AddUTF8FontFromBytes(pdfFont, "", assets.FontRegular)
	d.AddUTF8FontFromBytes(pdfFont, "B", assets.FontBold)
	title := g.title()
	d.SetTitle(title, true)
	d.SetSubject(g.filters(), true)
	d.SetAuthor("Indicia", false)
	d.SetCreator("Indicia", false)
	d.SetLang(l.Lang)
	d.SetCreationDate(generated)
	d.SetModificationDate(generated)
	d.AliasNbPages("{nb}")
	footer := "Indicia · " + title + " · " + g.generatedLine()
	d.SetFooterFunc(func() {
		d.SetFont(pdfFont, "", 7)
		d.ink(pdfGrey)
		d.SetXY(pdfMargin, d.pageH-pdfMargin+1)
		page := l.T("Report.Page", map[string]any{"N": strconv.Itoa(d.PageNo()), "Total": "{nb}"})
		d.CellFormat(d.pageW-2*pdfMargin-40, 4, d.fit(footer, d.pageW-2*pdfMargin-45), "", 0, "L", false, 0, "")
		d.CellFormat(40, 4, page, "", 0, "R", false, 0, "")
	})
	d.AddPage()
	width := d.pageW - 2*pdfMargin
	d.SetFont(pdfFont, "B", 17)
	d.ink(pdfBlue)
	d.CellFormat(width, 9, d.fit(title, width), "", 1, "L", false, 0, "")
	d.SetFont(pdfFont, "", 9)
	d.ink(pdfInk)
	for _, line := range g.aboutLines()[1:] {
		if line == "" {
			d.SetY(d.GetY() + 1.5)
			continue
		}
		for _, wl := range d.wrap(line, width, 3) {
			d.CellFormat(width, 4.4, wl, "", 1, "L", false, 0, "")
		}
	}
	d.draw(pdfBlue)
	d.SetLineWidth(0.4)
	d.Line(pdfMargin, d.GetY()+2, d.pageW-pdfMargin, d.GetY()+2)
	d.SetY(d.GetY() + 5)
	if len(groups) == 0 {
		d.SetFont(pdfFont, "", 10)
		d.ink(pdfGrey)
		d.CellFormat(width, 8, l.T("Gain.NoData"), "", 1, "L", false, 0, "")
	} else {
		g.pdfCharts(d, groups)
		g.pdfTable(d, groups)
	}
	if d.Err() {
		return fmt.Errorf("gain PDF: %w", d.Error())
	}
	return d.Output(w)
}

// pdfCharts draws a block per group, two blocks side by side, with a legend first.
func (g *Gain) pdfCharts(d *pdfDoc, groups []GainGroup) {
	l := g.Loc
	width := d.pageW - 2*pdfMargin
	d.SetFont(pdfFont, "B", 11)
	d.ink(pdfBlue)
	d.CellFormat(width, 7, l.T("Gain.ChartTitle"), "", 1, "L", false, 0, "")
	// The legend: the three measurements and the whisker.
	x, y := pdfMargin, d.GetY()+1
	d.SetFont(pdfFont, "", 8)
	for i, name := range g.measurementNames() {
		d.fill(MeasurementColours[i])
		d.Rect(x, y+0.8, 3.2, 3.2, "F")
		d.ink(pdfInk)
		d.SetXY(x+4.2, y)
		w := d.GetStringWidth(name) + 2
		d.CellFormat(w, 4.8, name, "", 0, "L", false, 0, "")
		x += 4.2 + w + 6
	}
	d.draw(pdfInk)
	d.SetLineWidth(0.3)
	d.Line(x, y+2.4, x+8, y+2.4)
	d.Line(x, y+1.4, x, y+3.4)
	d.Line(x+8, y+1.4, x+8, y+3.4)
	d.SetXY(x+10, y)
	d.CellFormat(80, 4.8, l.T("Gain.Whisker"), "", 0, "L", false, 0, "")
	d.SetY(y + 8)

	gap := width - 2*gainBlockW
	for i := 0; i < len(groups); i += 2 {
		if d.GetY()+gainBlockH() > d.pageH-pdfBottom {
			d.AddPage()
		}
		top := d.GetY()
		g.pdfBlock(d, groups[i], pdfMargin, top)
		if i+1 < len(groups) {
			g.pdfBlock(d, groups[i+1], pdfMargin+gainBlockW+gap, top)
		}
		d.SetY(top + gainBlockH())
	}
}

// measurementNames are "Before", "After", "Kept" in the report's language.
func (g *Gain) measurementNames() []string {
	l := g.Loc
	return []string{l.T("Gain.Before"), l.T("Gain.After"), l.T("Gain.Kept")}
}

// pdfBlock draws one group at (x, y): its title, a bar per measurement from 0 to 100 %
// with the interval as a whisker and the learners behind it, and the gain.
func (g *Gain) pdfBlock(d *pdfDoc, gr GainGroup, x, y float64) {
	l := g.Loc
	d.SetFont(pdfFont, "B", 8)
	d.ink(pdfInk)
	d.SetXY(x, y)
	d.CellFormat(gainBlockW, gainBlockTitle-1, d.fit(g.cohortLabel(gr.Cohort)+" · "+gr.Label, gainBlockW), "", 0, "L", false, 0, "")
	barX := x + gainNameW
	barW := gainBlockW - gainNameW - gainValueW
	by := y + gainBlockTitle
	// The scale: a light line at 0, 25, 50, 75 and 100 %.
	d.draw(pdfRule)
	d.SetLineWidth(0.15)
	bottom := by + 3*(gainBarH+gainBarGap)
	for p := 0; p <= 100; p += 25 {
		px := barX + barW*float64(p)/100
		d.Line(px, by-0.5, px, bottom)
	}
	d.SetFont(pdfFont, "", 6)
	d.ink(pdfGrey)
	for p := 0; p <= 100; p += 50 {
		px := barX + barW*float64(p)/100
		d.SetXY(px-6, bottom)
		d.CellFormat(12, 2.8, l.Percent(p), "", 0, "C", false, 0, "")
	}
	names := g.measurementNames()
	for i, e := range []measure.Estimate{gr.Before, gr.After, gr.Kept} {
		ry := by + float64(i)*(gainBarH+gainBarGap)
		d.SetFont(pdfFont, "", 7.5)
		d.ink(pdfInk)
		d.SetXY(x, ry)
		d.CellFormat(gainNameW-1.5, gainBarH, d.fit(names[i], gainNameW-1.5), "", 0, "R", false, 0, "")
		value := g.estimateText(e)
		if e.Shown() {
			d.fill(MeasurementColours[i])
			d.Rect(barX, ry, barW*e.Mean/100, gainBarH, "F")
			lo, hi := barX+barW*e.Low/100, barX+barW*e.High/100
			mid := ry + gainBarH/2
			d.draw(pdfInk)
			d.SetLineWidth(0.3)
			d.Line(lo, mid, hi, mid)
			d.Line(lo, mid-1.2, lo, mid+1.2)
			d.Line(hi, mid-1.2, hi, mid+1.2)
		}
		d.SetFont(pdfFont, "", 7)
		if !e.Shown() {
			d.ink(pdfGrey)
		}
		d.SetXY(barX+barW+1.5, ry)
		d.CellFormat(gainValueW-1.5, gainBarH, d.fit(value, gainValueW-1.5), "", 0, "L", false, 0, "")
	}
	d.SetFont(pdfFont, "", 7)
	d.ink(pdfInk)
	d.SetXY(x+gainNameW, bottom+3)
	d.CellFormat(gainBlockW-gainNameW, 3.5, d.fit(g.gainText(gr), gainBlockW-gainNameW), "", 0, "L", false, 0, "")
}

// estimateText is a measurement's figure beside its bar: the mean and the learners, or
// the learners alone for a group too small to show more.
func (g *Gain) estimateText(e measure.Estimate) string {
	l := g.Loc
	switch {
	case e.N == 0:
		return l.T("Gain.NoOne")
	case !e.Shown():
		return l.N("Gain.CountOnly", e.N, nil)
	}
	return l.T("Gain.MeanN", map[string]any{"Mean": l.PercentDecimal(e.Mean), "N": l.Number(e.N)})
}

// intervalText is a measurement's mean with its interval, or its count alone.
func (g *Gain) intervalText(e measure.Estimate) string {
	l := g.Loc
	if !e.Shown() {
		return g.estimateText(e)
	}
	return l.T("Gain.MeanInterval", map[string]any{"Mean": l.PercentDecimal(e.Mean), "Low": l.Decimal(e.Low, 1),
		"High": l.Decimal(e.High, 1), "N": l.Number(e.N)})
}

// gainText is the normalised gain and the learners it rests on, or why there is none.
func (g *Gain) gainText(gr GainGroup) string {
	l := g.Loc
	if !gr.HasGain {
		return l.N("Gain.NoGain", gr.Pairs, nil)
	}
	return l.T("Gain.GainOf", map[string]any{"Gain": l.Decimal(gr.Gain, 2), "N": l.Number(gr.Pairs)})
}

// pdfTable lists every group: cohort, module or indicator, the three measurements with
// their intervals, the gain.
func (g *Gain) pdfTable(d *pdfDoc, groups []GainGroup) {
	l := g.Loc
	width := d.pageW - 2*pdfMargin
	widths := []float64{28, 69, 50, 50, 50, 30}
	heads := []string{l.T("Gain.Column.Cohort"), g.headers()[gainWhat], l.T("Gain.Before"), l.T("Gain.After"), l.T("Gain.Kept"), l.T("Gain.Column.Gain")}
	header := func() {
		d.SetFont(pdfFont, "B", pdfBodySize)
		d.fill(pdfBlue)
		d.ink([3]int{255, 255, 255})
		y := d.GetY()
		d.Rect(pdfMargin, y, width, pdfHeaderH, "F")
		x := pdfMargin
		for i, h := range heads {
			d.SetXY(x+pdfPad, y+(pdfHeaderH-pdfLineH)/2)
			d.CellFormat(widths[i]-2*pdfPad, pdfLineH, d.fit(h, widths[i]-2*pdfPad), "", 0, "L", false, 0, "")
			x += widths[i]
		}
		d.SetY(y + pdfHeaderH)
	}
	if d.GetY()+20 > d.pageH-pdfBottom {
		d.AddPage()
	}
	d.SetY(d.GetY() + 3)
	d.SetFont(pdfFont, "B", 11)
	d.ink(pdfBlue)
	d.CellFormat(width, 7, l.T("Gain.TableTitle"), "", 1, "L", false, 0, "")
	header()
	for i, gr := range groups {
		h := pdfLineH + 2*pdfPad
		if d.GetY()+h > d.pageH-pdfBottom {
			d.AddPage()
			header()
		}
		y := d.GetY()
		if i%2 == 1 {
			d.fill(pdfShade)
			d.Rect(pdfMargin, y, width, h, "F")
		}
		gain := ""
		if gr.HasGain {
			gain = l.Decimal(gr.Gain, 2)
		}
		cells := []string{g.cohortLabel(gr.Cohort), gr.Label, g.intervalText(gr.Before), g.intervalText(gr.After), g.intervalText(gr.Kept), gain}
		d.SetFont(pdfFont, "", pdfBodySize)
		d.ink(pdfInk)
		x := pdfMargin
		for j, c := range cells {
			d.SetXY(x+pdfPad, y+pdfPad)
			d.CellFormat(widths[j]-2*pdfPad, pdfLineH, d.fit(c, widths[j]-2*pdfPad), "", 0, "L", false, 0, "")
			x += widths[j]
		}
		d.SetY(y + h)
	}
}
