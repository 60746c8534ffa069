package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "github.com/mattn/go-sqlite3"

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/quiz"
)

func runBundle(args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = run(append([]string{"bundle"}, args...), &out, &errs)
	return code, out.String(), errs.String()
}

// bundleStationDB writes a station's database: each learner read a lesson, took the
// core quiz (right answers: the learner's number + 1 of 3) and has a statement in the
// outbox.
func bundleStationDB(t *testing.T, dir string, names ...string) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, "indicia.db")
	s, err := progress.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, name := range names {
		l, err := s.CreateLearner(ctx, progress.NewLearner{Name: name, Role: "fedasil", Language: "fr", Cohort: "NAM-3"})
		must(err)
		must(s.SaveLesson(ctx, l.ID, "core", "intro", 2, 2*time.Minute, true))
		plan := quiz.Plan{{QuestionID: "q1"}, {QuestionID: "q2"}, {QuestionID: "q3"}}
		a, err := s.StartAttempt(ctx, progress.NewAttempt{LearnerID: l.ID, ModuleID: "core", ContentVersion: "2026.11-1", Language: "fr", Plan: plan, PassMark: 60})
		must(err)
		right := min(i+1, 3)
		for pos := range plan {
			must(s.RecordAnswer(ctx, a.ID, progress.Answer{Position: pos, QuestionID: plan[pos].QuestionID,
				Response: quiz.Response{Chosen: []string{"a"}}, Complete: true, Correct: pos < right, Time: 5 * time.Second, Indicator: "signs"}))
		}
		_, err = s.FinishAttempt(ctx, a.ID)
		must(err)
		must(s.RecordWorkplace(ctx, l.ID, "core", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC),
			progress.WorkplaceAnswer{MetSign: progress.ReplyNo, Alerted: progress.ReplyUnsaid, KnewWhom: progress.ReplyYes}))
		id := uuid.NewString()
		_, err = s.Enqueue(ctx, []progress.OutboxStatement{{ID: id, Statement: json.RawMessage(fmt.Sprintf(`{"id":%q,"verb":{"id":%q}}`, id, report.VerbPassed))}})
		must(err)
	}
	return path
}

// tableSums reads every table of a database file, without Indicia: its rows counted
// and a SHA-256 of their content, by table.
func tableSums(t *testing.T, db string) map[string]string {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT name, sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	order := map[string]string{}
	for rows.Next() {
		var n string
		var withoutRowid bool
		rows.Scan(&n, &withoutRowid)
		tables = append(tables, n)
		order[n] = " ORDER BY rowid"
		if withoutRowid {
			order[n] = "" // read in primary key order, the table's only order
		}
	}
	rows.Close()
	out := map[string]string{}
	for _, table := range tables {
		rows, err := conn.Query(`SELECT * FROM "` + table + `"` + order[table])
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		h := sha256.New()
		n := 0
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			fmt.Fprintf(h, "%v\n", vals)
			n++
		}
		rows.Close()
		out[table] = fmt.Sprintf("%d rows %s", n, hex.EncodeToString(h.Sum(nil))[:16])
	}
	return out
}

func sameSums(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for table, sum := range before {
		if after[table] != sum {
			t.Errorf("%s changed table %s: %s -> %s", what, table, sum, after[table])
		}
	}
	if len(after) != len(before) {
		t.Errorf("%s changed the tables", what)
	}
}

func rowCount(t *testing.T, db, table string) int {
	t.Helper()
	var n int
	fmt.Sscanf(tableSums(t, db)[table], "%d", &n)
	return n
}

var keyIDPattern = regexp.MustCompile(`key ([0-9a-f]{16})`)

