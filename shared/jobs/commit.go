package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/entra-tools/reprocess/shared/reprocess"
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
// a crash in between sends them again under the same keys. A retry the
// queue refuses fails the unit, unless this is its last delivery: then the
// retry's items count as failed (or, for a page, the job fails), so the
// job still ends.
func (e *Engine) finish(ctx context.Context, m Message, dv Delivery, d Delta, retries ...retry) error {
	sent := 0
	for _, r := range retries {
		err := e.queue.Send(ctx, retryDelay(r.delay), r.msg)
		switch {
		case err == nil:
			sent++
			e.opts.Logger.Info("job work throttled: sent again", "job", m.Job, "unit", r.msg.Unit,
				"items", len(r.msg.Items), "delay", retryDelay(r.delay))
			continue
		case !dv.Final:
			return fmt.Errorf("job %s: send %s: %w", m.Job, r.msg.Unit, err)
		}
		e.opts.Logger.Error("job work lost: the queue refused it on the last delivery", "job", m.Job, "unit", r.msg.Unit, "err", err)
		if r.msg.Kind == KindPage {
			if err := e.failJob(ctx, m, "the queue refused page "+r.msg.Unit+": "+err.Error()); err != nil {
				return err
			}
			continue
		}
		o := reprocess.OutcomeOf(unavailable(err))
		t := tally{d: d}
		for _, it := range r.msg.Items {
			t.fail(it, o)
		}
		d = t.d
	}
	d.Outstanding += sent - 1
	return e.commit(ctx, m, d)
}

// failJob marks m's job failed as a whole, with reason.
func (e *Engine) failJob(ctx context.Context, m Message, reason string) error {
	e.opts.Logger.Error("job failed", "job", m.Job, "unit", m.Unit, "reason", reason)
	if err := e.store.Fail(ctx, m.Job, reason); err != nil && !isNotFound(err) {
		return fmt.Errorf("job %s: mark failed: %w", m.Job, err)
	}
	return nil
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
