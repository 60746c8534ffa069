package progress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

// fixedClock makes the store's clock settable.
func fixedClock(s *Store, start time.Time) func(time.Duration) {
	now := start
	s.now = func() time.Time { return now }
	return func(d time.Duration) { now = now.Add(d) }
}

func stmts(ids ...string) []OutboxStatement {
	out := make([]OutboxStatement, len(ids))
	for i, id := range ids {
		out[i] = OutboxStatement{ID: id, Statement: json.RawMessage(fmt.Sprintf(`{"id":%q}`, id))}
	}
	return out
}

func ids(es []OutboxEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func TestOutboxEnqueueIsIdempotentAndKeepsOrder(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	advance := fixedClock(s, time.UnixMilli(1_700_000_000_000))

	n, err := s.Enqueue(ctx, stmts("c", "a", "b"))
	if err != nil || n != 3 {
		t.Fatalf("enqueue: %d %v", n, err)
	}
	if err := s.MarkSent(ctx, []string{"b"}); err != nil {
		t.Fatal(err)
	}
	advance(time.Second)
	// The same ids again, two with other content, and a new one: the unsent statement
	// takes the new content, the sent one keeps what was sent, nothing moves.
	again := stmts("a", "d", "b", "c")
	again[0].Statement = json.RawMessage(`{"id":"a","changed":true}`)
	again[2].Statement = json.RawMessage(`{"id":"b","changed":true}`)
	for _, want := range []int{1, 0} {
		if n, err := s.Enqueue(ctx, again); err != nil || n != want {
			t.Fatalf("enqueue again: %d new, want %d (%v)", n, want, err)
		}
	}
	all, err := s.OutboxEntries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(ids(all)); got != "[c a b d]" {
		t.Errorf("order %s", got)
	}
	if string(all[1].Statement) != `{"id":"a","changed":true}` || !all[1].CreatedAt.Equal(time.UnixMilli(1_700_000_000_000)) {
		t.Errorf("an unsent statement was not updated in place: %+v", all[1])
	}
	if string(all[2].Statement) != `{"id":"b"}` {
		t.Errorf("a sent statement was changed: %s", all[2].Statement)
	}
	due, err := s.DueStatements(ctx, 3)
	if err != nil || fmt.Sprint(ids(due)) != "[c a d]" {
		t.Errorf("due %v %v", ids(due), err)
	}

	for _, bad := range [][]OutboxStatement{
		{{ID: "", Statement: json.RawMessage(`{}`)}},
		{{ID: "x", Statement: json.RawMessage(`{`)}},
	} {
		if _, err := s.Enqueue(ctx, bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("enqueue %v: %v", bad, err)
		}
	}
	if _, err := s.DueStatements(ctx, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("batch of 0: %v", err)
	}
}

func TestOutboxSentAndFailedWithBackoff(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	start := time.UnixMilli(1_700_000_000_000)
	advance := fixedClock(s, start)
	if _, err := s.Enqueue(ctx, stmts("a", "b", "c")); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(ctx, []string{"a"}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, []string{"b", "c", "a", "unknown"}, "503 Service Unavailable"); err != nil {
		t.Fatal(err)
	}
	due, _ := s.DueStatements(ctx, 10)
	if len(due) != 0 {
		t.Errorf("failed statements are due at once: %v", ids(due))
	}
	c, err := s.Outbox(ctx)
	if err != nil || c != (OutboxCounts{Sent: 1, Pending: 2, Due: 0, Failing: 2}) {
		t.Errorf("counts %+v %v", c, err)
	}
	all, _ := s.OutboxEntries(ctx)
	if a := all[0]; a.SentAt != start || a.Attempts != 0 || a.LastError != "" {
		t.Errorf("a sent statement was marked failed: %+v", a)
	}
	for _, e := range all[1:] {
		wait := e.NextTryAt.Sub(start)
		if e.Attempts != 1 || e.LastError != "503 Service Unavailable" || wait < OutboxBaseDelay/2 || wait > OutboxBaseDelay {
			t.Errorf("after one failure %+v (wait %v)", e, wait)
		}
	}

	// Fail "b" many times: the wait grows and stops at the cap.
	var last time.Duration
	for i := 2; i <= 20; i++ {
		advance(OutboxMaxDelay)
		if err := s.MarkFailed(ctx, []string{"b"}, "timeout"); err != nil {
			t.Fatal(err)
		}
		all, _ = s.OutboxEntries(ctx)
		b := all[1]
		wait := b.NextTryAt.Sub(s.now())
		lo, hi := OutboxDelay(i, 0), OutboxDelay(i, 1)
		if b.Attempts != i || wait < lo || wait > hi || hi > OutboxMaxDelay {
			t.Fatalf("try %d: attempts %d, wait %v not in [%v, %v]", i, b.Attempts, wait, lo, hi)
		}
		last = wait
	}
	if last < OutboxMaxDelay/2 {
		t.Errorf("wait after 20 failures %v", last)
	}
	// Due again once its time has come; then sent, and never due again.
	advance(OutboxMaxDelay)
	due, _ = s.DueStatements(ctx, 10)
	if fmt.Sprint(ids(due)) != "[b c]" {
		t.Errorf("due %v", ids(due))
	}
	if err := s.MarkSent(ctx, []string{"b", "c"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if due, _ := s2.DueStatements(ctx, 10); len(due) != 0 {
		t.Errorf("sent statements are due: %v", ids(due))
	}
	if c, _ := s2.Outbox(ctx); c != (OutboxCounts{Sent: 3}) {
		t.Errorf("counts after reopening %+v", c)
	}
}

func TestOutboxDelay(t *testing.T) {
	tests := []struct {
		tries  int
		jitter float64
		want   time.Duration
	}{
		{1, 1, OutboxBaseDelay},
		{1, 0, OutboxBaseDelay / 2},
		{0, 1, OutboxBaseDelay},
		{2, 1, 2 * OutboxBaseDelay},
		{3, 0.5, 3 * OutboxBaseDelay}, // 4 × base, three quarters of it
		{11, 1, OutboxMaxDelay},       // 1024 × base is past the cap
		{1000, 1, OutboxMaxDelay},
		{1000, 0, OutboxMaxDelay / 2},
		{1 << 40, 7, OutboxMaxDelay},
	}
	for _, tt := range tests {
		if got := OutboxDelay(tt.tries, tt.jitter); got != tt.want {
			t.Errorf("OutboxDelay(%d, %v) = %v, want %v", tt.tries, tt.jitter, got, tt.want)
		}
	}
}
