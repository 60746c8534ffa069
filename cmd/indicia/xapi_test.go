package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"indicia/app/progress"
	"indicia/modules"
	"indicia/quiz"
)

// xapiTestDB writes a database in which one learner read a lesson and passed the core
// quiz, and another started a lesson. more adds one more lesson read.
func xapiTestDB(t *testing.T) (path string, more func()) {
	t.Helper()
	ctx := context.Background()
	path = filepath.Join(t.TempDir(), "indicia.db")
	cat, err := modules.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	core, _ := cat.Module("core")
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
	ann, err := s.CreateLearner(ctx, progress.NewLearner{Name: "Ann Peeters", Role: "police", Language: "nl", Cohort: "ANT-1"})
	must(err)
	bob, err := s.CreateLearner(ctx, progress.NewLearner{Name: "Bob Dupont", Role: "guardian", Language: "fr"})
	must(err)
	lessons := core.In("fr").Lessons
	must(s.SaveLesson(ctx, ann.ID, "core", lessons[0].ID, 4, 3*time.Minute, true))
	must(s.SaveLesson(ctx, bob.ID, "core", lessons[0].ID, 1, time.Minute, false))
	bank := core.In("nl").Bank
	var qs []quiz.Question
	for _, q := range bank {
		if q.Kind != quiz.Scenario && len(qs) < 3 {
			qs = append(qs, q)
		}
	}
	plan := make(quiz.Plan, len(qs))
	for i, q := range qs {
		plan[i] = quiz.Draw{QuestionID: q.ID}
	}
	a, err := s.StartAttempt(ctx, progress.NewAttempt{LearnerID: ann.ID, ModuleID: "core", ContentVersion: core.Version, Language: "nl", Plan: plan, PassMark: core.PassMark})
	must(err)
	for i, q := range qs {
		r := quiz.Response{Chosen: q.Answer}
		if q.Kind == quiz.Ordering {
			r = quiz.Response{Order: q.Answer}
		}
		if q.Kind == quiz.Matching {
			r = quiz.Response{Pairs: q.Pairs}
		}
		must(s.RecordAnswer(ctx, a.ID, progress.Answer{Position: i, QuestionID: q.ID, Response: r, Complete: true, Correct: true, Time: 7 * time.Second}))
	}
	_, err = s.FinishAttempt(ctx, a.ID)
	must(err)
	return path, func() {
		t.Helper()
		s, err := progress.Open(ctx, path)
		must(err)
		defer s.Close()
		must(s.SaveLesson(ctx, bob.ID, "core", lessons[1].ID, 0, time.Minute, false))
	}
}

func runXAPI(args ...string) (code int, stdout, stderr string) {
	var out, errs bytes.Buffer
	code = run(append([]string{"xapi"}, args...), &out, &errs)
	return code, out.String(), errs.String()
}

