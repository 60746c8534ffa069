package progress

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"indicia/quiz"
)

// bundleFrom exports s and gives the bundle the id and key id the file would.
func bundleFrom(t testing.TB, s *Store) *Bundle {
	t.Helper()
	b, err := s.ExportBundle(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sealBundle(b)
	return b
}

// sealBundle sets the id and key id a file would give the bundle: the id from its content.
func sealBundle(b *Bundle) {
	data, _ := json.Marshal(b)
	sum := sha256.Sum256(append([]byte(b.Station), data...))
	b.ID, b.KeyID = hex.EncodeToString(sum[:]), "00112233445566ff"
}

// canonical dumps what a station knows, by stable identity rather than local row id, so
// that two databases can be compared. Statement rows leave out the sending state.
var canonicalQueries = map[string]string{
	"learners": `SELECT uid, name, role, language, cohort, created_at, last_active_at FROM learners ORDER BY uid`,
	"lessons": `SELECT l.uid, p.module_id, p.lesson_id, p.position, p.time_spent_ms, p.completed_at, p.updated_at
		FROM lesson_progress p JOIN learners l ON l.id = p.learner_id ORDER BY 1, 2, 3`,
	"attempts": `SELECT a.uid, l.uid, a.module_id, a.content_version, a.language, a.plan, a.pass_mark, a.total, a.kind, a.status,
			a.correct, a.score_percent, a.passed, a.started_at, a.finished_at
		FROM attempts a JOIN learners l ON l.id = a.learner_id ORDER BY 1`,
	"answers": `SELECT t.uid, a.position, a.question_id, a.response, a.complete, a.correct, a.time_ms, a.answered_at, a.confidence
		FROM answers a JOIN attempts t ON t.id = a.attempt_id ORDER BY 1, 2`,
	"statuses": `SELECT l.uid, m.module_id, m.status, m.best_percent, m.passed_at, m.updated_at
		FROM module_status m JOIN learners l ON l.id = m.learner_id ORDER BY 1, 2`,
	"cards": `SELECT l.uid, c.module_id, c.question_id, c.indicator, c.stability, c.difficulty, c.reps, c.lapses, c.last_correct,
			c.priority, c.last_review, c.due
		FROM review_cards c JOIN learners l ON l.id = c.learner_id ORDER BY 1, 2, 3`,
	"reviews": `SELECT r.uid, l.uid, r.module_id, r.question_id, r.response, r.correct, r.confidence, r.time_ms, r.answered_at
		FROM review_answers r JOIN learners l ON l.id = r.learner_id ORDER BY 1`,
	"statements": `SELECT statement_id, statement, created_at FROM xapi_outbox ORDER BY 1`,
	"workplace": `SELECT w.uid, l.uid, w.module_id, w.due_at, w.answered_at, w.met_sign, w.alerted, w.knew_whom
		FROM workplace_answers w JOIN learners l ON l.id = w.learner_id ORDER BY 1`,
}

func canonical(t testing.TB, s *Store, what string) string {
	t.Helper()
	return dumpQuery(t, s, canonicalQueries[what])
}

func dumpQuery(t testing.TB, s *Store, q string) string {
	t.Helper()
	rows, err := s.read.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%v|", v)
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// fingerprint is every row of every table (merged_bundles aside), as stored.
func fingerprint(t testing.TB, s *Store) string {
	t.Helper()
	rows, err := s.read.Query(`SELECT name, sql LIKE '%WITHOUT ROWID%' FROM sqlite_master
		WHERE type = 'table' AND name NOT IN ('merged_bundles') ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	type table struct {
		name      string
		withoutID bool
	}
	var tables []table
	for rows.Next() {
		var tb table
		rows.Scan(&tb.name, &tb.withoutID)
		tables = append(tables, tb)
	}
	rows.Close()
	h := sha256.New()
	for _, tb := range tables {
		order := " ORDER BY rowid"
		if tb.withoutID {
			order = "" // read in primary key order, the table's only order
		}
		fmt.Fprintf(h, "%s\n%s", tb.name, dumpQuery(t, s, `SELECT * FROM "`+tb.name+`"`+order))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// station is a training machine with its own learners and results.
type station struct {
	s     *Store
	clock func(time.Time)
	now   time.Time
}

func newStation(t *testing.T, start time.Time) *station {
	s, _ := openTemp(t)
	st := &station{s: s, now: start}
	st.clock = clockAt(s, start)
	return st
}

func (st *station) advance(d time.Duration) {
	st.now = st.now.Add(d)
	st.clock(st.now)
}

// train gives a learner lesson progress, a review, a finished quiz and answers to the
// workplace questions; returns the attempt.
func (st *station) train(t *testing.T, l Learner, module string, right int) Attempt {
	t.Helper()
	ctx := context.Background()
	if err := st.s.SaveLesson(ctx, l.ID, module, "intro", 2, 5*time.Minute, true); err != nil {
		t.Fatal(err)
	}
	st.advance(time.Minute)
	a := takeQuiz(t, st.s, l.ID, module, 5, right, 20*time.Second)
	st.advance(time.Hour)
	if err := st.s.RecordReview(ctx, l.ID, ReviewAnswer{ModuleID: module, QuestionID: "q1", Indicator: "ind-a",
		Response: quiz.Response{Chosen: []string{"a"}}, Correct: true, Confidence: quiz.Sure, Time: 4 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if err := st.s.RecordWorkplace(ctx, l.ID, module, st.now.Add(-time.Hour),
		WorkplaceAnswer{MetSign: ReplyYes, Alerted: ReplyNo, KnewWhom: ReplyUnsaid}); err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	if _, err := st.s.Enqueue(ctx, []OutboxStatement{{ID: id,
		Statement: json.RawMessage(fmt.Sprintf(`{"id":%q,"actor":%q,"verb":"passed","object":%q}`, id, l.Name, module))}}); err != nil {
		t.Fatal(err)
	}
	st.advance(time.Minute)
	return a
}

func learnerNamed(t *testing.T, s *Store, name, role string) Learner {
	t.Helper()
	l, err := s.CreateLearner(context.Background(), NewLearner{Name: name, Role: role, Language: "nl", Cohort: "GENT-2"})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func merge(t *testing.T, s *Store, b *Bundle) MergeResult {
	t.Helper()
	res, err := s.MergeBundle(context.Background(), b, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestNewRowsGetStableUIDs(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	l := newLearner(t, s, "Ine Maes")
	a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", Language: "nl", Plan: plan(3), PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordReview(ctx, l.ID, ReviewAnswer{ModuleID: "core", QuestionID: "q1", Indicator: "x", Correct: true}); err != nil {
		t.Fatal(err)
	}
	// Code that inserts rows without a uid (written before bundles) still gets one.
	if _, err := s.write.Exec(`INSERT INTO learners (name, role, language, created_at, last_active_at) VALUES ('Raw', 'police', 'fr', 1, 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.Exec(`INSERT INTO attempts (learner_id, module_id, content_version, language, plan, pass_mark, total, started_at)
		VALUES (?, 'other', '', 'fr', '[]', 80, 1, 1)`, l.ID); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, q := range []string{`SELECT uid FROM learners`, `SELECT uid FROM attempts`, `SELECT uid FROM review_answers`} {
		rows, err := s.read.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var uid sql.NullString
			rows.Scan(&uid)
			if !IsUID(uid.String) || seen[uid.String] {
				t.Errorf("%s: uid %q", q, uid.String)
			}
			seen[uid.String] = true
		}
		rows.Close()
	}
	if len(seen) != 5 {
		t.Errorf("%d uids, want 5", len(seen))
	}
	var uid string
	s.read.QueryRow(`SELECT uid FROM attempts WHERE id = ?`, a.ID).Scan(&uid)
	if _, err := s.write.Exec(`UPDATE attempts SET uid = ? WHERE id = ?`, uid[:31], a.ID); err == nil {
		t.Error("a uid of the wrong length was accepted")
	}
	if _, err := s.write.Exec(`INSERT INTO learners (uid, name, role, language, created_at, last_active_at)
		SELECT uid, 'Copy', role, language, 1, 1 FROM learners WHERE id = ?`, l.ID); err == nil {
		t.Error("a second learner with the same uid was accepted")
	}
}

// TestMigrationGivesExistingRowsUIDs opens a database written before bundles existed.
func TestMigrationGivesExistingRowsUIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?"+url.Values{"_foreign_keys": {"on"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	names := migrationNames()
	for i, name := range names {
		if strings.HasPrefix(filepath.Base(name), "005") {
			break
		}
		body, _ := fs.ReadFile(migrationFiles, name)
		if _, err := db.Exec(string(body) + fmt.Sprintf(";PRAGMA user_version = %d; PRAGMA application_id = %d;", i+1, ApplicationID)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if _, err := db.Exec(`INSERT INTO learners (name, role, language, created_at, last_active_at) VALUES (?, 'police', 'fr', 1, 1)`, fmt.Sprint("L", i)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO attempts (learner_id, module_id, content_version, language, plan, pass_mark, total, started_at)
			VALUES (?, 'core', '', 'fr', '[]', 80, 1, 1)`, i+1); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n, distinct int
	s.read.QueryRow(`SELECT count(*), count(DISTINCT uid) FROM (SELECT uid FROM learners UNION ALL SELECT uid FROM attempts)
		WHERE length(uid) = 32 AND uid NOT GLOB '*[^0-9a-f]*'`).Scan(&n, &distinct)
	if n != 6 || distinct != 6 {
		t.Errorf("%d well-formed uids, %d distinct, want 6", n, distinct)
	}
	var station string
	s.read.QueryRow(`SELECT group_concat(station, ',') FROM learners`).Scan(&station)
	if station != ",," {
		t.Errorf("existing learners' station = %q, want empty (local)", station)
	}
}

func TestStationIDIsMadeOnceAndKept(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	id, err := s.StationID(ctx)
	if err != nil || !IsStationID(id) {
		t.Fatalf("%q %v", id, err)
	}
	again, _ := s.StationID(ctx)
	s.Close()
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	third, _ := s2.StationID(ctx)
	if again != id || third != id {
		t.Errorf("station id changed: %s %s %s", id, again, third)
	}
	var raw string
	s2.read.QueryRow(`SELECT value FROM settings WHERE key = 'station.id'`).Scan(&raw)
	if raw != `"`+id+`"` {
		t.Errorf("settings hold %s", raw)
	}
}

// TestTwoStationsMergeIntoATrainersMachine: two stations with different learners export;
// the trainer's machine merges both; merging again adds nothing.
func TestTwoStationsMergeIntoATrainersMachine(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a, b := newStation(t, start), newStation(t, start.Add(time.Hour))
	anna := learnerNamed(t, a.s, "Anna Peeters", "police")
	a.train(t, anna, "core", 5)
	a.train(t, anna, "police", 2)
	koen := learnerNamed(t, a.s, "Koen Maes", "hospital")
	a.train(t, koen, "core", 3)
	// An attempt still open, and a scenario answer under way.
	open, err := a.s.StartAttempt(ctx, NewAttempt{LearnerID: koen.ID, ModuleID: "hospital", ContentVersion: "v1", Language: "nl", Plan: plan(4), PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.s.RecordAnswer(ctx, open.ID, Answer{Position: 0, QuestionID: "q0", Response: quiz.Response{Path: []string{"s1:a"}}}); err != nil {
		t.Fatal(err)
	}
	eva := learnerNamed(t, b.s, "Éva Dubois", "fedasil")
	b.train(t, eva, "core", 4)

	trainer := newStation(t, start.Add(48*time.Hour))
	own := learnerNamed(t, trainer.s, "Trainer's own learner", "guardian")
	trainer.train(t, own, "core", 5)

	ba, bb := bundleFrom(t, a.s), bundleFrom(t, b.s)
	if c := ba.Counts(); c.Learners != 2 || c.Attempts != 4 || c.Answers != 16 || c.Statements != 3 || c.Reviews != 3 || c.Lessons != 3 ||
		c.Workplace != 3 {
		t.Errorf("station A's bundle: %+v", c)
	}
	if ba.Station == bb.Station {
		t.Error("two stations with the same id")
	}
	for _, l := range ba.Learners {
		if l.Station != ba.Station {
			t.Errorf("learner %s: station %q, want the exporter's %q", l.Name, l.Station, ba.Station)
		}
	}

	ra := merge(t, trainer.s, ba)
	want := MergeResult{BundleID: ba.ID, Learners: MergeCount{Added: 2}, Lessons: MergeCount{Added: 3}, Attempts: MergeCount{Added: 4},
		Answers: MergeCount{Added: 16}, Statuses: MergeCount{Added: 4}, Cards: MergeCount{Added: 3}, Reviews: MergeCount{Added: 3},
		Statements: MergeCount{Added: 3}, Workplace: MergeCount{Added: 3}}
	ra.MergedAt = time.Time{}
	if ra != want {
		t.Errorf("first merge:\n got %+v\nwant %+v", ra, want)
	}
	rb := merge(t, trainer.s, bb)
	if rb.Learners.Added != 1 || rb.Answers.Added != 5 || rb.Changed() == false {
		t.Errorf("second station: %+v", rb)
	}

	// The trainer's machine now holds exactly what each station holds, plus its own.
	for what := range canonicalQueries {
		got := canonical(t, trainer.s, what)
		for _, st := range []*station{a, b} {
			for _, line := range strings.Split(strings.TrimSpace(canonical(t, st.s, what)), "\n") {
				if line != "" && !strings.Contains(got, line+"\n") {
					t.Errorf("%s: the trainer lacks %s", what, line)
				}
			}
		}
	}
	var station string
	trainer.s.read.QueryRow(`SELECT station FROM learners WHERE name = 'Éva Dubois'`).Scan(&station)
	if station != bb.Station {
		t.Errorf("merged learner's station = %q, want %q", station, bb.Station)
	}
	trainer.s.read.QueryRow(`SELECT station FROM learners WHERE id = ?`, own.ID).Scan(&station)
	if station != "" {
		t.Errorf("own learner's station = %q", station)
	}
	// The merged learners show in the trainer's dashboard with their statuses.
	rows, err := trainer.s.Dashboard(ctx, Filter{})
	if err != nil || len(rows) != 4 {
		t.Fatalf("dashboard: %d rows, %v", len(rows), err)
	}
	for _, r := range rows {
		if r.Name == "Anna Peeters" && (r.Modules["core"].Status != "passed" || r.Modules["police"].Status != "failed" || r.Modules["core"].BestPercent != 100) {
			t.Errorf("Anna's statuses: %+v", r.Modules)
		}
		if r.Name == "Koen Maes" && r.Modules["hospital"].Status != "in_progress" {
			t.Errorf("Koen's statuses: %+v", r.Modules)
		}
	}

	// Merging the same bundles again adds nothing and changes nothing.
	before := fingerprint(t, trainer.s)
	again := merge(t, trainer.s, ba)
	if !again.AlreadyMerged || again.Changed() || again.Answers.Skipped != 16 || again.Learners.Skipped != 2 {
		t.Errorf("merging again: %+v", again)
	}
	merge(t, trainer.s, bb)
	// The same content in a bundle with another id (exported again, nothing new):
	// every record is recognised.
	ba2 := bundleFrom(t, a.s)
	if ba2.ID == ba.ID {
		ba2.ID = strings.Repeat("e", 64)
	}
	r2 := merge(t, trainer.s, ba2)
	if r2.AlreadyMerged || r2.Changed() || r2.Learners.Skipped != 2 || r2.Answers.Skipped != 16 || r2.Statements.Skipped != 3 ||
		r2.Workplace.Skipped != 3 {
		t.Errorf("same records, new bundle: %+v", r2)
	}
	if fingerprint(t, trainer.s) != before {
		t.Error("merging again changed the database")
	}
	merged, err := trainer.s.MergedBundles(ctx)
	if err != nil || len(merged) != 3 {
		t.Fatalf("merged bundles: %+v %v", merged, err)
	}
	for _, m := range merged {
		if m.ID == ba.ID && (m.Station != ba.Station || m.KeyID != ba.KeyID || m.Result.Learners.Added != 2 || m.Result.Answers.Added != 16) ||
			m.ID == ba2.ID && m.Result.Learners.Skipped != 2 {
			t.Errorf("merged bundle %+v", m)
		}
	}
}

// TestLaterBundleBringsRecordsUpToDate: a station exports, the learner goes on, the
// station exports again; merging both in either order gives what the station holds.
func TestLaterBundleBringsRecordsUpToDate(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	a := newStation(t, start)
	l := learnerNamed(t, a.s, "Sien Claes", "guardian")
	if err := a.s.SaveLesson(ctx, l.ID, "core", "intro", 1, time.Minute, false); err != nil {
		t.Fatal(err)
	}
	att, err := a.s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", ContentVersion: "v1", Language: "nl", Plan: plan(3), PassMark: 60})
	if err != nil {
		t.Fatal(err)
	}
	a.s.RecordAnswer(ctx, att.ID, Answer{Position: 0, QuestionID: "q0", Response: quiz.Response{Path: []string{"s1:a"}}})
	a.s.RecordAnswer(ctx, att.ID, Answer{Position: 1, QuestionID: "q1", Response: quiz.Response{Chosen: []string{"a"}}, Complete: true, Correct: true, Indicator: "ind"})
	first := bundleFrom(t, a.s)

	a.advance(time.Hour)
	a.s.SaveLesson(ctx, l.ID, "core", "intro", 4, 3*time.Minute, true)
	a.s.RecordAnswer(ctx, att.ID, Answer{Position: 0, QuestionID: "q0", Response: quiz.Response{Path: []string{"s1:a", "s2:b"}}, Complete: true, Correct: true, Indicator: "ind"})
	a.s.RecordAnswer(ctx, att.ID, Answer{Position: 2, QuestionID: "q2", Response: quiz.Response{Chosen: []string{"b"}}, Complete: true, Correct: false, Indicator: "ind2"})
	if _, err := a.s.FinishAttempt(ctx, att.ID); err != nil {
		t.Fatal(err)
	}
	a.advance(time.Hour)
	takeQuiz(t, a.s, l.ID, "core", 3, 1, time.Second) // a later fail keeps the pass
	second := bundleFrom(t, a.s)

	for _, order := range [][]*Bundle{{first, second}, {second, first}} {
		tr := newStation(t, start.Add(24*time.Hour))
		r1 := merge(t, tr.s, order[0])
		r2 := merge(t, tr.s, order[1])
		for what := range canonicalQueries {
			if got, want := canonical(t, tr.s, what), canonical(t, a.s, what); got != want {
				t.Errorf("order %v/%v, %s:\n got %s\nwant %s", r1.Attempts, r2.Attempts, what, got, want)
			}
		}
		if order[0] == first && (r2.Attempts.Updated != 1 || r2.Attempts.Added != 1 || r2.Answers.Updated != 1 || r2.Answers.Added != 4 ||
			r2.Lessons.Updated != 1 || r2.Statuses.Updated != 1) {
			t.Errorf("second bundle after the first: %+v", r2)
		}
		if order[0] == second && r2.Changed() {
			t.Errorf("the older bundle after the newer changed something: %+v", r2)
		}
	}
}

func TestMergeKeepsTheBestScoreAndThePass(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	a := newStation(t, start)
	l := learnerNamed(t, a.s, "Bram Jacobs", "police")
	takeQuiz(t, a.s, l.ID, "core", 10, 9, time.Second)
	first := bundleFrom(t, a.s)
	tr := newStation(t, start.Add(time.Hour))
	merge(t, tr.s, first)

	// The trainer's copy says passed at 90. A later bundle's status row claims less
	// (a station whose status was reset): the attempts still say passed at 90.
	a.advance(24 * time.Hour)
	takeQuiz(t, a.s, l.ID, "core", 10, 4, time.Second)
	second := bundleFrom(t, a.s)
	for i := range second.Statuses {
		second.Statuses[i].Status, second.Statuses[i].BestPercent, second.Statuses[i].PassedAt = "failed", ptr(40), nil
	}
	merge(t, tr.s, second)
	var id int64
	tr.s.read.QueryRow(`SELECT id FROM learners WHERE uid = ?`, first.Learners[0].UID).Scan(&id)
	sum, err := tr.s.Summaries(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c := sum["core"]; c.Status != "passed" || c.BestPercent != 90 || c.PassedAt.IsZero() {
		t.Errorf("status after merge: %+v", c)
	}
	comp, err := tr.s.Completion(ctx, id, "core")
	if err != nil || comp.BestPercent != 90 {
		t.Errorf("completion: %+v %v", comp, err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestMergeIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := newStation(t, start)
	for i := range 3 {
		l := learnerNamed(t, a.s, fmt.Sprint("Learner ", i), "police")
		a.train(t, l, "core", 5)
	}
	b := bundleFrom(t, a.s)
	tr := newStation(t, start)
	own := learnerNamed(t, tr.s, "Local", "police")
	tr.train(t, own, "core", 3)
	before := fingerprint(t, tr.s)

	// The last attempt names, by uid, an attempt that belongs to another learner here:
	// found only deep in the merge, after learners and lessons were written.
	var ownAttempt string
	tr.s.read.QueryRow(`SELECT uid FROM attempts WHERE learner_id = ?`, own.ID).Scan(&ownAttempt)
	bad := *b
	bad.Attempts = append([]BundleAttempt(nil), b.Attempts...)
	bad.Attempts[2].UID = ownAttempt
	_, err := tr.s.MergeBundle(ctx, &bad, MergeOptions{})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("attempt of another learner: %v", err)
	}
	if fingerprint(t, tr.s) != before {
		t.Error("a refused merge left changes")
	}

	// Cancelled half-way: nothing either.
	cctx, cancel := context.WithCancel(ctx)
	big := *b
	for i := range 10000 {
		big.Statements = append(big.Statements, BundleStatement{ID: fmt.Sprintf("s%05d", i), CreatedAt: start.UnixMilli(),
			Statement: json.RawMessage(fmt.Sprintf(`{"id":"s%05d"}`, i))})
	}
	_, err = tr.s.MergeBundle(cctx, &big, MergeOptions{Progress: func(done, total int) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled merge: %v", err)
	}
	if fingerprint(t, tr.s) != before {
		t.Error("a cancelled merge left changes")
	}
	if m, _ := tr.s.MergedBundles(ctx); len(m) != 0 {
		t.Errorf("refused bundles recorded: %+v", m)
	}
	// And the good bundle still merges.
	if r := merge(t, tr.s, b); r.Learners.Added != 3 {
		t.Errorf("%+v", r)
	}
}

func TestMergeRefusesInvalidBundles(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := newStation(t, start)
	l := learnerNamed(t, a.s, "Griet Wouters", "hospital")
	a.train(t, l, "core", 4)
	good := bundleFrom(t, a.s)
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	tr := newStation(t, start)
	before := fingerprint(t, tr.s)
	copyOf := func() *Bundle {
		var c Bundle
		data, _ := json.Marshal(good)
		json.Unmarshal(data, &c)
		c.ID, c.Station, c.KeyID, c.Created = good.ID, good.Station, good.KeyID, good.Created
		return &c
	}
	for name, spoil := range map[string]func(b *Bundle){
		"bad id":            func(b *Bundle) { b.ID = "../../etc/passwd" },
		"bad station":       func(b *Bundle) { b.Station = "ABC" },
		"learner uid":       func(b *Bundle) { b.Learners[0].UID = "zz" + b.Learners[0].UID[2:] },
		"learner uid twice": func(b *Bundle) { b.Learners = append(b.Learners, b.Learners[0]) },
		"empty name":        func(b *Bundle) { b.Learners[0].Name = "  " },
		"long name":         func(b *Bundle) { b.Learners[0].Name = strings.Repeat("é", 101) },
		"control in name":   func(b *Bundle) { b.Learners[0].Name = "Ann\x1b[31m" },
		"bidi in name":      func(b *Bundle) { b.Learners[0].Name = "Ann\u202egnp.exe" },
		"bad utf-8":         func(b *Bundle) { b.Learners[0].Name = "Ann\xff" },
		"role":              func(b *Bundle) { b.Learners[0].Role = "admin" },
		"language":          func(b *Bundle) { b.Learners[0].Language = "es" },
		"learner station":   func(b *Bundle) { b.Learners[0].Station = "../x" },
		"time":              func(b *Bundle) { b.Learners[0].CreatedAt = 0 },
		"path as module":    func(b *Bundle) { b.Lessons[0].ModuleID = "../../core" },
		"backslash lesson":  func(b *Bundle) { b.Lessons[0].LessonID = `..\intro` },
		"dot module":        func(b *Bundle) { b.Statuses[0].ModuleID = ".." },
		"orphan lesson":     func(b *Bundle) { b.Lessons[0].Learner = strings.Repeat("a", 32) },
		"negative position": func(b *Bundle) { b.Lessons[0].Position = -1 },
		"attempt total":     func(b *Bundle) { b.Attempts[0].Total = 100000 },
		"plan size":         func(b *Bundle) { b.Attempts[0].Plan = json.RawMessage(`[]`) },
		"plan unknown field": func(b *Bundle) {
			b.Attempts[0].Plan = json.RawMessage(strings.Replace(string(b.Attempts[0].Plan), `"q":`, `"x":1,"q":`, 1))
		},
		"plan not json":   func(b *Bundle) { b.Attempts[0].Plan = json.RawMessage(`{`) },
		"answer position": func(b *Bundle) { b.Attempts[0].Answers[0].Position = 99 },
		"answer twice":    func(b *Bundle) { b.Attempts[0].Answers[1].Position = b.Attempts[0].Answers[0].Position },
		"response fields": func(b *Bundle) { b.Attempts[0].Answers[0].Response = json.RawMessage(`{"chosen":["a"],"admin":true}`) },
		"huge response": func(b *Bundle) {
			b.Attempts[0].Answers[0].Response = json.RawMessage(`{"chosen":["` + strings.Repeat("a", 20000) + `"]}`)
		},
		"confidence":           func(b *Bundle) { b.Attempts[0].Answers[0].Confidence = ptr(7) },
		"finished no score":    func(b *Bundle) { b.Attempts[0].Percent = nil },
		"score":                func(b *Bundle) { b.Attempts[0].Percent = ptr(101) },
		"status":               func(b *Bundle) { b.Statuses[0].Status = "done" },
		"card stability":       func(b *Bundle) { b.Cards[0].Stability = -1 },
		"review uid":           func(b *Bundle) { b.Reviews[0].UID = "" },
		"statement id differs": func(b *Bundle) { b.Statements[0].ID = "other" },
		"statement not object": func(b *Bundle) { b.Statements[0].Statement = json.RawMessage(`"x"`) },
		"statement learner":    func(b *Bundle) { b.Statements[0].Learner = strings.Repeat("b", 32) },
		"workplace uid":        func(b *Bundle) { b.Workplace[0].UID = "x" },
		"workplace uid twice": func(b *Bundle) {
			w := b.Workplace[0]
			w.DueAt++
			b.Workplace = append(b.Workplace, w)
		},
		"workplace refresher twice": func(b *Bundle) {
			w := b.Workplace[0]
			w.UID = strings.Repeat("d", 32)
			b.Workplace = append(b.Workplace, w)
		},
		"workplace reply":   func(b *Bundle) { b.Workplace[0].Alerted = "maybe" },
		"workplace learner": func(b *Bundle) { b.Workplace[0].Learner = strings.Repeat("b", 32) },
		"workplace module":  func(b *Bundle) { b.Workplace[0].ModuleID = "../core" },
		"workplace time":    func(b *Bundle) { b.Workplace[0].DueAt = -1 },
		"too many": func(b *Bundle) {
			b.Learners = make([]BundleLearner, MaxBundleCounts().Learners+1)
		},
	} {
		b := copyOf()
		spoil(b)
		_, err := tr.s.MergeBundle(context.Background(), b, MergeOptions{})
		var be *BundleError
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &be) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if fingerprint(t, tr.s) != before {
		t.Error("a refused bundle changed the database")
	}
}

func TestErasedLearnersAreNotBroughtBack(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := newStation(t, start)
	keep := learnerNamed(t, a.s, "Keep", "police")
	gone := learnerNamed(t, a.s, "Erase Me", "police")
	a.train(t, keep, "core", 5)
	a.train(t, gone, "core", 5)
	b := bundleFrom(t, a.s)
	// Which statement is about whom: the exporter tells it (app/report does, from the
	// actor's pseudonym); here by hand.
	marked := 0
	for i := range b.Statements {
		if strings.Contains(string(b.Statements[i].Statement), `"Erase Me"`) {
			b.Statements[i].Learner = b.Learners[1].UID
			marked++
		}
	}
	if marked != 1 || b.Learners[1].Name != "Erase Me" {
		t.Fatalf("%d statements about the learner to erase", marked)
	}
	tr := newStation(t, start)
	merge(t, tr.s, b)
	var id int64
	tr.s.read.QueryRow(`SELECT id FROM learners WHERE uid = ?`, b.Learners[1].UID).Scan(&id)
	if err := tr.s.DeleteLearner(ctx, id); err != nil {
		t.Fatal(err)
	}
	before := fingerprint(t, tr.s)
	b.ID = strings.Repeat("c", 64) // the same records in a later bundle
	r := merge(t, tr.s, b)
	if r.Erased != 1 || r.Learners.Added != 0 || r.Attempts.Added != 0 || r.Statements.Added != 0 || r.Changed() {
		t.Errorf("merging an erased learner's records: %+v", r)
	}
	if fingerprint(t, tr.s) != before {
		t.Error("the erased learner came back")
	}
	var n int
	tr.s.read.QueryRow(`SELECT count(*) FROM learners WHERE name = 'Erase Me'`).Scan(&n)
	if n != 0 {
		t.Error("erased learner is back")
	}
}

func TestStationKnownUnderAnotherKeyIsRefused(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a := newStation(t, start)
	a.train(t, learnerNamed(t, a.s, "One", "police"), "core", 5)
	b1 := bundleFrom(t, a.s)
	tr := newStation(t, start)
	merge(t, tr.s, b1)
	a.advance(time.Hour)
	a.train(t, learnerNamed(t, a.s, "Two", "police"), "core", 5)
	b2 := bundleFrom(t, a.s)
	b2.KeyID = "ffffffffffffffff"
	before := fingerprint(t, tr.s)
	_, err := tr.s.MergeBundle(ctx, b2, MergeOptions{})
	var ske *StationKeyError
	if !errors.As(err, &ske) || !errors.Is(err, ErrStationKey) || ske.Known != b1.KeyID || ske.Got != b2.KeyID {
		t.Fatalf("another key: %v", err)
	}
	if fingerprint(t, tr.s) != before {
		t.Error("refused bundle changed the database")
	}
	r, err := tr.s.MergeBundle(ctx, b2, MergeOptions{KeyTrusted: true})
	if err != nil || r.Learners.Added != 1 {
		t.Errorf("trusted key: %+v %v", r, err)
	}
}

// TestDemoDatabaseRoundTrips exports the synthetic data `indicia demo` writes (every
// kind of record the app makes) and merges it into an empty store.
func TestDemoDatabaseRoundTrips(t *testing.T) {
	ctx := context.Background()
	a, _ := openTemp(t)
	if err := a.BulkDemo(ctx, 40, shippedDemoModules(t), 7, nil); err != nil {
		t.Fatal(err)
	}
	b := bundleFrom(t, a)
	if err := b.Validate(); err != nil {
		t.Fatalf("the demo's own bundle is refused: %v", err)
	}
	c := b.Counts()
	if c.Learners != 40 || c.Answers == 0 || c.Cards == 0 || c.Workplace == 0 {
		t.Errorf("counts %+v", c)
	}
	tr, _ := openTemp(t)
	r := merge(t, tr, b)
	if r.Learners.Added != 40 || r.Answers.Added != c.Answers || r.Attempts.Added != c.Attempts || r.Statuses.Added != c.Statuses ||
		r.Workplace.Added != c.Workplace {
		t.Errorf("merge: %+v, bundle %+v", r, c)
	}
	for what := range canonicalQueries {
		if got, want := canonical(t, tr, what), canonical(t, a, what); got != want {
			t.Errorf("%s differs after the merge", what)
		}
	}
}
