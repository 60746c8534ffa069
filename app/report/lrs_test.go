package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"indicia/app/progress"
)

// fakeLRS is a small statement resource: it keeps statements by id, answers 409 to a
// batch holding an id it has with other content, and can be told to fail.
type fakeLRS struct {
	mu       sync.Mutex
	stored   map[string]string
	requests int
	// fail, when set, may answer a request instead (n counts requests from 1): it
	// returns the status to answer, 0 to answer normally, or -1 when it has answered.
	fail func(n int, w http.ResponseWriter, r *http.Request) int
	// reject refuses, with 400, a batch that holds this id.
	reject string
	seen   []*http.Request
}

func newFakeLRS(t *testing.T) (*fakeLRS, *httptest.Server) {
	f := &fakeLRS{stored: map[string]string{}}
	srv := httptest.NewServer(f) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeLRS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	f.seen = append(f.seen, r)
	if f.fail != nil {
		switch code := f.fail(f.requests, w, r); {
		case code < 0: // answered already
			return
		case code > 0:
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"message":"failure %d"}`, f.requests)
			return
		}
	}
	if r.URL.Path != "/xapi/statements" || r.Method != http.MethodPost {
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
		if head.ID == f.reject {
			http.Error(w, "statement "+head.ID+" is bad", http.StatusBadRequest)
			return
		}
		if old, ok := f.stored[head.ID]; ok && old != string(s) {
			http.Error(w, head.ID+" is conflicting", http.StatusConflict)
			return
		}
		ids = append(ids, head.ID)
	}
	for i, s := range batch {
		f.stored[ids[i]] = string(s)
	}
	json.NewEncoder(w).Encode(ids)
}

func testStatements(n int, prefix string) []progress.OutboxStatement {
	out := make([]progress.OutboxStatement, n)
	for i := range out {
		id := fmt.Sprintf("%s-%04d", prefix, i)
		out[i] = progress.OutboxStatement{ID: id, Statement: json.RawMessage(fmt.Sprintf(`{"id":%q,"n":%d}`, id, i))}
	}
	return out
}

// recordSleeps makes the client's waits instant and records them.
func recordSleeps(c *LRS) *[]time.Duration {
	var waits []time.Duration
	c.Sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	return &waits
}

func testLRS(t *testing.T, srv *httptest.Server) *LRS {
	t.Helper()
	c, err := NewLRS(srv.URL+"/xapi/", "trainer", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseDelay, c.MaxDelay = time.Second, 8*time.Second
	return c
}

func TestLRSRetriesWithBackoffThenSends(t *testing.T) {
	f, srv := newFakeLRS(t)
	f.fail = func(n int, w http.ResponseWriter, r *http.Request) int {
		switch n {
		case 1:
			return http.StatusServiceUnavailable
		case 2:
			// A dropped connection: a network error.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return -1
		}
		return 0
	}
	c := testLRS(t, srv)
	waits := recordSleeps(c)
	stmts := testStatements(3, "a")
	res, err := c.Send(context.Background(), stmts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Stored) != 3 || len(res.Known) != 0 || len(f.stored) != 3 || f.requests != 3 {
		t.Fatalf("result %+v, %d stored, %d requests", res, len(f.stored), f.requests)
	}
	// Two waits, the second about twice the first: [base/2, base], then [base, 2 base].
	if len(*waits) != 2 || (*waits)[0] < 500*time.Millisecond || (*waits)[0] > time.Second ||
		(*waits)[1] < time.Second || (*waits)[1] > 2*time.Second {
		t.Errorf("waits %v", *waits)
	}
	r := f.seen[2]
	user, pass, ok := r.BasicAuth()
	if !ok || user != "trainer" || pass != "s3cret" || r.Header.Get("X-Experience-API-Version") != "1.0.3" ||
		r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request headers %v", r.Header)
	}
}

func TestLRSGivesUpAndHonoursRetryAfter(t *testing.T) {
	f, srv := newFakeLRS(t)
	f.fail = func(n int, w http.ResponseWriter, r *http.Request) int {
		w.Header().Set("Retry-After", "5")
		return http.StatusTooManyRequests
	}
	c := testLRS(t, srv)
	c.Tries = 4
	waits := recordSleeps(c)
	res, err := c.Send(context.Background(), testStatements(2, "b"))
	if !errors.Is(err, ErrLRSUnavailable) || !strings.Contains(err.Error(), "429") || len(res.Stored) != 0 {
		t.Fatalf("after 4 failures: %+v %v", res, err)
	}
	if f.requests != 4 || len(*waits) != 3 {
		t.Fatalf("%d requests, waits %v", f.requests, *waits)
	}
	for i, w := range *waits {
		// Retry-After (5 s) when longer than the backoff; the backoff (up to 4 s, then 8 s)
		// otherwise; never past MaxDelay.
		if w < 5*time.Second || w > 8*time.Second {
			t.Errorf("wait %d: %v", i, w)
		}
	}
	if d := retryAfter("Wed, 21 Oct 2015 07:28:10 GMT", time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)); d != 10*time.Second {
		t.Errorf("Retry-After date: %v", d)
	}
}

func TestLRSStopsOnAuthErrors(t *testing.T) {
	for _, code := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		f, srv := newFakeLRS(t)
		f.fail = func(int, http.ResponseWriter, *http.Request) int { return code }
		c := testLRS(t, srv)
		waits := recordSleeps(c)
		_, err := c.Send(context.Background(), testStatements(5, "c"))
		if !errors.Is(err, ErrLRSAuth) || !strings.Contains(err.Error(), fmt.Sprint(code)) || !strings.Contains(err.Error(), "user name and password") {
			t.Errorf("%d: %v", code, err)
		}
		if f.requests != 1 || len(*waits) != 0 {
			t.Errorf("%d: %d requests, waits %v", code, f.requests, *waits)
		}
	}
}

func TestLRSBadEndpoint(t *testing.T) {
	_, srv := newFakeLRS(t)
	c, _ := NewLRS(srv.URL+"/elsewhere", "", "")
	recordSleeps(c)
	if _, err := c.Send(context.Background(), testStatements(1, "d")); !errors.Is(err, ErrLRSEndpoint) || !strings.Contains(err.Error(), "404") {
		t.Errorf("404: %v", err)
	}
	for _, bad := range []string{"", "lrs.example.org/xapi", "ftp://x/y", "http://user:pw@host/xapi", "http:///xapi"} {
		if _, err := NewLRS(bad, "", ""); err == nil {
			t.Errorf("endpoint %q accepted", bad)
		}
	}
}

func TestLRSConflictAndRejectionGoOneByOne(t *testing.T) {
	f, srv := newFakeLRS(t)
	c := testLRS(t, srv)
	recordSleeps(c)
	ctx := context.Background()
	stmts := testStatements(5, "e")
	if _, err := c.Send(ctx, stmts[:2]); err != nil {
		t.Fatal(err)
	}
	// The same two again (the LRS takes identical statements), one changed, and new ones.
	again := append([]progress.OutboxStatement{}, stmts...)
	again[1].Statement = json.RawMessage(`{"id":"e-0001","changed":true}`)
	f.reject = "e-0003"
	f.requests = 0
	res, err := c.Send(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Stored) != "[e-0000 e-0002 e-0004]" || fmt.Sprint(res.Known) != "[e-0001]" ||
		len(res.Rejected) != 1 || res.Rejected[0].ID != "e-0003" || !strings.Contains(res.Rejected[0].Reason, "400") {
		t.Errorf("result %+v", res)
	}
	if f.requests != 1+5 {
		t.Errorf("%d requests", f.requests)
	}
	if len(f.stored) != 4 {
		t.Errorf("%d stored", len(f.stored))
	}
}

func TestSendOutbox(t *testing.T) {
	f, srv := newFakeLRS(t)
	c := testLRS(t, srv)
	waits := recordSleeps(c)
	store := openStore(t)
	ctx := context.Background()
	if _, err := store.Enqueue(ctx, testStatements(25, "f")); err != nil {
		t.Fatal(err)
	}

	// The LRS is down for batch 2: the first batch is sent, the rest wait.
	f.fail = func(n int, w http.ResponseWriter, r *http.Request) int {
		if n >= 2 {
			return http.StatusBadGateway
		}
		return 0
	}
	c.Tries = 2
	var batches []SendSummary
	sum, err := SendOutbox(ctx, store, c, 10, func(s SendSummary) { batches = append(batches, s) })
	if !errors.Is(err, ErrLRSUnavailable) {
		t.Fatalf("send while down: %v", err)
	}
	if sum != (SendSummary{Sent: 10, Failed: 10, Waiting: 15}) || len(batches) != 2 || len(*waits) != 1 {
		t.Errorf("summary %+v, batches %v, waits %v", sum, batches, *waits)
	}
	entries, _ := store.OutboxEntries(ctx)
	if e := entries[10]; e.Attempts != 1 || !strings.Contains(e.LastError, "502") || !e.SentAt.IsZero() {
		t.Errorf("a failed statement: %+v", e)
	}

	// Back up: what is due goes (the failed batch waits for its retry time).
	f.fail = nil
	sum, err = SendOutbox(ctx, store, c, 10, nil)
	if err != nil || sum != (SendSummary{Sent: 5, Waiting: 10}) {
		t.Errorf("second run: %+v %v", sum, err)
	}
	// Nothing is sent twice.
	f.requests = 0
	sum, err = SendOutbox(ctx, store, c, 10, nil)
	if err != nil || sum != (SendSummary{Waiting: 10}) || f.requests != 0 {
		t.Errorf("third run: %+v %v, %d requests", sum, err, f.requests)
	}

	// Wrong credentials stop the run, and the statements stay in the outbox.
	other := openStore(t)
	other.Enqueue(ctx, testStatements(3, "g"))
	f.fail = func(int, http.ResponseWriter, *http.Request) int { return http.StatusUnauthorized }
	sum, err = SendOutbox(ctx, other, c, 10, nil)
	if !errors.Is(err, ErrLRSAuth) || sum != (SendSummary{Failed: 3, Waiting: 3}) {
		t.Errorf("401: %+v %v", sum, err)
	}
}

func TestSendOutboxKnownStatements(t *testing.T) {
	f, srv := newFakeLRS(t)
	c := testLRS(t, srv)
	store := openStore(t)
	ctx := context.Background()
	stmts := testStatements(4, "h")
	// Another station (or an earlier export) put two of these ids in the LRS with other
	// content.
	f.stored["h-0001"] = `{"other":1}`
	f.stored["h-0002"] = `{"other":2}`
	store.Enqueue(ctx, stmts)
	sum, err := SendOutbox(ctx, store, c, 0, nil)
	if err != nil || sum != (SendSummary{Sent: 2, AlreadyThere: 2}) {
		t.Errorf("%+v %v", sum, err)
	}
	if counts, _ := store.Outbox(ctx); counts.Sent != 4 {
		t.Errorf("outbox %+v", counts)
	}
	if f.stored["h-0001"] != `{"other":1}` {
		t.Error("a stored statement was replaced")
	}
}
