package report

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"indicia/app/progress"
)

// xlsxWidths are the column widths, in characters.
var xlsxWidths = [numColumns]float64{
	colNumber: 8, colName: 28, colRole: 14, colLanguage: 9, colCohort: 16, colRegistered: 13, colLastActive: 13,
	colModule: 42, colStatus: 18, colScore: 12, colPassedOn: 13, colAttempts: 11, colTime: 13,
}

// WriteXLSX writes the report as an Excel workbook: the rows on the first sheet, written
// through excelize's stream writer (which keeps them in a temporary file, not in memory),
// with a styled header row that stays in view, real dates and numbers; and a second sheet
// with the filters, the generation date and the learners per module and status.
func (c *Completion) WriteXLSX(ctx context.Context, w io.Writer) error {
	counts, err := c.Source.CompletionCounts(ctx, c.query())
	if err != nil {
		return err
	}
	if counts.Rows()+1 > excelize.TotalRows {
		return &TooLargeError{Format: "xlsx", Rows: counts.Rows(), Max: excelize.TotalRows - 1}
	}
	f := excelize.NewFile()
	defer f.Close()
	l := c.Loc
	generated := c.generated()
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: l.T("Report.Title"), Creator: "Indicia", Description: c.filters(), Language: l.Lang,
		Created: generated.UTC().Format(time.RFC3339), Modified: generated.UTC().Format(time.RFC3339),
	}); err != nil {
		return err
	}
	sheet := sheetName(l.T("Report.Sheet"))
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F3A5F"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}},
	})
	if err != nil {
		return err
	}
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14}) // the reader's short date format
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, width := range xlsxWidths {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	cells := make([]any, numColumns)
	for i, h := range c.headers() {
		cells[i] = excelize.Cell{StyleID: header, Value: h}
	}
	if err := sw.SetRow("A1", cells, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	dateCell := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		// The local day, as a date without a time (Excel dates have no time zone).
		y, m, d := t.Local().Date()
		return excelize.Cell{StyleID: date, Value: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
	}
	titles := c.moduleTitles()
	row := 1
	err = c.each(ctx, counts.Rows(), func(r *progress.CompletionRow) error {
		row++
		cells[colNumber] = r.Learner.ID
		cells[colName] = r.Learner.Name
		cells[colRole] = c.roleLabel(r.Learner.Role)
		cells[colLanguage] = strings.ToUpper(r.Learner.Language)
		cells[colCohort] = r.Learner.Cohort
		cells[colRegistered] = dateCell(r.Learner.CreatedAt)
		cells[colLastActive] = dateCell(r.Learner.LastActive)
		cells[colModule] = titles[r.ModuleID]
		cells[colStatus] = c.rowStatus(r)
		cells[colScore] = nil
		if r.HasScore {
			cells[colScore] = r.BestPercent
		}
		cells[colPassedOn] = dateCell(r.PassedAt)
		cells[colAttempts] = r.Attempts
		cells[colTime] = minutes(r.TimeSpent)
		ref, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		return sw.SetRow(ref, cells)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if err := c.xlsxSummary(f, counts, header); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// xlsxSummary adds the summary sheet: title, filters, generation date, and the learners
// of each module in each status.
func (c *Completion) xlsxSummary(f *excelize.File, counts progress.CompletionSummary, header int) error {
	l := c.Loc
	name := sheetName(l.T("Report.SummarySheet"))
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	set := func(cell string, v any) error { return f.SetCellValue(name, cell, v) }
	if err := set("A1", l.T("Report.Title")); err != nil {
		return err
	}
	if err := f.SetCellStyle(name, "A1", "A1", bold); err != nil {
		return err
	}
	lines := []string{c.filters(), c.generatedLine(),
		l.N("Report.Learners", counts.Learners, nil) + ", " + l.N("Report.Modules", len(counts.Modules), nil)}
	for i, s := range lines {
		if err := set(fmt.Sprintf("A%d", i+2), s); err != nil {
			return err
		}
	}
	const top = 6
	head := []any{l.T("Report.Column.Module")}
	for _, s := range progress.CompletionStatuses {
		head = append(head, c.statusLabel(s))
	}
	head = append(head, l.T("Report.Column.Total"))
	if err := f.SetSheetRow(name, fmt.Sprintf("A%d", top), &head); err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(head), top)
	if err := f.SetCellStyle(name, fmt.Sprintf("A%d", top), last, header); err != nil {
		return err
	}
	titles := c.moduleTitles()
	for i, m := range counts.Modules {
		row := []any{titles[m.ModuleID]}
		total := 0
		for _, s := range progress.CompletionStatuses {
			row = append(row, m.Count[s])
			total += m.Count[s]
		}
		row = append(row, total)
		if err := f.SetSheetRow(name, fmt.Sprintf("A%d", top+1+i), &row); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(name, "A", "A", 48); err != nil {
		return err
	}
	return f.SetColWidth(name, "B", "F", 18)
}

// sheetName makes s a valid worksheet name: at most 31 characters, none of : \ / ? * [ ].
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '-'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}
