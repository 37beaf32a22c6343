package jobs

import (
	"context"
	"fmt"
	"time"
)

// commit records what unit m adds to its job, once. A job that is gone
// (expired, or never was) drops the message: there is nothing to count it in.
func (e *Engine) commit(ctx context.Context, m Message, d Delta) error {
	d.At = e.now()
	applied, err := e.store.Commit(ctx, m.Job, m.Unit, d)
	switch {
	case isNotFound(err):
		e.opts.Logger.Warn("job message for an unknown job dropped", "job", m.Job, "unit", m.Unit)
		return nil
	case err != nil:
		return fmt.Errorf("job %s: commit %s: %w", m.Job, m.Unit, err)
	case !applied:
		e.opts.Logger.Info("job unit delivered again: already counted", "job", m.Job, "unit", m.Unit)
	}
	return nil
}

// retry is work a unit sends back on the queue, held back by throttling.
type retry struct {
	msg   Message
	delay time.Duration
}

// finish sends a unit's retries (each one more outstanding unit) with
// their delays, then commits what the unit finished. Sending first means
// a crash in between sends them again under the same keys.
func (e *Engine) finish(ctx context.Context, m Message, d Delta, retries ...retry) error {
	for _, r := range retries {
		if err := e.queue.Send(ctx, retryDelay(r.delay), r.msg); err != nil {
			return fmt.Errorf("job %s: send %s: %w", m.Job, r.msg.Unit, err)
		}
		e.opts.Logger.Info("job work throttled: sent again", "job", m.Job, "unit", r.msg.Unit,
			"items", len(r.msg.Items), "delay", retryDelay(r.delay))
	}
	d.Outstanding += len(retries) - 1
	return e.commit(ctx, m, d)
}

// defaultRetryDelay holds throttled work back when Graph named no delay.
const defaultRetryDelay = 5 * time.Second

// retryDelay is Graph's delay (or the default when it gave none), within
// what every queue can hold a message back.
func retryDelay(d time.Duration) time.Duration {
	if d <= 0 {
		d = defaultRetryDelay
	}
	return min(d, MaxDelay)
}
