package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// MemoryQueue is the in-process Queue of `make run`, the sandbox and the
// terminal's `handler job`: messages travel as their queue bodies (so
// what cannot cross a real queue cannot cross this one), delays are
// timers, and Run's workers deliver each message up to MemoryAttempts
// times, the last one Final, as the platforms do before dead-lettering.
type MemoryQueue struct {
	mu      sync.Mutex
	ready   []memItem
	wake    chan struct{} // signalled when ready gains an item
	pending int           // items sent and neither handled nor dropped
	idle    chan struct{} // closed while pending is 0
	Logger  *slog.Logger  // nil: discarded
	Backoff time.Duration // between attempts (multiplied by the attempt); 0: 200 ms
}

type memItem struct {
	body    []byte
	attempt int // deliveries so far
}

// MemoryAttempts is how often the in-process queue delivers a failing
// message before dropping it (the platforms' poison queue / DLQ).
const MemoryAttempts = 5

// memoryWorkers is how many messages Run handles at once.
const memoryWorkers = 4

// NewMemoryQueue returns an empty queue.
func NewMemoryQueue() *MemoryQueue {
	idle := make(chan struct{})
	close(idle)
	return &MemoryQueue{wake: make(chan struct{}, 1), idle: idle}
}

// Send enqueues msgs, each ready after delay.
func (q *MemoryQueue) Send(_ context.Context, delay time.Duration, msgs ...Message) error {
	items := make([]memItem, len(msgs))
	for i, m := range msgs {
		items[i] = memItem{body: EncodeMessage(m)}
	}
	q.mu.Lock()
	if q.pending == 0 {
		q.idle = make(chan struct{})
	}
	q.pending += len(items)
	q.mu.Unlock()
	q.after(delay, items...)
	return nil
}

// Idle is closed once every message sent has been handled or dropped (and
// replaced by a fresh channel at the next Send).
func (q *MemoryQueue) Idle() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.idle
}

// after makes items ready after delay.
func (q *MemoryQueue) after(delay time.Duration, items ...memItem) {
	if delay <= 0 {
		q.push(items...)
		return
	}
	time.AfterFunc(delay, func() { q.push(items...) })
}

func (q *MemoryQueue) push(items ...memItem) {
	q.mu.Lock()
	q.ready = append(q.ready, items...)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take removes the oldest ready item.
func (q *MemoryQueue) take() (memItem, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.ready) == 0 {
		return memItem{}, false
	}
	it := q.ready[0]
	q.ready = q.ready[1:]
	if len(q.ready) > 0 { // more for the other workers
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
	return it, true
}

// done counts an item handled or dropped.
func (q *MemoryQueue) done() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pending--; q.pending == 0 {
		close(q.idle)
	}
}

// Run delivers messages to handle with a few workers until ctx ends, and
// returns once they have all stopped. A message handle fails is delivered
// again after a short backoff, up to MemoryAttempts times; what is ready
// or delayed when ctx ends stays in the queue.
func (q *MemoryQueue) Run(ctx context.Context, handle func(context.Context, Message, Delivery) error) {
	var wg sync.WaitGroup
	for range memoryWorkers {
		wg.Go(func() { q.work(ctx, handle) })
	}
	wg.Wait()
}

func (q *MemoryQueue) work(ctx context.Context, handle func(context.Context, Message, Delivery) error) {
	for {
		it, ok := q.take()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-q.wake:
				continue
			}
		}
		if ctx.Err() != nil {
			q.push(it) // keep it for the next Run
			return
		}
		m, err := DecodeMessage(it.body)
		if err != nil {
			q.log().Error("job message dropped: unreadable", "err", err)
			q.done()
			continue
		}
		it.attempt++
		d := Delivery{Attempt: it.attempt, Final: it.attempt >= MemoryAttempts}
		// A panic in handle fails this delivery, not the process.
		err = func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic handling job message: %v", r)
				}
			}()
			return handle(ctx, m, d)
		}()
		q.settle(it, m, err)
	}
}

// settle deletes a handled message, or delivers a failed one again after
// a backoff, or drops it after its last attempt.
func (q *MemoryQueue) settle(it memItem, m Message, err error) {
	switch {
	case err == nil:
		q.done()
	case it.attempt >= MemoryAttempts:
		q.log().Error("job message dropped after its last attempt", "job", m.Job, "unit", m.Unit, "attempts", it.attempt, "err", err)
		q.done()
	default:
		backoff := q.Backoff
		if backoff <= 0 {
			backoff = 200 * time.Millisecond
		}
		q.log().Warn("job message failed: delivered again", "job", m.Job, "unit", m.Unit, "attempt", it.attempt, "err", err)
		q.after(backoff*time.Duration(it.attempt), it)
	}
}

func (q *MemoryQueue) log() *slog.Logger {
	if q.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return q.Logger
}
