//go:build unix

package report

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"indicia/app/progress"
)

// The real Learning Record Store the tests send to: LearningLocker's statement service,
// from npm, installed once into <repo>/.cache/lrs (not committed) and started by
// testdata/lrs/server.js on 127.0.0.1 with in-memory storage.
const lrsPackage, lrsVersion = "xapi-statements", "5.0.1"

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// needTool finds a program the real-LRS test needs: without it the test is skipped, or
// fails under CI, where everything must run.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed, and CI must run the real-LRS test (install Node.js and npm)", name)
	}
	t.Skipf("%s is not installed: skipping the test against a real LRS (install Node.js and npm to run it)", name)
	return ""
}

var installLRS sync.Mutex

// lrsModules installs the LRS package when missing and returns its node_modules folder.
func lrsModules(t *testing.T) string {
	t.Helper()
	installLRS.Lock()
	defer installLRS.Unlock()
	prefix := filepath.Join(repoRoot(t), ".cache", "lrs")
	modules := filepath.Join(prefix, "node_modules")
	installed := func() bool {
		var pkg struct{ Version string }
		data, err := os.ReadFile(filepath.Join(modules, lrsPackage, "package.json"))
		if err != nil || json.Unmarshal(data, &pkg) != nil || pkg.Version != lrsVersion {
			return false
		}
		_, err = os.Stat(filepath.Join(modules, "express", "package.json"))
		return err == nil
	}
	if installed() {
		return modules
	}
	npm := needTool(t, "npm")
	if err := os.MkdirAll(prefix, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(npm, "install", "--no-audit", "--no-fund", "--prefix", prefix, lrsPackage+"@"+lrsVersion)
	cmd.Dir = prefix
	out, err := cmd.CombinedOutput()
	if err != nil || !installed() {
		t.Fatalf("npm install %s@%s: %v\n%s", lrsPackage, lrsVersion, err, out)
	}
	return modules
}

// startLRS starts the real LRS and returns its xAPI endpoint. The server, and anything
// it started, is stopped when the test ends.
func startLRS(t *testing.T) string {
	t.Helper()
	modules := lrsModules(t)
	node := needTool(t, "node")
	script, err := filepath.Abs(filepath.Join("testdata", "lrs", "server.js"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script, modules, t.TempDir())
	cmd.Dir = t.TempDir() // the package reads a .env file from its working folder
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe() // the server also stops when this closes
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The server prints "listening http://127.0.0.1:<port>" once it accepts requests.
	line := make(chan string, 1)
	exited := make(chan struct{})
	go func() {
		out := bufio.NewReader(stdout)
		s, _ := out.ReadString('\n')
		line <- strings.TrimSpace(s)
		io.Copy(io.Discard, out)
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		stdin.Close()
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	})

	var base string
	select {
	case l := <-line:
		var ok bool
		if base, ok = strings.CutPrefix(l, "listening "); !ok {
			<-exited
			t.Fatalf("the LRS did not start: %q\n%s", l, stderr.String())
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("the LRS did not start\n%s", stderr.String())
	}
	if u, err := url.Parse(base); err != nil || u.Hostname() != "127.0.0.1" {
		t.Fatalf("the LRS listens on %q, not on 127.0.0.1", base)
	}
	endpoint := base + "/xAPI"

	// Wait until it answers.
	for i := 0; ; i++ {
		req, _ := http.NewRequest(http.MethodGet, endpoint+"/about", nil)
		req.Header.Set("X-Experience-API-Version", XAPIVersion)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if i == 300 {
			t.Fatalf("the LRS does not answer: %v\n%s", err, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return endpoint
}

// readBack gets every statement the LRS holds, following "more".
func readBack(t *testing.T, endpoint string) []map[string]any {
	t.Helper()
	var all []map[string]any
	next := endpoint + "/statements?limit=50"
	for next != "" {
		req, _ := http.NewRequest(http.MethodGet, next, nil)
		req.Header.Set("X-Experience-API-Version", XAPIVersion)
		req.SetBasicAuth("trainer", "s3cret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Statements []map[string]any
			More       string
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", next, resp.StatusCode, err)
		}
		all = append(all, page.Statements...)
		next = ""
		if page.More != "" {
			u, _ := url.Parse(endpoint)
			m, err := u.Parse(page.More)
			if err != nil {
				t.Fatalf("more %q: %v", page.More, err)
			}
			next = m.String()
		}
	}
	return all
}

func TestRealLRS(t *testing.T) {
	endpoint := startLRS(t)
	f := newFixture(t)
	// The three measurements too: a pre-test (completed, scored), a skipped one, a quiz
	// and a refresher, each with its measurement extension and attempt activity type.
	f.addMeasurements(t)
	ctx := context.Background()
	stmts, _ := f.build(t, false)
	entries, err := OutboxStatements(stmts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Enqueue(ctx, entries); err != nil {
		t.Fatal(err)
	}
	c, err := NewLRS(endpoint, "trainer", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	// Small batches, so that several go.
	sum, err := SendOutbox(ctx, f.store, c, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum != (SendSummary{Sent: len(stmts)}) {
		t.Fatalf("first send: %+v of %d", sum, len(stmts))
	}

	check := func(when string) {
		t.Helper()
		got := readBack(t, endpoint)
		if len(got) != len(stmts) {
			t.Fatalf("%s: the LRS holds %d statements, %d were built", when, len(got), len(stmts))
		}
		verbs := map[string]string{}
		for _, s := range got {
			verbs[s["id"].(string)] = s["verb"].(map[string]any)["id"].(string)
		}
		for _, s := range stmts {
			if verbs[s.ID] != s.Verb.ID {
				t.Errorf("%s: statement %s has verb %q in the LRS, %q built", when, s.ID, verbs[s.ID], s.Verb.ID)
			}
		}
	}
	check("after the first send")

	// Built and sent again: the LRS takes identical statements without storing them twice.
	again, _ := f.build(t, false)
	entries, _ = OutboxStatements(again)
	res, err := c.Send(ctx, entries)
	if err != nil || len(res.Stored)+len(res.Known) != len(stmts) || len(res.Rejected) != 0 {
		t.Fatalf("second send: %d stored, %d known, %v rejected, %v", len(res.Stored), len(res.Known), res.Rejected, err)
	}
	check("after sending again")

	// The same ids with other content (the learners' names added): 409, so "already
	// there", one by one, and nothing replaced.
	named, _ := f.build(t, true)
	entries, _ = OutboxStatements(named[:5])
	res, err = c.Send(ctx, entries)
	if err != nil || len(res.Known) != 5 || len(res.Stored) != 0 {
		t.Fatalf("send with names: %+v %v", res, err)
	}
	check("after sending changed statements")
	for _, s := range readBack(t, endpoint) {
		if _, named := s["actor"].(map[string]any)["name"]; named {
			t.Fatal("a stored statement was replaced")
		}
	}

	// The outbox has them all as sent: nothing goes again.
	if sum, err := SendOutbox(ctx, f.store, c, 7, nil); err != nil || sum != (SendSummary{}) {
		t.Errorf("third send: %+v %v", sum, err)
	}
	if counts, _ := f.store.Outbox(ctx); counts != (progress.OutboxCounts{Sent: len(stmts)}) {
		t.Errorf("outbox %+v", counts)
	}

	// A statement the LRS finds invalid is refused, and the others still go.
	bad := progress.OutboxStatement{ID: "5b0e5a43-4b6b-5c5e-8f5e-0a0b0c0d0e0f",
		Statement: json.RawMessage(`{"id":"5b0e5a43-4b6b-5c5e-8f5e-0a0b0c0d0e0f","actor":{"objectType":"Agent"},"verb":{"id":"not an iri"},"object":{"id":"x"}}`)}
	x := &XAPI{Catalog: f.cat, Identity: mustIdentity(t)}
	fresh, _ := x.Build(ctx, f.store)
	entries, _ = OutboxStatements(fresh[:3])
	res, err = c.Send(ctx, append(entries, bad))
	if err != nil || len(res.Stored) != 3 || len(res.Rejected) != 1 || res.Rejected[0].ID != bad.ID {
		t.Errorf("a bad statement among good ones: %+v %v", res, err)
	}

}

// mustIdentity is a new station's identity.
func mustIdentity(t *testing.T) *XAPIIdentity {
	t.Helper()
	id, err := LoadXAPIIdentity(filepath.Join(t.TempDir(), "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	return id
}
