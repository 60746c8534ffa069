package report

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"indicia/app/progress"
	"indicia/modules"
	"indicia/quiz"
)

// coreCatalog loads the shipped core module only (and the glossary), so these tests do
// not depend on the other modules.
func coreCatalog(t *testing.T) *modules.Catalog {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(modules.Embedded(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.Contains(p, "/") || strings.HasPrefix(p, "core/") {
			data, err := fs.ReadFile(modules.Embedded(), p)
			if err != nil {
				return err
			}
			m[p] = &fstest.MapFile{Data: data}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := modules.Load(m)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func openStore(t *testing.T) *progress.Store {
	t.Helper()
	s, err := progress.Open(context.Background(), filepath.Join(t.TempDir(), "indicia.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// rightResponse answers q correctly; wrongResponse answers it wrongly.
func rightResponse(q quiz.Question) quiz.Response {
	switch q.Kind {
	case quiz.Single, quiz.TrueFalse, quiz.Multiple:
		return quiz.Response{Chosen: slices.Clone(q.Answer)}
	case quiz.Ordering:
		return quiz.Response{Order: slices.Clone(q.Answer)}
	case quiz.Matching:
		return quiz.Response{Pairs: q.Pairs}
	case quiz.Spot:
		return quiz.Response{Chosen: slices.Clone(q.Answer)} // every sign, nothing else
	}
	return quiz.Response{Path: scenarioPath(q, true)}
}

func wrongResponse(q quiz.Question) quiz.Response {
	switch q.Kind {
	case quiz.Single, quiz.TrueFalse, quiz.Multiple:
		for _, o := range q.Options {
			if !slices.Contains(q.Answer, o.ID) {
				return quiz.Response{Chosen: []string{o.ID}}
			}
		}
	case quiz.Ordering:
		o := slices.Clone(q.Answer)
		o[0], o[1] = o[1], o[0]
		return quiz.Response{Order: o}
	case quiz.Matching:
		p := map[string]string{}
		for _, o := range q.Options {
			for _, t := range q.Targets {
				if t.ID != q.Pairs[o.ID] {
					p[o.ID] = t.ID
					break
				}
			}
		}
		return quiz.Response{Pairs: p}
	case quiz.Spot:
		// Every sign but the first: partly right.
		return quiz.Response{Chosen: slices.Clone(q.Answer[1:])}
	}
	return quiz.Response{Path: scenarioPath(q, false)}
}

// scenarioPath walks a scenario to its end, taking good choices, or the first bad one.
func scenarioPath(q quiz.Question, good bool) []string {
	var path []string
	step := q.Start
	for range 50 {
		s, _ := q.Step(step)
		c := s.Choices[0]
		for _, ch := range s.Choices {
			if ch.Good == good {
				c = ch
				break
			}
		}
		path = append(path, quiz.PathEntry(s.ID, c.ID))
		if c.Next == "" {
			return path
		}
		step = c.Next
	}
	panic("scenario without an end: " + q.ID)
}

// oneOfEach picks the first question of each type from a bank.
func oneOfEach(bank []quiz.Question) []quiz.Question {
	var out []quiz.Question
	for _, k := range quiz.Kinds {
		for _, q := range bank {
			if q.Kind == k {
				out = append(out, q)
				break
			}
		}
	}
	return out
}

type fixture struct {
	store     *progress.Store
	cat       *modules.Catalog
	id        *XAPIIdentity
	ann, bob  progress.Learner
	questions []quiz.Question // the passed attempt's questions, one of each type
}

// newFixture records what learners do: Ann (Dutch, cohort) reads and completes a
// lesson, passes the core quiz answering one question of each type (one wrongly) and
// leaves a second attempt open; Bob starts a lesson and fails the quiz.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{store: openStore(t), cat: coreCatalog(t)}
	var err error
	if f.id, err = LoadXAPIIdentity(f.store.Path()); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f.ann, err = f.store.CreateLearner(ctx, progress.NewLearner{Name: "Ann Peeters", Role: "police", Language: "nl", Cohort: "BXL-2026"})
	must(err)
	f.bob, err = f.store.CreateLearner(ctx, progress.NewLearner{Name: "Bob Dupont", Role: "fedasil", Language: "fr"})
	must(err)
	core, _ := f.cat.Module("core")
	lessons := core.In("fr").Lessons
	must(f.store.SaveLesson(ctx, f.ann.ID, "core", lessons[0].ID, 1, 40*time.Second, false))
	must(f.store.SaveLesson(ctx, f.ann.ID, "core", lessons[0].ID, 3, 80*time.Second, true))
	must(f.store.SaveLesson(ctx, f.bob.ID, "core", lessons[1].ID, 0, 5*time.Second, false))

	bank := core.In("nl").Bank
	f.questions = oneOfEach(bank)
	if len(f.questions) != len(quiz.Kinds) {
		t.Fatalf("the core bank lacks a type: %d of %d", len(f.questions), len(quiz.Kinds))
	}
	take := func(l progress.Learner, lang string, qs []quiz.Question, wrong map[int]bool, finish bool) {
		t.Helper()
		plan := make(quiz.Plan, len(qs))
		for i, q := range qs {
			plan[i] = quiz.Draw{QuestionID: q.ID}
		}
		a, err := f.store.StartAttempt(ctx, progress.NewAttempt{LearnerID: l.ID, ModuleID: "core", ContentVersion: core.Version,
			Language: lang, Plan: plan, PassMark: core.PassMark})
		must(err)
		correct := 0
		for i, q := range qs {
			r := rightResponse(q)
			if wrong[i] {
				r = wrongResponse(q)
			}
			g, err := q.Grade(r)
			must(err)
			if g.Correct == wrong[i] {
				t.Fatalf("question %s graded %v", q.ID, g.Correct)
			}
			if g.Correct {
				correct++
			}
			must(f.store.RecordAnswer(ctx, a.ID, progress.Answer{Position: i, QuestionID: q.ID, Response: r, Complete: true,
				Correct: g.Correct, Time: time.Duration(i+1) * 1500 * time.Millisecond, Confidence: quiz.Confidence(i % 4), Indicator: q.Topic, Score: &g.Score}))
		}
		if !finish {
			return
		}
		_, err = f.store.FinishAttempt(ctx, a.ID)
		must(err)
	}
	// 6 of 7 right (one question of each type): 85 % passes the 80 % mark.
	take(f.ann, "nl", f.questions, map[int]bool{5: true}, true)
	take(f.ann, "nl", f.questions[:2], nil, false)
	take(f.bob, "fr", oneOfEach(core.In("fr").Bank), map[int]bool{0: true, 2: true, 6: true}, true)
	return f
}

func (f *fixture) build(t *testing.T, names bool) ([]Statement, []map[string]any) {
	t.Helper()
	x := &XAPI{Catalog: f.cat, Identity: f.id, IncludeNames: names}
	stmts, err := x.Build(context.Background(), f.store)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(stmts)
	if err != nil {
		t.Fatal(err)
	}
	var generic []map[string]any
	if err := json.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	return stmts, generic
}

func TestXAPIStatementsFollowTheSpec(t *testing.T) {
	f := newFixture(t)
	stmts, generic := f.build(t, false)

	// Ann: 2 lesson statements, 7 + 2 answered, completed + passed; Bob: 1 lesson
	// statement, 7 answered, completed + failed.
	if len(stmts) != 2+9+2+1+7+2 {
		t.Fatalf("%d statements", len(stmts))
	}
	ids := map[string]bool{}
	for i, s := range generic {
		if err := validateStatement(s); err != nil {
			j, _ := json.MarshalIndent(s, "", "  ")
			t.Fatalf("statement %d is not valid xAPI 1.0.3: %v\n%s", i, err, j)
		}
		if err := checkCMI5(s); err != nil {
			j, _ := json.MarshalIndent(s, "", "  ")
			t.Fatalf("statement %d breaks a cmi5 rule: %v\n%s", i, err, j)
		}
		id := s["id"].(string)
		if ids[id] {
			t.Errorf("id %s twice", id)
		}
		ids[id] = true
		if u := uuid.MustParse(id); u.Version() != 5 {
			t.Errorf("id %s is not a name-based (v5) UUID", id)
		}
		if i > 0 && stmts[i].Timestamp < stmts[i-1].Timestamp {
			t.Errorf("statement %d is older than the one before", i)
		}
		actor := s["actor"].(map[string]any)
		if _, named := actor["name"]; named {
			t.Errorf("a name without IncludeNames: %v", actor)
		}
	}

	// Building again gives the same statements, byte for byte.
	again, _ := f.build(t, false)
	a, _ := json.Marshal(stmts)
	b, _ := json.Marshal(again)
	if string(a) != string(b) {
		t.Error("building twice gave different statements")
	}
	// With names: the same ids, and each actor named.
	named, _ := f.build(t, true)
	for i := range named {
		if named[i].ID != stmts[i].ID {
			t.Fatalf("statement %d: id %s with names, %s without", i, named[i].ID, stmts[i].ID)
		}
		if want := map[string]string{f.id.AccountName(f.ann.ID): "Ann Peeters", f.id.AccountName(f.bob.ID): "Bob Dupont"}[named[i].Actor.Account.Name]; named[i].Actor.Name != want {
			t.Errorf("statement %d: actor name %q, want %q", i, named[i].Actor.Name, want)
		}
	}
}

func TestXAPIStatementShapes(t *testing.T) {
	f := newFixture(t)
	stmts, _ := f.build(t, false)
	core, _ := f.cat.Module("core")
	h, err := f.store.History(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	annPassed := h.Attempts[0]
	annName := f.id.AccountName(f.ann.ID)

	find := func(verb, actor, object string) []Statement {
		var out []Statement
		for _, s := range stmts {
			if s.Verb.ID == verb && s.Actor.Account.Name == actor && (object == "" || s.Object.ID == object) {
				out = append(out, s)
			}
		}
		return out
	}
	// The actor: the station's account and the learner's pseudonym.
	if s := stmts[0]; s.Actor.Account.HomePage != "https://indicia.invalid/station/"+f.id.StationID ||
		len(s.Actor.Account.Name) != 64 || s.Actor.ObjectType != "Agent" {
		t.Errorf("actor %+v", s.Actor)
	}
	if annName == f.id.AccountName(f.bob.ID) || strings.Contains(annName, fmt.Sprint(f.ann.ID)) && len(annName) < 64 {
		t.Errorf("pseudonyms %s", annName)
	}

	// Lessons: launched, then completed with its duration; in the module, in the
	// learner's language, with the content version.
	lesson := core.In("nl").Lessons[0]
	lessonIRI := "https://indicia.invalid/module/core/lesson/" + lesson.ID
	launched, completed := find(VerbLaunched, annName, lessonIRI), find(VerbCompleted, annName, lessonIRI)
	if len(launched) != 1 || len(completed) != 1 {
		t.Fatalf("lesson statements: %d launched, %d completed", len(launched), len(completed))
	}
	lc := completed[0]
	if lc.Result == nil || *lc.Result.Completion != true || lc.Result.Duration != "PT2M" || lc.Result.Success != nil ||
		lc.Object.Definition.Type != ActivityLesson || lc.Object.Definition.Name["nl"] != lesson.Title ||
		lc.Context.Language != "nl" || lc.Context.Revision != core.Version ||
		lc.Context.ContextActivities.Parent[0].ID != "https://indicia.invalid/module/core" ||
		lc.Context.Extensions[ExtRole] != "police" || lc.Context.Extensions[ExtCohort] != "BXL-2026" {
		j, _ := json.MarshalIndent(lc, "", "  ")
		t.Errorf("lesson completed:\n%s", j)
	}
	if launched[0].Timestamp > lc.Timestamp {
		t.Errorf("launched %s after completed %s", launched[0].Timestamp, lc.Timestamp)
	}
	if bobLessons := find(VerbCompleted, f.id.AccountName(f.bob.ID), "https://indicia.invalid/module/core/lesson/"+core.In("fr").Lessons[1].ID); len(bobLessons) != 0 {
		t.Error("an unfinished lesson was completed")
	}

	// Each answer, as an interaction of its type with its response in xAPI's format.
	answered := find(VerbAnswered, annName, "")
	if len(answered) != 9 {
		t.Fatalf("%d answered", len(answered))
	}
	attemptIRI := fmt.Sprintf("https://indicia.invalid/station/%s/attempt/%d-%d", f.id.StationID, annPassed.ID, annPassed.StartedAt.UnixMilli())
	for i, q := range f.questions {
		s := answered[i]
		ans := annPassed.Answers[i]
		d := s.Object.Definition
		if s.Object.ID != "https://indicia.invalid/module/core/question/"+q.ID || d.Type != ActivityInteraction || d.Name["nl"] != q.Prompt {
			t.Errorf("%s: object %+v", q.ID, s.Object)
		}
		if s.Timestamp != timestamp(ans.AnsweredAt) || *s.Result.Success != ans.Correct || s.Result.Duration != Duration(ans.Time) {
			t.Errorf("%s: result %+v at %s", q.ID, s.Result, s.Timestamp)
		}
		c := s.Context
		if c.Language != "nl" || c.Revision != core.Version || c.ContextActivities.Parent[0].ID != attemptIRI ||
			c.ContextActivities.Parent[0].Definition.Type != ActivityQuizAttempt || c.Extensions[ExtMeasurement] != "after" ||
			c.ContextActivities.Grouping[0].ID != "https://indicia.invalid/module/core" || c.Registration == "" ||
			c.Extensions[ExtAttemptKind] != "quiz" {
			t.Errorf("%s: context %+v", q.ID, c)
		}
		if conf := int(ans.Confidence); conf != 0 && s.Result.Extensions[ExtConfidence] != conf {
			t.Errorf("%s: confidence %v, want %d", q.ID, s.Result.Extensions, conf)
		}
		resp := *s.Result.Response
		ids := func(opts []quiz.Option) []string {
			var out []string
			for _, o := range opts {
				out = append(out, o.ID)
			}
			return out
		}
		compIDs := func(cs []InteractionComponent) []string {
			var out []string
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		switch q.Kind {
		case quiz.Single:
			if d.InteractionType != "choice" || resp != q.Answer[0] || d.CorrectResponsesPattern[0] != q.Answer[0] ||
				!slices.Equal(compIDs(d.Choices), ids(q.Options)) || d.Choices[0].Description["nl"] != q.Options[0].Text {
				t.Errorf("single %s: %+v %q", q.ID, d, resp)
			}
		case quiz.Multiple:
			want := strings.Join(q.Answer, "[,]")
			if d.InteractionType != "choice" || resp != want || d.CorrectResponsesPattern[0] != want || len(d.Choices) != len(q.Options) {
				t.Errorf("multiple %s: %+v %q", q.ID, d, resp)
			}
		case quiz.TrueFalse:
			if d.InteractionType != "true-false" || resp != q.Answer[0] || (resp != "true" && resp != "false") ||
				d.CorrectResponsesPattern[0] != q.Answer[0] || d.Choices != nil {
				t.Errorf("truefalse %s: %+v %q", q.ID, d, resp)
			}
		case quiz.Ordering:
			want := strings.Join(q.Answer, "[,]")
			if d.InteractionType != "sequencing" || resp != want || d.CorrectResponsesPattern[0] != want || len(d.Choices) != len(q.Options) {
				t.Errorf("ordering %s: %+v %q", q.ID, d, resp)
			}
		case quiz.Matching:
			var pairs []string
			for _, o := range q.Options {
				pairs = append(pairs, o.ID+"[.]"+q.Pairs[o.ID])
			}
			want := strings.Join(pairs, "[,]")
			if d.InteractionType != "matching" || resp != want || d.CorrectResponsesPattern[0] != want ||
				!slices.Equal(compIDs(d.Source), ids(q.Options)) || !slices.Equal(compIDs(d.Target), ids(q.Targets)) {
				t.Errorf("matching %s: %+v %q", q.ID, d, resp)
			}
		case quiz.Scenario:
			// Answered wrongly on purpose: the path taken, and the good paths as the pattern.
			want := strings.Join(ans.Response.Path, "[,]")
			if d.InteractionType != "other" || resp != want || *s.Result.Success || d.Description["nl"] != q.Intro ||
				len(d.CorrectResponsesPattern) == 0 || !slices.Contains(d.CorrectResponsesPattern, strings.Join(scenarioPath(q, true), "[,]")) ||
				slices.Contains(d.CorrectResponsesPattern, want) {
				t.Errorf("scenario %s: %+v %q", q.ID, d, resp)
			}
		case quiz.Spot:
			// A choice among the phrases; the signs are the right response; the
			// situation is the description; the score is the answer's credit.
			want := strings.Join(q.Answer, "[,]")
			if d.InteractionType != "choice" || resp != want || d.CorrectResponsesPattern[0] != want ||
				!slices.Equal(compIDs(d.Choices), ids(q.Options)) || !strings.Contains(d.Description["nl"], q.Options[0].Text) ||
				strings.Contains(d.Description["nl"], "{") || *s.Result.Score.Scaled != 1 || !*s.Result.Success {
				t.Errorf("spot %s: %+v %q %+v", q.ID, d, resp, s.Result)
			}
		}
		if d.Extensions[ExtTopic] != q.Topic || d.Extensions[ExtSkill] != string(q.Skill) {
			t.Errorf("%s: extensions %v", q.ID, d.Extensions)
		}
	}

	// The finished attempts: completed, and passed (Ann) or failed (Bob), on the module.
	moduleIRI := "https://indicia.invalid/module/core"
	passed, failed := find(VerbPassed, annName, moduleIRI), find(VerbFailed, f.id.AccountName(f.bob.ID), moduleIRI)
	if len(passed) != 1 || len(failed) != 1 || len(find(VerbFailed, annName, "")) != 0 || len(find(VerbPassed, f.id.AccountName(f.bob.ID), "")) != 0 {
		t.Fatalf("%d passed, %d failed", len(passed), len(failed))
	}
	p := passed[0]
	var spent time.Duration
	for _, a := range annPassed.Answers {
		spent += a.Time
	}
	if sc := p.Result.Score; *sc.Scaled != 0.8571 || *sc.Raw != 6 || *sc.Min != 0 || *sc.Max != 7 ||
		p.Result.Duration != Duration(spent) || p.Timestamp != timestamp(annPassed.FinishedAt) ||
		p.Context.Extensions[ExtMasteryScore] != 0.8 || p.Context.ContextActivities.Grouping[0].ID != attemptIRI ||
		p.Object.Definition.Name["nl"] != core.In("nl").Title || p.Context.Registration != answered[0].Context.Registration {
		j, _ := json.MarshalIndent(p, "", "  ")
		t.Errorf("passed:\n%s", j)
	}
	// Bob: 4 right and a spot answer with every sign but the first: 4 + (n-1)/n points.
	var bobSpot quiz.Question
	for _, q := range oneOfEach(core.In("fr").Bank) {
		if q.Kind == quiz.Spot {
			bobSpot = q
		}
	}
	part := float64(len(bobSpot.Answer)-1) / float64(len(bobSpot.Answer))
	if fl := failed[0]; !near4(*fl.Result.Score.Scaled, (4+part)/7) || !near4(*fl.Result.Score.Raw, 4+part) || *fl.Result.Success || fl.Context.Language != "fr" {
		j, _ := json.MarshalIndent(fl, "", "  ")
		t.Errorf("failed, with part of a point for the spot answer:\n%s", j)
	}
	for _, s := range find(VerbAnswered, f.id.AccountName(f.bob.ID), "https://indicia.invalid/module/core/question/"+bobSpot.ID) {
		if !near4(*s.Result.Score.Scaled, part) || *s.Result.Success {
			t.Errorf("Bob's partly right spot answer: scaled %v, want %v; %+v", *s.Result.Score.Scaled, part, s.Result)
		}
	}
	if c := find(VerbCompleted, annName, moduleIRI); len(c) != 1 || c[0].Result.Score != nil || c[0].Result.Duration != Duration(spent) {
		t.Errorf("attempt completed %+v", c)
	}
	// The open attempt's answers are there, with a registration of their own.
	if answered[7].Context.Registration == answered[0].Context.Registration {
		t.Error("two attempts share a registration")
	}
}

// near4 compares xAPI scores, which keep four decimals (rounded down).
func near4(got, want float64) bool { return got <= want+1e-9 && got > want-1e-4 }

func TestXAPIWithoutContent(t *testing.T) {
	// Statements about content this build no longer has are still valid, with the
	// interaction type read from the response.
	h := progress.History{
		Learners: []progress.Learner{{ID: 1, Name: "X", Role: "guardian", Language: "de", CreatedAt: time.UnixMilli(1e12)}},
		Lessons:  []progress.LessonRecord{{LearnerID: 1, ModuleID: "gone", LessonID: "l 1", UpdatedAt: time.UnixMilli(1e12 + 5000), TimeSpent: time.Hour}},
		Attempts: []progress.AttemptRecord{{
			Attempt: progress.Attempt{ID: 7, LearnerID: 1, ModuleID: "gone", ContentVersion: "old", Language: "de", Total: 5,
				Status: "finished", Correct: 5, Passed: true, StartedAt: time.UnixMilli(1e12), FinishedAt: time.UnixMilli(1e12 + 60000)},
			Answers: []progress.Answer{
				{Position: 0, QuestionID: "a", Complete: true, Correct: true, Response: quiz.Response{Chosen: []string{"true"}}},
				{Position: 1, QuestionID: "b", Complete: true, Correct: true, Response: quiz.Response{Chosen: []string{"x", "y"}}},
				{Position: 2, QuestionID: "c", Complete: true, Correct: true, Response: quiz.Response{Order: []string{"y", "x"}}},
				{Position: 3, QuestionID: "d", Complete: true, Correct: true, Response: quiz.Response{Pairs: map[string]string{"y": "2", "x": "1"}}},
				{Position: 4, QuestionID: "e", Complete: true, Correct: true, Response: quiz.Response{Path: []string{"s1:a", "s2:b"}}},
			},
		}},
		// Someone the history does not list is skipped.
	}
	h.Attempts = append(h.Attempts, progress.AttemptRecord{Attempt: progress.Attempt{ID: 8, LearnerID: 99}})
	id := &XAPIIdentity{StationID: uuid.NewString(), secret: make([]byte, 32)}
	stmts, err := (&XAPI{Catalog: &modules.Catalog{}, Identity: id}).Statements(h)
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 1+5+2 {
		t.Fatalf("%d statements", len(stmts))
	}
	want := map[string][2]string{
		"a": {"true-false", "true"}, "b": {"choice", "x[,]y"}, "c": {"sequencing", "y[,]x"},
		"d": {"matching", "x[.]1[,]y[.]2"}, "e": {"other", "s1:a[,]s2:b"},
	}
	for _, s := range stmts {
		data, _ := json.Marshal(s)
		var g map[string]any
		json.Unmarshal(data, &g)
		if err := validateStatement(g); err != nil {
			t.Errorf("%s: %v", data, err)
		}
		if s.Verb.ID == VerbLaunched && (s.Timestamp != timestamp(time.UnixMilli(1e12)) || s.Context.Revision != "" ||
			s.Object.ID != "https://indicia.invalid/module/gone/lesson/l%201") {
			t.Errorf("launched %s", data)
		}
		if s.Verb.ID != VerbAnswered {
			continue
		}
		q := s.Object.ID[strings.LastIndex(s.Object.ID, "/")+1:]
		if w := want[q]; s.Object.Definition.InteractionType != w[0] || *s.Result.Response != w[1] || s.Object.Definition.CorrectResponsesPattern != nil {
			t.Errorf("%s: %s", q, data)
		}
	}
}

func TestDuration(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{0, "PT0S"},
		{-time.Second, "PT0S"},
		{5 * time.Millisecond, "PT0S"},
		{10 * time.Millisecond, "PT0.01S"},
		{1500 * time.Millisecond, "PT1.5S"},
		{90 * time.Second, "PT1M30S"},
		{time.Hour, "PT1H"},
		{time.Hour + 2*time.Minute + 3456*time.Millisecond, "PT1H2M3.45S"},
		{49*time.Hour + 1*time.Second, "PT49H1S"},
	} {
		got := Duration(tt.d)
		if got != tt.want {
			t.Errorf("Duration(%v) = %s, want %s", tt.d, got, tt.want)
		}
		if !isoDuration.MatchString(got) {
			t.Errorf("%s is not an ISO 8601 duration", got)
		}
	}
}

func TestXAPIIdentity(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "indicia.db")

	// Created once, by whichever of several programs comes first.
	var wg sync.WaitGroup
	got := make([]*XAPIIdentity, 8)
	errs := make([]error, 8)
	for i := range got {
		wg.Go(func() { got[i], errs[i] = LoadXAPIIdentity(db) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if got[i].StationID != got[0].StationID || hex.EncodeToString(got[i].secret) != hex.EncodeToString(got[0].secret) {
			t.Fatal("two identities were created")
		}
	}
	id := got[0]
	st, err := os.Stat(XAPISecretPath(db))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	again, err := LoadXAPIIdentity(db)
	if err != nil || again.StationID != id.StationID || again.AccountName(3) != id.AccountName(3) {
		t.Fatalf("reloaded %+v %v", again, err)
	}
	if _, err := uuid.Parse(id.StationID); err != nil {
		t.Errorf("station id %q", id.StationID)
	}
	if n := id.AccountName(1); len(n) != 64 || n == id.AccountName(2) || strings.Contains(n, "1") && n == "1" {
		t.Errorf("account names %s %s", n, id.AccountName(2))
	}
	other, err := LoadXAPIIdentity(filepath.Join(dir, "other.db"))
	if err != nil || other.StationID == id.StationID || other.AccountName(1) == id.AccountName(1) ||
		other.StatementID("x") == id.StatementID("x") {
		t.Errorf("another database shares the identity: %+v %v", other, err)
	}
	if id.StatementID("attempt/1/2/passed") != id.StatementID("attempt/1/2/passed") || id.StatementID("a") == id.StatementID("b") {
		t.Error("statement ids are not stable and distinct")
	}

	if runtime.GOOS != "windows" {
		os.Chmod(XAPISecretPath(db), 0o644)
		if _, err := LoadXAPIIdentity(db); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("a readable secret was accepted: %v", err)
		}
	}
	bad := filepath.Join(dir, "bad.db")
	os.WriteFile(XAPISecretPath(bad), []byte(`{"station":"x","secret":"00"}`), 0o600)
	if _, err := LoadXAPIIdentity(bad); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("a damaged file was accepted: %v", err)
	}
}

// ---------------------------------------------------------------------------------------
// The xAPI 1.0.3 rules these statements rely on, checked on the JSON.

var (
	uuidRE      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	isoDuration = regexp.MustCompile(`^P(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$`)
)

// Interaction types and the component lists each may carry.
var interactionComponents = map[string][]string{
	"true-false": nil, "choice": {"choices"}, "fill-in": nil, "long-fill-in": nil,
	"matching": {"source", "target"}, "performance": {"steps"}, "sequencing": {"choices"},
	"likert": {"scale"}, "numeric": nil, "other": nil,
}

func keysIn(m map[string]any, allowed ...string) error {
	for k := range m {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("unknown property %q", k)
		}
	}
	return nil
}

func isIRI(v any) error {
	s, ok := v.(string)
	if !ok || s == "" {
		return fmt.Errorf("%v is not an IRI", v)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || ((u.Scheme == "http" || u.Scheme == "https") && u.Host == "") || strings.ContainsAny(s, " \t\n") {
		return fmt.Errorf("%q is not an absolute IRI", s)
	}
	return nil
}

func isLangMap(v any) error {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return fmt.Errorf("%v is not a language map", v)
	}
	for k, s := range m {
		if _, err := language.Parse(k); err != nil {
			return fmt.Errorf("language map key %q: %v", k, err)
		}
		if _, ok := s.(string); !ok {
			return fmt.Errorf("language map value %v", s)
		}
	}
	return nil
}

func isExtensions(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("extensions %v", v)
	}
	for k := range m {
		if err := isIRI(k); err != nil {
			return fmt.Errorf("extension key: %v", err)
		}
	}
	return nil
}

func validateActivity(v any) error {
	a, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("activity %v", v)
	}
	if err := keysIn(a, "objectType", "id", "definition"); err != nil {
		return err
	}
	if ot, ok := a["objectType"]; ok && ot != "Activity" {
		return fmt.Errorf("objectType %v", ot)
	}
	if err := isIRI(a["id"]); err != nil {
		return fmt.Errorf("activity id: %v", err)
	}
	def, ok := a["definition"].(map[string]any)
	if !ok {
		return nil
	}
	if err := keysIn(def, "name", "description", "type", "moreInfo", "extensions", "interactionType",
		"correctResponsesPattern", "choices", "scale", "source", "target", "steps"); err != nil {
		return err
	}
	for _, k := range []string{"name", "description"} {
		if v, ok := def[k]; ok {
			if err := isLangMap(v); err != nil {
				return fmt.Errorf("definition %s: %v", k, err)
			}
		}
	}
	if err := isIRI(def["type"]); err != nil {
		return fmt.Errorf("definition type: %v", err)
	}
	if ext, ok := def["extensions"]; ok {
		if err := isExtensions(ext); err != nil {
			return err
		}
	}
	it, isInteraction := def["interactionType"].(string)
	allowed, known := interactionComponents[it]
	if isInteraction && !known {
		return fmt.Errorf("interactionType %q", it)
	}
	if isInteraction && def["type"] != ActivityInteraction {
		return fmt.Errorf("an interaction of type %v", def["type"])
	}
	if p, ok := def["correctResponsesPattern"]; ok {
		list, ok := p.([]any)
		if !ok || !isInteraction {
			return fmt.Errorf("correctResponsesPattern %v", p)
		}
		for _, s := range list {
			if _, ok := s.(string); !ok {
				return fmt.Errorf("correctResponsesPattern entry %v", s)
			}
		}
	}
	for _, k := range []string{"choices", "scale", "source", "target", "steps"} {
		v, ok := def[k]
		if !ok {
			continue
		}
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("%s in a %q interaction", k, it)
		}
		list, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s %v", k, v)
		}
		seen := map[string]bool{}
		for _, c := range list {
			cm, ok := c.(map[string]any)
			if !ok {
				return fmt.Errorf("component %v", c)
			}
			if err := keysIn(cm, "id", "description"); err != nil {
				return err
			}
			id, _ := cm["id"].(string)
			if id == "" || strings.ContainsAny(id, " \t\n") || seen[id] {
				return fmt.Errorf("component id %q (empty, with spaces, or twice)", id)
			}
			seen[id] = true
			if d, ok := cm["description"]; ok {
				if err := isLangMap(d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func isUTCTimestamp(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("timestamp %v", v)
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		return fmt.Errorf("timestamp %q: %v", s, err)
	}
	if !strings.HasSuffix(s, "Z") {
		return fmt.Errorf("timestamp %q is not in UTC", s)
	}
	return nil
}

// validateStatement checks a statement against the xAPI 1.0.3 rules Indicia relies on:
// the required properties and no unknown ones; a UUID id; an Agent with exactly one
// inverse functional identifier (an account with a home page and a name); IRIs for
// verb, activity, type and extension ids; language maps keyed by RFC 5646 tags;
// interaction types and their component lists; a scaled score in [-1, 1] and a raw
// score within min and max; an ISO 8601 duration; a registration UUID; revision and
// platform only on an activity; ISO 8601 timestamps.
func validateStatement(s map[string]any) error {
	if err := keysIn(s, "id", "actor", "verb", "object", "result", "context", "timestamp"); err != nil {
		return err
	}
	for _, k := range []string{"id", "actor", "verb", "object", "timestamp"} {
		if _, ok := s[k]; !ok {
			return fmt.Errorf("no %s", k)
		}
	}
	if id, _ := s["id"].(string); !uuidRE.MatchString(id) {
		return fmt.Errorf("id %q is not a UUID", id)
	}
	actor, ok := s["actor"].(map[string]any)
	if !ok {
		return fmt.Errorf("actor %v", s["actor"])
	}
	if err := keysIn(actor, "objectType", "name", "account"); err != nil {
		return fmt.Errorf("actor: %v (one identifier only)", err)
	}
	if actor["objectType"] != "Agent" {
		return fmt.Errorf("actor objectType %v", actor["objectType"])
	}
	if n, ok := actor["name"]; ok {
		if _, ok := n.(string); !ok {
			return fmt.Errorf("actor name %v", n)
		}
	}
	acct, ok := actor["account"].(map[string]any)
	if !ok {
		return specError("actor without an account")
	}
	if err := keysIn(acct, "homePage", "name"); err != nil {
		return err
	}
	if err := isIRI(acct["homePage"]); err != nil {
		return fmt.Errorf("account homePage: %v", err)
	}
	if n, _ := acct["name"].(string); n == "" {
		return specError("account without a name")
	}
	verb, ok := s["verb"].(map[string]any)
	if !ok {
		return specError("verb")
	}
	if err := keysIn(verb, "id", "display"); err != nil {
		return err
	}
	if err := isIRI(verb["id"]); err != nil {
		return fmt.Errorf("verb id: %v", err)
	}
	if err := isLangMap(verb["display"]); err != nil {
		return fmt.Errorf("verb display: %v", err)
	}
	if err := validateActivity(s["object"]); err != nil {
		return fmt.Errorf("object: %v", err)
	}
	if r, ok := s["result"]; ok {
		res, ok := r.(map[string]any)
		if !ok {
			return specError("result")
		}
		if err := keysIn(res, "score", "success", "completion", "response", "duration", "extensions"); err != nil {
			return err
		}
		if sc, ok := res["score"].(map[string]any); ok {
			if err := keysIn(sc, "scaled", "raw", "min", "max"); err != nil {
				return err
			}
			num := func(k string) (float64, bool) { f, ok := sc[k].(float64); return f, ok }
			if v, ok := num("scaled"); ok && (v < -1 || v > 1) {
				return fmt.Errorf("scaled score %v outside [-1, 1]", v)
			}
			lo, hasMin := num("min")
			hi, hasMax := num("max")
			if hasMin && hasMax && lo >= hi {
				return fmt.Errorf("score min %v not below max %v", lo, hi)
			}
			if raw, ok := num("raw"); ok && ((hasMin && raw < lo) || (hasMax && raw > hi)) {
				return fmt.Errorf("raw score %v outside [%v, %v]", raw, lo, hi)
			}
		}
		for _, k := range []string{"success", "completion"} {
			if v, ok := res[k]; ok {
				if _, ok := v.(bool); !ok {
					return fmt.Errorf("%s %v", k, v)
				}
			}
		}
		if v, ok := res["response"]; ok {
			if _, ok := v.(string); !ok {
				return fmt.Errorf("response %v", v)
			}
		}
		if v, ok := res["duration"]; ok {
			if d, _ := v.(string); !isoDuration.MatchString(d) || d == "P" || strings.HasSuffix(d, "T") {
				return fmt.Errorf("duration %q is not ISO 8601", d)
			}
		}
		if v, ok := res["extensions"]; ok {
			if err := isExtensions(v); err != nil {
				return err
			}
		}
	}
	if c, ok := s["context"]; ok {
		ctx, ok := c.(map[string]any)
		if !ok {
			return specError("context")
		}
		if err := keysIn(ctx, "registration", "instructor", "team", "contextActivities", "revision", "platform",
			"language", "statement", "extensions"); err != nil {
			return err
		}
		if r, ok := ctx["registration"]; ok {
			if id, _ := r.(string); !uuidRE.MatchString(id) {
				return fmt.Errorf("registration %v is not a UUID", r)
			}
		}
		if ca, ok := ctx["contextActivities"].(map[string]any); ok {
			if err := keysIn(ca, "parent", "grouping", "category", "other"); err != nil {
				return err
			}
			for k, v := range ca {
				list, ok := v.([]any)
				if !ok {
					return fmt.Errorf("contextActivities %s is not an array", k)
				}
				for _, a := range list {
					if err := validateActivity(a); err != nil {
						return fmt.Errorf("contextActivities %s: %v", k, err)
					}
				}
			}
		}
		if l, ok := ctx["language"]; ok {
			if ls, _ := l.(string); ls == "" {
				return fmt.Errorf("language %v", l)
			} else if _, err := language.Parse(ls); err != nil {
				return fmt.Errorf("language %q: %v", ls, err)
			}
		}
		for _, k := range []string{"revision", "platform"} {
			if _, ok := ctx[k]; ok {
				if obj, _ := s["object"].(map[string]any); obj["objectType"] != nil && obj["objectType"] != "Activity" {
					return fmt.Errorf("%s on a statement about a %v", k, obj["objectType"])
				}
			}
		}
		if v, ok := ctx["extensions"]; ok {
			if err := isExtensions(v); err != nil {
				return err
			}
		}
	}
	return isUTCTimestamp(s["timestamp"])
}

type specError string

func (e specError) Error() string { return string(e) }

// checkCMI5 checks the cmi5 result rules Indicia follows for completed, passed and
// failed: score only on passed and failed, scaled in [0, 1] and on the right side of the
// mastery score; success true on passed, false on failed, and nowhere else among them;
// completion true on completed only; a duration on all three.
func checkCMI5(s map[string]any) error {
	verb := s["verb"].(map[string]any)["id"]
	if verb != VerbCompleted && verb != VerbPassed && verb != VerbFailed {
		return nil
	}
	res, _ := s["result"].(map[string]any)
	if res == nil || res["duration"] == nil {
		return specError("no duration")
	}
	_, hasScore := res["score"]
	success, hasSuccess := res["success"]
	completion, hasCompletion := res["completion"]
	switch verb {
	case VerbCompleted:
		if hasScore || hasSuccess || completion != true {
			return specError("completed: completion true, no score, no success")
		}
	case VerbPassed, VerbFailed:
		if hasCompletion || !hasSuccess || success != (verb == VerbPassed) {
			return specError("passed/failed: success true/false, no completion")
		}
		ext, _ := s["context"].(map[string]any)["extensions"].(map[string]any)
		mastery, ok := ext[ExtMasteryScore].(float64)
		if !ok || mastery < 0 || mastery > 1 || math.Round(mastery*10000) != mastery*10000 {
			return fmt.Errorf("mastery score %v", ext[ExtMasteryScore])
		}
		if hasScore {
			scaled, ok := res["score"].(map[string]any)["scaled"].(float64)
			if !ok || scaled < 0 || scaled > 1 {
				return fmt.Errorf("scaled %v", scaled)
			}
			if (verb == VerbPassed) != (scaled >= mastery) {
				return fmt.Errorf("%v with scaled %v against mastery %v", verb, scaled, mastery)
			}
		}
	}
	return nil
}

// TestReviewAnswersBecomeStatements: an answer given in a spaced-review session is an
// "answered" statement of kind "review", with the learner's confidence, valid xAPI.
func TestReviewAnswersBecomeStatements(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	q := f.questions[0]
	if err := f.store.RecordReview(ctx, f.ann.ID, progress.ReviewAnswer{ModuleID: "core", QuestionID: q.ID, Indicator: q.Topic,
		Response: quiz.Response{Chosen: []string{q.Answer[0]}}, Correct: true, Confidence: quiz.Sure, Time: 7 * time.Second}); err != nil {
		t.Fatal(err)
	}
	x := &XAPI{Catalog: f.cat, Identity: f.id}
	stmts, err := x.Build(ctx, f.store)
	if err != nil {
		t.Fatal(err)
	}
	var review *Statement
	for i, s := range stmts {
		if s.Context != nil && s.Context.Extensions[ExtAttemptKind] == "review" {
			review = &stmts[i]
		}
	}
	if review == nil {
		t.Fatal("no statement for the review answer")
	}
	if review.Verb.ID != VerbAnswered || review.Result == nil || review.Result.Success == nil || !*review.Result.Success ||
		review.Result.Extensions[ExtConfidence] != int(quiz.Sure) || review.Context.Language != "nl" {
		t.Errorf("review statement %+v", review)
	}
	raw, _ := json.Marshal(review)
	var m map[string]any
	json.Unmarshal(raw, &m)
	if err := validateStatement(m); err != nil {
		t.Errorf("the review statement is not valid xAPI: %v", err)
	}
	again, _ := x.Build(ctx, f.store)
	found := false
	for _, s := range again {
		found = found || s.ID == review.ID
	}
	if !found {
		t.Error("the review statement's id is not stable")
	}
}

// addMeasurements adds to the fixture Cem, who takes the core pre-test (2 of 3 right),
// then its quiz and a refresher, and Dana, who skips the pre-test.
func (f *fixture) addMeasurements(t *testing.T) (cem, dana progress.Learner) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var err error
	cem, err = f.store.CreateLearner(ctx, progress.NewLearner{Name: "Cem Kaya", Role: "hospital", Language: "de", Cohort: "LGE-2026"})
	must(err)
	dana, err = f.store.CreateLearner(ctx, progress.NewLearner{Name: "Dana Lenaerts", Role: "guardian", Language: "en"})
	must(err)
	core, _ := f.cat.Module("core")
	bank := core.In("de").Bank
	take := func(kind progress.AttemptKind, qs []quiz.Question, wrong int) {
		t.Helper()
		plan := make(quiz.Plan, len(qs))
		for i, q := range qs {
			plan[i] = quiz.Draw{QuestionID: q.ID}
		}
		a, err := f.store.StartAttempt(ctx, progress.NewAttempt{LearnerID: cem.ID, ModuleID: "core", ContentVersion: core.Version,
			Language: "de", Plan: plan, PassMark: core.PassMark, Kind: kind})
		must(err)
		for i, q := range qs {
			r := rightResponse(q)
			if i == wrong {
				r = wrongResponse(q)
			}
			g, err := q.Grade(r)
			must(err)
			must(f.store.RecordAnswer(ctx, a.ID, progress.Answer{Position: i, QuestionID: q.ID, Response: r, Complete: true,
				Correct: g.Correct, Score: &g.Score, Time: 4 * time.Second, Confidence: quiz.Sure, Indicator: q.Topic}))
		}
		_, err = f.store.FinishAttempt(ctx, a.ID)
		must(err)
	}
	var measured []quiz.Question
	for _, q := range bank {
		if quiz.Measured(&q) && q.Kind != quiz.Spot && q.Kind != quiz.Scenario {
			measured = append(measured, q)
		}
	}
	take(progress.KindPretest, measured[:3], 1)
	take(progress.KindQuiz, measured[3:8], -1)
	take(progress.KindRefresher, measured[8:12], 0)
	_, err = f.store.SkipPretest(ctx, dana.ID, "core", core.Version, "en")
	must(err)
	return cem, dana
}

func TestXAPISaysWhichMeasurementEachAttemptIs(t *testing.T) {
	f := newFixture(t)
	cem, dana := f.addMeasurements(t)
	stmts, generic := f.build(t, false)
	byActor := map[string][]Statement{}
	for _, s := range stmts {
		byActor[s.Actor.Account.Name] = append(byActor[s.Actor.Account.Name], s)
	}
	cemName, danaName := f.id.AccountName(cem.ID), f.id.AccountName(dana.ID)
	// Cem: 3 pre-test answers, completed and scored; 5 quiz answers, completed, passed;
	// 4 refresher answers, completed, failed (3 of 4 is below the mark).
	want := map[string]map[string]int{
		"before": {VerbAnswered: 3, VerbCompleted: 1, VerbScored: 1},
		"after":  {VerbAnswered: 5, VerbCompleted: 1, VerbPassed: 1},
		"kept":   {VerbAnswered: 4, VerbCompleted: 1, VerbFailed: 1},
	}
	got := map[string]map[string]int{"before": {}, "after": {}, "kept": {}}
	types := map[string]string{"before": ActivityPretestAttempt, "after": ActivityQuizAttempt, "kept": ActivityRefresherAttempt}
	kinds := map[string]string{"before": "pretest", "after": "quiz", "kept": "refresher"}
	for _, s := range byActor[cemName] {
		m, _ := s.Context.Extensions[ExtMeasurement].(string)
		if got[m] == nil {
			t.Errorf("%s: measurement %q", s.Verb.ID, m)
			continue
		}
		got[m][s.Verb.ID]++
		if s.Context.Extensions[ExtAttemptKind] != kinds[m] {
			t.Errorf("%s %s: attempt kind %v", m, s.Verb.ID, s.Context.Extensions[ExtAttemptKind])
		}
		// The attempt, of its kind's type: the parent of an answer, the grouping of the
		// others, or (a pre-test's completed and scored) the object itself.
		var attempt *Activity
		switch {
		case s.Verb.ID == VerbAnswered:
			attempt = &s.Context.ContextActivities.Parent[0]
		case m == "before":
			attempt = &s.Object
		default:
			attempt = &s.Context.ContextActivities.Grouping[0]
		}
		if attempt.Definition.Type != types[m] {
			t.Errorf("%s %s: attempt activity of type %q", m, s.Verb.ID, attempt.Definition.Type)
		}
	}
	for m := range want {
		for v, n := range want[m] {
			if got[m][v] != n {
				t.Errorf("%s: %d %s, want %d (all: %v)", m, got[m][v], v, n, got[m])
			}
		}
	}
	for _, s := range byActor[cemName] {
		if s.Context.Extensions[ExtMeasurement] != "before" || s.Verb.ID == VerbAnswered {
			continue
		}
		if s.Object.Definition.Name["de"] == "" || !strings.HasPrefix(s.Object.Definition.Name["de"], "Vortest: ") {
			t.Errorf("the pre-test's name %v", s.Object.Definition.Name)
		}
		if s.Verb.ID == VerbScored {
			sc := s.Result.Score
			if s.Result.Success != nil || sc == nil || *sc.Raw != 2 || *sc.Max != 3 || *sc.Scaled != roundScaled(2.0/3) {
				t.Errorf("the pre-test's score %+v, success %v", sc, s.Result.Success)
			}
		}
		if s.Verb.ID == VerbCompleted && (s.Result.Score != nil || s.Result.Success != nil) {
			t.Errorf("the pre-test completed with %+v", s.Result)
		}
	}
	// Dana: one statement, skipped, with no result.
	if d := byActor[danaName]; len(d) != 1 || d[0].Verb.ID != VerbSkipped || d[0].Result != nil ||
		d[0].Context.Extensions[ExtMeasurement] != "before" || d[0].Object.Definition.Type != ActivityPretestAttempt {
		t.Errorf("Dana's statements %+v", d)
	}
	// The measurement is on every attempt statement, the quiz's of the fixture too.
	for i, s := range stmts {
		_, isAttempt := s.Context.Extensions[ExtAttemptKind]
		_, hasMeasurement := s.Context.Extensions[ExtMeasurement]
		if isAttempt && s.Context.Extensions[ExtAttemptKind] != "review" && !hasMeasurement {
			t.Errorf("statement %d (%s) says no measurement", i, s.Verb.ID)
		}
	}
	for i, s := range generic {
		if err := validateStatement(s); err != nil {
			j, _ := json.MarshalIndent(s, "", "  ")
			t.Fatalf("statement %d is not valid xAPI 1.0.3: %v\n%s", i, err, j)
		}
		if err := checkCMI5(s); err != nil {
			j, _ := json.MarshalIndent(s, "", "  ")
			t.Fatalf("statement %d breaks a cmi5 rule: %v\n%s", i, err, j)
		}
	}
}
