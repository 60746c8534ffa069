package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"indicia/app/progress"
	"indicia/modules"
)

// reportRun runs `indicia args...` and returns its exit status and output.
func reportRun(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// reportRefused checks a refusal: exit status 1 and one line on stderr that says want.
func reportRefused(t *testing.T, what string, code int, stderr, want string) {
	t.Helper()
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) || strings.Contains(stderr, "panic") {
		t.Errorf("%s: exit %d, stderr %q, want one line with %q", what, code, stderr, want)
	}
}

// reportFolder lists a folder's files: nothing half-written may be left in it.
func reportFolder(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// reportDemoDB makes a database of n demo learners with `indicia demo`.
func reportDemoDB(t *testing.T, n string) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	code, stdout, stderr := reportRun("demo", "--db", db, "--learners", n, "--seed", "3", "--lang", "en")
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr)
	}
	// Its progress goes to a terminal only; here stderr is not one.
	if !strings.Contains(stdout, "demo learners written to "+db+" (seed 3)") || stderr != "" {
		t.Errorf("demo output %q, stderr %q", stdout, stderr)
	}
	// Only the database is left: no temporary file, lock, or write-ahead log.
	if got := reportFolder(t, dir); !slices.Equal(got, []string{"demo.db"}) {
		t.Errorf("demo left %q", got)
	}
	return db
}

func TestDemoCommandWritesANewDatabase(t *testing.T) {
	db := reportDemoDB(t, "650")
	s, err := progress.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.LearnerCount(context.Background())
	s.Close()
	if err != nil || n != 650 {
		t.Errorf("%d learners (%v)", n, err)
	}
	os.Remove(db + ".lock")
	sum := sha256.Sum256(must(os.ReadFile(db)))

	// It never writes into an existing file, nor leaves anything when refused.
	code, _, stderr := reportRun("demo", "--db", db, "--learners", "5")
	reportRefused(t, "existing database", code, stderr, "existe déjà")
	if after := sha256.Sum256(must(os.ReadFile(db))); after != sum {
		t.Error("the existing database was changed")
	}
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--db", fresh, "--learners", "0"}, "--learners"},
		{[]string{"--db", fresh, "--learners", "2000000"}, "--learners"},
		{[]string{"--db", fresh, "--learners", "many"}, "invalid value"},
		{[]string{"--learners", "5"}, "--db"},
		{[]string{"--db", fresh, "--learners", "5", "--seed", "-1"}, "invalid value"},
		{[]string{"--db", fresh, "--learners", "5", "--colour", "red"}, "colour"},
		{[]string{"--db", fresh, "--learners", "5", "--lang", "es"}, "es"},
		{[]string{"--db", filepath.Join(dir, "missing", "x.db"), "--learners", "5"}, "missing"},
	} {
		code, _, stderr := reportRun(append([]string{"demo"}, tc.args...)...)
		reportRefused(t, strings.Join(tc.args, " "), code, stderr, tc.want)
	}
	if got := reportFolder(t, dir); len(got) != 0 {
		t.Errorf("refused demos left %q", got)
	}
}

