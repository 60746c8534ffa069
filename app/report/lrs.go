package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"indicia/app/progress"
)

// XAPIVersion is the xAPI version Indicia speaks, sent in every request's
// X-Experience-API-Version header.
const XAPIVersion = "1.0.3"

// Errors of the LRS client; errors.Is finds them in what Send returns.
var (
	// ErrLRSAuth: the LRS refused the credentials (401) or this client's rights (403).
	// Sending again will not help until they are fixed.
	ErrLRSAuth = errors.New("the LRS refused the credentials")
	// ErrLRSEndpoint: the endpoint has no xAPI statement resource (404, 405, or an
	// answer that is not xAPI's).
	ErrLRSEndpoint = errors.New("the endpoint is not an xAPI statement resource")
	// ErrLRSUnavailable: the LRS could not be reached, or kept failing (5xx, 429), after
	// every try.
	ErrLRSUnavailable = errors.New("the LRS is unavailable")
)

// LRS is a Learning Record Store's xAPI statement resource. Statements are POSTed in
// batches to <Endpoint>/statements with Basic authentication.
type LRS struct {
	Endpoint       string // the xAPI base URL, such as https://lrs.example.org/xapi
	User, Password string // Basic authentication; none when both are empty
	Client         *http.Client
	// Tries is how many times one request is made before giving up on a network error,
	// a 5xx or a 429 (default 5). Between tries the client waits BaseDelay, doubled after
	// each try up to MaxDelay, with jitter (each wait is drawn between half and all of
	// that), or what the server's Retry-After asks, up to MaxDelay.
	Tries               int
	BaseDelay, MaxDelay time.Duration // default 1 s and 1 min
	// Sleep waits d or until ctx ends (default: a timer). Tests record the waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

// ErrPlainHTTP is an http:// endpoint on another machine: the statements (and the
// password) would cross the network in clear.
var ErrPlainHTTP = errors.New("the LRS endpoint is plain http on another machine: use https")

// NewLRS returns a client for the xAPI endpoint, which must be an absolute https URL, or
// http to this machine only (a loopback address: localhost, 127.0.0.0/8, [::1]).
func NewLRS(endpoint, user, password string) (*LRS, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the LRS endpoint %q is not an http or https URL", endpoint)
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return nil, ErrPlainHTTP
	}
	if u.User != nil {
		return nil, errors.New("give the LRS user and password apart, not in the endpoint URL")
	}
	return &LRS{Endpoint: endpoint, User: user, Password: password,
		Client: &http.Client{Timeout: time.Minute}}, nil
}

// StatementsURL is where statements are sent.
func (c *LRS) StatementsURL() string { return strings.TrimRight(c.Endpoint, "/") + "/statements" }

// Rejection is a statement the LRS refused (400 and the like), with its answer.
type Rejection struct {
	ID     string
	Reason string
}

// SendResult tells what became of each statement sent.
type SendResult struct {
	Stored   []string    // the LRS took them now
	Known    []string    // the LRS had them already (409 Conflict)
	Rejected []Rejection // the LRS refused them
}

func (r *SendResult) add(o SendResult) {
	r.Stored = append(r.Stored, o.Stored...)
	r.Known = append(r.Known, o.Known...)
	r.Rejected = append(r.Rejected, o.Rejected...)
}

// done lists the ids the result settles.
func (r *SendResult) done() map[string]bool {
	m := map[string]bool{}
	for _, id := range r.Stored {
		m[id] = true
	}
	for _, id := range r.Known {
		m[id] = true
	}
	for _, rj := range r.Rejected {
		m[rj.ID] = true
	}
	return m
}