func TestXAPIExportCommand(t *testing.T) {
	db, _ := xapiTestDB(t)
	out := filepath.Join(t.TempDir(), "statements.json")
	code, stdout, stderr := runXAPI("export", "--db", db, "--out", out, "--lang", "en")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Ann: lesson launched + completed, 3 answered, completed + passed; Bob: launched.
	if stdout != "8 xAPI statements written to "+out+"\n" {
		t.Errorf("stdout %q", stdout)
	}
	read := func() []map[string]any {
		t.Helper()
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var stmts []map[string]any
		if err := json.Unmarshal(data, &stmts); err != nil {
			t.Fatalf("not a JSON array of statements: %v", err)
		}
		return stmts
	}
	stmts := read()
	if len(stmts) != 8 {
		t.Fatalf("%d statements", len(stmts))
	}
	var ids []string
	for _, s := range stmts {
		ids = append(ids, s["id"].(string))
		actor := s["actor"].(map[string]any)
		if _, named := actor["name"]; named || strings.Contains(string(must(json.Marshal(s))), "Peeters") {
			t.Errorf("a learner's name without --names: %v", actor)
		}
	}
	st, err := os.Stat(db + ".xapi-secret")
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v", st.Mode().Perm())
	}

	// With names: the same statements, named.
	if code, _, stderr := runXAPI("export", "--db", db, "--out", out, "--names", "--lang", "fr"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	named := read()
	for i, s := range named {
		if s["id"] != ids[i] {
			t.Errorf("statement %d: id %v, was %s", i, s["id"], ids[i])
		}
		if n := s["actor"].(map[string]any)["name"]; n != "Ann Peeters" && n != "Bob Dupont" {
			t.Errorf("statement %d: actor name %v", i, n)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestXAPIBadInput(t *testing.T) {
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "en_GB.UTF-8") // messages before --lang is read
	db, _ := xapiTestDB(t)
	foreign := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(foreign, []byte("not a database"), 0o644)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	os.WriteFile(out, []byte("old"), 0o644)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "usage: indicia xapi"},
		{"unknown subcommand", []string{"import"}, "usage: indicia xapi"},
		{"unknown flag", []string{"export", "--db", db, "--out", out, "--format", "csv"}, "flag provided but not defined"},
		{"no --out", []string{"export", "--db", db}, "--out FILE.json"},
		{"no database", []string{"export", "--db", filepath.Join(dir, "none.db"), "--out", out}, "there is no database"},
		{"bad language", []string{"export", "--db", db, "--out", out, "--lang", "es"}, "unknown language"},
		{"no folder", []string{"export", "--db", db, "--out", filepath.Join(dir, "no", "such", "x.json")}, "cannot write in the folder"},
		{"database as output", []string{"export", "--db", db, "--out", db}, "overwrite the database"},
		{"extra argument", []string{"export", "--db", db, "--out", out, "more"}, "usage: indicia xapi"},
		{"not a database", []string{"export", "--db", foreign, "--out", filepath.Join(dir, "x.json")}, "not an Indicia data file"},
		{"no endpoint", []string{"send", "--db", db}, "--endpoint"},
		{"bad endpoint", []string{"send", "--db", db, "--endpoint", "lrs.example.org/xapi"}, "not an http or https address"},
		{"credentials in the endpoint", []string{"send", "--db", db, "--endpoint", "https://u:p@lrs.example.org/xapi"}, "not an http or https address"},
		{"bad batch", []string{"send", "--db", db, "--endpoint", "https://lrs.example.org/xapi", "--batch", "0"}, "--batch"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if !slices.Contains(args, "--lang") {
				args = append(slices.Clip(args), "--lang=en")
			}
			code, stdout, stderr := runXAPI(args...)
			if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") ||
				!strings.Contains(stderr, tt.want) || strings.Contains(stderr, "panic") {
				t.Errorf("exit %d, stdout %q, stderr %q (want one line with %q)", code, stdout, stderr, tt.want)
			}
		})
	}
	if data, _ := os.ReadFile(out); string(data) != "old" {
		t.Errorf("the output file was changed: %q", data)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "out.json" {
			t.Errorf("left in the output folder: %s", e.Name())
		}
	}
	if code, stdout, _ := runXAPI("--help"); code != 0 || !strings.Contains(stdout, "xapi send") {
		t.Errorf("help: %d %q", code, stdout)
	}
}

// testLRSServer is a statement resource that wants Basic credentials trainer/s3cret and
// keeps statements by id (409 for an id it has with other content).
func testLRSServer(t *testing.T) (*httptest.Server, func() int) {
	var mu sync.Mutex
	stored := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if u, p, ok := r.BasicAuth(); !ok || u != "trainer" || p != "s3cret" {
			http.Error(w, "bad credentials", http.StatusUnauthorized)
			return
		}
		if r.URL.Path != "/xapi/statements" || r.Header.Get("X-Experience-API-Version") != "1.0.3" {
			http.NotFound(w, r)
			return
		}
		var batch []json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var ids []string
		for _, s := range batch {
			var head struct{ ID string }
			json.Unmarshal(s, &head)
			if old, ok := stored[head.ID]; ok && old != string(s) {
				http.Error(w, "conflict", http.StatusConflict)
				return
			}
			ids = append(ids, head.ID)
		}
		for i, s := range batch {
			stored[ids[i]] = string(s)
		}
		json.NewEncoder(w).Encode(ids)
	}))
	t.Cleanup(srv.Close)
	return srv, func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(stored)
	}
}