func TestReportCommandWritesEveryFormat(t *testing.T) {
	completionNeedTools(t)
	db := reportDemoDB(t, "120")
	cat, err := modules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	rows := 120 * len(cat.Modules)
	dir := t.TempDir()

	// CSV, in Dutch.
	out := filepath.Join(dir, "voortgang.csv")
	code, stdout, stderr := reportRun("report", "--db", db, "--format", "csv", "--out", out, "--lang", "nl")
	if code != 0 || stderr != "" || !strings.Contains(stdout, "rijen geschreven naar "+out) {
		t.Fatalf("csv: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	data := must(os.ReadFile(out))
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		t.Error("no byte order mark")
	}
	records, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 1+rows || records[0][1] != "Cursist" || records[1][7] != cat.Modules[0].In("nl").Title {
		t.Errorf("csv: %d records, header %q, first %q", len(records), records[0], records[1])
	}

	// XLSX, in German, the format from the file name.
	out = filepath.Join(dir, "fortschritt.xlsx")
	if code, _, stderr := reportRun("report", "--db", db, "--out", out, "--lang", "de"); code != 0 {
		t.Fatalf("xlsx: exit %d: %s", code, stderr)
	}
	x, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sheet, _ := x.GetRows("Fortschritt")
	x.Close()
	if len(sheet) != 1+rows || sheet[0][1] != "Teilnehmer/in" {
		t.Errorf("xlsx: %d rows, header %q", len(sheet), sheet[0])
	}

	// PDF, in French (the default), of the police only.
	out = filepath.Join(dir, "suivi.pdf")
	if code, _, stderr := reportRun("report", "--db", db, "--format", "pdf", "--out", out, "--role", "police"); code != 0 {
		t.Fatalf("pdf: exit %d: %s", code, stderr)
	}
	text := string(must(exec.Command("pdftotext", "-enc", "UTF-8", "-layout", out, "-").Output()))
	for _, want := range []string{"Rapport de suivi de la formation", "Apprenants : fonction Police", "Apprenants par module et par statut"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdf lacks %q", want)
		}
	}
	if got := reportFolder(t, dir); !slices.Equal(got, []string{"fortschritt.xlsx", "suivi.pdf", "voortgang.csv"}) {
		t.Errorf("the folder holds %q", got)
	}

	// Filters: a cohort, and a day after everyone's last activity.
	s, err := progress.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	learners, err := s.Learners(context.Background())
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	cohort, inCohort := "", 0
	for _, l := range learners {
		if l.Cohort != "" && cohort == "" {
			cohort = l.Cohort
		}
		if l.Cohort == cohort && cohort != "" {
			inCohort++
		}
	}
	out = filepath.Join(dir, "cohort.csv")
	if code, _, stderr := reportRun("report", "--db", db, "--out", out, "--cohort", cohort, "--lang", "en"); code != 0 {
		t.Fatalf("cohort: exit %d: %s", code, stderr)
	}
	records, _ = csv.NewReader(bytes.NewReader(must(os.ReadFile(out))[3:])).ReadAll()
	if len(records) != 1+inCohort*len(cat.Modules) {
		t.Errorf("cohort %s: %d records for %d learners", cohort, len(records)-1, inCohort)
	}
	for _, rec := range records[1:] {
		if rec[4] != cohort {
			t.Errorf("cohort %s report has %q", cohort, rec)
		}
	}
	out = filepath.Join(dir, "future.csv")
	if code, _, _ := reportRun("report", "--db", db, "--out", out, "--since", "2999-01-01"); code != 0 {
		t.Fatal("a report of nobody failed")
	}
	records, _ = csv.NewReader(bytes.NewReader(must(os.ReadFile(out))[3:])).ReadAll()
	if len(records) != 1 {
		t.Errorf("since 2999: %d records", len(records)-1)
	}
}