// Send POSTs the statements as one batch. 200 and 204 mean stored. A 409 Conflict means
// the LRS already has some of these ids: the statements are then sent one by one to find
// which (each 409 is "known", the rest stored). A batch refused as bad (400, 413...) is
// also sent one by one, so one bad statement does not hold back the others. Network
// errors, 5xx and 429 are tried again (see Tries); 401 and 403 stop at once with
// ErrLRSAuth. On an error the result holds what was settled before it.
func (c *LRS) Send(ctx context.Context, stmts []progress.OutboxStatement) (SendResult, error) {
	var res SendResult
	if len(stmts) == 0 {
		return res, nil
	}
	var body bytes.Buffer
	body.WriteByte('[')
	for i, s := range stmts {
		if i > 0 {
			body.WriteByte(',')
		}
		body.Write(s.Statement)
	}
	body.WriteByte(']')
	status, answer, err := c.post(ctx, body.Bytes())
	if err != nil {
		return res, err
	}
	ids := make([]string, len(stmts))
	for i, s := range stmts {
		ids[i] = s.ID
	}
	switch {
	case status == http.StatusOK || status == http.StatusNoContent:
		res.Stored = ids
		return res, nil
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return res, fmt.Errorf("%w (%d %s from %s): check the user name and password%s",
			ErrLRSAuth, status, http.StatusText(status), c.StatementsURL(), detail(answer))
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed || status < 200 || (status >= 300 && status < 400):
		return res, fmt.Errorf("%w: %s answered %d %s; check the endpoint (the xAPI base URL, without /statements)%s",
			ErrLRSEndpoint, c.StatementsURL(), status, http.StatusText(status), detail(answer))
	case status == http.StatusConflict && len(stmts) == 1:
		res.Known = ids
		return res, nil
	case status >= 400 && status < 500 && status != http.StatusConflict && len(stmts) == 1:
		res.Rejected = []Rejection{{ID: stmts[0].ID, Reason: fmt.Sprintf("%d %s%s", status, http.StatusText(status), detail(answer))}}
		return res, nil
	case status >= 400 && status < 500:
		// 409 or a refused batch: one by one.
		for _, s := range stmts {
			one, err := c.Send(ctx, []progress.OutboxStatement{s})
			res.add(one)
			if err != nil {
				return res, err
			}
		}
		return res, nil
	}
	return res, fmt.Errorf("%w: %s answered %d %s%s", ErrLRSEndpoint, c.StatementsURL(), status, http.StatusText(status), detail(answer))
}

// detail is the start of an error answer's body, for the message.
func detail(body string) string {
	body = strings.Join(strings.Fields(body), " ")
	if body == "" {
		return ""
	}
	if len(body) > 200 {
		body = body[:200] + "…"
	}
	return ": " + body
}

// post makes one POST of a batch, trying again on network errors, 5xx and 429. It
// returns the final status and the start of the answer's body.
func (c *LRS) post(ctx context.Context, body []byte) (int, string, error) {
	tries := c.Tries
	if tries <= 0 {
		tries = 5
	}
	client := c.Client
	if client == nil {
		client = &http.Client{Timeout: time.Minute}
	}
	var last error
	for try := 1; ; try++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.StatementsURL(), bytes.NewReader(body))
		if err != nil {
			return 0, "", fmt.Errorf("%w: %v", ErrLRSEndpoint, err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Experience-API-Version", XAPIVersion)
		if c.User != "" || c.Password != "" {
			req.SetBasicAuth(c.User, c.Password)
		}
		var wait time.Duration
		resp, err := client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return 0, "", ctx.Err()
			}
			last = err
		} else {
			answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
				return resp.StatusCode, string(answer), nil
			}
			last = fmt.Errorf("%d %s%s", resp.StatusCode, http.StatusText(resp.StatusCode), detail(string(answer)))
			wait = retryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		if try >= tries {
			return 0, "", fmt.Errorf("%w: %s: %v (after %d tries)", ErrLRSUnavailable, c.StatementsURL(), last, tries)
		}
		if err := c.sleep(ctx, max(wait, c.backoff(try, rand.Float64()))); err != nil {
			return 0, "", err
		}
	}
}

