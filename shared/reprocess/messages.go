package reprocess

import (
	"context"
	"net/http"
)

// Verdict is what becomes of a queue message once its items are answered.
type Verdict int

const (
	Done  Verdict = iota // every item accepted: the message is finished
	Drop                 // refused for good (an invalid id, an unknown assignment): retrying cannot help
	Retry                // an item failed transiently: the platform should deliver it again
)

func (v Verdict) String() string {
	switch v {
	case Done:
		return "done"
	case Drop:
		return "dropped"
	default:
		return "retry"
	}
}

// VerdictOf is the one transient-or-permanent rule for a message: retried
// when any of its items may still succeed (Transient), done when all were
// accepted, dropped otherwise.
func VerdictOf(results []ItemResult) Verdict {
	v := Done
	for _, r := range results {
		switch {
		case r.Transient():
			return Retry
		case r.Status != http.StatusAccepted:
			v = Drop
		}
	}
	return v
}

// Refused is the answer of a message that names nothing to reprocess (it
// does not parse, say): one result carrying err's outcome.
func Refused(err error) []ItemResult { return []ItemResult{ResultOf("", OutcomeOf(err))} }

// ReprocessMessages answers several messages at once (an SQS event's
// records, one Storage queue message): the ids of all of them go to Graph
// together, deduplicated and through JSON batching, and each message gets
// its own items' results. A message whose ids cannot be known (a user
// lookup Graph refused) gets that one outcome.
func (s *Service) ReprocessMessages(ctx context.Context, reqs []Request) [][]ItemResult {
	out := make([][]ItemResult, len(reqs))
	var all []Item
	spans := make([][2]int, len(reqs))
	for i, req := range reqs {
		items, err := s.Items(ctx, req)
		if err != nil {
			out[i] = Refused(err)
			spans[i] = [2]int{-1, -1}
			continue
		}
		spans[i] = [2]int{len(all), len(all) + len(items)}
		all = append(all, items...)
	}
	results := s.ReprocessMany(ctx, all)
	for i, sp := range spans {
		if sp[0] >= 0 {
			out[i] = results[sp[0]:sp[1]:sp[1]]
		}
	}
	return out
}
