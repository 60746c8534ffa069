package progress

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"indicia/quiz"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "indicia.db")
	// INDICIA_TEST_JOURNAL=rollback runs the store's tests in the fallback journal mode.
	s, err := OpenWith(context.Background(), path, Options{Journal: JournalMode(os.Getenv("INDICIA_TEST_JOURNAL"))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func newLearner(t *testing.T, s *Store, name string) Learner {
	t.Helper()
	l, err := s.CreateLearner(context.Background(), NewLearner{Name: name, Role: "police", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestOpenSetsPragmasAndIdentity(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	var fk, sync, appID, version int
	var mode string
	s.write.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk)
	s.write.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync)
	s.write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
	s.write.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID)
	s.write.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
	if fk != 1 || sync != 2 || mode != "wal" || appID != ApplicationID || version != len(migrationNames()) {
		t.Errorf("foreign_keys=%d synchronous=%d journal=%s application_id=%x user_version=%d", fk, sync, mode, appID, version)
	}
	var readSync int
	s.read.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&readSync)
	if readSync != 2 {
		t.Errorf("read pool synchronous=%d", readSync)
	}
}

func TestLearnersAndPIN(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	a, err := s.CreateLearner(ctx, NewLearner{Name: "  Anaïs Dubois ", Role: "hospital", Language: "fr", Cohort: "LIEGE-1", PIN: "4821"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Anaïs Dubois" || !a.HasPIN || a.Cohort != "LIEGE-1" {
		t.Errorf("learner %+v", a)
	}
	newLearner(t, s, "Jan Peeters")
	for _, bad := range []NewLearner{
		{Name: " ", Role: "police", Language: "fr"},
		{Name: "X", Role: "chef", Language: "fr"},
		{Name: "X", Role: "police", Language: "es"},
		{Name: "X", Role: "police", Language: "fr", PIN: "12"},
	} {
		if _, err := s.CreateLearner(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	for pin, want := range map[string]bool{"4821": true, "4822": false, "": false} {
		if ok, err := s.CheckPIN(ctx, a.ID, pin); err != nil || ok != want {
			t.Errorf("PIN %q: %v %v", pin, ok, err)
		}
	}
	var hash []byte
	s.read.QueryRow("SELECT pin_hash FROM learners WHERE id = ?", a.ID).Scan(&hash)
	if bytes.Contains(hash, []byte("4821")) || len(hash) != pinKeyLen {
		t.Error("PIN not hashed")
	}
	if err := s.SetLanguage(ctx, a.ID, "nl"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	ls, err := s2.Learners(ctx)
	if err != nil || len(ls) != 2 {
		t.Fatalf("%v %v", ls, err)
	}
	got, _ := s2.Learner(ctx, a.ID)
	if got.Language != "nl" {
		t.Errorf("language not kept: %+v", got)
	}
	if _, err := s2.Learner(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing learner: %v", err)
	}
}

func plan(n int) quiz.Plan {
	p := make(quiz.Plan, n)
	for i := range p {
		p[i] = quiz.Draw{QuestionID: fmt.Sprintf("q%d", i), Options: []string{"b", "a"}}
	}
	return p
}

func TestAttemptResumesAfterReopenAndFinishes(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	l := newLearner(t, s, "Sofie")
	a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", ContentVersion: "v1", Language: "fr", Plan: plan(3), PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAnswer(ctx, a.ID, Answer{Position: 0, QuestionID: "q0", Response: quiz.Response{Chosen: []string{"a"}}, Complete: true, Correct: true, Time: 4 * time.Second}); err != nil {
		t.Fatal(err)
	}
	// A scenario under way: two steps stored, incomplete.
	if err := s.RecordAnswer(ctx, a.ID, Answer{Position: 1, QuestionID: "q1", Response: quiz.Response{Path: []string{"s1:a"}}, Time: time.Second}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAnswer(ctx, a.ID, Answer{Position: 1, QuestionID: "q1", Response: quiz.Response{Path: []string{"s1:a", "s2:b"}}, Time: time.Second}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAnswer(ctx, a.ID, Answer{Position: 0, QuestionID: "q0", Response: quiz.Response{Chosen: []string{"b"}}, Complete: true}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a final answer was overwritten: %v", err)
	}
	s.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	open, answers, err := s.OpenAttempt(ctx, l.ID, "core")
	if err != nil {
		t.Fatal(err)
	}
	if open.ID != a.ID || len(open.Plan) != 3 || open.Plan[2].QuestionID != "q2" || open.Plan[0].Options[0] != "b" {
		t.Fatalf("resumed attempt %+v", open)
	}
	if len(answers) != 2 || !answers[0].Complete || !answers[0].Correct || answers[1].Complete ||
		len(answers[1].Response.Path) != 2 || answers[1].Time != 2*time.Second {
		t.Fatalf("answers %+v", answers)
	}
	if _, err := s.FinishAttempt(ctx, a.ID); !errors.Is(err, ErrInvalid) {
		t.Errorf("finished with missing answers: %v", err)
	}
	s.RecordAnswer(ctx, a.ID, Answer{Position: 1, QuestionID: "q1", Response: quiz.Response{Path: []string{"s1:a", "s2:b", "s3:a"}}, Complete: true, Correct: false})
	s.RecordAnswer(ctx, a.ID, Answer{Position: 2, QuestionID: "q2", Response: quiz.Response{Chosen: []string{"a"}}, Complete: true, Correct: true})
	done, err := s.FinishAttempt(ctx, a.ID)
	if err != nil || done.Status != "finished" || done.Passed || done.Percent != 66 {
		t.Fatalf("finish: %+v %v", done, err)
	}
	if err := s.RecordAnswer(ctx, a.ID, Answer{Position: 2, QuestionID: "q2", Complete: true}); !errors.Is(err, ErrAttemptClosed) {
		t.Errorf("answer after finish: %v", err)
	}
	sum, _ := s.Summaries(ctx, l.ID)
	if m := sum["core"]; m.Status != "failed" || m.BestPercent != 66 || m.TimeSpent != 6*time.Second {
		t.Errorf("summary after fail %+v", m)
	}

	// Retry with a fresh attempt and pass; a later fail keeps the pass and best score.
	for _, pass := range []bool{true, false} {
		b, err := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", ContentVersion: "v1", Language: "fr", Plan: plan(1), PassMark: 80})
		if err != nil {
			t.Fatal(err)
		}
		s.RecordAnswer(ctx, b.ID, Answer{Position: 0, QuestionID: "q0", Complete: true, Correct: pass})
		score := quiz.Score{Answered: 1, Total: 1, Passed: pass}
		if pass {
			score.Correct, score.Percent = 1, 100
		}
		if _, err := s.FinishAttempt(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
	}
	sum, _ = s.Summaries(ctx, l.ID)
	if m := sum["core"]; m.Status != "passed" || m.BestPercent != 100 || m.PassedAt.IsZero() {
		t.Errorf("summary after pass then fail %+v", m)
	}
	if as, _ := s.Attempts(ctx, l.ID, "core"); len(as) != 3 {
		t.Errorf("%d attempts", len(as))
	}
}

func TestStartingAgainAbandonsTheOpenAttempt(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	l := newLearner(t, s, "Lena")
	a, _ := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", Language: "fr", Plan: plan(2), PassMark: 80})
	b, err := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", Language: "fr", Plan: plan(2), PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	old, _ := s.Attempt(ctx, a.ID)
	open, _, _ := s.OpenAttempt(ctx, l.ID, "core")
	if old.Status != "abandoned" || open.ID != b.ID {
		t.Errorf("old %s, open %d", old.Status, open.ID)
	}
}

func TestLessonProgress(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	l := newLearner(t, s, "Omar")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SaveLesson(ctx, l.ID, "core", "forms", 1, 30*time.Second, false))
	must(s.SaveLesson(ctx, l.ID, "core", "forms", 3, 20*time.Second, true))
	must(s.SaveLesson(ctx, l.ID, "core", "forms", 0, 10*time.Second, false))
	p, err := s.Lessons(ctx, l.ID, "core")
	must(err)
	if got := p["forms"]; got.Position != 0 || got.TimeSpent != time.Minute || !got.Completed {
		t.Errorf("lesson %+v", got)
	}
	sum, _ := s.Summaries(ctx, l.ID)
	if m := sum["core"]; m.Status != "in_progress" || m.LessonsDone != 1 || m.TimeSpent != time.Minute {
		t.Errorf("summary %+v", m)
	}
}

func TestBadFilesAreRefusedAndLeftUntouched(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Another program's SQLite database.
	foreign := filepath.Join(dir, "foreign.db")
	db, _ := sql.Open("sqlite3", foreign)
	db.Exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos (name) VALUES ('x')")
	db.Close()
	// A valid Indicia database, then copies of it: newer, truncated, damaged.
	good := filepath.Join(dir, "good.db")
	s, err := Open(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		s.CreateLearner(ctx, NewLearner{Name: fmt.Sprintf("Learner %d with a long enough name to fill pages", i), Role: "police", Language: "fr"})
	}
	s.Close()
	goodBytes, _ := os.ReadFile(good)
	newer := write("newer.db", goodBytes)
	ndb, _ := sql.Open("sqlite3", newer)
	ndb.Exec("PRAGMA user_version = 99")
	ndb.Close()
	truncated := write("truncated.db", goodBytes[:len(goodBytes)/2])
	damaged := bytes.Clone(goodBytes)
	for i := 4096 * 2; i < 4096*3 && i < len(damaged); i++ {
		damaged[i] = 0xA5
	}
	damagedPath := write("damaged.db", damaged)
	random := make([]byte, 8192)
	for i := range random {
		random[i] = byte(i*7919 + 13)
	}
	cases := []struct {
		name string
		path string
		want error
	}{
		{"foreign sqlite", foreign, ErrForeign},
		{"random bytes", write("random.db", random), ErrForeign},
		{"text file", write("notes.db", []byte("hello, this is not a database\n")), ErrForeign},
		{"newer schema", newer, ErrNewerSchema},
		{"truncated", truncated, ErrCorrupt},
		{"damaged page", damagedPath, ErrCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := os.ReadFile(c.path)
			s, err := Open(ctx, c.path)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			after, _ := os.ReadFile(c.path)
			if !bytes.Equal(before, after) {
				t.Error("the file was changed")
			}
			if _, err := os.Stat(c.path + "-wal"); err == nil && c.want != ErrCorrupt {
				t.Error("a WAL file was created beside a refused file")
			}
		})
	}
}

func TestFolderNotWritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain-file")
	os.WriteFile(file, []byte("x"), 0o600)
	_, err := Open(context.Background(), filepath.Join(file, "sub", "indicia.db"))
	if !errors.Is(err, ErrNotWritable) {
		t.Fatalf("got %v", err)
	}
}

func TestSecondCopyIsRefused(t *testing.T) {
	_, path := openTemp(t)
	if _, err := Open(context.Background(), path); !errors.Is(err, ErrInUse) {
		t.Fatalf("second open: %v", err)
	}
	// A second process too.
	out, err := helper(t, "open", path).CombinedOutput()
	if err == nil || !bytes.Contains(out, []byte("already open")) {
		t.Fatalf("second process: %v %s", err, out)
	}
}

// helper runs this test binary as a child process doing one of the jobs below.
func helper(t *testing.T, job, path string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "INDICIA_HELPER="+job, "INDICIA_HELPER_DB="+path)
	return cmd
}

// TestHelperProcess is not a test: it is the child process of the tests above.
func TestHelperProcess(t *testing.T) {
	job := os.Getenv("INDICIA_HELPER")
	if job == "" {
		t.Skip("child process only")
	}
	ctx := context.Background()
	s, err := Open(ctx, os.Getenv("INDICIA_HELPER_DB"))
	if err != nil {
		fmt.Println(err)
		os.Exit(3)
	}
	switch job {
	case "open":
		os.Exit(0)
	case "answer":
		// Record answers one after the other, printing the position of each once it
		// is committed, until killed.
		l, _ := s.CreateLearner(ctx, NewLearner{Name: "Killed", Role: "police", Language: "fr"})
		a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", Language: "fr", Plan: plan(100000), PassMark: 80})
		if err != nil {
			fmt.Println(err)
			os.Exit(3)
		}
		for i := 0; ; i++ {
			if err := s.RecordAnswer(ctx, a.ID, Answer{Position: i, QuestionID: fmt.Sprintf("q%d", i), Response: quiz.Response{Chosen: []string{"a"}}, Complete: true, Correct: true}); err != nil {
				fmt.Println(err)
				os.Exit(3)
			}
			fmt.Printf("ack %d\n", i)
		}
	}
}

// TestKilledMidQuizLosesNoAcknowledgedAnswer kills a process that records answers with
// SIGKILL and checks that every answer it acknowledged is in the database.
func TestKilledMidQuizLosesNoAcknowledgedAnswer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "killed.db")
	// `make faults` runs 100 rounds; the default keeps `make test` short.
	rounds := 3
	if n, err := strconv.Atoi(os.Getenv("INDICIA_FAULT_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	for round := range rounds {
		killAt := 1 + rng.IntN(60) // a random moment: after this many acknowledged answers
		cmd := helper(t, "answer", path)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		last := -1
		for sc.Scan() {
			var n int
			if _, err := fmt.Sscanf(sc.Text(), "ack %d", &n); err != nil {
				t.Fatalf("child: %s", sc.Text())
			}
			last = n
			if n >= killAt {
				cmd.Process.Kill()
				break
			}
		}
		cmd.Wait()
		s, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		l, _ := s.Learners(context.Background())
		_, answers, err := s.OpenAttempt(context.Background(), l[0].ID, "core")
		if err != nil {
			t.Fatal(err)
		}
		if len(answers) < last+1 {
			t.Fatalf("round %d: %d answers acknowledged, %d stored", round, last+1, len(answers))
		}
		var check string
		s.read.QueryRow("PRAGMA integrity_check").Scan(&check)
		if check != "ok" {
			t.Fatalf("integrity: %s", check)
		}
		s.Close()
		os.Remove(path)
		os.Remove(path + "-wal")
		os.Remove(path + "-shm")
	}
}

// TestCompactMigrationKeepsEveryAnswerAndCard turns a filled database back into the
// layout of schema version 5 (answers and review cards as rowid tables), opens it, and
// checks that migration 006 keeps every answer and review card, stores both WITHOUT
// ROWID, and leaves a sound file in which answers are recorded as before.
func TestCompactMigrationKeepsEveryAnswerAndCard(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	if err := s.BulkDemo(ctx, 40, shippedDemoModules(t), 5, nil); err != nil {
		t.Fatal(err)
	}
	const answersQ = `SELECT attempt_id, position, question_id, response, complete, correct, time_ms, answered_at, confidence
		FROM answers ORDER BY attempt_id, position`
	const cardsQ = `SELECT * FROM review_cards ORDER BY learner_id, module_id, question_id`
	answers, cards := dumpQuery(t, s, answersQ), dumpQuery(t, s, cardsQ)
	if len(answers) < 1000 || len(cards) < 1000 {
		t.Fatalf("too little demo data to check: %d and %d bytes", len(answers), len(cards))
	}
	_, err := s.write.ExecContext(ctx, `
		DROP TABLE workplace_answers;
		DROP TABLE trusted_keys;
		DROP TABLE certificates;
		ALTER TABLE learners DROP COLUMN pin_params;
		ALTER TABLE learners DROP COLUMN pin_failures;
		ALTER TABLE learners DROP COLUMN pin_failed_at;
		CREATE TABLE answers_v5 AS SELECT attempt_id, position, question_id, response, complete, correct, time_ms, answered_at, confidence FROM answers;
		DROP TABLE answers;
		CREATE TABLE answers (
			attempt_id INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE, position INTEGER NOT NULL,
			question_id TEXT NOT NULL, response TEXT NOT NULL, complete INTEGER NOT NULL, correct INTEGER,
			time_ms INTEGER NOT NULL, answered_at INTEGER NOT NULL, confidence INTEGER,
			PRIMARY KEY (attempt_id, position));
		INSERT INTO answers SELECT * FROM answers_v5 ORDER BY random();
		DROP TABLE answers_v5;
		CREATE TABLE cards_v5 AS SELECT * FROM review_cards;
		DROP TABLE review_cards;
		CREATE TABLE review_cards (
			learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE, module_id TEXT NOT NULL,
			question_id TEXT NOT NULL, indicator TEXT NOT NULL, stability REAL NOT NULL, difficulty REAL NOT NULL,
			reps INTEGER NOT NULL DEFAULT 0, lapses INTEGER NOT NULL DEFAULT 0, last_correct INTEGER NOT NULL,
			priority INTEGER NOT NULL DEFAULT 0, last_review INTEGER NOT NULL, due INTEGER NOT NULL,
			PRIMARY KEY (learner_id, module_id, question_id));
		CREATE INDEX review_cards_due ON review_cards (learner_id, priority DESC, due);
		INSERT INTO review_cards SELECT * FROM cards_v5 ORDER BY random();
		DROP TABLE cards_v5;
		PRAGMA user_version = 5;`)
	if err != nil {
		t.Fatal(err)
	}
	if got := dumpQuery(t, s, answersQ); got != answers {
		t.Fatal("the version 5 layout lost answers")
	}
	s.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var version int
	var check string
	s.read.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version)
	s.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check)
	if version != len(migrationNames()) || check != "ok" {
		t.Fatalf("version %d, integrity %q", version, check)
	}
	for _, table := range []string{"answers", "review_cards"} {
		var compact bool
		s.read.QueryRowContext(ctx, `SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE name = ?`, table).Scan(&compact)
		if !compact {
			t.Errorf("%s is not stored WITHOUT ROWID", table)
		}
	}
	if dumpQuery(t, s, answersQ) != answers {
		t.Error("answers changed in the migration")
	}
	if dumpQuery(t, s, cardsQ) != cards {
		t.Error("review cards changed in the migration")
	}
	l := newLearner(t, s, "After the migration")
	a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", ContentVersion: "v1", Language: "fr", Plan: plan(2), PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAnswer(ctx, a.ID, Answer{Position: 0, QuestionID: "q0", Response: quiz.Response{Chosen: []string{"a"}},
		Complete: true, Correct: true, Indicator: "signs", Time: time.Second}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAnswer(ctx, a.ID, Answer{Position: 0, QuestionID: "q0", Response: quiz.Response{Chosen: []string{"b"}},
		Complete: true, Time: time.Second}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a final answer recorded twice: %v", err)
	}
}
