package progress

import (
	"context"
	"errors"
	"testing"
	"time"

	"indicia/quiz"
)

// TestMeasurementMigrationKeepsAttemptsAndAnswers opens a database of schema version 7
// (before pre-tests) full of attempts and answers: the migration makes the attempts
// table again, with foreign keys off, and must keep every attempt and every answer, the
// indexes and the uid trigger.
func TestMeasurementMigrationKeepsAttemptsAndAnswers(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	if err := s.BulkDemo(ctx, 30, shippedDemoModules(t), 3, nil); err != nil {
		t.Fatal(err)
	}
	const attemptsQ = `SELECT * FROM attempts ORDER BY id`
	const answersQ = `SELECT * FROM answers ORDER BY attempt_id, position`
	// The version 7 attempts table, as migrations 001 to 005 left it.
	_, err := s.write.ExecContext(ctx, `
		PRAGMA foreign_keys = OFF;
		DELETE FROM attempts WHERE kind = 'pretest';
		DELETE FROM answers WHERE attempt_id NOT IN (SELECT id FROM attempts);
		DROP TABLE workplace_answers;
		CREATE TABLE attempts_v7 (
			id INTEGER PRIMARY KEY, learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
			module_id TEXT NOT NULL, content_version TEXT NOT NULL, language TEXT NOT NULL, plan TEXT NOT NULL,
			pass_mark INTEGER NOT NULL, total INTEGER NOT NULL CHECK (total > 0),
			status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'finished', 'abandoned')),
			correct INTEGER, score_percent INTEGER, passed INTEGER, started_at INTEGER NOT NULL, finished_at INTEGER,
			kind TEXT NOT NULL DEFAULT 'quiz' CHECK (kind IN ('quiz', 'refresher')),
			uid TEXT CHECK (uid IS NULL OR length(uid) = 32));
		INSERT INTO attempts_v7 SELECT * FROM attempts;
		DROP TABLE attempts;
		ALTER TABLE attempts_v7 RENAME TO attempts;
		CREATE INDEX attempts_by_learner ON attempts (learner_id, module_id, status);
		CREATE UNIQUE INDEX attempts_one_open ON attempts (learner_id, module_id) WHERE status = 'open';
		CREATE UNIQUE INDEX attempts_uid ON attempts (uid);
		CREATE TRIGGER attempts_give_uid AFTER INSERT ON attempts WHEN NEW.uid IS NULL
		BEGIN UPDATE attempts SET uid = lower(hex(randomblob(16))) WHERE id = NEW.id; END;
		PRAGMA foreign_keys = ON;
		PRAGMA user_version = 7;`)
	if err != nil {
		t.Fatal(err)
	}
	attempts, answers := dumpQuery(t, s, attemptsQ), dumpQuery(t, s, answersQ)
	if len(answers) < 10000 {
		t.Fatalf("too little demo data to check: %d bytes of answers", len(answers))
	}
	s.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var version, fk int
	var check string
	s.read.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version)
	s.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check)
	s.write.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk)
	if version != len(migrationNames()) || check != "ok" || fk != 1 {
		t.Fatalf("version %d, integrity %q, foreign keys %d", version, check, fk)
	}
	if dumpQuery(t, s, attemptsQ) != attempts {
		t.Error("attempts changed in the migration")
	}
	if dumpQuery(t, s, answersQ) != answers {
		t.Error("answers changed in the migration")
	}
	var objects int
	s.read.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE tbl_name = 'attempts'
		AND name IN ('attempts_by_learner', 'attempts_one_open', 'attempts_uid', 'attempts_give_uid')`).Scan(&objects)
	if objects != 4 {
		t.Errorf("%d of the attempts table's 3 indexes and trigger", objects)
	}
	// The new kind and status are accepted, the uid trigger still works, and erasing a
	// learner still takes their attempts and answers with them.
	l := newLearner(t, s, "After the migration")
	sk, err := s.SkipPretest(ctx, l.ID, "core", "v1", "fr")
	if err != nil || sk.Kind != KindPretest || sk.Status != AttemptSkipped || sk.Total != 0 {
		t.Fatalf("skip: %+v %v", sk, err)
	}
	var uid string
	s.read.QueryRowContext(ctx, `SELECT uid FROM attempts WHERE id = ?`, sk.ID).Scan(&uid)
	if !IsUID(uid) {
		t.Errorf("a new attempt's uid %q", uid)
	}
	var victim int64
	s.read.QueryRowContext(ctx, `SELECT learner_id FROM attempts a JOIN answers w ON w.attempt_id = a.id LIMIT 1`).Scan(&victim)
	if err := s.DeleteLearner(ctx, victim); err != nil {
		t.Fatal(err)
	}
	var left int
	s.read.QueryRowContext(ctx, `SELECT count(*) FROM answers w JOIN attempts a ON a.id = w.attempt_id WHERE a.learner_id = ?`, victim).Scan(&left)
	var orphans int
	s.read.QueryRowContext(ctx, `SELECT count(*) FROM answers WHERE attempt_id NOT IN (SELECT id FROM attempts)`).Scan(&orphans)
	if left != 0 || orphans != 0 {
		t.Errorf("an erased learner left %d answers, %d orphans", left, orphans)
	}
}

// takePretest starts a pre-test of n questions at core and answers right of them right.
func takePretest(t *testing.T, s *Store, learnerID int64, n, right int) Attempt {
	t.Helper()
	ctx := context.Background()
	a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: learnerID, ModuleID: "core", ContentVersion: "v1", Language: "fr",
		Plan: plan(n), PassMark: 80, Kind: KindPretest})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := s.RecordAnswer(ctx, a.ID, Answer{Position: i, QuestionID: a.Plan[i].QuestionID, Complete: true, Correct: i < right,
			Response: quiz.Response{Chosen: []string{"a"}}, Confidence: quiz.Sure, Indicator: "signs", Time: time.Second}); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func TestPretestIsOfferedOnceAndLeavesTheModuleAlone(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	l := newLearner(t, s, "Anaïs")
	state, _, _, err := s.Pretest(ctx, l.ID, "core")
	if err != nil || state != PretestOffered {
		t.Fatalf("a module never opened: %v %v", state, err)
	}
	a := takePretest(t, s, l.ID, 6, 2)
	if a.PassMark != 0 {
		t.Errorf("a pre-test with a pass mark of %d", a.PassMark)
	}
	// Under way: it resumes with its answers, and the quiz's OpenAttempt does not see it.
	state, open, answers, err := s.Pretest(ctx, l.ID, "core")
	if err != nil || state != PretestOpen || open.ID != a.ID || len(answers) != 6 {
		t.Fatalf("under way: %v %+v %d answers %v", state, open, len(answers), err)
	}
	if _, _, err := s.OpenAttempt(ctx, l.ID, "core"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the quiz sees the pre-test as its open attempt: %v", err)
	}
	done, err := s.FinishAttempt(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != AttemptFinished || done.Percent != 33 || done.Correct != 2 || done.Passed {
		t.Errorf("finished pre-test %+v", done)
	}
	var passed any
	s.read.QueryRowContext(ctx, `SELECT passed FROM attempts WHERE id = ?`, a.ID).Scan(&passed)
	if passed != nil {
		t.Errorf("a pre-test graded passed = %v", passed)
	}
	// The module is not started by it, no review card comes from it, and it is offered
	// no more.
	sums, _ := s.Summaries(ctx, l.ID)
	if st := sums["core"].Status; st != ModuleNotStarted || sums["core"].HasScore {
		t.Errorf("module after a pre-test: %+v", sums["core"])
	}
	if n, _ := s.CountDue(ctx, l.ID, time.Now().Add(400*24*time.Hour)); n != 0 {
		t.Errorf("%d review cards from the pre-test", n)
	}
	if state, _, _, _ := s.Pretest(ctx, l.ID, "core"); state != PretestDone {
		t.Errorf("after the pre-test: %v", state)
	}

	// A learner who began the module before pre-tests existed is not offered one.
	old := newLearner(t, s, "Jan")
	if err := s.SaveLesson(ctx, old.ID, "core", "forms", 1, time.Minute, false); err != nil {
		t.Fatal(err)
	}
	if state, _, _, _ := s.Pretest(ctx, old.ID, "core"); state != PretestDone {
		t.Errorf("a module begun without a pre-test: %v", state)
	}
}

func TestSkippingIsRecordedAsSuchNeverAsZero(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	l := newLearner(t, s, "Zoë")
	// Half-way through, the learner skips the rest: the answers are kept in an abandoned
	// attempt, and the skip is its own record, without questions or a score.
	part := takePretest(t, s, l.ID, 6, 1)
	sk, err := s.SkipPretest(ctx, l.ID, "core", "v1", "nl")
	if err != nil {
		t.Fatal(err)
	}
	if sk.Status != AttemptSkipped || sk.Kind != KindPretest || sk.Total != 0 || len(sk.Plan) != 0 || sk.FinishedAt.IsZero() {
		t.Errorf("skip %+v", sk)
	}
	var score any
	s.read.QueryRowContext(ctx, `SELECT score_percent FROM attempts WHERE id = ?`, sk.ID).Scan(&score)
	if score != nil {
		t.Errorf("a skip scored %v", score)
	}
	if a, _ := s.Attempt(ctx, part.ID); a.Status != AttemptAbandoned {
		t.Errorf("the pre-test under way is %s", a.Status)
	}
	if ans, _ := s.Answers(ctx, part.ID); len(ans) != 6 {
		t.Errorf("%d answers kept of 6", len(ans))
	}
	if state, _, _, _ := s.Pretest(ctx, l.ID, "core"); state != PretestDone {
		t.Errorf("after a skip: %v", state)
	}
	// A skip while a quiz is under way is refused: it is not a pre-test.
	q, err := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", ContentVersion: "v1", Language: "fr", Plan: plan(3), PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SkipPretest(ctx, l.ID, "core", "v1", "fr"); !errors.Is(err, ErrInvalid) {
		t.Errorf("skipping a quiz: %v", err)
	}
	if a, _ := s.Attempt(ctx, q.ID); a.Status != AttemptOpen {
		t.Errorf("the quiz is %s", a.Status)
	}
	// The database refuses a skipped quiz, and a skip with questions.
	if _, err := s.write.ExecContext(ctx, `UPDATE attempts SET status = 'skipped' WHERE id = ?`, q.ID); err == nil {
		t.Error("a quiz was marked skipped")
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO attempts (learner_id, module_id, content_version, language, plan, pass_mark, total,
		status, kind, started_at) VALUES (?, 'core', 'v1', 'fr', '[]', 0, 0, 'finished', 'pretest', 1)`, l.ID); err == nil {
		t.Error("a finished pre-test without questions was stored")
	}
}

func TestMeasuredItemsAreThePretestsAndTheFirstQuizs(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	l := newLearner(t, s, "Ruben")
	pre := takePretest(t, s, l.ID, 3, 3)
	if _, err := s.FinishAttempt(ctx, pre.ID); err != nil {
		t.Fatal(err)
	}
	p := quiz.Plan{{QuestionID: "x1"}, {QuestionID: "x2"}}
	var firsts []int64
	for range 2 {
		a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", ContentVersion: "v1", Language: "fr", Plan: p, PassMark: 80})
		if err != nil {
			t.Fatal(err)
		}
		for i := range p {
			s.RecordAnswer(ctx, a.ID, Answer{Position: i, QuestionID: p[i].QuestionID, Complete: true, Response: quiz.Response{Chosen: []string{"a"}}})
		}
		if _, err := s.FinishAttempt(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		firsts = append(firsts, a.ID)
		p = quiz.Plan{{QuestionID: "y1"}, {QuestionID: "y2"}}
	}
	got, err := s.MeasuredItems(ctx, l.ID, "core")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Pretest) != 3 || got.Pretest[0] != "q0" || len(got.FirstQuiz) != 2 || got.FirstQuiz[0] != "x1" {
		t.Errorf("measured items %+v", got)
	}
}
