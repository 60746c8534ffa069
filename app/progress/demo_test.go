package progress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"indicia/modules"
	"indicia/quiz"
)

// shippedDemoModules describes the shipped modules for BulkDemo, with the French banks.
// While a module being written does not load yet, the core module and a copy of it for
// the police stand in.
func shippedDemoModules(t testing.TB) []DemoModule {
	t.Helper()
	cat, err := modules.LoadEmbedded()
	if err != nil {
		t.Logf("the shipped content does not load (%v); using the core module and a copy of it", strings.SplitN(err.Error(), "\n", 2)[0])
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
		if err == nil {
			cat, err = modules.Load(fsys)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var out []DemoModule
	for _, m := range cat.Modules {
		d := DemoModule{ID: m.ID, Version: m.Version, Audience: string(m.Audience), PassMark: m.PassMark, QuizSize: m.QuizSize,
			Bank: m.In("fr").Bank}
		for _, l := range m.In("fr").Lessons {
			d.Lessons = append(d.Lessons, DemoLesson{ID: l.ID, Sections: len(l.Sections)})
		}
		out = append(out, d)
	}
	return out
}

func TestBulkDemoWritesWhatTheAppWrites(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	now := time.Now()
	mods := shippedDemoModules(t)
	var calls [][2]int
	if err := s.BulkDemo(ctx, 1200, mods, 7, func(done, total int) { calls = append(calls, [2]int{done, total}) }); err != nil {
		t.Fatal(err)
	}
	if want := [][2]int{{500, 1200}, {1000, 1200}, {1200, 1200}}; !slices.Equal(calls, want) {
		t.Errorf("progress %v, want %v", calls, want)
	}

	learners, err := s.Learners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(learners) != 1200 {
		t.Fatalf("%d learners", len(learners))
	}
	langs, roles, cohorts := map[string]int{}, map[string]int{}, map[string]int{}
	accented := 0
	for _, l := range learners {
		langs[l.Language]++
		roles[l.Role]++
		cohorts[l.Cohort]++
		if !utf8.ValidString(l.Name) || strings.TrimSpace(l.Name) != l.Name || !strings.Contains(l.Name, " ") {
			t.Errorf("name %q", l.Name)
		}
		if strings.ContainsAny(l.Name, "ïëüéèöçşı") {
			accented++
		}
		if l.LastActive.Before(l.CreatedAt) || l.LastActive.After(now) {
			t.Errorf("%s: created %v, last active %v", l.Name, l.CreatedAt, l.LastActive)
		}
	}
	for _, want := range []string{"fr", "nl", "de", "en"} {
		if langs[want] == 0 {
			t.Errorf("no learner in %s: %v", want, langs)
		}
	}
	if len(roles) != 4 || accented < 200 || cohorts[""] == 0 || len(cohorts) < 20 {
		t.Errorf("roles %v, %d accented names, %d cohorts (%d without)", roles, accented, len(cohorts), cohorts[""])
	}

	// Every attempt is consistent, as the quiz screen and FinishAttempt would leave it,
	// and every answer re-grades to what is stored.
	banks := map[string]map[string]quiz.Question{}
	for _, m := range mods {
		banks[m.ID] = map[string]quiz.Question{}
		for _, q := range m.Bank {
			banks[m.ID][q.ID] = q
		}
	}
	statuses := map[ModuleStatus]int{}
	kinds := map[AttemptKind]map[AttemptStatus]int{KindPretest: {}, KindQuiz: {}, KindRefresher: {}}
	var attempts, answers, quizCards int
	cardQuestions := map[string]bool{}
	for _, l := range learners {
		sums, err := s.Summaries(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mods {
			list, err := s.Attempts(ctx, l.ID, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			sum, started := sums[m.ID]
			statuses[sum.Status]++
			best, passed, open := -1, false, 0
			var measured Prior
			slices.Reverse(list) // oldest first
			for _, a := range list {
				attempts++
				kinds[a.Kind][a.Status]++
				if a.Kind != KindPretest && !started {
					t.Errorf("%s/%s: a %s without a module status", l.Name, m.ID, a.Kind)
				}
				stored, err := s.Answers(ctx, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				answers += len(stored)
				if a.Status == AttemptSkipped {
					if len(stored) != 0 || a.Total != 0 || a.Kind != KindPretest {
						t.Errorf("skipped attempt %d: %d answers, %+v", a.ID, len(stored), a)
					}
					continue
				}
				if err := measured.check(a, banks[m.ID]); err != nil {
					t.Errorf("%s/%s: %v", l.Name, m.ID, err)
				}
				var credits []AnswerCredit
				right := 0
				for _, ans := range stored {
					q, ok := banks[m.ID][ans.QuestionID]
					if !ok || a.Plan[ans.Position].QuestionID != ans.QuestionID || !ans.Complete {
						t.Fatalf("attempt %d answer %d: question %s, plan %v, complete %v", a.ID, ans.Position, ans.QuestionID, a.Plan[ans.Position], ans.Complete)
					}
					g, err := q.Grade(ans.Response)
					credit := CreditOf(ans.Correct, ans.Score)
					if err != nil || g.Correct != ans.Correct || credit.Score != g.Score {
						t.Fatalf("attempt %d question %s: stored %v (%v), grade %+v %v", a.ID, q.ID, ans.Correct, credit.Score, g, err)
					}
					if ans.Correct {
						right++
					}
					credits = append(credits, credit)
					if a.Kind != KindPretest {
						cardQuestions[m.ID+"/"+ans.QuestionID] = true
					}
				}
				size := m.QuizSize
				if a.Kind == KindPretest {
					size = quiz.PretestSize
				}
				if a.Language != l.Language || a.ContentVersion != m.Version || a.Total != size || len(a.Plan) != a.Total {
					t.Errorf("attempt %d: %+v", a.ID, a)
				}
				// The stored plan starts the same session the app would.
				if _, err := quiz.NewSession(m.Bank, a.Plan, a.PassMark); err != nil {
					t.Errorf("attempt %d plan: %v", a.ID, err)
				}
				switch a.Status {
				case "finished":
					sc := ScoreAttempt(credits, a.Total, a.PassMark)
					if len(stored) != a.Total || a.Correct != right || a.Percent != sc.Percent || a.Passed != (sc.Passed && a.Kind != KindPretest) {
						t.Errorf("finished attempt %d: %d answers, %d right, %d %%, stored %+v", a.ID, len(stored), right, sc.Percent, a)
					}
					if a.Kind != KindPretest {
						best = max(best, a.Percent)
						passed = passed || a.Passed
					}
				case "open":
					open++
					if len(stored) >= a.Total || sum.AttemptPending != (a.Kind != KindPretest) {
						t.Errorf("open attempt %d has %d answers, pending %v", a.ID, len(stored), sum.AttemptPending)
					}
					resume := func() error { _, _, err := s.OpenAttempt(ctx, l.ID, m.ID); return err }
					if a.Kind == KindPretest {
						resume = func() error {
							if state, _, _, err := s.Pretest(ctx, l.ID, m.ID); err != nil || state != PretestOpen {
								return fmt.Errorf("pre-test %s: %v", state, err)
							}
							return nil
						}
					}
					if err := resume(); err != nil {
						t.Errorf("%s/%s: resume: %v", l.Name, m.ID, err)
					}
				}
				if a.Status != "open" && a.FinishedAt.Before(a.StartedAt) {
					t.Errorf("attempt %d ends before it starts", a.ID)
				}
			}
			switch {
			case !started:
			case passed && sum.Status != "passed", !passed && best >= 0 && sum.Status != "failed", best < 0 && sum.Status != "in_progress":
				t.Errorf("%s/%s: status %s, best %d, passed %v", l.Name, m.ID, sum.Status, best, passed)
			case best >= 0 && (!sum.HasScore || sum.BestPercent != best), best < 0 && sum.HasScore:
				t.Errorf("%s/%s: best %d, summary %+v", l.Name, m.ID, best, sum)
			case passed != !sum.PassedAt.IsZero():
				t.Errorf("%s/%s: passed %v at %v", l.Name, m.ID, passed, sum.PassedAt)
			}
			if open > 1 {
				t.Errorf("%s/%s: %d open attempts", l.Name, m.ID, open)
			}
		}
	}
	for _, st := range []ModuleStatus{ModuleNotStarted, ModuleInProgress, ModulePassed, ModuleFailed} {
		if statuses[st] < 20 {
			t.Errorf("only %d learner-modules with status %q: %v", statuses[st], st, statuses)
		}
	}
	if attempts < 1200 || answers < 8*attempts/2 {
		t.Errorf("%d attempts, %d answers", attempts, answers)
	}
	// Pre-tests taken, skipped and left; quizzes; refreshers that fell due.
	if kinds[KindPretest][AttemptFinished] < 600 || kinds[KindPretest][AttemptSkipped] < 60 || kinds[KindPretest][AttemptOpen] == 0 ||
		kinds[KindQuiz][AttemptFinished] < 600 || kinds[KindRefresher][AttemptFinished] < 60 {
		t.Errorf("attempts by kind and status: %v", kinds)
	}
	// Review cards were scheduled for the questions answered in quizzes and refreshers,
	// none for the pre-tests' alone, and the file is sound.
	var fkProblems int
	rows0, err := s.read.QueryContext(ctx, `SELECT DISTINCT module_id || '/' || question_id FROM review_cards`)
	if err != nil {
		t.Fatal(err)
	}
	for rows0.Next() {
		var k string
		rows0.Scan(&k)
		quizCards++
		if !cardQuestions[k] {
			t.Errorf("a review card for %s, answered only in a pre-test", k)
		}
	}
	rows0.Close()
	s.read.QueryRowContext(ctx, `SELECT count(*) FROM pragma_foreign_key_check`).Scan(&fkProblems)
	if quizCards != len(cardQuestions) || fkProblems != 0 {
		t.Errorf("cards for %d questions, %d answered in quizzes; %d foreign key problems", quizCards, len(cardQuestions), fkProblems)
	}
	// Workplace answers, once per learner, module and refresher, after it fell due.
	var wp, wpBad int
	s.read.QueryRowContext(ctx, `SELECT count(*), total(answered_at < due_at) FROM workplace_answers`).Scan(&wp, &wpBad)
	if wp < 50 || wpBad != 0 {
		t.Errorf("%d workplace answers, %d before their refresher fell due", wp, wpBad)
	}
	if on, _ := s.WorkplaceQuestions(ctx); !on {
		t.Error("the demo did not turn the workplace questions on")
	}
	// Lesson progress: positions inside the lessons, completed lessons at their last section.
	sections := map[string]int{}
	for _, m := range mods {
		for _, l := range m.Lessons {
			sections[m.ID+"/"+l.ID] = l.Sections
		}
	}
	rows, err := s.read.QueryContext(ctx, `SELECT module_id, lesson_id, position, completed_at IS NOT NULL, time_spent_ms FROM lesson_progress`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var mod, lesson string
		var pos, ms int
		var done bool
		if err := rows.Scan(&mod, &lesson, &pos, &done, &ms); err != nil {
			t.Fatal(err)
		}
		n++
		if total, ok := sections[mod+"/"+lesson]; !ok || pos >= total || done && pos != total-1 || ms <= 0 {
			t.Errorf("lesson %s/%s: position %d of %d, done %v, %d ms", mod, lesson, pos, total, done, ms)
		}
	}
	if n == 0 {
		t.Error("no lesson progress")
	}
}

// Prior follows a learner's attempts at a module, oldest first, and checks each against
// the measurements' draws: a pre-test of measuring questions with one situation, quizzes
// without the pre-test's questions, a refresher without those of the pre-test and of the
// first quiz (the shipped banks have enough others).
type Prior quiz.Prior

func (p *Prior) check(a Attempt, bank map[string]quiz.Question) error {
	ids := make([]string, len(a.Plan))
	for i, d := range a.Plan {
		ids[i] = d.QuestionID
	}
	switch a.Kind {
	case KindPretest:
		spots := 0
		for _, id := range ids {
			q := bank[id]
			if !quiz.Measured(&q) {
				return fmt.Errorf("pre-test %d asks %s, which measures no sign", a.ID, id)
			}
			if q.Kind == quiz.Spot {
				spots++
			}
		}
		if spots == 0 {
			return fmt.Errorf("pre-test %d has no situation", a.ID)
		}
		p.Pretest = append(p.Pretest, ids...)
	case KindQuiz:
		for _, id := range ids {
			if slices.Contains(p.Pretest, id) {
				return fmt.Errorf("quiz %d shows the pre-test's %s", a.ID, id)
			}
		}
		if p.FirstQuiz == nil && a.Status == AttemptFinished {
			p.FirstQuiz = ids
		}
	case KindRefresher:
		for _, id := range ids {
			if slices.Contains(p.Pretest, id) || slices.Contains(p.FirstQuiz, id) {
				return fmt.Errorf("refresher %d asks %s again", a.ID, id)
			}
		}
	}
	return nil
}

func TestBulkDemoIsRepeatableAndCancellable(t *testing.T) {
	mods := shippedDemoModules(t)
	ctx := context.Background()
	summary := func(s *Store) []string {
		t.Helper()
		var out []string
		rows, err := s.read.QueryContext(ctx, `SELECT l.name, l.role, l.language, l.cohort,
			(SELECT group_concat(module_id || ':' || status || ':' || coalesce(best_percent, '-'), ',') FROM module_status WHERE learner_id = l.id),
			(SELECT group_concat(plan, ';') FROM attempts WHERE learner_id = l.id)
			FROM learners l ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var name, role, lang, cohort string
			var status, plans *string
			if err := rows.Scan(&name, &role, &lang, &cohort, &status, &plans); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal([]any{name, role, lang, cohort, status, plans})
			out = append(out, string(b))
		}
		return out
	}
	fixed := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	a, _ := openTemp(t)
	b, _ := openTemp(t)
	c, _ := openTemp(t)
	for _, s := range []*Store{a, b, c} {
		clockAt(s, fixed)
	}
	for _, run := range []struct {
		s    *Store
		seed uint64
	}{{a, 1}, {b, 1}, {c, 2}} {
		if err := run.s.BulkDemo(ctx, 60, mods, run.seed, nil); err != nil {
			t.Fatal(err)
		}
	}
	sa, sb, sc := summary(a), summary(b), summary(c)
	if !slices.Equal(sa, sb) {
		t.Error("the same seed gave different data")
	}
	if slices.Equal(sa, sc) {
		t.Error("another seed gave the same data")
	}

	// Cancelled after the first commit: the first 500 learners stay, nothing else.
	d, _ := openTemp(t)
	cctx, cancel := context.WithCancel(ctx)
	err := d.BulkDemo(cctx, 1500, mods, 3, func(done, total int) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled demo: %v", err)
	}
	if n, err := d.LearnerCount(ctx); err != nil || n != 500 {
		t.Errorf("%d learners after cancelling (%v), want the first batch of 500", n, err)
	}
	if err := d.BulkDemo(ctx, 0, mods, 1, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("no learners: %v", err)
	}
	if err := d.BulkDemo(ctx, 5, []DemoModule{{ID: "x", QuizSize: 12}}, 1, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("module without a bank: %v", err)
	}
}

// The demo's answers, review cards and module status are what the app stores when the
// same answers are given through StartAttempt, RecordAnswer and FinishAttempt at the
// same moments.
func TestBulkDemoMatchesTheAppsOwnWrites(t *testing.T) {
	ctx := context.Background()
	mods := shippedDemoModules(t)
	banks := map[string]map[string]quiz.Question{}
	for _, m := range mods {
		banks[m.ID] = map[string]quiz.Question{}
		for _, q := range m.Bank {
			banks[m.ID][q.ID] = q
		}
	}
	demo, _ := openTemp(t)
	clockAt(demo, time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC))
	if err := demo.BulkDemo(ctx, 40, mods, 5, nil); err != nil {
		t.Fatal(err)
	}
	app, _ := openTemp(t)
	setClock := clockAt(app, time.Time{})
	learners, err := demo.Learners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	replayed := 0
	for _, l := range learners {
		twin, err := app.CreateLearner(ctx, NewLearner{Name: l.Name, Role: l.Role, Language: l.Language, Cohort: l.Cohort})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mods {
			attempts, err := demo.Attempts(ctx, l.ID, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			slices.Reverse(attempts) // oldest first
			for _, a := range attempts {
				setClock(a.StartedAt)
				if a.Status == AttemptSkipped {
					if _, err := app.SkipPretest(ctx, twin.ID, m.ID, a.ContentVersion, a.Language); err != nil {
						t.Fatal(err)
					}
					replayed++
					continue
				}
				b, err := app.StartAttempt(ctx, NewAttempt{LearnerID: twin.ID, ModuleID: m.ID, ContentVersion: a.ContentVersion,
					Language: a.Language, Plan: a.Plan, PassMark: a.PassMark, Kind: a.Kind})
				if err != nil {
					t.Fatal(err)
				}
				answers, err := demo.Answers(ctx, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, ans := range answers {
					setClock(ans.AnsweredAt)
					ans.Indicator = banks[m.ID][ans.QuestionID].Topic
					if a.Kind == KindPretest {
						ans.Indicator = "" // as the pre-test screen records it
					}
					if err := app.RecordAnswer(ctx, b.ID, ans); err != nil {
						t.Fatal(err)
					}
				}
				if a.Status == "finished" {
					setClock(a.FinishedAt)
					if _, err := app.FinishAttempt(ctx, b.ID); err != nil {
						t.Fatal(err)
					}
				}
				replayed++
			}
		}
		dump := func(s *Store, id int64, query string) []string {
			t.Helper()
			rows, err := s.read.QueryContext(ctx, query, id)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cols, _ := rows.Columns()
			var out []string
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				b, _ := json.Marshal(vals)
				out = append(out, string(b))
			}
			return out
		}
		for _, q := range []string{
			`SELECT module_id, question_id, indicator, stability, difficulty, reps, lapses, last_correct, priority, last_review, due
				FROM review_cards WHERE learner_id = ? ORDER BY module_id, question_id`,
			`SELECT a.module_id, a.started_at, w.position, w.question_id, w.response, w.complete, w.correct, w.time_ms, w.answered_at, w.confidence
				FROM answers w JOIN attempts a ON a.id = w.attempt_id WHERE a.learner_id = ? ORDER BY a.started_at, w.position`,
			`SELECT module_id, status, best_percent, passed_at FROM module_status
				WHERE learner_id = ? AND module_id IN (SELECT module_id FROM attempts WHERE learner_id = module_status.learner_id AND kind != 'pretest')
				ORDER BY module_id`,
			`SELECT module_id, content_version, language, plan, pass_mark, total, kind, status, correct, score_percent, passed, started_at
				FROM attempts WHERE learner_id = ? AND status != 'abandoned' ORDER BY started_at`,
		} {
			got, want := dump(demo, l.ID, q), dump(app, twin.ID, q)
			if !slices.Equal(got, want) {
				t.Errorf("%s, %s:\ndemo %v\napp  %v", l.Name, strings.Fields(q)[1], got, want)
			}
		}
	}
	if replayed < 20 {
		t.Errorf("only %d attempts replayed", replayed)
	}
}
