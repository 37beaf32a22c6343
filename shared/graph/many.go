package graph

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/entra-tools/reprocess/shared/assignment"
)

// ErrNotAttempted is an item's error when the deadline passed before its
// request was sent: Graph never saw it.
var ErrNotAttempted = errors.New("not sent to graph: the deadline passed first")

// batchesInFlight bounds the $batch requests one call keeps open at once.
const batchesInFlight = 4

// ItemResult is Graph's answer for one id of ReprocessMany.
type ItemResult struct {
	ID     assignment.ID
	Result Result // when Err is nil
	Err    error  // *Error, ErrNotAttempted, a deadline, a credential error, ...
}

// ReprocessMany reprocesses ids (which should be distinct) through JSON
// batching: MaxBatch per $batch, at most batchesInFlight at once. Items Graph
// throttles (429) or finds unavailable (503, 504), one by one or as a whole
// $batch, are retried in a later batch after their Retry-After, at most
// maxRetries times and only while the wait leaves retryHeadroom before ctx's
// deadline, the same rule the SDK's retry handler follows for a single call.
// Every id gets a result, in the order given; ids never sent before the
// deadline get ErrNotAttempted.
func (c *Client) ReprocessMany(ctx context.Context, ids []assignment.ID) []ItemResult {
	out := make([]ItemResult, len(ids))
	for i, id := range ids {
		out[i] = ItemResult{ID: id, Err: ErrNotAttempted}
	}
	s := &scheduler{c: c, out: out, attempts: make([]int, len(ids))}
	pending := make([]int, len(ids))
	for i := range pending {
		pending[i] = i
	}
	first := true
	for len(pending) > 0 {
		retry, readyAt := s.wave(ctx, pending, first)
		first = false
		if len(retry) == 0 || !sleepUntil(ctx, readyAt) {
			break // the retried items keep their last answer
		}
		pending = retry
	}
	return out
}

// scheduler is the state of one ReprocessMany call.
type scheduler struct {
	c        *Client
	out      []ItemResult
	attempts []int // Graph answers so far, per item

	mu      sync.Mutex
	retry   []int
	readyAt time.Time
}

// wave sends pending in batches and returns the items to send again, and
// when. The first batch of the first wave goes alone, so the credential is
// fetched once, and a setup fault (Key Vault, token, permission on $batch)
// is learnt from one request instead of fifty.
func (s *scheduler) wave(ctx context.Context, pending []int, first bool) ([]int, time.Time) {
	s.retry, s.readyAt = nil, time.Time{}
	chunks := chunk(pending, MaxBatch)
	if first {
		if err := s.send(ctx, chunks[0]); err != nil {
			if ctx.Err() == nil { // a fault the others would meet too
				for _, i := range pending {
					s.out[i].Err = err
				}
			}
			return nil, time.Time{}
		}
		chunks = chunks[1:]
	}
	sem := make(chan struct{}, batchesInFlight)
	var wg sync.WaitGroup
	for _, ch := range chunks {
		sem <- struct{}{}
		wg.Add(1)
		go func(ch []int) {
			defer func() { <-sem; wg.Done() }()
			_ = s.send(ctx, ch)
		}(ch)
	}
	wg.Wait()
	return s.retry, s.readyAt
}

// send sends one batch and records its items' answers. An envelope that
// Graph throttles gives each item its answer (to be retried like one);
// any other envelope error is returned, and every item of the batch gets it.
func (s *scheduler) send(ctx context.Context, items []int) error {
	if ctx.Err() != nil {
		return nil // not sent: the items keep ErrNotAttempted
	}
	ids := make([]assignment.ID, len(items))
	for k, i := range items {
		ids[k] = s.out[i].ID
	}
	answers, err := s.c.reprocessBatch(ctx, ids)
	var fatal error
	if err != nil {
		answers = make([]itemAnswer, len(items))
		for k := range answers {
			answers[k].err = err
		}
		var ge *Error
		if !errors.As(err, &ge) || !retriable(ge.Status) {
			fatal = err
		}
	}
	now := time.Now()
	for k, i := range items {
		a := answers[k]
		s.out[i].Result, s.out[i].Err = a.res, a.err
		s.attempts[i]++
		if wait, ok := itemRetryWait(ctx, a.err, s.attempts[i], now); ok {
			s.mu.Lock()
			s.retry = append(s.retry, i)
			if t := now.Add(wait); t.After(s.readyAt) {
				s.readyAt = t
			}
			s.mu.Unlock()
		}
	}
	return fatal
}

func retriable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// itemRetryWait says whether an item's answer is worth another try, and
// after how long: Graph's Retry-After, else the SDK's exponential back-off.
func itemRetryWait(ctx context.Context, err error, answers int, now time.Time) (time.Duration, bool) {
	var ge *Error
	if !errors.As(err, &ge) || answers > maxRetries || !retriable(ge.Status) {
		return 0, false
	}
	wait := ge.RetryAfter
	if wait == 0 {
		wait = time.Duration(retryBase<<(answers-1)) * time.Second
	}
	return wait, fitsBefore(ctx, wait, now)
}

func chunk(items []int, n int) [][]int {
	var out [][]int
	for len(items) > n {
		out = append(out, items[:n:n])
		items = items[n:]
	}
	return append(out, items)
}

// sleepUntil waits for t; false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
