package progress

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Merge benchmark: 50 station bundles holding 200,000 answers in all, each answer with
// its xAPI statement (200,000 statements), and a workplace answer per learner and module
// (5,000), merged into a new trainer's database; then
// the same 50 bundles merged again (recognised by their id: nothing added); then the
// same records under new bundle ids (every record matched one by one: nothing added).
// The floor, from the same run: the same rows written with bare INSERTs, one
// transaction per bundle, into a database with the same settings.
const (
	benchBundles           = 50
	benchLearnersPerBundle = 20
	benchAttemptsPerLearn  = 10
	benchAnswersPerAttempt = 20 // 50 × 20 × 10 × 20 = 200,000 answers
	benchModules           = 5
)

// benchStation writes one station's database directly in a transaction, the way the app
// stores its rows, and exports it.
func benchStation(b *testing.B, n int) *Bundle {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("station%02d.db", n)))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Date(2026, 2, 2, 8, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
	s.now = func() time.Time { return start.Add(90 * 24 * time.Hour) }
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	prep := func(q string) func(args ...any) int64 {
		st, err := tx.Prepare(q)
		if err != nil {
			b.Fatal(err)
		}
		return func(args ...any) int64 {
			r, err := st.Exec(args...)
			if err != nil {
				b.Fatal(err)
			}
			id, _ := r.LastInsertId()
			return id
		}
	}
	learner := prep(`INSERT INTO learners (uid, name, role, language, cohort, created_at, last_active_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	lesson := prep(`INSERT INTO lesson_progress (learner_id, module_id, lesson_id, position, time_spent_ms, completed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	attempt := prep(`INSERT INTO attempts (uid, learner_id, module_id, content_version, language, plan, pass_mark, total, kind, status,
		correct, score_percent, passed, started_at, finished_at) VALUES (?, ?, ?, '2026.11-1', ?, ?, 80, ?, 'quiz', 'finished', ?, ?, ?, ?, ?)`)
	answer := prep(`INSERT INTO answers (attempt_id, position, question_id, response, complete, correct, time_ms, answered_at, confidence)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)`)
	status := prep(`INSERT INTO module_status (learner_id, module_id, status, best_percent, passed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`)
	statement := prep(`INSERT INTO xapi_outbox (statement_id, statement, created_at) VALUES (?, ?, ?)`)
	workplace := prep(`INSERT INTO workplace_answers (uid, learner_id, module_id, due_at, answered_at, met_sign, alerted, knew_whom)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	plan := make([]string, benchAnswersPerAttempt)
	for i := range plan {
		plan[i] = fmt.Sprintf(`{"q":"q%02d","o":["a","b","c","d"]}`, i)
	}
	planJSON := "[" + strings.Join(plan, ",") + "]"
	roles := []string{"police", "hospital", "guardian", "fedasil"}
	langs := []string{"fr", "nl", "en", "de"}
	t := start
	for l := range benchLearnersPerBundle {
		uid, _ := newUID()
		lid := learner(uid, fmt.Sprintf("Learner %02d-%02d", n, l), roles[l%4], langs[l%4], "BENCH", t.UnixMilli(), t.UnixMilli())
		for m := range benchModules {
			module := fmt.Sprintf("module%d", m)
			lesson(lid, module, "intro", 3, 240000, t.UnixMilli(), t.UnixMilli())
			best, passedAt := 0, int64(0)
			for try := range benchAttemptsPerLearn / benchModules {
				auid, _ := newUID()
				right := 12 + (l+m+try)%9
				pct := right * 100 / benchAnswersPerAttempt
				begin := t
				t = t.Add(benchAnswersPerAttempt * 15 * time.Second)
				aid := attempt(auid, lid, module, langs[l%4], planJSON, benchAnswersPerAttempt, right, pct, pct >= 80, begin.UnixMilli(), t.UnixMilli())
				at := begin
				for pos := range benchAnswersPerAttempt {
					at = at.Add(15 * time.Second)
					answer(aid, pos, fmt.Sprintf("q%02d", pos), `{"chosen":["b"]}`, pos < right, 15000, at.UnixMilli(), 1+pos%3)
					id := uuid.NewString()
					statement(id, fmt.Sprintf(`{"id":%q,"actor":{"objectType":"Agent","account":{"homePage":"https://indicia.invalid/station/%d","name":"%064x"}},`+
						`"verb":{"id":"http://adlnet.gov/expapi/verbs/answered","display":{"en-US":"answered"}},`+
						`"object":{"objectType":"Activity","id":"https://indicia.invalid/module/%s/question/q%02d","definition":{"type":"http://adlnet.gov/expapi/activities/cmi.interaction","interactionType":"choice","correctResponsesPattern":["b"]}},`+
						`"result":{"success":%t,"response":"b","duration":"PT15S"},"context":{"platform":"Indicia","language":"%s","revision":"2026.11-1"},"timestamp":"%s"}`,
						id, n, lid, module, pos, pos < right, langs[l%4], at.UTC().Format(time.RFC3339)), at.UnixMilli())
				}
				if pct > best {
					best = pct
				}
				if pct >= 80 {
					passedAt = t.UnixMilli()
				}
				t = t.Add(time.Hour)
			}
			if passedAt > 0 {
				status(lid, module, "passed", best, passedAt, t.UnixMilli())
			} else {
				status(lid, module, "failed", best, nil, t.UnixMilli())
			}
			wuid, _ := newUID()
			workplace(wuid, lid, module, t.UnixMilli(), t.Add(time.Hour).UnixMilli(), Replies[l%3], Replies[m%3], Replies[(l+m)%3])
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	bu, err := s.ExportBundle(ctx)
	if err != nil {
		b.Fatal(err)
	}
	sealBundle(bu)
	return bu
}

func BenchmarkMergeBundles(b *testing.B) {
	ctx := context.Background()
	bundles := make([]*Bundle, benchBundles)
	answers, statements, workplace, records := 0, 0, 0, 0
	for i := range bundles {
		bundles[i] = benchStation(b, i)
		c := bundles[i].Counts()
		answers, statements, workplace = answers+c.Answers, statements+c.Statements, workplace+c.Workplace
		records += c.Learners + c.Lessons + c.Attempts + c.Answers + c.Statuses + c.Cards + c.Reviews + c.Statements + c.Workplace
	}
	if answers != benchBundles*benchLearnersPerBundle*benchAttemptsPerLearn*benchAnswersPerAttempt || statements != answers ||
		workplace != benchBundles*benchLearnersPerBundle*benchModules {
		b.Fatalf("%d answers, %d statements, %d workplace answers", answers, statements, workplace)
	}
	renamed := make([]*Bundle, len(bundles))
	for i, bu := range bundles {
		c := *bu
		c.ID = strings.Repeat(fmt.Sprintf("%02x", i), 32)
		renamed[i] = &c
	}
	var merge, again, rows, floor time.Duration
	// CPU time too: on a shared machine the wall time says as much about the other
	// programs running as about the merge.
	var mergeCPU, floorCPU time.Duration
	n := 0
	for b.Loop() {
		b.StopTimer()
		s, err := Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("trainer%d.db", n)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()

		start, startCPU := time.Now(), cpuTime()
		added, addedWorkplace := 0, 0
		for _, bu := range bundles {
			r, err := s.MergeBundle(ctx, bu, MergeOptions{})
			if err != nil {
				b.Fatal(err)
			}
			added, addedWorkplace = added+r.Answers.Added, addedWorkplace+r.Workplace.Added
		}
		merge += time.Since(start)
		mergeCPU += cpuTime() - startCPU
		if added != answers || addedWorkplace != workplace {
			b.Fatalf("%d answers added of %d, %d workplace answers of %d", added, answers, addedWorkplace, workplace)
		}

		start = time.Now()
		for _, bu := range bundles {
			r, err := s.MergeBundle(ctx, bu, MergeOptions{})
			if err != nil || !r.AlreadyMerged || r.Changed() {
				b.Fatalf("merging again: %+v %v", r, err)
			}
		}
		again += time.Since(start)

		start = time.Now()
		for _, bu := range renamed {
			r, err := s.MergeBundle(ctx, bu, MergeOptions{})
			if err != nil || r.AlreadyMerged || r.Changed() || r.Answers.Skipped != bu.Counts().Answers {
				b.Fatalf("same records, new bundle: %+v %v", r, err)
			}
		}
		rows += time.Since(start)

		b.StopTimer()
		s.Close()
		startCPU = cpuTime()
		floor += benchFloor(b, bundles, n)
		floorCPU += cpuTime() - startCPU
		n++
		b.StartTimer()
	}
	per := func(d time.Duration) float64 { return d.Seconds() / float64(n) }
	b.ReportMetric(float64(answers)/per(merge), "answers/s")
	b.ReportMetric(float64(statements)/per(merge), "statements/s")
	b.ReportMetric(float64(records)/per(merge), "records/s")
	b.ReportMetric(per(merge), "merge-s")
	b.ReportMetric(per(floor), "floor-s")
	b.ReportMetric(merge.Seconds()/floor.Seconds(), "x-floor")
	b.ReportMetric(per(mergeCPU), "merge-cpu-s")
	b.ReportMetric(mergeCPU.Seconds()/floorCPU.Seconds(), "x-floor-cpu")
	b.ReportMetric(per(again)*1000, "again-ms")
	b.ReportMetric(per(rows), "again-new-ids-s")
}

// benchFloor writes the bundles' rows with bare INSERTs (no lookups, no checks, no
// status recomputation), one transaction per bundle, into a new store.
func benchFloor(b *testing.B, bundles []*Bundle, n int) time.Duration {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("floor%d.db", n)))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	for _, bu := range bundles {
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		exec := func(q string) func(args ...any) int64 {
			st, err := tx.Prepare(q)
			if err != nil {
				b.Fatal(err)
			}
			return func(args ...any) int64 {
				r, err := st.Exec(args...)
				if err != nil {
					b.Fatal(err)
				}
				id, _ := r.LastInsertId()
				return id
			}
		}
		learner := exec(`INSERT INTO learners (uid, station, name, role, language, cohort, created_at, last_active_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		lesson := exec(`INSERT INTO lesson_progress (learner_id, module_id, lesson_id, position, time_spent_ms, completed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
		attempt := exec(`INSERT INTO attempts (uid, learner_id, module_id, content_version, language, plan, pass_mark, total, kind, status,
			correct, score_percent, passed, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		answer := exec(`INSERT INTO answers (attempt_id, position, question_id, response, complete, correct, time_ms, answered_at, confidence)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		status := exec(`INSERT INTO module_status (learner_id, module_id, status, best_percent, passed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`)
		statement := exec(`INSERT INTO xapi_outbox (statement_id, statement, created_at) VALUES (?, ?, ?)`)
		workplace := exec(`INSERT INTO workplace_answers (uid, learner_id, module_id, due_at, answered_at, met_sign, alerted, knew_whom)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
		ids := map[string]int64{}
		for _, l := range bu.Learners {
			ids[l.UID] = learner(l.UID, l.Station, l.Name, l.Role, l.Language, l.Cohort, l.CreatedAt, l.LastActive)
		}
		for _, l := range bu.Lessons {
			lesson(ids[l.Learner], l.ModuleID, l.LessonID, l.Position, l.TimeMs, ptrValue(l.CompletedAt), l.UpdatedAt)
		}
		for _, a := range bu.Attempts {
			id := attempt(a.UID, ids[a.Learner], a.ModuleID, a.ContentVersion, a.Language, string(a.Plan), a.PassMark, a.Total, a.Kind,
				a.Status, ptrValue(a.Correct), ptrValue(a.Percent), ptrValue(a.Passed), a.StartedAt, ptrValue(a.FinishedAt))
			for _, ans := range a.Answers {
				answer(id, ans.Position, ans.QuestionID, string(ans.Response), ans.Complete, ptrValue(ans.Correct), ans.TimeMs,
					ans.AnsweredAt, ptrValue(ans.Confidence))
			}
		}
		for _, st := range bu.Statuses {
			status(ids[st.Learner], st.ModuleID, st.Status, ptrValue(st.BestPercent), ptrValue(st.PassedAt), st.UpdatedAt)
		}
		for _, st := range bu.Statements {
			statement(st.ID, string(st.Statement), st.CreatedAt)
		}
		for _, w := range bu.Workplace {
			workplace(w.UID, ids[w.Learner], w.ModuleID, w.DueAt, w.AnsweredAt, w.MetSign, w.Alerted, w.KnewWhom)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}
