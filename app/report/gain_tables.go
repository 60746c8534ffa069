package report

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"indicia/app/measure"
)

// WriteCSV writes the gain report as CSV (RFC 4180, CRLF, UTF-8 with a byte order
// mark), one row per group: numbers with a decimal point, empty where the group is too
// small to show them.
func (g *Gain) WriteCSV(ctx context.Context, w io.Writer) error {
	groups, err := g.Groups(ctx)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(g.headers()); err != nil {
		return err
	}
	rec := make([]string, gainColumns)
	for _, gr := range groups {
		for i, v := range g.cells(gr) {
			switch v := v.(type) {
			case nil:
				rec[i] = ""
			case string:
				rec[i] = safeCell(v)
			case int:
				rec[i] = strconv.Itoa(v)
			case float64:
				rec[i] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// gainWidths are the XLSX column widths, in characters.
var gainWidths = [gainColumns]float64{gainCohort: 16, gainWhat: 44, gainPairs: 14, gainGain: 12}

// WriteXLSX writes the gain report as an Excel workbook: the groups on the first sheet,
// numbers as numbers (one decimal), a styled header row that stays in view; a second
// sheet with the filters, the generation date and how to read the figures.
func (g *Gain) WriteXLSX(ctx context.Context, w io.Writer) error {
	groups, err := g.Groups(ctx)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	l := g.Loc
	generated := g.generated()
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: g.title(), Creator: "Indicia", Description: g.filters(), Language: l.Lang,
		Created: generated.UTC().Format(time.RFC3339), Modified: generated.UTC().Format(time.RFC3339),
	}); err != nil {
		return err
	}
	sheet := sheetName(l.T("Gain.Sheet"))
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F3A5F"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	})
	if err != nil {
		return err
	}
	oneDecimal, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.0")})
	if err != nil {
		return err
	}
	twoDecimals, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.00")})
	if err != nil {
		return err
	}
	for i := range gainColumns {
		width := gainWidths[i]
		if width == 0 {
			width = 11
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}
	for i, h := range g.headers() {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellValue(sheet, cell, h); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(gainColumns, 1)
	if err := f.SetCellStyle(sheet, "A1", last, header); err != nil {
		return err
	}
	if err := f.SetRowHeight(sheet, 1, 45); err != nil {
		return err
	}
	for r, gr := range groups {
		row := r + 2
		cells := g.cells(gr)
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", row), &cells); err != nil {
			return err
		}
		for i, v := range cells {
			if _, ok := v.(float64); !ok {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			style := oneDecimal
			if i == gainGain {
				style = twoDecimals
			}
			if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	about := sheetName(l.T("Gain.AboutSheet"))
	if _, err := f.NewSheet(about); err != nil {
		return err
	}
	for i, line := range g.aboutLines() {
		if err := f.SetCellValue(about, fmt.Sprintf("A%d", i+1), line); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(about, "A", "A", 120); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// aboutLines are the title, the filters, the generation date and how to read the
// figures, for the XLSX's second sheet and the PDF's first page.
func (g *Gain) aboutLines() []string {
	l := g.Loc
	return []string{g.title(), g.filters(), g.generatedLine(), "",
		l.T("Gain.About.Measurements"), l.T("Gain.About.Scores"), l.T("Gain.About.Gain"),
		l.T("Gain.About.Small", map[string]any{"N": l.Number(measure.MinGroup)}), l.T("Gain.About.Caution")}
}
