package report

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"indicia/app/progress"
	"indicia/assets"
)

// The report's PDF layout: A4 landscape, in millimetres.
const (
	pdfFont      = "DejaVu"
	pdfMargin    = 10.0
	pdfBottom    = 14.0 // room for the footer
	pdfBodySize  = 7.0  // points
	pdfLineH     = 3.2
	pdfPad       = 0.8
	pdfHeaderH   = 8.5
	pdfChartRowH = 8.0
	pdfChartBarH = 5.0
)

// maxPDFRows is the most rows a PDF report takes: about 4,500 pages, some 400 MB while
// it is made (fpdf keeps the pages until the end).
const maxPDFRows = 200_000

// pdfWidths are the table's column widths; they fill the 277 mm between the margins.
var pdfWidths = [numColumns]float64{
	colNumber: 10, colName: 36, colRole: 19, colLanguage: 15.5, colCohort: 21, colRegistered: 21, colLastActive: 18,
	colModule: 40, colStatus: 25, colScore: 15, colPassedOn: 17, colAttempts: 17, colTime: 22.5,
}

// pdfAlign is each column's alignment.
var pdfAlign = [numColumns]string{
	colNumber: "R", colName: "L", colRole: "L", colLanguage: "C", colCohort: "L", colRegistered: "C", colLastActive: "C",
	colModule: "L", colStatus: "L", colScore: "R", colPassedOn: "C", colAttempts: "R", colTime: "R",
}

// learnerColumns are the columns about the learner, printed once per learner (and again
// at the top of a page).
const learnerColumns = colModule

// Colours: the status colours are Okabe and Ito's, which people with colour-blindness
// tell apart; the rest is a dark blue and greys.
var (
	statusColour = map[progress.CompletionStatus][3]int{
		progress.CompletionNotStarted: {200, 200, 200},
		progress.CompletionInProgress: {86, 180, 233},
		progress.CompletionPassed:     {0, 158, 115},
		progress.CompletionFailed:     {213, 94, 0},
	}
	// statusInk is the colour of a count written on a status's bar.
	statusInk = map[progress.CompletionStatus][3]int{
		progress.CompletionNotStarted: {40, 40, 40},
		progress.CompletionInProgress: {20, 20, 20},
		progress.CompletionPassed:     {255, 255, 255},
		progress.CompletionFailed:     {255, 255, 255},
	}
	pdfBlue  = [3]int{31, 58, 95}
	pdfInk   = [3]int{25, 25, 25}
	pdfGrey  = [3]int{100, 100, 100}
	pdfRule  = [3]int{200, 205, 212}
	pdfShade = [3]int{241, 244, 248}
)

// pdfDoc wraps fpdf with the report's helpers.
type pdfDoc struct {
	*fpdf.Fpdf
	pageW, pageH float64
}

func (d *pdfDoc) fill(c [3]int) { d.SetFillColor(c[0], c[1], c[2]) }
func (d *pdfDoc) ink(c [3]int)  { d.SetTextColor(c[0], c[1], c[2]) }
func (d *pdfDoc) draw(c [3]int) { d.SetDrawColor(c[0], c[1], c[2]) }

// fit shortens s with an ellipsis until it is at most w wide in the current font.
func (d *pdfDoc) fit(s string, w float64) string {
	if d.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r) // the longest prefix that fits is in [lo, hi)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if d.GetStringWidth(strings.TrimRight(string(r[:mid]), " ")+"…") <= w {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(r[:lo]), " ") + "…"
}

// wrap breaks s into at most maxLines lines of width w in the current font, the last
// one shortened with an ellipsis if the text does not fit.
func (d *pdfDoc) wrap(s string, w float64, maxLines int) []string {
	if d.GetStringWidth(s) <= w {
		return []string{s}
	}
	var words []string
	for _, word := range strings.Fields(s) {
		// A word wider than the column (a long name written without a space) is broken
		// where it must.
		for d.GetStringWidth(word) > w {
			r := []rune(word)
			n := len(r) - 1
			for n > 1 && d.GetStringWidth(string(r[:n])) > w {
				n--
			}
			words, word = append(words, string(r[:n])), string(r[n:])
		}
		words = append(words, word)
	}
	var lines []string
	line := ""
	for i, word := range words {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if d.GetStringWidth(try) <= w || line == "" {
			line = try
			continue
		}
		if len(lines) == maxLines-1 {
			line = strings.Join(append([]string{line}, words[i:]...), " ")
			break
		}
		lines = append(lines, line)
		line = word
	}
	lines = append(lines, line)
	for i := range lines {
		lines[i] = d.fit(lines[i], w)
	}
	return lines
}

