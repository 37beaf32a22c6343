package azstorage

import (
	"context"
	"sync"
)

// ensure runs create until it succeeds once: the queue and the table are
// created on first use (not at start, so a cold start never waits on
// storage), and a failed attempt is tried again by the next caller.
type ensure struct {
	mu   sync.Mutex
	done bool
}

func (e *ensure) do(ctx context.Context, create func(context.Context) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done {
		return nil
	}
	if err := create(ctx); err != nil {
		return err
	}
	e.done = true
	return nil
}
