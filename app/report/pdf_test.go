package report

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"

	"indicia/app/progress"
	"indicia/assets"
)

// pdfPages writes the PDF to a file and returns its text, page by page (pdftotext).
func pdfPages(t *testing.T, data []byte) (string, []string) {
	t.Helper()
	completionNeedTool(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return path, strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
}

func TestPDFHasTitleFiltersChartAndAHeaderOnEveryPage(t *testing.T) {
	f := newCompletionFixture(t, 90)
	c := f.report(t, "fr")
	data := completionWrite(t, c, "pdf")
	path, pages := pdfPages(t, data)
	if len(pages) < 3 {
		t.Fatalf("%d pages for %d rows", len(pages), (90+7)*len(f.cat.Modules))
	}
	first := pages[0]
	for _, want := range []string{"Rapport de suivi de la formation", "Apprenants : tous", "Généré le 09/03/2026 à 14:05",
		"97 apprenants", "Apprenants par module et par statut", "Pas commencé", "En cours", "Réussi", "Pas encore réussi",
		"Situation de chaque apprenant dans chaque module"} {
		if !strings.Contains(first, want) {
			t.Errorf("page 1 lacks %q", want)
		}
	}
	header := regexp.MustCompile(`N°\s+Apprenant\s+Fonction\s+Langue\s+Inscrit le\s+Module\s+Statut`)
	footer := regexp.MustCompile(`Page (\d+) sur (\d+)`)
	text := strings.Join(pages, "\n")
	for i, p := range pages {
		if !header.MatchString(p) {
			t.Errorf("page %d has no header row:\n%s", i+1, p[:min(len(p), 600)])
		}
		m := footer.FindStringSubmatch(p)
		if m == nil || m[1] != strconv.Itoa(i+1) || m[2] != strconv.Itoa(len(pages)) {
			t.Errorf("page %d footer %q", i+1, m)
		}
	}
	// Every learner is in the table, with accents and all; each known one with its status.
	for _, row := range f.rows(t, c) {
		name := row.Learner.Name
		if name == nameFormula {
			name = `=HYPERLINK("http` // one long word: broken over two lines
		}
		if !strings.Contains(text, name) {
			t.Errorf("%q is missing", name)
		}
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`Anaïs Lambert\s+Fedasil\s+NL\s+BXL-7\s+\S+\s+\S+\s+Reconna.*Réussi\s+91 %`),
		regexp.MustCompile(`Zoë Peeters\s+Police\s+NL\s+ANT-3.*Pas encore\s+50 %`),
		regexp.MustCompile(`Jürgen Müller\s+Tuteur\s+DE\s+EUP-1.*Pas commencé`),
		regexp.MustCompile(`Özlem Yılmaz\s+Fedasil\s+FR`),
		regexp.MustCompile(`Dupont, Jean "Jeannot"\s+Police`),
	} {
		if !want.MatchString(text) {
			t.Errorf("no line matches %s", want)
		}
	}

	// The first page, rendered: the chart's colours are there, and the page is landscape.
	completionNeedTool(t, "pdftoppm")
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	shots, _ := filepath.Glob(prefix + "*.png")
	if len(shots) != 1 {
		t.Fatalf("rendered %v", shots)
	}
	img := completionDecodePNG(t, shots[0])
	b := img.Bounds()
	if b.Dx() <= b.Dy() {
		t.Errorf("page 1 is %v, not landscape", b)
	}
	counts, _ := f.store.CompletionCounts(t.Context(), c.query())
	for _, s := range progress.CompletionStatuses {
		total := 0
		for _, m := range counts.Modules {
			total += m.Count[s]
		}
		if got := completionPixels(img, statusColour[s]); total > 0 && got < 20 {
			t.Errorf("%s: %d pixels of its colour on page 1, for %d learners", s, got, total)
		}
	}
}

func completionDecodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// completionPixels counts the pixels close to colour c.
func completionPixels(img image.Image, c [3]int) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if abs(int(r>>8)-c[0]) < 12 && abs(int(g>>8)-c[1]) < 12 && abs(int(bl>>8)-c[2]) < 12 {
				n++
			}
		}
	}
	return n
}

func abs(x int) int { return max(x, -x) }

func TestPDFInEveryLanguageAndWithNobody(t *testing.T) {
	f := newCompletionFixture(t, 0)
	for lang, want := range map[string][]string{
		"fr": {"Rapport de suivi de la formation", "Fonction", "Pas encore", "réussi", "Page 1 sur "},
		"nl": {"Voortgangsrapport van de opleiding", "Cursist", "Nog niet", "geslaagd", "Pagina 1 van "},
		"en": {"Training completion report", "Learner", "Not passed yet", "Page 1 of "},
		"de": {"Bericht zum Ausbildungsfortschritt", "Teilnehmer/in", "Noch nicht", "bestanden", "Seite 1 von "},
	} {
		_, pages := pdfPages(t, completionWrite(t, f.report(t, lang), "pdf"))
		text := strings.Join(pages, "\n")
		for _, w := range append(want, nameAnais, nameJurgen, nameYilmaz, nameZoe, nameSebastien) {
			if !strings.Contains(text, w) {
				t.Errorf("%s: no %q", lang, w)
			}
		}
	}
	c := f.report(t, "fr")
	c.Cohort = "nobody"
	_, pages := pdfPages(t, completionWrite(t, c, "pdf"))
	if len(pages) != 1 || !strings.Contains(pages[0], "Aucun apprenant ne correspond à ces filtres.") ||
		!strings.Contains(pages[0], "code de groupe nobody") || strings.Contains(pages[0], nameAnais) {
		t.Errorf("empty report:\n%s", pages[0])
	}
}