// WritePDF writes the report as a PDF: A4 landscape with the DejaVu Sans font embedded
// (every accent and language prints), a title, the filters, the generation date, a bar
// chart of the learners in each status per module, and the table, whose header row is
// repeated on every page.
func (c *Completion) WritePDF(ctx context.Context, w io.Writer) error {
	counts, err := c.Source.CompletionCounts(ctx, c.query())
	if err != nil {
		return err
	}
	if counts.Rows() > maxPDFRows {
		return &TooLargeError{Format: "pdf", Rows: counts.Rows(), Max: maxPDFRows}
	}
	l := c.Loc
	generated := c.generated()
	d := &pdfDoc{Fpdf: fpdf.New("L", "mm", "A4", "")}
	d.pageW, d.pageH = d.GetPageSize()
	d.SetMargins(pdfMargin, pdfMargin, pdfMargin)
	d.SetAutoPageBreak(false, 0)
	d.SetCompression(true)
	d.AddUTF8FontFromBytes(pdfFont, "", assets.FontRegular)
	d.AddUTF8FontFromBytes(pdfFont, "B", assets.FontBold)
	title := l.T("Report.Title")
	d.SetTitle(title, true)
	d.SetSubject(c.filters(), true)
	d.SetAuthor("Indicia", false)
	d.SetCreator("Indicia", false)
	d.SetLang(l.Lang)
	d.SetCreationDate(generated)
	d.SetModificationDate(generated)
	d.AliasNbPages("{nb}")
	footer := "Indicia · " + title + " · " + c.generatedLine()
	d.SetFooterFunc(func() {
		d.SetFont(pdfFont, "", 7)
		d.ink(pdfGrey)
		y := d.pageH - pdfMargin + 1
		d.SetXY(pdfMargin, y)
		page := l.T("Report.Page", map[string]any{"N": strconv.Itoa(d.PageNo()), "Total": "{nb}"})
		d.CellFormat(d.pageW-2*pdfMargin-40, 4, d.fit(footer, d.pageW-2*pdfMargin-45), "", 0, "L", false, 0, "")
		d.CellFormat(40, 4, page, "", 0, "R", false, 0, "")
	})
	d.AddPage()
	if d.Err() {
		return fmt.Errorf("report PDF: %w", d.Error())
	}

	// Title block.
	width := d.pageW - 2*pdfMargin
	d.SetFont(pdfFont, "B", 17)
	d.ink(pdfBlue)
	d.CellFormat(width, 9, d.fit(title, width), "", 1, "L", false, 0, "")
	d.SetFont(pdfFont, "", 9.5)
	d.ink(pdfInk)
	for _, line := range []string{c.filters(), c.generatedLine(),
		l.N("Report.Learners", counts.Learners, nil) + " · " + l.N("Report.Modules", len(counts.Modules), nil)} {
		d.CellFormat(width, 5, d.fit(line, width), "", 1, "L", false, 0, "")
	}
	d.draw(pdfBlue)
	d.SetLineWidth(0.4)
	d.Line(pdfMargin, d.GetY()+2, d.pageW-pdfMargin, d.GetY()+2)
	d.SetY(d.GetY() + 5)

	c.pdfChart(d, counts)
	if counts.Learners == 0 {
		d.SetFont(pdfFont, "", 10)
		d.ink(pdfGrey)
		d.CellFormat(width, 8, l.T("Report.NoLearners"), "", 1, "L", false, 0, "")
	} else if err := c.pdfTable(ctx, d, counts); err != nil {
		return err
	}
	if d.Err() {
		return fmt.Errorf("report PDF: %w", d.Error())
	}
	return d.Output(w)
}

