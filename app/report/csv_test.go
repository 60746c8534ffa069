package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestCSVReadsBackWithEveryRowAndAccent(t *testing.T) {
	f := newCompletionFixture(t, 40)
	c := f.report(t, "fr")
	data := completionWrite(t, c, "csv")

	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("no UTF-8 byte order mark: % x", data[:3])
	}
	if !utf8.Valid(data) {
		t.Fatal("not UTF-8")
	}
	if n, crlf := bytes.Count(data, []byte("\n")), bytes.Count(data, []byte("\r\n")); n != crlf || n == 0 {
		t.Errorf("%d line ends, %d of them CRLF", n, crlf)
	}
	r := csv.NewReader(bytes.NewReader(data[3:]))
	r.FieldsPerRecord = numColumns
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"N°", "Apprenant", "Fonction", "Langue", "Code de groupe", "Inscrit le", "Dernière activité", "Module", "Statut",
		"Meilleur score (%)", "Réussi le", "Tentatives", "Temps passé (min)"}
	if !slices.Equal(records[0], want) {
		t.Errorf("header %q", records[0])
	}
	rows := f.rows(t, c)
	if len(records)-1 != len(rows) || len(rows) != (40+7)*len(f.cat.Modules) {
		t.Fatalf("%d records for %d rows", len(records)-1, len(rows))
	}
	titles := c.moduleTitles()
	byName := map[string][][]string{}
	for i, row := range rows {
		rec := records[i+1]
		name, cohort := row.Learner.Name, row.Learner.Cohort
		if name == nameFormula {
			name = "'" + name
		}
		if strings.HasPrefix(cohort, "+") {
			cohort = "'" + cohort
		}
		score := ""
		if row.HasScore {
			score = itoa(row.BestPercent)
		}
		wantRec := []string{itoa(int(row.Learner.ID)), name, completionRoleLabel[row.Learner.Role], strings.ToUpper(row.Learner.Language),
			cohort, isoDay(row.Learner.CreatedAt), isoDay(row.Learner.LastActive), titles[row.ModuleID],
			expectedStatus(&row), score, isoDay(row.PassedAt), itoa(row.Attempts), itoa(minutes(row.TimeSpent))}
		if !slices.Equal(rec, wantRec) {
			t.Errorf("record %d:\n got %q\nwant %q", i+1, rec, wantRec)
		}
		byName[rec[1]] = append(byName[rec[1]], rec)
	}

	// The known learners, field by field.
	today := time.Now().Format("2006-01-02")
	core := titles["core"]
	find := func(name string) []string {
		// By the fixture learner's number: a demo learner may bear the same name.
		id := itoa(int(f.ids[strings.TrimPrefix(name, "'")]))
		for _, rec := range byName[name] {
			if rec[colModule] == core && rec[colNumber] == id {
				return rec
			}
		}
		t.Fatalf("no core row for %q", name)
		return nil
	}
	for name, want := range map[string][]string{
		nameAnais:         {"Fedasil", "NL", "BXL-7", "Réussi", "91", today, "1", "6"},
		nameZoe:           {"Police", "NL", "ANT-3", "Pas encore réussi", "50", "", "1", "13"},
		nameJurgen:        {"Tuteur", "DE", "EUP-1", "Pas commencé", "", "", "0", "0"},
		nameSebastien:     {"Hôpital", "FR", "BXL-7", "En cours", "", "", "0", "3"},
		nameYilmaz:        {"Fedasil", "FR", "ANT-3", "Pas commencé", "", "", "0", "0"},
		nameQuoted:        {"Police", "FR", "ANT-3", "Pas commencé", "", "", "0", "0"},
		"'" + nameFormula: {"Police", "EN", "'+32 ANT", "Pas commencé", "", "", "0", "0"},
	} {
		rec := find(name)
		got := []string{rec[colRole], rec[colLanguage], rec[colCohort], rec[colStatus], rec[colScore], rec[colPassedOn], rec[colAttempts], rec[colTime]}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	// The quoted name went through RFC 4180 quoting.
	if !bytes.Contains(data, []byte(`"Dupont, Jean ""Jeannot"""`)) {
		t.Error("the name with a comma and quotes is not quoted as RFC 4180 says")
	}
}

func TestCSVFiltersAndLanguages(t *testing.T) {
	f := newCompletionFixture(t, 0)
	for lang, header := range map[string]string{"fr": "Apprenant", "nl": "Cursist", "en": "Learner", "de": "Teilnehmer/in"} {
		c := f.report(t, lang)
		c.Cohort = "ANT-3"
		records, err := csv.NewReader(bytes.NewReader(completionWrite(t, c, "csv")[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if records[0][colName] != header {
			t.Errorf("%s header %q", lang, records[0][colName])
		}
		var names []string
		for i, rec := range records[1:] {
			if i%len(c.Modules) == 0 { // each learner's first module
				if rec[colModule] != c.Modules[0].In(lang).Title {
					t.Errorf("%s: record %d is module %q", lang, i+1, rec[colModule])
				}
				names = append(names, rec[colName])
			}
		}
		// Alphabetical, whatever the accents: D, Ö, Z.
		if want := []string{nameQuoted, nameYilmaz, nameZoe}; !slices.Equal(names, want) {
			t.Errorf("%s: cohort ANT-3 gave %q, want %q", lang, names, want)
		}
	}
	c := f.report(t, "en")
	c.Role, c.Since = "hospital", time.Now().Add(-time.Hour)
	records, _ := csv.NewReader(bytes.NewReader(completionWrite(t, c, "csv")[3:])).ReadAll()
	if len(records) != 1+len(f.cat.Modules) || records[1][colName] != nameSebastien || records[1][colRole] != "Hospital" {
		t.Errorf("hospital: %q", records)
	}
	c.Since = time.Now().Add(time.Hour)
	records, _ = csv.NewReader(bytes.NewReader(completionWrite(t, c, "csv")[3:])).ReadAll()
	if len(records) != 1 {
		t.Errorf("nobody active in the future, yet %d records", len(records)-1)
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{"": "", "Anaïs": "Anaïs", "=1+1": "'=1+1", "+32": "'+32", "-x": "'-x", "@SUM(A1)": "'@SUM(A1)",
		"\tx": "'\tx", "a=b": "a=b"} {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q, want %q", in, got, want)
		}
	}
}
