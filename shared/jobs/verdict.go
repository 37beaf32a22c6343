package jobs

import (
	"errors"
	"net/http"
	"time"

	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

// verdict is what a unit does with one Graph error (an item's or its $batch's).
type verdict int

const (
	throttled verdict = iota // send the items again with Graph's delay
	redeliver                // transient: fail the unit, the platform delivers it again
	forGood                  // the caller's fault or ours: count it and move on
)

// judge tells an error's verdict through the one outcome mapping. Setup
// faults (Graph refusing the function's identity, 502 GraphAccessDenied)
// are for good: delivering again cannot fix a missing permission. On the
// last delivery, transient errors are for good too: the items are counted
// failed rather than lost to the poison queue.
func judge(err error, final bool) (verdict, reprocess.Outcome) {
	o := reprocess.OutcomeOf(err)
	var ge *graph.Error
	switch {
	case o.Status == http.StatusTooManyRequests:
		return throttled, o
	case errors.As(err, &ge) && (ge.Status == http.StatusUnauthorized || ge.Status == http.StatusForbidden):
		return forGood, o
	case o.Transient() && !final:
		return redeliver, o
	}
	return forGood, o
}

// tally is what a chunk has found so far: its delta and the items to send again.
type tally struct {
	d         Delta
	recheck   []graph.Target // drift checks throttled: checked again later
	reprocess []graph.Target // reprocess throttled: reprocessed later, not checked again
	// The longest delays Graph asked for, of the checks and of the reprocesses.
	recheckDelay, reprocessDelay time.Duration
}

func (t *tally) fail(item graph.Target, o reprocess.Outcome) {
	t.d.Counts.Failed++
	if len(t.d.Failures) < MaxListed {
		t.d.Failures = append(t.d.Failures, Failure{AssignmentID: item.AssignmentID, Status: o.Status, Code: o.Code})
	}
}

func (t *tally) drift(item graph.Target, missing []string) {
	t.d.Counts.Drifted++
	if len(t.d.Drift) < MaxListed {
		t.d.Drift = append(t.d.Drift, Drift{AssignmentID: item.AssignmentID, TargetObjectID: item.TargetObjectID, MissingGroupIDs: missing})
	}
}
