package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"indicia/app/progress"
)

// gainRows stands in for the store: groups whose figures are worked out by hand.
type gainRows []progress.GainRow

func (g gainRows) Gain(context.Context, progress.GainQuery) ([]progress.GainRow, error) {
	return g, nil
}

// The scores 30, 40, 50, 60, 70 have the sum 250 and the sum of squares 13500: mean 50,
// sd 15.811, standard error 7.071, t(4) 2.776, half-width 19.63: [30.37, 69.63]. The
// scores 60 to 100 by tens: mean 80 in [60.37, 99.63]. Five learners with both: before
// 50, after 80, normalised gain (80 − 50) / 50 = 0.6.
var handRows = gainRows{
	{Cohort: "", Module: "core", Before: progress.Moments{N: 5, Sum: 250, SumSq: 13500}, After: progress.Moments{N: 5, Sum: 400, SumSq: 33000},
		Kept: progress.Moments{N: 3, Sum: 210, SumSq: 14900}, Pairs: 5, PairBefore: 250, PairAfter: 400},
	{Cohort: "X-1", Module: "police", Before: progress.Moments{N: 4, Sum: 200, SumSq: 10400}, After: progress.Moments{N: 5, Sum: 400, SumSq: 33000},
		Pairs: 4, PairBefore: 200, PairAfter: 320},
	{Cohort: "X-1", Module: "core", Before: progress.Moments{N: 5, Sum: 250, SumSq: 13500}, After: progress.Moments{N: 5, Sum: 400, SumSq: 33000},
		Kept: progress.Moments{N: 5, Sum: 250, SumSq: 13500}, Pairs: 5, PairBefore: 250, PairAfter: 400},
}

func gainReport(t *testing.T, src GainSource, lang string, by GainBy) *Gain {
	t.Helper()
	return &Gain{Source: src, Catalog: completionCatalog(t), By: by, Loc: completionBundle(t).For(lang),
		Generated: time.Date(2026, 3, 9, 14, 5, 0, 0, time.Local)}
}

