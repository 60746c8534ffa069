package report

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"indicia/app/progress"
	"indicia/locales"
	"indicia/modules"
	"indicia/quiz"
)

// completionCatalog is the shipped content; while a module being written does not load
// yet, the core module alone stands in.
func completionCatalog(t testing.TB) *modules.Catalog {
	t.Helper()
	cat, err := modules.LoadEmbedded()
	if err == nil {
		return cat
	}
	// The core module, and a copy of it for the police as a second module.
	t.Logf("the shipped content does not load (%s); using the core module and a copy of it", strings.SplitN(err.Error(), "\n", 2)[0])
	fsys := fstest.MapFS{}
	err = fs.WalkDir(modules.Embedded(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(name, "/") && !strings.HasPrefix(name, "core/") {
			return err
		}
		data, err := fs.ReadFile(modules.Embedded(), name)
		fsys[name] = &fstest.MapFile{Data: data}
		if rest, ok := strings.CutPrefix(name, "core/"); ok {
			copied := string(data)
			if rest == "module.toml" {
				copied = strings.NewReplacer(`id = "core"`, `id = "copy"`, "order = 1", "order = 2", `audience = "all"`, `audience = "police"`).Replace(copied)
			}
			fsys["copy/"+rest] = &fstest.MapFile{Data: []byte(copied)}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if cat, err = modules.Load(fsys); err != nil {
		t.Fatal(err)
	}
	return cat
}

var completionBundle = func() func(t testing.TB) *locales.Bundle {
	var b *locales.Bundle
	return func(t testing.TB) *locales.Bundle {
		t.Helper()
		if b == nil {
			var err error
			if b, err = locales.NewBundle(); err != nil {
				t.Fatal(err)
			}
		}
		return b
	}
}()

// completionFixture is a progress database with a few learners whose standing is known,
// and demo learners besides.
type completionFixture struct {
	store *progress.Store
	cat   *modules.Catalog
	ids   map[string]int64 // the known learners by name
}

// Names that a report must carry through unharmed: accents from the four communities,
// Turkish letters, a comma and quotes, and one that a spreadsheet would take for a
// formula.
const (
	nameAnais     = "Anaïs Lambert"
	nameZoe       = "Zoë Peeters"
	nameJurgen    = "Jürgen Müller"
	nameSebastien = "Sébastien Dubois"
	nameYilmaz    = "Özlem Yılmaz"
	nameQuoted    = `Dupont, Jean "Jeannot"`
	nameFormula   = `=HYPERLINK("http://example.com","x")`
)

func newCompletionFixture(t testing.TB, demoLearners int) *completionFixture {
	t.Helper()
	ctx := context.Background()
	s, err := progress.Open(ctx, filepath.Join(t.TempDir(), "indicia.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := &completionFixture{store: s, cat: completionCatalog(t), ids: map[string]int64{}}
	for _, l := range []progress.NewLearner{
		{Name: nameAnais, Role: "fedasil", Language: "nl", Cohort: "BXL-7"},
		{Name: nameZoe, Role: "police", Language: "nl", Cohort: "ANT-3"},
		{Name: nameJurgen, Role: "guardian", Language: "de", Cohort: "EUP-1"},
		{Name: nameSebastien, Role: "hospital", Language: "fr", Cohort: "BXL-7"},
		{Name: nameYilmaz, Role: "fedasil", Language: "fr", Cohort: "ANT-3"},
		{Name: nameQuoted, Role: "police", Language: "fr", Cohort: "ANT-3"},
		{Name: nameFormula, Role: "police", Language: "en", Cohort: "+32 ANT"},
	} {
		created, err := s.CreateLearner(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		f.ids[l.Name] = created.ID
	}
	f.quiz(t, nameAnais, 11) // passed, 91 %
	f.quiz(t, nameZoe, 6)    // failed, 50 %
	if err := s.SaveLesson(ctx, f.ids[nameZoe], "core", "forms", 2, 7*time.Minute, false); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveLesson(ctx, f.ids[nameSebastien], "core", "forms", 1, 3*time.Minute, false); err != nil {
		t.Fatal(err)
	}
	if demoLearners > 0 {
		if err := s.BulkDemo(ctx, demoLearners, DemoModules(f.cat), 11, nil); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// quiz records a finished attempt at the core module with `right` right answers, through
// the calls the quiz screen makes.
func (f *completionFixture) quiz(t testing.TB, name string, right int) {
	t.Helper()
	ctx := context.Background()
	m, _ := f.cat.Module("core")
	plan := make(quiz.Plan, m.QuizSize)
	for i := range plan {
		plan[i] = quiz.Draw{QuestionID: m.In("fr").Bank[i].ID}
	}
	a, err := f.store.StartAttempt(ctx, progress.NewAttempt{LearnerID: f.ids[name], ModuleID: "core", ContentVersion: m.Version,
		Language: "fr", Plan: plan, PassMark: m.PassMark})
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range plan {
		if err := f.store.RecordAnswer(ctx, a.ID, progress.Answer{Position: i, QuestionID: d.QuestionID,
			Response: quiz.Response{Chosen: []string{"a"}}, Complete: true, Correct: i < right, Time: 30 * time.Second}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.FinishAttempt(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
}

// report is a completion report of the fixture in lang.
func (f *completionFixture) report(t testing.TB, lang string) *Completion {
	return &Completion{Source: f.store, Modules: f.cat.Modules, Loc: completionBundle(t).For(lang),
		Generated: time.Date(2026, 3, 9, 14, 5, 0, 0, time.Local)}
}

// rows are the store's rows for the report, to compare the files with.
func (f *completionFixture) rows(t testing.TB, c *Completion) []progress.CompletionRow {
	t.Helper()
	var out []progress.CompletionRow
	if err := f.store.EachCompletion(context.Background(), c.query(), func(r *progress.CompletionRow) error {
		out = append(out, *r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func completionWrite(t testing.TB, c *Completion, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Write(context.Background(), format, &buf); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.Bytes()
}

func completionNeedTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is not installed: the report tests need poppler-utils (make test-deps installs it)", name)
	}
}

func TestCompletionProgressAndUnknownFormat(t *testing.T) {
	n := progressEvery*3/2/len(completionCatalog(t).Modules) + 1 // enough learners for 1.5 × progressEvery rows
	f := newCompletionFixture(t, n)
	c := f.report(t, "en")
	var calls [][2]int
	c.Progress = func(done, total int) { calls = append(calls, [2]int{done, total}) }
	completionWrite(t, c, "csv")
	total := (n + 7) * len(f.cat.Modules)
	if len(calls) < 2 || calls[len(calls)-1] != [2]int{total, total} || calls[0][0] != progressEvery {
		t.Errorf("progress calls %v (total %d)", calls, total)
	}
	if err := c.Write(context.Background(), "docx", &bytes.Buffer{}); err == nil {
		t.Error("an unknown format was accepted")
	}
	c.Modules = nil
	if err := c.WriteCSV(context.Background(), &bytes.Buffer{}); err == nil {
		t.Error("a report without modules was written")
	}
}

func TestFiltersLineInEveryLanguage(t *testing.T) {
	f := newCompletionFixture(t, 0)
	since := time.Date(2026, 3, 1, 0, 0, 0, 0, time.Local)
	for lang, want := range map[string][]string{
		"fr": {"Apprenants : code de groupe ANT-3, fonction Police, actifs depuis le 01/03/2026", "Généré le 09/03/2026 à 14:05"},
		"nl": {"Cursisten: groepscode ANT-3, functie Politie, actief sinds 01/03/2026", "Aangemaakt op 09/03/2026 om 14:05"},
		"en": {"Learners: cohort code ANT-3, role Police, active since 01/03/2026", "Generated on 09/03/2026 at 14:05"},
		"de": {"Teilnehmende: Gruppencode ANT-3, Funktion Polizei, aktiv seit 01.03.2026", "Erstellt am 09.03.2026 um 14:05"},
	} {
		c := f.report(t, lang)
		c.Cohort, c.Role, c.Since = "ANT-3", "police", since
		if got := []string{c.filters(), c.generatedLine()}; got[0] != want[0] || got[1] != want[1] {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
		c.Cohort, c.Role, c.Since = "", "", time.Time{}
		if c.filters() == want[0] || strings.Contains(c.filters(), "Report.") {
			t.Errorf("%s: no filter: %q", lang, c.filters())
		}
	}
}

func TestMinutes(t *testing.T) {
	for d, want := range map[time.Duration]int{0: 0, time.Second: 1, 89 * time.Second: 1, 90 * time.Second: 2, time.Hour: 60} {
		if got := minutes(d); got != want {
			t.Errorf("minutes(%v) = %d, want %d", d, got, want)
		}
	}
}

// completionStatusLabel is what each format prints for a status, in French.
var completionStatusLabel = map[progress.CompletionStatus]string{
	progress.CompletionNotStarted: "Pas commencé", progress.CompletionInProgress: "En cours",
	progress.CompletionPassed: "Réussi", progress.CompletionFailed: "Pas encore réussi",
}

// expectedStatus is what a row's status prints, in French, with the default refresher
// period, as of the reports' Generated time: a pass older than it reads
// "Réussi — remise à niveau à faire" (or en retard).
func expectedStatus(row *progress.CompletionRow) string {
	label := completionStatusLabel[row.Status]
	if row.Status != progress.CompletionPassed {
		return label
	}
	switch state, _ := progress.RefresherState(row.PassedAt, 0, time.Date(2026, 3, 9, 14, 5, 0, 0, time.Local)); state {
	case progress.RefresherDue:
		return label + " — remise à niveau à faire"
	case progress.RefresherOverdue:
		return label + " — remise à niveau en retard"
	}
	return label
}

var completionRoleLabel = map[string]string{"police": "Police", "hospital": "Hôpital", "guardian": "Tuteur", "fedasil": "Fedasil"}

func isoDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02")
}

func itoa(n int) string { return fmt.Sprint(n) }

// TestRowStatusShowsRefresherDue: a pass older than the module's refresher period is
// reported as passed with its refresher due, then overdue.
func TestRowStatusShowsRefresherDue(t *testing.T) {
	b, err := locales.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	c := &Completion{Loc: b.For("en"), Generated: now, RefresherDays: map[string]int{"police": 30}}
	for _, tt := range []struct {
		module string
		passed time.Time
		want   string
	}{
		{"core", now.AddDate(0, -1, 0), "Passed"},
		{"core", now.AddDate(0, 0, -progress.DefaultRefresherDays-1), "Passed — refresher due"},
		{"police", now.AddDate(0, 0, -31), "Passed — refresher due"},
		{"police", now.AddDate(0, 0, -70), "Passed — refresher overdue"},
	} {
		r := &progress.CompletionRow{ModuleID: tt.module, Status: progress.CompletionPassed, PassedAt: tt.passed}
		if got := c.rowStatus(r); got != tt.want {
			t.Errorf("%s passed %v: %q, want %q", tt.module, tt.passed, got, tt.want)
		}
	}
	if got := c.rowStatus(&progress.CompletionRow{Status: progress.CompletionFailed}); got != c.Loc.T("Report.Status.Failed") {
		t.Errorf("failed: %q", got)
	}
}