func TestReportCommandRefusesBadInputAndLeavesNoFile(t *testing.T) {
	db := reportDemoDB(t, "30")
	os.Remove(db + ".lock")
	dbSum := sha256.Sum256(must(os.ReadFile(db)))
	dir := t.TempDir()
	out := filepath.Join(dir, "report.csv")
	foreign := filepath.Join(dir, "notes.db")
	must(0, os.WriteFile(foreign, []byte("These are a trainer's notes, not a database.\n"), 0o600))
	damaged := filepath.Join(dir, "damaged.db")
	whole := must(os.ReadFile(db))
	must(0, os.WriteFile(damaged, whole[:len(whole)/2], 0o600))
	aFile := filepath.Join(dir, "plain.txt")
	must(0, os.WriteFile(aFile, []byte("x"), 0o600))
	before := map[string][32]byte{}
	for _, p := range []string{foreign, damaged, aFile} {
		before[p] = sha256.Sum256(must(os.ReadFile(p)))
	}

	for _, tc := range []struct {
		what string
		args []string
		want string
	}{
		{"unknown format", []string{"--db", db, "--format", "docx", "--out", out}, "format inconnu « docx »"},
		{"unknown extension", []string{"--db", db, "--out", filepath.Join(dir, "report.txt")}, "format inconnu « txt »"},
		{"bad date", []string{"--db", db, "--format", "csv", "--out", out, "--since", "2026-13-45"}, "« 2026-13-45 » n'est pas une date"},
		{"words for a date", []string{"--db", db, "--format", "csv", "--out", out, "--since", "yesterday", "--lang", "en"}, "“yesterday” is not a date"},
		{"missing --out", []string{"--db", db, "--format", "csv"}, "--out"},
		{"missing folder", []string{"--db", db, "--format", "csv", "--out", filepath.Join(dir, "nowhere", "r.csv")}, "impossible d'écrire dans le dossier"},
		{"a file as folder", []string{"--db", db, "--format", "csv", "--out", filepath.Join(aFile, "r.csv")}, "impossible d'écrire dans le dossier"},
		{"unwritable folder", []string{"--db", db, "--format", "csv", "--out", "/proc/indicia-report.csv"}, "impossible d'écrire dans le dossier /proc"},
		{"foreign database", []string{"--db", foreign, "--format", "csv", "--out", out}, "n'est pas un fichier de données d'Indicia"},
		{"damaged database", []string{"--db", damaged, "--format", "pdf", "--out", out, "--lang", "en"}, "damaged"},
		{"no database", []string{"--db", filepath.Join(dir, "missing.db"), "--format", "csv", "--out", out}, "il n'y a pas de base de données"},
		{"unknown role", []string{"--db", db, "--format", "csv", "--out", out, "--role", "pilot"}, "fonction inconnue « pilot »"},
		{"unknown language", []string{"--db", db, "--format", "csv", "--out", out, "--lang", "es"}, "langue inconnue « es »"},
		{"unknown flag", []string{"--db", db, "--format", "csv", "--out", out, "--colour", "red"}, "colour"},
		{"extra argument", []string{"--db", db, "--format", "csv", "--out", out, "more"}, "utilisation"},
		{"over the database", []string{"--db", db, "--format", "csv", "--out", db}, "écraserait la base de données"},
	} {
		code, stdout, stderr := reportRun(append([]string{"report"}, tc.args...)...)
		reportRefused(t, tc.what, code, stderr, tc.want)
		if stdout != "" {
			t.Errorf("%s: stdout %q", tc.what, stdout)
		}
	}
	// No report, no temporary file; the files read are unchanged.
	if got := reportFolder(t, dir); !slices.Equal(got, []string{"damaged.db", "notes.db", "plain.txt"}) {
		t.Errorf("the folder holds %q", got)
	}
	for p, sum := range before {
		if sha256.Sum256(must(os.ReadFile(p))) != sum {
			t.Errorf("%s was changed", p)
		}
	}
	os.Remove(db + ".lock")
	if sha256.Sum256(must(os.ReadFile(db))) != dbSum {
		t.Error("the database was changed")
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("a report created a database")
	}
}

// A report that fails while it is being written leaves neither the report nor its
// temporary file.
func TestReportFailingMidwayLeavesNothing(t *testing.T) {
	completionNeedTools(t)
	db := reportDemoDB(t, "20")
	// A table the rows are read from is gone: the counts work, the rows do not.
	if out, err := exec.Command("sqlite3", db, "DROP TABLE lesson_progress;").CombinedOutput(); err != nil {
		t.Fatalf("sqlite3: %v %s", err, out)
	}
	dir := t.TempDir()
	for _, format := range []string{"csv", "xlsx", "pdf"} {
		code, _, stderr := reportRun("report", "--db", db, "--format", format, "--out", filepath.Join(dir, "r."+format), "--lang", "en")
		reportRefused(t, format, code, stderr, "the report could not be written, and no file was left behind")
	}
	if got := reportFolder(t, dir); len(got) != 0 {
		t.Errorf("a failed report left %q", got)
	}
}

func completionNeedTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"pdftotext", "sqlite3"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: the report tests need poppler-utils and sqlite3 (make test-deps installs them)", tool)
		}
	}
}

