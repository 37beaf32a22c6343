package jobs

import (
	"context"
	"fmt"

	"github.com/entra-tools/reprocess/shared/graph"
)

// page lists one page of a package's delivered assignments and fans it out:
// chunks of at most graph.MaxBatch items and the next page. Children are
// sent before the page commits, so a crash in between sends them again with
// the same unit keys, and their commits dedupe.
func (e *Engine) page(ctx context.Context, m Message, d Delivery) error {
	if wait := e.opts.Throttle.Remaining(); wait > 0 {
		return e.later(ctx, m, d, wait)
	}
	pkg := m.Package
	if m.Mode == Drifted && pkg == nil {
		p, err := e.graph.AccessPackage(ctx, m.AccessPackageID)
		if err != nil {
			return e.pageFailed(ctx, m, d, "read access package "+m.AccessPackageID, err)
		}
		pkg = &p
	}
	p, err := e.graph.DeliveredPage(ctx, m.AccessPackageID, m.NextLink)
	if err != nil {
		return e.pageFailed(ctx, m, d, "list the delivered assignments of access package "+m.AccessPackageID, err)
	}
	children := chunks(m, pkg, p.Items)
	if p.NextLink != "" {
		children = append(children, Message{Job: m.Job, Unit: pageUnit(m.AccessPackageID, m.Page+1), Kind: KindPage,
			Mode: m.Mode, DryRun: m.DryRun, AccessPackageID: m.AccessPackageID, NextLink: p.NextLink, Page: m.Page + 1, Package: pkg})
	}
	if len(children) > 0 {
		if err := e.queue.Send(ctx, 0, children...); err != nil {
			if !d.Final {
				return fmt.Errorf("job %s unit %s: send %d children: %w", m.Job, m.Unit, len(children), err)
			}
			// The last delivery: the page's work cannot be queued, so the job cannot end well.
			if err := e.failJob(ctx, m, fmt.Sprintf("the queue refused the work of page %s: %v", m.Unit, err)); err != nil {
				return err
			}
			return e.commit(ctx, m, Delta{Outstanding: -1})
		}
	}
	return e.commit(ctx, m, Delta{Counts: Counts{Total: len(p.Items)}, Outstanding: len(children) - 1})
}

// chunks splits a page's items into chunk messages of at most graph.MaxBatch.
func chunks(m Message, pkg *graph.Package, items []graph.Target) []Message {
	var out []Message
	for i := 0; i < len(items); i += graph.MaxBatch {
		out = append(out, Message{Job: m.Job, Unit: fmt.Sprintf("%s/c%d", m.Unit, i/graph.MaxBatch), Kind: KindChunk,
			Mode: m.Mode, DryRun: m.DryRun, AccessPackageID: m.AccessPackageID, Package: pkg,
			Items: items[i:min(i+graph.MaxBatch, len(items))]})
	}
	return out
}

// pageFailed handles a page's Graph error: throttled, it goes back whole
// with Graph's delay; transient, the platform delivers it again; for good (or on
// the last attempt), the job fails as a whole, since the page's
// assignments cannot be known, and the unit commits so nothing waits on it.
func (e *Engine) pageFailed(ctx context.Context, m Message, d Delivery, what string, err error) error {
	v, o := judge(err, d.Final)
	switch v {
	case throttled:
		return e.later(ctx, m, d, o.RetryAfter)
	case redeliver:
		return fmt.Errorf("job %s unit %s: %s: %w", m.Job, m.Unit, what, err)
	}
	e.opts.Logger.Warn("job page failed", "job", m.Job, "unit", m.Unit, "err", err)
	if err := e.failJob(ctx, m, fmt.Sprintf("could not %s: %d %s", what, o.Status, o.Code)); err != nil {
		return err
	}
	return e.commit(ctx, m, Delta{Outstanding: -1})
}

// withUnit is m under another unit key.
func withUnit(m Message, unit string) Message {
	m.Unit = unit
	return m
}
