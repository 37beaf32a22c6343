package webhook

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Answer is a finished response, kept so that a replayed delivery gets the
// same answer as the first one.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

func (a Answer) clone() Answer {
	return Answer{Status: a.Status, Header: a.Header.Clone(), Body: bytes.Clone(a.Body)}
}

// final reports whether an answer settles the delivery. A throttled or
// failed attempt (429, 5xx) does not: the sender's retry must run again.
func (a Answer) final() bool {
	return a.Status != http.StatusTooManyRequests && a.Status < 500
}

// ReplayGuard runs the work for a delivery once per window and hands later
// copies the first answer. It is per process: it protects one warm instance
// from redeliveries and replays, not a fleet.
//
// Memory is bounded by capacity keys; when full, the oldest are forgotten
// first, so a flood of distinct deliveries can only shorten the window.
type ReplayGuard struct {
	window   time.Duration
	capacity int
	now      func() time.Time

	shared SharedReplays // nil: this process only (see Share)
	logger *slog.Logger

	mu      sync.Mutex
	entries map[string]*replayEntry
	order   []replayKey // insertion order, oldest first, for expiry and eviction
}

type replayKey struct {
	key   string
	entry *replayEntry
}

type replayEntry struct {
	done      chan struct{} // closed when answer is set or the work was abandoned
	answer    Answer
	abandoned bool      // the work panicked: waiters run it themselves
	expires   time.Time // zero while the work runs
}

// NewReplayGuard remembers answers for window, holding at most capacity keys
// (each delivery uses one or two, see [Delivery.ReplayKeys]).
func NewReplayGuard(window time.Duration, capacity int) *ReplayGuard {
	return &ReplayGuard{
		window:   window,
		capacity: max(capacity, 1),
		now:      time.Now,
		entries:  make(map[string]*replayEntry),
	}
}

// Do returns the stored answer if any of keys was seen within the window
// (replayed is true), waiting for it if that first delivery is still being
// worked on. Otherwise it runs work, stores a final answer under all keys
// and returns it. Concurrent calls with a shared key run work once.
//
// The only errors are ctx's, when it ends while waiting for the first
// answer, and ErrReplayed when the shared store (Share) says another
// instance has the delivery. With no keys, work just runs.
func (g *ReplayGuard) Do(ctx context.Context, keys []string, work func() Answer) (answer Answer, replayed bool, err error) {
	if len(keys) == 0 {
		return work(), false, nil
	}
	for {
		e, first := g.claim(keys)
		if first && g.shared != nil && !g.claimShared(ctx, keys) {
			g.forget(keys, e)
			e.abandoned = true // waiters ask the shared store again
			close(e.done)
			return Answer{}, true, ErrReplayed
		}
		if first {
			a := g.run(keys, e, work)
			if g.shared != nil && !a.final() {
				g.releaseShared(ctx, keys)
			}
			return a, false, nil
		}
		select {
		case <-e.done:
		case <-ctx.Done():
			return Answer{}, false, ctx.Err()
		}
		if !e.abandoned {
			return e.answer.clone(), true, nil
		}
	}
}

// claim returns the live entry for any of keys, or registers a new one under
// all keys and reports that the caller is first.
func (g *ReplayGuard) claim(keys []string) (*replayEntry, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	g.expire(now)
	for _, k := range keys {
		if e, ok := g.entries[k]; ok {
			if e.expires.IsZero() || now.Before(e.expires) {
				return e, false
			}
			delete(g.entries, k)
		}
	}
	e := &replayEntry{done: make(chan struct{})}
	for _, k := range keys {
		for len(g.entries) >= g.capacity && len(g.order) > 0 {
			g.drop(g.order[0])
			g.order = g.order[1:]
		}
		g.entries[k] = e
		g.order = append(g.order, replayKey{key: k, entry: e})
	}
	return e, true
}

// run does the work for a new entry and publishes its answer. If work
// panics the entry is forgotten and waiters try again.
func (g *ReplayGuard) run(keys []string, e *replayEntry, work func() Answer) Answer {
	finished := false
	defer func() {
		if !finished {
			g.forget(keys, e)
			e.abandoned = true
			close(e.done)
		}
	}()
	a := work()
	e.answer = a.clone()
	finished = true
	if a.final() {
		g.mu.Lock()
		e.expires = g.now().Add(g.window)
		g.mu.Unlock()
	} else {
		g.forget(keys, e)
	}
	close(e.done)
	return a
}

func (g *ReplayGuard) forget(keys []string, e *replayEntry) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, k := range keys {
		g.drop(replayKey{key: k, entry: e})
	}
}

// drop removes k from the map if it still maps to its entry.
func (g *ReplayGuard) drop(k replayKey) {
	if g.entries[k.key] == k.entry {
		delete(g.entries, k.key)
	}
}

// expire forgets keys from the front of the insertion order while they are
// expired or already gone. Entries finish in roughly insertion order, so
// this keeps the queue short without a timer.
func (g *ReplayGuard) expire(now time.Time) {
	n := 0
	for _, k := range g.order {
		live := g.entries[k.key] == k.entry
		if live && (k.entry.expires.IsZero() || now.Before(k.entry.expires)) {
			break
		}
		if live {
			delete(g.entries, k.key)
		}
		n++
	}
	if n > 0 {
		g.order = g.order[n:]
	}
	// Keys forgotten out of order (failed attempts) leave holes behind a
	// live head; squeeze them out before the queue outgrows the map.
	if len(g.order) > 2*g.capacity {
		live := g.order[:0:0]
		for _, k := range g.order {
			if g.entries[k.key] == k.entry {
				live = append(live, k)
			}
		}
		g.order = live
	}
}