// TestGainReportCommand writes the gain report of a demo database in every format: the
// headers say Before, After, Kept and Gain in English, the groups of one cohort come
// back as rows, small groups show counts only, and the model's shapes show: before
// below after, kept between them.
func TestGainReportCommand(t *testing.T) {
	completionNeedTools(t)
	db := reportDemoDB(t, "900")
	dir := t.TempDir()
	out := filepath.Join(dir, "gain.csv")
	code, stdout, stderr := reportRun("report", "--kind", "gain", "--db", db, "--format", "csv", "--out", out, "--lang", "en")
	if code != 0 || stderr != "" || !strings.Contains(stdout, "groups written to "+out) {
		t.Fatalf("csv: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	data := must(os.ReadFile(out))
	records, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(records[0], "|")
	for _, w := range []string{"Before", "After", "Kept", "Gain"} {
		if !strings.Contains(head, w) {
			t.Errorf("header %q lacks %q", head, w)
		}
	}
	// Over the rows big enough to show: the learners' means.
	var sum [3]float64
	var n [3]int
	small := 0
	for _, r := range records[1:] {
		for i, col := range []int{3, 7, 11} {
			count, _ := strconv.Atoi(r[col-1])
			switch {
			case count >= 5 && r[col] != "":
				v, _ := strconv.ParseFloat(r[col], 64)
				sum[i] += v * float64(count)
				n[i] += count
			case count > 0 && count < 5 && r[col] != "":
				t.Errorf("a group of %d shows %q", count, r[col])
			case count > 0 && count < 5:
				small++
			}
		}
	}
	before, after, kept := sum[0]/float64(n[0]), sum[1]/float64(n[1]), sum[2]/float64(n[2])
	t.Logf("before %.1f %% (%d), after %.1f %% (%d), kept %.1f %% (%d); %d small groups", before, n[0], after, n[1], kept, n[2], small)
	if !(before > 40 && before < 65 && after > 75 && after < 92 && kept > before && kept < after) || small == 0 {
		t.Errorf("before %.1f, after %.1f, kept %.1f, %d small groups", before, after, kept, small)
	}
	// By indicator, one cohort, XLSX; then PDF in Dutch.
	var cohort string
	for _, r := range records[1:] {
		if c, _ := strconv.Atoi(r[6]); c >= 5 && r[0] != "No cohort" {
			cohort = r[0]
			break
		}
	}
	out = filepath.Join(dir, "signs.xlsx")
	if code, _, stderr := reportRun("report", "--kind", "gain", "--by", "indicator", "--db", db, "--out", out, "--cohort", cohort, "--lang", "en"); code != 0 {
		t.Fatalf("xlsx: exit %d: %s", code, stderr)
	}
	x, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	sheet, _ := x.GetRows(x.GetSheetList()[0])
	x.Close()
	if len(sheet) < 5 || sheet[0][1] != "Warning sign" || sheet[1][0] != cohort {
		t.Errorf("xlsx by indicator: %d rows, %q, %q", len(sheet), sheet[0], sheet[1])
	}
	out = filepath.Join(dir, "winst.pdf")
	if code, _, stderr := reportRun("report", "--kind", "gain", "--db", db, "--format", "pdf", "--out", out, "--lang", "nl", "--role", "police"); code != 0 {
		t.Fatalf("pdf: exit %d: %s", code, stderr)
	}
	text := string(must(exec.Command("pdftotext", "-enc", "UTF-8", "-layout", out, "-").Output()))
	for _, w := range []string{"Kennis vooraf, achteraf en onthouden", "Cursisten: functie Politie", "Genormaliseerde winst"} {
		if !strings.Contains(text, w) {
			t.Errorf("pdf lacks %q", w)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--kind", "scores"}, "scores"},
		{[]string{"--kind", "gain", "--by", "learner"}, "learner"},
	} {
		out := filepath.Join(dir, "refused.csv")
		code, _, stderr := reportRun(append([]string{"report", "--db", db, "--out", out, "--lang", "en"}, tc.args...)...)
		reportRefused(t, strings.Join(tc.args, " "), code, stderr, tc.want)
	}
	if got := reportFolder(t, dir); !slices.Equal(got, []string{"gain.csv", "signs.xlsx", "winst.pdf"}) {
		t.Errorf("the folder holds %q", got)
	}
}