func TestXAPISendCommand(t *testing.T) {
	srv, count := testLRSServer(t)
	endpoint := srv.URL + "/xapi"

	// Wrong credentials: a clear one-line error, and everything waits in the outbox.
	db, _ := xapiTestDB(t)
	code, stdout, stderr := runXAPI("send", "--db", db, "--endpoint", endpoint, "--user", "trainer", "--password", "nope", "--lang", "en")
	if code != 1 || stdout != "sent: 0, already in the LRS: 0, failed: 8, still waiting in the outbox: 8\n" ||
		!strings.Contains(stderr, "refused the user name or password") || !strings.HasSuffix(stderr, "(401 Unauthorized from "+endpoint+"/statements): check the user name and password: bad credentials)\n") ||
		count() != 0 {
		t.Fatalf("wrong password: exit %d\n%s%s", code, stdout, stderr)
	}

	// Credentials from the environment, on another database.
	t.Setenv("INDICIA_LRS_USER", "trainer")
	t.Setenv("INDICIA_LRS_PASSWORD", "s3cret")
	db, more := xapiTestDB(t)
	code, stdout, stderr = runXAPI("send", "--db", db, "--endpoint", endpoint, "--batch", "3", "--lang", "en")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if stdout != "sent: 8, already in the LRS: 0, failed: 0, still waiting in the outbox: 0\n" || count() != 8 {
		t.Errorf("stdout %q, %d in the LRS", stdout, count())
	}
	// What was queued is said; the progress of the sending goes to a terminal only, and
	// stderr is not one here.
	if !strings.Contains(stderr, "8 statements built, 8 new in the outbox, 8 to send now") ||
		strings.Contains(stderr, "statements sent") {
		t.Errorf("progress on stderr:\n%s", stderr)
	}

	// Again: nothing new, nothing sent.
	code, stdout, stderr = runXAPI("send", "--db", db, "--endpoint", endpoint, "--lang", "en")
	if code != 0 || stdout != "sent: 0, already in the LRS: 0, failed: 0, still waiting in the outbox: 0\n" ||
		!strings.Contains(stderr, "8 statements built, 0 new in the outbox, 0 to send now") {
		t.Errorf("second send: exit %d\n%s%s", code, stdout, stderr)
	}
	// A lesson more: only its statement goes.
	more()
	code, stdout, _ = runXAPI("send", "--db", db, "--endpoint", endpoint, "--lang", "en")
	if code != 0 || stdout != "sent: 1, already in the LRS: 0, failed: 0, still waiting in the outbox: 0\n" || count() != 9 {
		t.Errorf("after a new lesson: exit %d %q, %d in the LRS", code, stdout, count())
	}
}

func TestXAPISendKnownStatements(t *testing.T) {
	// The LRS already has these ids with other content (sent before with names): they
	// are "already there", not sent again, and the run succeeds.
	db, _ := xapiTestDB(t)
	srv, count := testLRSServer(t)
	t.Setenv("INDICIA_LRS_USER", "trainer")
	t.Setenv("INDICIA_LRS_PASSWORD", "s3cret")
	// The same station elsewhere: a copy of the database and of its identity file.
	dir := t.TempDir()
	if code, _, stderr := runXAPI("export", "--db", db, "--out", filepath.Join(dir, "x.json")); code != 0 {
		t.Fatal(stderr)
	}
	copyDB := filepath.Join(dir, "copy.db")
	for _, suffix := range []string{"", ".xapi-secret"} {
		data, err := os.ReadFile(db + suffix)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(copyDB+suffix, data, 0o600)
	}
	if code, stdout, stderr := runXAPI("send", "--db", copyDB, "--endpoint", srv.URL+"/xapi", "--names", "--lang", "en"); code != 0 || count() != 8 {
		t.Fatalf("send with names: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := runXAPI("send", "--db", db, "--endpoint", srv.URL+"/xapi", "--lang", "en")
	if code != 0 || stdout != "sent: 0, already in the LRS: 8, failed: 0, still waiting in the outbox: 0\n" || count() != 8 {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
}