func gainWrite(t *testing.T, g *Gain, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := g.Write(context.Background(), format, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGainGroupsSuppressSmallGroupsAndSortByWorstKept(t *testing.T) {
	cat := completionCatalog(t)
	groups := GainGroups(handRows, cat, "en")
	// By cohort, then modules in catalog order (core before police).
	if len(groups) != 3 || groups[0].Cohort != "" || groups[1].Module != "core" || groups[2].Module != "police" {
		t.Fatalf("order: %+v", groups)
	}
	g := groups[0]
	near := func(a, b float64) bool { return math.Abs(a-b) < 0.01 }
	if !g.Before.Shown() || !near(g.Before.Mean, 50) || !near(g.Before.Low, 30.37) || !near(g.Before.High, 69.63) ||
		!near(g.After.Mean, 80) || !near(g.After.Low, 60.37) || !g.HasGain || !near(g.Gain, 0.6) {
		t.Errorf("no cohort, core: %+v", g)
	}
	if g.Kept.Shown() || g.Kept.N != 3 || g.Kept.Mean != 0 {
		t.Errorf("three learners kept: %+v, want their count only", g.Kept)
	}
	if p := groups[2]; p.Before.Shown() || p.Before.N != 4 || p.HasGain {
		t.Errorf("four learners before, four pairs: %+v", p)
	}
	if m, _ := cat.Module("core"); g.Label != m.In("en").Title {
		t.Errorf("label %q", g.Label)
	}
	// Indicators: the worst kept first, those that cannot show a kept figure last.
	inds := cat.Indicators()
	rows := gainRows{
		{Indicator: inds[0].ID, Kept: progress.Moments{N: 5, Sum: 350, SumSq: 24700}},
		{Indicator: inds[1].ID, Kept: progress.Moments{N: 2, Sum: 10, SumSq: 50}},
		{Indicator: inds[2].ID, Kept: progress.Moments{N: 5, Sum: 200, SumSq: 8200}},
	}
	groups = GainGroups(rows, cat, "nl")
	if groups[0].Indicator != inds[2].ID || groups[1].Indicator != inds[0].ID || groups[2].Indicator != inds[1].ID {
		t.Errorf("indicators in the order %s, %s, %s", groups[0].Indicator, groups[1].Indicator, groups[2].Indicator)
	}
	if groups[0].Label != inds[2].In("nl").Title {
		t.Errorf("indicator label %q", groups[0].Label)
	}
}

func TestGainCSVInEnglishSaysBeforeAfterKeptGain(t *testing.T) {
	data := gainWrite(t, gainReport(t, handRows, "en", GainByModule), "csv")
	if !bytes.HasPrefix(data, []byte("\uFEFF")) || bytes.Count(data, []byte("\n")) != bytes.Count(data, []byte("\r\n")) {
		t.Error("not a CSV with a byte order mark and CRLF line ends")
	}
	recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(recs[0], "|")
	for _, w := range []string{"Before", "After", "Kept", "Gain", "Cohort", "Module"} {
		if !strings.Contains(head, w) {
			t.Errorf("header %q lacks %q", head, w)
		}
	}
	if len(recs) != 4 || len(recs[0]) != gainColumns {
		t.Fatalf("%d records of %d fields", len(recs), len(recs[0]))
	}
	cat := completionCatalog(t)
	core, _ := cat.Module("core")
	want := []string{"No cohort", core.In("en").Title, "5", "50", "30.4", "69.6", "5", "80", "60.4", "99.6", "3", "", "", "", "5", "0.6"}
	if !slices.Equal(recs[1], want) {
		t.Errorf("no cohort, core:\n got %q\nwant %q", recs[1], want)
	}
	// Four learners before: their count, no percentage, no interval, no gain.
	if r := recs[3]; r[2] != "4" || r[3] != "" || r[4] != "" || r[5] != "" || r[14] != "4" || r[15] != "" {
		t.Errorf("a group of four: %q", r)
	}
	// Other languages: their own words, the same numbers.
	for lang, words := range map[string][]string{"fr": {"Avant", "Après", "Retenu", "Gain"}, "nl": {"Vooraf", "Achteraf", "Onthouden", "winst"},
		"de": {"Vorher", "Nachher", "Behalten", "Lernzuwachs"}} {
		data := gainWrite(t, gainReport(t, handRows, lang, GainByModule), "csv")
		first := strings.SplitN(string(data), "\r\n", 2)[0]
		for _, w := range words {
			if !strings.Contains(first, w) {
				t.Errorf("%s header %q lacks %q", lang, first, w)
			}
		}
	}
}

func TestGainXLSXHasNumbersAndHowToReadThem(t *testing.T) {
	data := gainWrite(t, gainReport(t, handRows, "fr", GainByModule), "xlsx")
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 2 {
		t.Fatalf("sheets %q", sheets)
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][3] != "Avant (%)" || rows[0][15] != "Gain normalisé" {
		t.Fatalf("rows %q", rows)
	}
	v, _ := f.GetCellValue(sheets[0], "D2", excelize.Options{RawCellValue: true})
	if v != "50" {
		t.Errorf("before, as stored: %q", v)
	}
	typ, _ := f.GetCellType(sheets[0], "D2")
	if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("before is stored as %v, not a number", typ)
	}
	if d4, _ := f.GetCellValue(sheets[0], "D4"); d4 != "" {
		t.Errorf("a group of four shows %q before", d4)
	}
	about, _ := f.GetRows(sheets[1])
	text := ""
	for _, r := range about {
		text += strings.Join(r, " ") + "\n"
	}
	for _, w := range []string{"(après − avant) / (100 − avant)", "moins de 5 participants", "prudence"} {
		if !strings.Contains(text, w) {
			t.Errorf("the second sheet lacks %q:\n%s", w, text)
		}
	}
}

func TestGainPDFHasTheChartsAndTheTable(t *testing.T) {
	g := gainReport(t, handRows, "en", GainByModule)
	data := gainWrite(t, g, "pdf")
	path, pages := pdfPages(t, data)
	text := strings.Join(pages, "\n")
	for _, w := range []string{"Knowledge before, after and kept, per module", "Before", "After", "Kept",
		"50.0% · 5 learners", "80.0% · 5 learners", "3 learners: too few to show", "4 learners: too few to show",
		"Normalised gain 0.60 (5 learners measured before and after)", "No normalised gain: 4 learners",
		"50.0% [30.4–69.6] · 5", "No cohort", "X-1", "The figures", "95 % interval"} {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF lacks %q", w)
		}
	}
	// The picture: rendered for a look (test-artifacts/gain), and the three colours of
	// the bars are on the first page.
	completionNeedTool(t, "pdftoppm")
	out := filepath.Join(repoRoot(t), "test-artifacts", "gain")
	os.MkdirAll(out, 0o755)
	if b, err := exec.Command("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", path, filepath.Join(out, "gain-en")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, b)
	}
	img := pngImage(t, filepath.Join(out, "gain-en-1.png"))
	for i, c := range MeasurementColours {
		if !hasColour(img, c) {
			t.Errorf("no bar in the colour of measurement %d on page 1", i)
		}
	}
	// Nothing to show: a sentence, not an empty page.
	_, pages = pdfPages(t, gainWrite(t, gainReport(t, gainRows{}, "de", GainByIndicator), "pdf"))
	if !strings.Contains(pages[0], "Noch niemand") || !strings.Contains(pages[0], "je Warnsignal") {
		t.Errorf("an empty report: %q", pages[0])
	}
}

func pngImage(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// hasColour reports whether some pixel of img is within a few levels of c.
func hasColour(img image.Image, c [3]int) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if abs(int(r>>8)-c[0]) < 6 && abs(int(g>>8)-c[1]) < 6 && abs(int(bl>>8)-c[2]) < 6 {
				return true
			}
		}
	}
	return false
}
