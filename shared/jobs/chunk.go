package jobs

import (
	"context"
	"fmt"
	"net/http"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

// chunk checks (drift mode) and reprocesses at most graph.MaxBatch
// assignments. Throttled items go back on the queue with Graph's delay as
// new units; the chunk commits what it finished.
func (e *Engine) chunk(ctx context.Context, m Message, d Delivery) error {
	if wait := e.opts.Throttle.Remaining(); wait > 0 {
		return e.later(ctx, m, d, wait)
	}
	var t tally
	todo := m.Items
	if m.Mode == Drifted {
		pkg, err := e.chunkPackage(ctx, m)
		if err != nil {
			switch v, o := judge(err, d.Final); v {
			case throttled:
				return e.later(ctx, m, d, o.RetryAfter)
			case redeliver:
				return err
			default: // the package is gone, or we may not read it: nothing to check against
				for _, it := range m.Items {
					t.fail(it, o)
				}
				return e.finish(ctx, m, d, t.d)
			}
		}
		if todo, err = e.check(ctx, pkg, m.Items, d.Final, &t); err != nil {
			return fmt.Errorf("job %s unit %s: check memberships: %w", m.Job, m.Unit, err)
		}
	}
	if m.DryRun {
		todo = nil
	}
	if err := e.reprocess(ctx, todo, d.Final, &t); err != nil {
		return fmt.Errorf("job %s unit %s: reprocess: %w", m.Job, m.Unit, err)
	}
	return e.finish(ctx, m, d, t.d, t.retries(m)...)
}

// chunkPackage is the package's groups, carried on from its first page;
// read again only if a message lacks them.
func (e *Engine) chunkPackage(ctx context.Context, m Message) (graph.Package, error) {
	if m.Package != nil {
		return *m.Package, nil
	}
	p, err := e.graph.AccessPackage(ctx, m.AccessPackageID)
	if err != nil {
		return graph.Package{}, fmt.Errorf("job %s unit %s: read access package: %w", m.Job, m.Unit, err)
	}
	return p, nil
}

// retries are the chunk's throttled items as new units: those whose check
// was throttled (checked again, in the job's mode), and those whose
// reprocess was (a chunk of mode all: they were checked already and must
// not count twice).
func (t *tally) retries(m Message) []retry {
	var out []retry
	if len(t.recheck) > 0 {
		r := withUnit(m, m.Unit+"/r1")
		r.Items = t.recheck
		out = append(out, retry{msg: r, delay: t.recheckDelay})
	}
	if len(t.reprocess) > 0 {
		r := withUnit(m, m.Unit+"/r2")
		if m.Mode == All {
			r.Unit = m.Unit + "/r1" // the only kind of retry a chunk of mode all has
		}
		r.Mode, r.DryRun, r.Package, r.Items = All, false, nil, t.reprocess
		out = append(out, retry{msg: r, delay: t.reprocessDelay})
	}
	return out
}

// reprocess sends one $batch reprocessing items and tallies the answers:
// 2xx accepted, 429 sent again, transient errors delivered again (or, on
// the last delivery, failed), anything else failed.
func (e *Engine) reprocess(ctx context.Context, items []graph.Target, final bool, t *tally) error {
	ids := make([]assignment.ID, 0, len(items))
	sent := make([]graph.Target, 0, len(items))
	for _, it := range items {
		id, err := assignment.ParseID(it.AssignmentID)
		if err != nil {
			t.fail(it, reprocess.OutcomeOf(err))
			continue
		}
		ids, sent = append(ids, id), append(sent, it)
	}
	if len(ids) == 0 {
		return nil
	}
	answers, err := e.graph.ReprocessBatch(ctx, ids)
	if err == nil && len(answers) != len(ids) {
		err = &graph.Error{Status: http.StatusBadGateway, Code: "BatchItemMissing", Message: "Graph's $batch answer does not match its requests."}
	}
	if err != nil {
		answers = make([]graph.Answer, len(ids))
		for i := range answers {
			answers[i].Err = err
		}
	}
	for i, a := range answers {
		if a.Err == nil {
			if a.Result.Status >= 200 && a.Result.Status < 300 {
				t.d.Counts.Accepted++
			} else {
				t.fail(sent[i], reprocess.Outcome{Status: a.Result.Status, Code: http.StatusText(a.Result.Status)})
			}
			continue
		}
		switch v, o := judge(a.Err, final); v {
		case throttled:
			t.reprocess = append(t.reprocess, sent[i])
			t.reprocessDelay = max(t.reprocessDelay, o.RetryAfter)
		case redeliver:
			return a.Err
		default:
			t.fail(sent[i], o)
		}
	}
	return nil
}
