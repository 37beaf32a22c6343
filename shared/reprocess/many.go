package reprocess

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/sleep"
	"github.com/entra-tools/reprocess/shared/telemetry"
)

// ErrNotAttempted is an item's error when the deadline passed before its
// request was sent: Graph never saw it.
var ErrNotAttempted = errors.New("not sent to graph: the deadline passed first")

// batchesInFlight bounds the $batch requests one call keeps open at once.
const batchesInFlight = 4

// ReprocessMany answers every item, in input order, with what a single call
// for it would have answered. Invalid ids are answered without a call; a
// duplicate is sent once and its answer given at each of its positions; one
// distinct id takes the single call, more go through JSON batching. The
// Graph work stops early enough (answerBy) that the answer still reaches the
// caller before ctx's deadline; items never sent are NotAttempted.
func (s *Service) ReprocessMany(ctx context.Context, items []Item) []ItemResult {
	var unique []assignment.ID
	slot := make([]int, len(items)) // index into unique; -1 for an invalid id
	seen := map[assignment.ID]int{}
	for i, it := range items {
		if it.Err != nil {
			slot[i] = -1
			continue
		}
		k, ok := seen[it.ID]
		if !ok {
			k = len(unique)
			seen[it.ID] = k
			unique = append(unique, it.ID)
		}
		slot[i] = k
	}
	ctx, span := telemetry.Child(ctx, trace.SpanKindInternal, "reprocess batch",
		telemetry.BatchItems.Int(len(items)), telemetry.BatchDistinct.Int(len(unique)))
	defer span.End()
	answers := make([]Outcome, len(unique))
	if len(unique) > 0 {
		work, cancel := context.WithDeadline(ctx, answerBy(ctx))
		defer cancel()
		if len(unique) == 1 {
			answers[0] = s.Reprocess(work, unique[0])
		} else {
			for i, a := range s.batches(work, unique) {
				answers[i] = outcomeOfAnswer(a)
			}
		}
	}
	results := make([]ItemResult, len(items))
	for i, it := range items {
		if slot[i] < 0 {
			results[i] = ResultOf(it.Raw, OutcomeOf(it.Err))
			continue
		}
		results[i] = ResultOf(it.ID.String(), answers[slot[i]])
	}
	if span.IsRecording() {
		invalid, accepted := 0, 0
		for i, r := range results {
			if slot[i] < 0 {
				invalid++
			} else if r.Status == http.StatusAccepted {
				accepted++
			}
		}
		span.SetAttributes(telemetry.BatchInvalid.Int(invalid), telemetry.BatchAccepted.Int(accepted))
	}
	return results
}

func outcomeOfAnswer(a graph.Answer) Outcome {
	if a.Err != nil {
		return OutcomeOf(a.Err)
	}
	return Accepted(a.Result)
}

// answerBy is when the Graph work must stop so the answer, with every
// item's result, still reaches the caller before ctx's deadline: a tenth of
// the time left, at most 500 ms, is kept in reserve.
func answerBy(ctx context.Context) time.Time {
	deadline, ok := ctx.Deadline()
	if !ok {
		return time.Now().Add(time.Hour)
	}
	reserve := min(time.Until(deadline)/10, 500*time.Millisecond)
	return deadline.Add(-reserve)
}

// batches reprocesses distinct ids through JSON batching: graph.MaxBatch per
// $batch, at most batchesInFlight at once. Items Graph throttles (429) or
// finds unavailable (503, 504), one by one or as a whole $batch, are retried
// in a later batch after their Retry-After, under graph.ItemRetryWait's rule
// (the same the SDK's retry handler follows for a single call). Ids never
// sent before the deadline keep ErrNotAttempted.
func (s *Service) batches(ctx context.Context, ids []assignment.ID) []graph.Answer {
	out := make([]graph.Answer, len(ids))
	for i := range out {
		out[i].Err = ErrNotAttempted
	}
	sc := &scheduler{g: s.graph, throttle: s.throttle, ids: ids, out: out, attempts: make([]int, len(ids))}
	pending := make([]int, len(ids))
	for i := range pending {
		pending[i] = i
	}
	first := true
	for len(pending) > 0 {
		if !sc.waitForThrottle(ctx, pending) {
			break
		}
		retry, readyAt := sc.wave(ctx, pending, first)
		first = false
		if len(retry) == 0 || !sleep.Until(ctx, readyAt) {
			break // the retried items keep their last answer
		}
		pending = retry
	}
	return out
}

// scheduler is the state of one batches call.
type scheduler struct {
	g        Graph
	throttle *Throttle
	ids      []assignment.ID
	out      []graph.Answer
	attempts []int // Graph answers so far, per item

	mu      sync.Mutex
	retry   []int
	readyAt time.Time
}

// waitForThrottle waits while an earlier 429 holds Graph calls back, so
// batch items wait instead of hammering; when the hold outlasts the
// deadline the items still unanswered get the held-back 429 and it
// reports false.
func (s *scheduler) waitForThrottle(ctx context.Context, pending []int) bool {
	r := s.throttle.Remaining()
	if r == 0 {
		return true
	}
	if graph.FitsBefore(ctx, r, time.Now()) && sleep.For(ctx, r) {
		return true
	}
	for _, i := range pending {
		if errors.Is(s.out[i].Err, ErrNotAttempted) {
			s.out[i].Err = heldBack(s.throttle.Remaining())
		}
	}
	return false
}

// wave sends pending in batches and returns the items to send again, and
// when. The first batch of the first wave goes alone, so the credential is
// fetched once, and a setup fault (Key Vault, token, permission on $batch)
// is learnt from one request instead of fifty.
func (s *scheduler) wave(ctx context.Context, pending []int, first bool) ([]int, time.Time) {
	s.retry, s.readyAt = nil, time.Time{}
	chunks := chunk(pending, graph.MaxBatch)
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
		wg.Go(func() {
			defer func() { <-sem }()
			_ = s.sendRecovering(ctx, ch)
		})
	}
	wg.Wait()
	return s.retry, s.readyAt
}

// sendRecovering is send on a goroutine of its own: a panic there (in the
// SDK, say) fails the batch's items instead of the process.
func (s *scheduler) sendRecovering(ctx context.Context, items []int) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("graph batch panicked: %v", p)
			for _, i := range items {
				s.out[i] = graph.Answer{Err: err}
			}
		}
	}()
	return s.send(ctx, items)
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
		ids[k] = s.ids[i]
	}
	answers, err := s.g.ReprocessBatch(ctx, ids)
	var fatal error
	if err != nil {
		answers = make([]graph.Answer, len(items))
		for k := range answers {
			answers[k].Err = err
		}
		var ge *graph.Error
		if !errors.As(err, &ge) || !graph.Retriable(ge.Status) {
			fatal = err
		}
	}
	now := time.Now()
	for k, i := range items {
		s.out[i] = answers[k]
		s.attempts[i]++
		var ge *graph.Error
		if errors.As(answers[k].Err, &ge) && ge.Status == http.StatusTooManyRequests && s.throttle != nil {
			s.throttle.Hold(ge.RetryAfter)
		}
		if wait, ok := graph.ItemRetryWait(ctx, answers[k].Err, s.attempts[i], now); ok {
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

func chunk(items []int, n int) [][]int {
	var out [][]int
	for len(items) > n {
		out = append(out, items[:n:n])
		items = items[n:]
	}
	return append(out, items)
}