// pdfChart draws one horizontal bar per module, split into the learners in each status,
// with the counts on the bars, an axis of learners and a legend.
func (c *Completion) pdfChart(d *pdfDoc, counts progress.CompletionSummary) {
	l := c.Loc
	width := d.pageW - 2*pdfMargin
	d.SetFont(pdfFont, "B", 11)
	d.ink(pdfBlue)
	d.CellFormat(width, 7, l.T("Report.ChartTitle"), "", 1, "L", false, 0, "")
	if counts.Learners == 0 {
		return
	}
	needed := float64(len(counts.Modules))*pdfChartRowH + 22
	if d.GetY()+needed > d.pageH-pdfBottom {
		d.AddPage()
	}
	const labelW = 78.0
	x0 := pdfMargin + labelW + 3
	barW := width - labelW - 3 - 4
	titles := c.moduleTitles()
	y := d.GetY() + 2
	top := y
	for _, m := range counts.Modules {
		d.SetFont(pdfFont, "", 7.5)
		d.ink(pdfInk)
		lines := d.wrap(titles[m.ModuleID], labelW, 2)
		ly := y + (pdfChartRowH-float64(len(lines))*3.3)/2
		for _, line := range lines {
			d.SetXY(pdfMargin, ly)
			d.CellFormat(labelW, 3.3, line, "", 0, "R", false, 0, "")
			ly += 3.3
		}
		x := x0
		by := y + (pdfChartRowH-pdfChartBarH)/2
		for _, s := range progress.CompletionStatuses {
			n := m.Count[s]
			if n == 0 {
				continue
			}
			segW := barW * float64(n) / float64(counts.Learners)
			d.fill(statusColour[s])
			d.Rect(x, by, segW, pdfChartBarH, "F")
			label := l.Number(n)
			d.SetFont(pdfFont, "B", 7)
			if d.GetStringWidth(label)+2 <= segW {
				d.ink(statusInk[s])
				d.SetXY(x, by)
				d.CellFormat(segW, pdfChartBarH, label, "", 0, "C", false, 0, "")
			}
			x += segW
		}
		y += pdfChartRowH
	}
	// The axis: learners, with round ticks.
	d.draw(pdfGrey)
	d.SetLineWidth(0.2)
	d.Line(x0, top, x0, y)
	d.Line(x0, y, x0+barW, y)
	step := niceStep(counts.Learners)
	d.SetFont(pdfFont, "", 7)
	d.ink(pdfGrey)
	for v := 0; v <= counts.Learners; v += step {
		x := x0 + barW*float64(v)/float64(counts.Learners)
		if v > 0 && counts.Learners-v < step/3 && v != counts.Learners {
			continue // too close to the end tick
		}
		d.Line(x, y, x, y+1.2)
		d.SetXY(x-10, y+1.3)
		d.CellFormat(20, 3.5, l.Number(v), "", 0, "C", false, 0, "")
	}
	if counts.Learners%step != 0 {
		d.Line(x0+barW, y, x0+barW, y+1.2)
		d.SetXY(x0+barW-10, y+1.3)
		d.CellFormat(20, 3.5, l.Number(counts.Learners), "", 0, "C", false, 0, "")
	}
	// The legend, with each status's total over the modules.
	y += 7
	x := x0
	d.SetFont(pdfFont, "", 8)
	for _, s := range progress.CompletionStatuses {
		d.fill(statusColour[s])
		d.Rect(x, y+0.8, 3.2, 3.2, "F")
		label := c.statusLabel(s)
		d.ink(pdfInk)
		d.SetXY(x+4.2, y)
		w := d.GetStringWidth(label) + 2
		d.CellFormat(w, 4.8, label, "", 0, "L", false, 0, "")
		x += 4.2 + w + 6
	}
	d.SetY(y + 10)
}

// niceStep is a round tick step that gives about five ticks from 0 to total.
func niceStep(total int) int {
	if total <= 5 {
		return 1
	}
	raw := float64(total) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if s := f * mag; s >= raw && s == math.Trunc(s) {
			return max(1, int(s))
		}
	}
	return max(1, int(10*mag))
}