// Every header fits its column in every language, on at most two lines, without an
// ellipsis.
func TestPDFHeadersFitTheirColumns(t *testing.T) {
	d := &pdfDoc{Fpdf: fpdf.New("L", "mm", "A4", "")}
	d.AddUTF8FontFromBytes(pdfFont, "B", assets.FontBold)
	d.SetFont(pdfFont, "B", pdfBodySize)
	total := 0.0
	for _, w := range pdfWidths {
		total += w
	}
	if pageW, _ := d.GetPageSize(); math.Abs(total-(pageW-2*pdfMargin)) > 0.01 {
		t.Errorf("the columns are %v mm wide, the page %v mm between the margins", total, pageW-2*pdfMargin)
	}
	for _, lang := range []string{"fr", "nl", "en", "de"} {
		c := &Completion{Loc: completionBundle(t).For(lang)}
		heads := c.headers()
		heads[colScore], heads[colTime] = c.Loc.T("Report.Column.Score"), c.Loc.T("Report.Column.Time")
		for i, h := range heads {
			lines := d.wrap(h, pdfWidths[i]-2*pdfPad, 2)
			if joined := strings.Join(lines, " "); strings.Contains(joined, "…") || joined != h {
				t.Errorf("%s: header %q becomes %q in %v mm", lang, h, lines, pdfWidths[i])
			}
		}
	}
}

func TestWrapAndFit(t *testing.T) {
	d := &pdfDoc{Fpdf: fpdf.New("L", "mm", "A4", "")}
	d.AddUTF8FontFromBytes(pdfFont, "", assets.FontRegular)
	d.SetFont(pdfFont, "", 10)
	if got := d.fit("Anaïs", 100); got != "Anaïs" {
		t.Errorf("fit short: %q", got)
	}
	long := strings.Repeat("Zoë ", 40)
	if got := d.fit(long, 30); !strings.HasSuffix(got, "…") || d.GetStringWidth(got) > 30 {
		t.Errorf("fit long: %q (%v mm)", got, d.GetStringWidth(got))
	}
	lines := d.wrap(long, 40, 2)
	if len(lines) != 2 || !strings.HasSuffix(lines[1], "…") || d.GetStringWidth(lines[0]) > 40 || d.GetStringWidth(lines[1]) > 40 {
		t.Errorf("wrap: %q", lines)
	}
	if got := d.wrap(strings.Repeat("x", 60), 30, 2); len(got) != 2 || d.GetStringWidth(got[0]) > 30 || d.GetStringWidth(got[0]) < 25 {
		t.Errorf("wrap one long word: %q", got)
	}
	if got := d.wrap("Reconnaître l'exploitation", 200, 2); len(got) != 1 {
		t.Errorf("wrap short: %q", got)
	}
	for total, want := range map[int]int{1: 1, 5: 1, 7: 2, 12: 5, 97: 20, 1000: 200, 10000: 2000, 12345: 2500} {
		if got := niceStep(total); got != want {
			t.Errorf("niceStep(%d) = %d, want %d", total, got, want)
		}
	}
}

// completionCountsOnly is a source that reports many learners and has no rows.
type completionCountsOnly struct{ learners int }

func (s completionCountsOnly) EachCompletion(context.Context, progress.CompletionQuery, func(*progress.CompletionRow) error) error {
	return errors.New("no rows should be read")
}

func (s completionCountsOnly) CompletionCounts(_ context.Context, q progress.CompletionQuery) (progress.CompletionSummary, error) {
	out := progress.CompletionSummary{Learners: s.learners}
	for _, id := range q.Modules {
		out.Modules = append(out.Modules, progress.ModuleCounts{ModuleID: id, Count: map[progress.CompletionStatus]int{}})
	}
	return out, nil
}

func TestTooLargeForPDFOrXLSXIsRefusedBeforeWriting(t *testing.T) {
	cat := completionCatalog(t)
	mods := cat.Modules[:1]
	for _, tc := range []struct {
		format   string
		learners int
		max      int
	}{{"pdf", maxPDFRows + 1, maxPDFRows}, {"xlsx", excelize.TotalRows, excelize.TotalRows - 1}} {
		c := &Completion{Source: completionCountsOnly{tc.learners}, Modules: mods, Loc: completionBundle(t).For("en")}
		var buf bytes.Buffer
		err := c.Write(context.Background(), tc.format, &buf)
		var tooLarge *TooLargeError
		if !errors.As(err, &tooLarge) || tooLarge.Rows != tc.learners || tooLarge.Max != tc.max || buf.Len() != 0 {
			t.Errorf("%s: %v, %d bytes written", tc.format, err, buf.Len())
		}
	}
	// Just under the PDF limit is not refused for its size.
	c := &Completion{Source: completionCountsOnly{maxPDFRows}, Modules: mods, Loc: completionBundle(t).For("en")}
	if err := c.WritePDF(context.Background(), io.Discard); err == nil || strings.Contains(err.Error(), "more than") {
		t.Errorf("at the limit: %v", err)
	}
}
