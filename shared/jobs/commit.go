package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/entra-tools/reprocess/shared/reprocess"
)

// commit records what unit m adds to its job, once. A job that is gone
// (expired, or never was) drops the message: there is nothing to count it in.
// The delta carries the unit's key: Fold waits for every committed unit's
// parent (children are sent, and may commit, before their parent).
func (e *Engine) commit(ctx context.Context, m Message, d Delta) error {
	d.At, d.Unit = e.now(), m.Unit
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

// later sends m again, whole and under its own key, with delay: none of
// its work was done, so it commits nothing now, and its children, when it
// runs, keep it as their parent (the key scheme Fold reads). A redelivered
// original and its copy share the key: only one of them commits.
func (e *Engine) later(ctx context.Context, m Message, dv Delivery, delay time.Duration) error {
	err := e.queue.Send(ctx, retryDelay(delay), m)
	switch {
	case err == nil:
		e.opts.Logger.Info("job work held back: sent again", "job", m.Job, "unit", m.Unit, "delay", retryDelay(delay))
		return nil
	case !dv.Final:
		return fmt.Errorf("job %s: send %s again: %w", m.Job, m.Unit, err)
	}
	d, err := e.lost(ctx, m, Delta{}, m, err)
	if err != nil {
		return err
	}
	d.Outstanding--
	return e.commit(ctx, m, d)
}

// finish sends a unit's retries (each one more outstanding unit) with
// their delays, then commits what the unit finished. Sending first means
// a crash in between sends them again under the same keys. A retry the
// queue refuses fails the unit, unless this is its last delivery: then the
// retry's work is lost, and counted so (lost), so the job still ends.
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
		if d, err = e.lost(ctx, m, d, r.msg, err); err != nil {
			return err
		}
	}
	d.Outstanding += sent - 1
	return e.commit(ctx, m, d)
}

// lost accounts for work the queue refused on m's last delivery: a
// chunk's items count as failed (503 JobStoreUnavailable) in d; a page's
// assignments cannot be known, so the job fails as a whole.
func (e *Engine) lost(ctx context.Context, m Message, d Delta, work Message, cause error) (Delta, error) {
	e.opts.Logger.Error("job work lost: the queue refused it on the last delivery", "job", m.Job, "unit", work.Unit, "err", cause)
	if work.Kind == KindPage {
		return d, e.failJob(ctx, m, "the queue refused page "+work.Unit+": "+cause.Error())
	}
	o := reprocess.OutcomeOf(unavailable(cause))
	t := tally{d: d}
	for _, it := range work.Items {
		t.fail(it, o)
	}
	return t.d, nil
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