// TestBundleCommandsTwoStationsAndATrainer: two stations with different learners export,
// a third machine merges both, merging again adds nothing, and tampered, re-signed and
// truncated bundles are refused with the database unchanged.
func TestBundleCommandsTwoStationsAndATrainer(t *testing.T) {
	dir := t.TempDir()
	stationA := bundleStationDB(t, filepath.Join(dir, "a"), "Amina Benali", "Lotte Wouters")
	stationB := bundleStationDB(t, filepath.Join(dir, "b"), "Jonas Kessler")
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	bundleA, bundleB := filepath.Join(out, "a.indicia-bundle"), filepath.Join(out, "b.indicia-bundle")

	code, stdout, stderr := runBundle("export", "--db", stationA, "--out", bundleA, "--lang", "en")
	if code != 0 || !strings.Contains(stdout, "2 learners, 2 attempts, 6 answers") || !strings.Contains(stdout, "2 xAPI statements") ||
		!strings.Contains(stdout, "2 answers about work since the training") {
		t.Fatalf("export A: %d %q %q", code, stdout, stderr)
	}
	keyA := keyIDPattern.FindStringSubmatch(stdout)
	if keyA == nil {
		t.Fatalf("export prints no key id: %q", stdout)
	}
	if code, stdout, stderr := runBundle("export", "--out", bundleB, "--db", stationB, "--lang", "fr"); code != 0 || !strings.Contains(stdout, "1 apprenant,") {
		t.Fatalf("export B: %d %q %q", code, stdout, stderr)
	}
	if names, _ := filepath.Glob(filepath.Join(out, "*")); len(names) != 2 {
		t.Errorf("the export left %v", names)
	}

	trainer := filepath.Join(dir, "trainer", "indicia.db")
	code, stdout, stderr = runBundle("merge", "--db", trainer, "--lang", "en", bundleA, bundleB)
	if code != 0 {
		t.Fatalf("merge: %d %q %q", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], bundleA+": merged") || !strings.Contains(lines[0], "added 2 learners, 2 lessons, 2 attempts, 6 answers, 2 module statuses, 6 review cards, 2 xAPI statements, 2 answers about work since the training; updated nothing; skipped nothing") ||
		!strings.Contains(lines[1], "added 1 learner, 1 lesson, 1 attempt, 3 answers") {
		t.Errorf("merge output:\n%s", stdout)
	}
	if !strings.Contains(stderr, "a new database") || !strings.Contains(stderr, "bundles merged: 2, refused: 0") {
		t.Errorf("merge stderr: %q", stderr)
	}
	if n := rowCount(t, trainer, "learners"); n != 3 {
		t.Errorf("%d learners on the trainer's machine", n)
	}
	if n := rowCount(t, trainer, "answers"); n != 9 {
		t.Errorf("%d answers on the trainer's machine", n)
	}
	if n := rowCount(t, trainer, "workplace_answers"); n != 3 {
		t.Errorf("%d answers about work on the trainer's machine", n)
	}
	before := tableSums(t, trainer)

	// Again: nothing added, nothing changed, and each bundle is said to be merged already.
	code, stdout, stderr = runBundle("merge", "--db", trainer, "--lang", "en", bundleA, bundleB)
	if code != 0 || strings.Count(stdout, "already merged on") != 2 || strings.Contains(stdout, ": merged") {
		t.Errorf("merging again: %d %q %q", code, stdout, stderr)
	}
	sameSums(t, "merging again", before, tableSums(t, trainer))

	// A tampered copy: one byte of the payload flipped.
	data, _ := os.ReadFile(bundleA)
	tampered := bytes.Clone(data)
	tampered[130] ^= 0x04
	tamperedPath := filepath.Join(out, "tampered.indicia-bundle")
	os.WriteFile(tamperedPath, tampered, 0o600)
	code, stdout, stderr = runBundle("merge", "--db", trainer, "--lang", "en", tamperedPath)
	if code != 1 || stdout != "" || !strings.Contains(stderr, tamperedPath+": refused, nothing was merged from it: the signature does not match") {
		t.Errorf("tampered: %d %q %q", code, stdout, stderr)
	}
	sameSums(t, "a tampered bundle", before, tableSums(t, trainer))

	// Truncated (a copy cut short).
	truncPath := filepath.Join(out, "truncated.indicia-bundle")
	os.WriteFile(truncPath, data[:len(data)/2], 0o600)
	code, _, stderr = runBundle("merge", "--db", trainer, "--lang", "en", truncPath)
	if code != 1 || !strings.Contains(stderr, "the file is incomplete") {
		t.Errorf("truncated: %d %q", code, stderr)
	}
	sameSums(t, "a truncated bundle", before, tableSums(t, trainer))

	// Station A's database copied elsewhere and exported there: the same station and
	// records, with more of them, signed with another key. Refused when A's key is
	// required, and refused without --trust as a station known under another key.
	copyDir := filepath.Join(dir, "copy")
	os.Mkdir(copyDir, 0o700)
	copied, _ := os.ReadFile(stationA)
	os.WriteFile(filepath.Join(copyDir, "indicia.db"), copied, 0o600)
	s, err := progress.Open(context.Background(), filepath.Join(copyDir, "indicia.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLearner(context.Background(), progress.NewLearner{Name: "Intruder", Role: "police", Language: "fr"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	resigned := filepath.Join(out, "resigned.indicia-bundle")
	if code, stdout, stderr := runBundle("export", "--db", filepath.Join(copyDir, "indicia.db"), "--out", resigned, "--lang", "en"); code != 0 || strings.Contains(stdout, keyA[1]) {
		t.Fatalf("export of the copy: %d %q %q", code, stdout, stderr)
	}
	code, stdout, stderr = runBundle("merge", "--db", trainer, "--lang", "en", "--trust", keyA[1], resigned)
	if code != 1 || stdout != "" || !strings.Contains(stderr, "which is not a trusted key ("+keyA[1]+")") {
		t.Errorf("re-signed, --trust: %d %q %q", code, stdout, stderr)
	}
	code, _, stderr = runBundle("merge", "--db", trainer, "--lang", "en", resigned)
	if code != 1 || !strings.Contains(stderr, "were signed with key "+keyA[1]+" until now") {
		t.Errorf("re-signed, station known under another key: %d %q", code, stderr)
	}
	sameSums(t, "a re-signed bundle", before, tableSums(t, trainer))

	// One command, good and bad bundles: each merged or refused on its own; exit 1.
	stationC := bundleStationDB(t, filepath.Join(dir, "c"), "Noor Claes")
	bundleC := filepath.Join(out, "c.indicia-bundle")
	if code, _, stderr := runBundle("export", "--db", stationC, "--out", bundleC); code != 0 {
		t.Fatal(stderr)
	}
	code, stdout, stderr = runBundle("merge", "--db", trainer, "--lang", "en", tamperedPath, bundleC, "--trust", keyA[1]+","+keyIDOf(t, bundleC), bundleA)
	if code != 1 || !strings.Contains(stdout, bundleC+": merged") || !strings.Contains(stdout, bundleA+": already merged") ||
		!strings.Contains(stderr, tamperedPath+": refused") || !strings.Contains(stderr, "bundles merged: 2, refused: 1") {
		t.Errorf("mixed: %d %q %q", code, stdout, stderr)
	}
	if n := rowCount(t, trainer, "learners"); n != 4 {
		t.Errorf("%d learners after the mixed merge", n)
	}
}

// keyIDOf reads the key id of a bundle file from its header.
func keyIDOf(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil || len(data) < 66 {
		t.Fatal(err)
	}
	return report.KeyID(data[34:66])
}

func TestBundleCommandRefusesBadInput(t *testing.T) {
	t.Setenv("LC_ALL", "en_GB.UTF-8") // the messages before --lang is read
	dir := t.TempDir()
	db := bundleStationDB(t, dir, "Ann")
	bundle := filepath.Join(dir, "x.indicia-bundle")
	for _, tc := range []struct {
		what string
		args []string
		want string
	}{
		{"no subcommand", nil, "usage: indicia bundle"},
		{"unknown subcommand", []string{"import"}, "usage: indicia bundle"},
		{"no --out", []string{"export", "--db", db, "--lang", "en"}, "--out FILE"},
		{"no database", []string{"export", "--db", filepath.Join(dir, "none.db"), "--out", bundle, "--lang", "en"}, "there is no database"},
		{"over the database", []string{"export", "--db", db, "--out", db, "--lang", "en"}, "would overwrite the database"},
		{"over the key", []string{"export", "--db", db, "--out", db + ".signing-key", "--lang", "en"}, "would overwrite the database"},
		{"no folder", []string{"export", "--db", db, "--out", filepath.Join(dir, "no", "x.b"), "--lang", "en"}, "cannot write in the folder"},
		{"no bundles", []string{"merge", "--db", db, "--lang", "en"}, "at least one bundle"},
		{"bad trust", []string{"merge", "--db", db, "--lang", "en", "--trust", "../../etc", bundle}, "is not a station key id"},
		{"bad language", []string{"merge", "--db", db, "--lang", "es", bundle}, "unknown language"},
		{"unknown flag", []string{"merge", "--db", db, "--force", bundle}, "flag provided but not defined"},
	} {
		// The signing key is made by the first export; make it now so "over the key" has one.
		if tc.what == "over the key" {
			if _, err := report.LoadSigningKey(db); err != nil {
				t.Fatal(err)
			}
		}
		before := tableSums(t, db)
		code, stdout, stderr := runBundle(tc.args...)
		if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: %d %q %q", tc.what, code, stdout, stderr)
		}
		sameSums(t, tc.what, before, tableSums(t, db))
	}
	if _, err := os.Stat(bundle); err == nil {
		t.Error("a refused export left a file")
	}
	if names, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(names) > 0 {
		t.Errorf("temporary files left: %v", names)
	}
	// Not a bundle, an empty file, a folder, a missing file: refused one by one.
	notBundle := filepath.Join(dir, "notes.txt")
	os.WriteFile(notBundle, []byte("hello"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	before := tableSums(t, db)
	code, _, stderr := runBundle("merge", "--db", db, "--lang", "en", notBundle, empty, dir, filepath.Join(dir, "missing"))
	if code != 1 || strings.Count(stderr, ": refused, nothing was merged") != 4 || !strings.Contains(stderr, "not an Indicia station bundle") ||
		!strings.Contains(stderr, "not a regular file") || !strings.Contains(stderr, "no such file") {
		t.Errorf("foreign files: %d %q", code, stderr)
	}
	sameSums(t, "foreign files", before, tableSums(t, db))
	if code, stdout, _ := runBundle("--help"); code != 0 || !strings.Contains(stdout, "indicia bundle export") {
		t.Errorf("help: %d %q", code, stdout)
	}
}

// TestBundleNewerFormatIsRefusedWithAClearMessage: a bundle from a newer Indicia.
func TestBundleNewerFormatIsRefusedWithAClearMessage(t *testing.T) {
	dir := t.TempDir()
	db := bundleStationDB(t, dir, "Ann")
	bundle := filepath.Join(dir, "x.indicia-bundle")
	if code, _, stderr := runBundle("export", "--db", db, "--out", bundle); code != 0 {
		t.Fatal(stderr)
	}
	data, _ := os.ReadFile(bundle)
	binary.BigEndian.PutUint16(data[14:], report.BundleFormat+1)
	os.WriteFile(bundle, data, 0o600)
	trainer := filepath.Join(dir, "trainer.db")
	code, _, stderr := runBundle("merge", "--db", trainer, "--lang", "nl", bundle)
	if code != 1 || !strings.Contains(stderr, fmt.Sprintf("nieuwere versie van Indicia (bundelformaat %d)", report.BundleFormat+1)) {
		t.Errorf("newer format: %d %q", code, stderr)
	}
}