// pdfTable draws the rows, a header row at the top of each page, the learner's own
// columns once per learner (and again after a page break), a shade on every other
// learner.
func (c *Completion) pdfTable(ctx context.Context, d *pdfDoc, counts progress.CompletionSummary) error {
	l := c.Loc
	width := d.pageW - 2*pdfMargin
	heads := c.headers()
	heads[colScore], heads[colTime] = l.T("Report.Column.Score"), l.T("Report.Column.Time")

	header := func() {
		d.SetFont(pdfFont, "B", pdfBodySize)
		d.fill(pdfBlue)
		d.ink([3]int{255, 255, 255})
		y := d.GetY()
		d.Rect(pdfMargin, y, width, pdfHeaderH, "F")
		x := pdfMargin
		for i, h := range heads {
			lines := d.wrap(h, pdfWidths[i]-2*pdfPad, 2)
			ty := y + (pdfHeaderH-float64(len(lines))*pdfLineH)/2
			for _, line := range lines {
				d.SetXY(x+pdfPad, ty)
				d.CellFormat(pdfWidths[i]-2*pdfPad, pdfLineH, line, "", 0, pdfAlign[i], false, 0, "")
				ty += pdfLineH
			}
			x += pdfWidths[i]
		}
		d.SetY(y + pdfHeaderH)
	}
	if d.GetY()+10+pdfHeaderH+3*pdfLineH > d.pageH-pdfBottom {
		d.AddPage()
	}
	d.SetFont(pdfFont, "B", 11)
	d.ink(pdfBlue)
	d.CellFormat(width, 7, l.T("Report.TableTitle"), "", 1, "L", false, 0, "")
	d.SetY(d.GetY() + 1)
	header()

	titles := c.moduleTitles()
	var lastLearner int64 = -1
	shade := true
	cells := make([]string, numColumns)
	wrapped := make([][]string, numColumns)
	err := c.each(ctx, counts.Rows(), func(r *progress.CompletionRow) error {
		newLearner := r.Learner.ID != lastLearner
		if newLearner {
			shade = !shade
			lastLearner = r.Learner.ID
		}
		cells[colNumber] = strconv.FormatInt(r.Learner.ID, 10)
		cells[colName] = r.Learner.Name
		cells[colRole] = c.roleLabel(r.Learner.Role)
		cells[colLanguage] = strings.ToUpper(r.Learner.Language)
		cells[colCohort] = r.Learner.Cohort
		cells[colRegistered] = l.Date(r.Learner.CreatedAt)
		cells[colLastActive] = l.Date(r.Learner.LastActive)
		cells[colModule] = titles[r.ModuleID]
		cells[colStatus] = c.rowStatus(r)
		cells[colScore] = ""
		if r.HasScore {
			cells[colScore] = l.Percent(r.BestPercent)
		}
		cells[colPassedOn] = ""
		if !r.PassedAt.IsZero() {
			cells[colPassedOn] = l.Date(r.PassedAt)
		}
		cells[colAttempts] = l.Number(r.Attempts)
		cells[colTime] = ""
		if r.TimeSpent > 0 {
			cells[colTime] = l.Duration(r.TimeSpent)
		}

		d.SetFont(pdfFont, "", pdfBodySize)
		lines := 1
		for i := range cells {
			w := pdfWidths[i] - 2*pdfPad
			if i == colStatus {
				w -= 3 // the colour square
			}
			wrapped[i] = d.wrap(cells[i], w, 2)
			lines = max(lines, len(wrapped[i]))
		}
		h := float64(lines)*pdfLineH + 2*pdfPad
		pageBreak := d.GetY()+h > d.pageH-pdfBottom
		if pageBreak {
			d.AddPage()
			header()
		}
		y := d.GetY()
		if shade {
			d.fill(pdfShade)
			d.Rect(pdfMargin, y, width, h, "F")
		}
		if newLearner {
			d.draw(pdfRule)
			d.SetLineWidth(0.15)
			d.Line(pdfMargin, y, pdfMargin+width, y)
		}
		x := pdfMargin
		for i := range cells {
			if i < learnerColumns && !newLearner && !pageBreak {
				x += pdfWidths[i]
				continue // the learner's columns are in the row above
			}
			cx, cw := x+pdfPad, pdfWidths[i]-2*pdfPad
			d.SetFont(pdfFont, "", pdfBodySize)
			d.ink(pdfInk)
			if i == colName {
				d.SetFont(pdfFont, "B", pdfBodySize)
			}
			if i == colStatus {
				d.fill(statusColour[r.Status])
				d.Rect(cx, y+pdfPad+0.6, 2.1, 2.1, "F")
				cx, cw = cx+3, cw-3
			}
			ty := y + pdfPad
			for _, line := range wrapped[i] {
				d.SetXY(cx, ty)
				d.CellFormat(cw, pdfLineH, line, "", 0, pdfAlign[i], false, 0, "")
				ty += pdfLineH
			}
			x += pdfWidths[i]
		}
		d.SetY(y + h)
		if d.Err() {
			return fmt.Errorf("report PDF: %w", d.Error())
		}
		return nil
	})
	if err != nil {
		return err
	}
	d.draw(pdfRule)
	d.SetLineWidth(0.15)
	d.Line(pdfMargin, d.GetY(), pdfMargin+width, d.GetY())
	return nil
}
