package jobs

import (
	"context"
	"slices"

	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

// itemCheck is what the membership checks found for one assignment.
type itemCheck struct {
	memberOf  map[string]bool
	throttled bool
	failed    *reprocess.Outcome // a setup fault, or a transient error on the last delivery
	unknown   bool               // a check failed for good (no such object, not a user...)
}

// check asks Graph which of the package's Member groups each item's target
// is in (checkMemberGroups, at most graph.MaxCheckGroups groups a check and
// graph.MaxBatch checks a $batch) and tallies each item: drifted when a
// group is missing; else unverifiable when the package grants roles a
// membership cannot show, else in sync. A check that fails for good makes
// its item unverifiable. It answers the items to reprocess: the drifted and
// the unverifiable.
func (e *Engine) check(ctx context.Context, pkg graph.Package, items []graph.Target, final bool, t *tally) ([]graph.Target, error) {
	found := make([]itemCheck, len(items))
	var checks []graph.MemberCheck
	var owner []int // checks[i] is for items[owner[i]]
	for i, it := range items {
		found[i].memberOf = map[string]bool{}
		if it.TargetObjectID == "" {
			found[i].unknown = true
			continue
		}
		for g := range slices.Chunk(pkg.MemberGroups, graph.MaxCheckGroups) {
			checks = append(checks, graph.MemberCheck{ObjectID: it.TargetObjectID, GroupIDs: g})
			owner = append(owner, i)
		}
	}
	for start := 0; start < len(checks); start += graph.MaxBatch {
		batch := checks[start:min(start+graph.MaxBatch, len(checks))]
		answers, err := e.graph.CheckMemberGroups(ctx, batch)
		if err == nil && len(answers) != len(batch) {
			err = &graph.Error{Status: 502, Code: "BatchItemMissing", Message: "Graph's $batch answer does not match its requests."}
		}
		for k := range batch {
			f := &found[owner[start+k]]
			aerr := err
			if aerr == nil {
				aerr = answers[k].Err
			}
			if aerr == nil {
				for _, g := range answers[k].MemberOf {
					f.memberOf[g] = true
				}
				continue
			}
			switch v, o := judge(aerr, final); {
			case v == throttled:
				f.throttled = true
				t.recheckDelay = max(t.recheckDelay, o.RetryAfter)
			case v == redeliver:
				return nil, aerr
			case o.Code == "GraphAccessDenied" || o.Transient():
				f.failed = &o
			default:
				f.unknown = true
			}
		}
	}
	var todo []graph.Target
	for i, it := range items {
		f := found[i]
		switch {
		case f.failed != nil:
			t.fail(it, *f.failed)
		case f.unknown:
			t.d.Counts.Unverifiable++
			todo = append(todo, it)
		case f.throttled:
			t.recheck = append(t.recheck, it)
		default:
			if missing := missingGroups(pkg.MemberGroups, f.memberOf); len(missing) > 0 {
				t.drift(it, missing)
				todo = append(todo, it)
			} else if pkg.Unverifiable {
				t.d.Counts.Unverifiable++
				todo = append(todo, it)
			} else {
				t.d.Counts.InSync++
			}
		}
	}
	return todo, nil
}

func missingGroups(groups []string, memberOf map[string]bool) []string {
	var missing []string
	for _, g := range groups {
		if !memberOf[g] {
			missing = append(missing, g)
		}
	}
	return missing
}
