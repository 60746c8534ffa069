package report

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"indicia/app/progress"
)

func TestXLSXOpensWithStyledFrozenHeaderAndEveryRow(t *testing.T) {
	f := newCompletionFixture(t, 60)
	c := f.report(t, "fr")
	data := completionWrite(t, c, "xlsx")
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); !slices.Equal(got, []string{"Suivi", "Résumé"}) {
		t.Fatalf("sheets %q", got)
	}
	if x.GetActiveSheetIndex() != 0 {
		t.Errorf("the active sheet is %d", x.GetActiveSheetIndex())
	}
	const sheet = "Suivi"

	// The header: translated, bold on a dark fill, wrapped; frozen above the rows.
	header, err := x.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(header[0], c.headers()) || header[0][colName] != "Apprenant" {
		t.Errorf("header %q", header[0])
	}
	styleID, err := x.GetCellStyle(sheet, "B1")
	if err != nil {
		t.Fatal(err)
	}
	style, err := x.GetStyle(styleID)
	if err != nil {
		t.Fatal(err)
	}
	if style.Font == nil || !style.Font.Bold || len(style.Fill.Color) == 0 || style.Alignment == nil || !style.Alignment.WrapText {
		t.Errorf("header style %+v font %+v", style, style.Font)
	}
	panes, err := x.GetPanes(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 0 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v", panes)
	}
	for col, want := range map[string]float64{"B": xlsxWidths[colName], "H": xlsxWidths[colModule], "M": xlsxWidths[colTime]} {
		if w, err := x.GetColWidth(sheet, col); err != nil || w != want {
			t.Errorf("column %s width %v (%v), want %v", col, w, err, want)
		}
	}

	// Every row, with real numbers and dates.
	rows := f.rows(t, c)
	if len(header)-1 != len(rows) {
		t.Fatalf("%d rows in the sheet, %d in the store", len(header)-1, len(rows))
	}
	titles := c.moduleTitles()
	day := func(raw string) string {
		if raw == "" {
			return ""
		}
		serial, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			t.Fatalf("date cell %q is not a number", raw)
		}
		d, err := excelize.ExcelDateToTime(serial, false)
		if err != nil {
			t.Fatal(err)
		}
		return d.Format("2006-01-02")
	}
	for i, row := range rows {
		got := header[i+1]
		for len(got) < numColumns {
			got = append(got, "") // trailing empty cells are not stored
		}
		score := ""
		if row.HasScore {
			score = itoa(row.BestPercent)
		}
		want := []string{itoa(int(row.Learner.ID)), row.Learner.Name, completionRoleLabel[row.Learner.Role], strings.ToUpper(row.Learner.Language),
			row.Learner.Cohort, isoDay(row.Learner.CreatedAt), isoDay(row.Learner.LastActive), titles[row.ModuleID],
			expectedStatus(&row), score, isoDay(row.PassedAt), itoa(row.Attempts), itoa(minutes(row.TimeSpent))}
		got[colRegistered], got[colLastActive], got[colPassedOn] = day(got[colRegistered]), day(got[colLastActive]), day(got[colPassedOn])
		if !slices.Equal(got, want) {
			t.Errorf("row %d:\n got %q\nwant %q", i+2, got, want)
		}
	}
	// Text stays text: the formula-like name is a string, not a formula.
	for r := 2; r <= len(rows)+1; r++ {
		cell, _ := excelize.CoordinatesToCellName(colName+1, r)
		if v, _ := x.GetCellValue(sheet, cell); v == nameFormula {
			if formula, _ := x.GetCellFormula(sheet, cell); formula != "" {
				t.Errorf("%s holds a formula %q", cell, formula)
			}
			if typ, _ := x.GetCellType(sheet, cell); typ == excelize.CellTypeFormula {
				t.Errorf("%s is a formula cell", cell)
			}
		}
	}
	// Numbers and dates are numeric cells with a date format on the dates.
	typ, _ := x.GetCellType(sheet, "L2")
	if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("attempts cell type %v", typ)
	}
	dateStyle, _ := x.GetCellStyle(sheet, "F2")
	if st, err := x.GetStyle(dateStyle); err != nil || st.NumFmt != 14 {
		t.Errorf("date cell style %+v (%v)", st, err)
	}

	// The summary sheet: the filters, the generation date and the counts per status.
	summary, err := x.GetRows("Résumé")
	if err != nil {
		t.Fatal(err)
	}
	if summary[0][0] != "Rapport de suivi de la formation" || summary[1][0] != "Apprenants : tous" || summary[2][0] != "Généré le 09/03/2026 à 14:05" {
		t.Errorf("summary head %q", summary[:3])
	}
	counts, err := f.store.CompletionCounts(context.Background(), c.query())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Module", "Pas commencé", "En cours", "Réussi", "Pas encore réussi", "Total"}; !slices.Equal(summary[5], want) {
		t.Errorf("summary header %q", summary[5])
	}
	for i, m := range counts.Modules {
		want := []string{titles[m.ModuleID]}
		for _, s := range progress.CompletionStatuses {
			want = append(want, itoa(m.Count[s]))
		}
		want = append(want, itoa(counts.Learners))
		if !slices.Equal(summary[6+i], want) {
			t.Errorf("summary of %s: %q, want %q", m.ModuleID, summary[6+i], want)
		}
	}
}

func TestXLSXInEveryLanguage(t *testing.T) {
	f := newCompletionFixture(t, 0)
	for lang, want := range map[string][2]string{"fr": {"Suivi", "Apprenant"}, "nl": {"Voortgang", "Cursist"},
		"en": {"Completion", "Learner"}, "de": {"Fortschritt", "Teilnehmer/in"}} {
		c := f.report(t, lang)
		c.Since = time.Now().Add(-time.Hour)
		x, err := excelize.OpenReader(bytes.NewReader(completionWrite(t, c, "xlsx")))
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := x.GetCellValue(want[0], "B1"); v != want[1] {
			t.Errorf("%s: %s!B1 = %q", lang, want[0], v)
		}
		rows, _ := x.GetRows(want[0])
		if len(rows) != 1+7*len(f.cat.Modules) {
			t.Errorf("%s: %d rows", lang, len(rows))
		}
		x.Close()
	}
}

func TestSheetName(t *testing.T) {
	for in, want := range map[string]string{"Suivi": "Suivi", "a/b:c?d*[e]": "a-b-c-d--e-", strings.Repeat("é", 40): strings.Repeat("é", 31)} {
		if got := sheetName(in); got != want {
			t.Errorf("sheetName(%q) = %q", in, got)
		}
	}
}