// backoff is the wait after the try-th failed try: BaseDelay doubled for each earlier
// try, capped at MaxDelay, scaled by jitter (in [0, 1)) into [half, all] of that.
func (c *LRS) backoff(try int, jitter float64) time.Duration {
	base, most := c.delays()
	d := base
	for i := 1; i < try && d < most; i++ {
		d *= 2
	}
	d = min(d, most)
	jitter = min(max(jitter, 0), 1)
	return d/2 + time.Duration(float64(d/2)*jitter)
}

func (c *LRS) delays() (base, most time.Duration) {
	base, most = c.BaseDelay, c.MaxDelay
	if base <= 0 {
		base = time.Second
	}
	if most <= 0 {
		most = time.Minute
	}
	return base, max(most, base)
}

func (c *LRS) sleep(ctx context.Context, d time.Duration) error {
	_, most := c.delays()
	d = min(d, most)
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(h); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// SendSummary counts what a run of SendOutbox did.
type SendSummary struct {
	Sent         int // stored by the LRS now
	AlreadyThere int // the LRS had them already
	Failed       int // tried and not stored: refused, or the LRS was unavailable
	Waiting      int // still unsent in the outbox after the run (failed ones included)
	// Rejection is why the LRS refused the last statement it refused, if any.
	Rejection string
}

// SendOutbox sends the outbox's due statements to the LRS in batches of batchSize (100
// when 0), oldest first, recording in the store what was sent and what failed (failed
// statements are tried again in a later run, after a growing delay). It stops at the
// first batch the LRS could not take: an LRS that is down or refuses the credentials
// will not take the next one either. onBatch, when not nil, is called after each batch.
func SendOutbox(ctx context.Context, store *progress.Store, lrs *LRS, batchSize int, onBatch func(SendSummary)) (SendSummary, error) {
	if batchSize <= 0 {
		batchSize = 100
	}
	var sum SendSummary
	seen := map[string]bool{}
	var runErr error
	for runErr == nil {
		due, err := store.DueStatements(ctx, batchSize)
		if err != nil {
			return sum, err
		}
		batch := due[:0]
		for _, e := range due {
			if !seen[e.ID] {
				seen[e.ID] = true
				batch = append(batch, e)
			}
		}
		if len(batch) == 0 {
			break
		}
		stmts := make([]progress.OutboxStatement, len(batch))
		for i, e := range batch {
			stmts[i] = progress.OutboxStatement{ID: e.ID, Statement: e.Statement}
		}
		res, err := lrs.Send(ctx, stmts)
		if merr := store.MarkSent(context.WithoutCancel(ctx), append(append([]string{}, res.Stored...), res.Known...)); merr != nil {
			return sum, merr
		}
		for _, rj := range res.Rejected {
			if merr := store.MarkFailed(context.WithoutCancel(ctx), []string{rj.ID}, rj.Reason); merr != nil {
				return sum, merr
			}
			sum.Rejection = rj.ID + ": " + rj.Reason
		}
		sum.Sent += len(res.Stored)
		sum.AlreadyThere += len(res.Known)
		sum.Failed += len(res.Rejected)
		if err != nil {
			runErr = err
			if ctx.Err() != nil {
				break // stopped by the user: nothing failed, what is left stays due
			}
			settled := res.done()
			var rest []string
			for _, e := range batch {
				if !settled[e.ID] {
					rest = append(rest, e.ID)
				}
			}
			if merr := store.MarkFailed(context.WithoutCancel(ctx), rest, err.Error()); merr != nil {
				return sum, merr
			}
			sum.Failed += len(rest)
		}
		if onBatch != nil {
			onBatch(sum)
		}
	}
	counts, err := store.Outbox(context.WithoutCancel(ctx))
	if err != nil {
		return sum, errors.Join(runErr, err)
	}
	sum.Waiting = counts.Pending
	return sum, runErr
}

// IsLoopback tells whether host names this machine: localhost or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
