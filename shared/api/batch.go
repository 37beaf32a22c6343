package api

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/graph"
)

// batchAnswer is the 200 body of a batch or a user lookup: one result per
// input position, in input order, and the counts.
type batchAnswer struct {
	Results []itemResult `json:"results"`
	Summary batchSummary `json:"summary"`
}

type batchSummary struct {
	Total        int            `json:"total"`
	Accepted     int            `json:"accepted"`     // status 202
	Failed       int            `json:"failed"`       // sent (or refused before sending) and not accepted
	NotAttempted int            `json:"notAttempted"` // never sent: the deadline came first
	ByStatus     map[string]int `json:"byStatus"`
}

// reprocessItems answers a batch. A duplicate id is sent to Graph once and
// its answer reported at each of its positions.
func reprocessItems(d Deps, w http.ResponseWriter, r *http.Request, items []batchInput) {
	results := runItems(r.Context(), d.Graph, items)
	answer := batchAnswer{Results: results, Summary: summarize(results)}
	rec := recordOf(r)
	rec.code = "Batch"
	rec.attrs = append(rec.attrs, slog.Int("items", answer.Summary.Total), slog.Int("accepted", answer.Summary.Accepted),
		slog.Int("failed", answer.Summary.Failed), slog.Int("notAttempted", answer.Summary.NotAttempted))
	writeJSON(w, http.StatusOK, answer)
}

func runItems(ctx context.Context, g Graph, items []batchInput) []itemResult {
	var unique []assignment.ID
	slot := make([]int, len(items)) // index into unique; -1 for an invalid id
	seen := map[assignment.ID]int{}
	for i, it := range items {
		if it.err != nil {
			slot[i] = -1
			continue
		}
		k, ok := seen[it.id]
		if !ok {
			k = len(unique)
			seen[it.id] = k
			unique = append(unique, it.id)
		}
		slot[i] = k
	}
	var answers []graph.ItemResult
	if len(unique) > 0 {
		work, cancel := context.WithDeadline(ctx, answerBy(ctx))
		defer cancel()
		answers = g.ReprocessMany(work, unique)
	}
	results := make([]itemResult, len(items))
	for i, it := range items {
		if slot[i] < 0 {
			results[i] = itemResultOf(it.raw, graph.Result{}, it.err)
			continue
		}
		a := answers[slot[i]]
		results[i] = itemResultOf(a.ID.String(), a.Result, a.Err)
	}
	return results
}

// answerBy is when the Graph work must stop so the answer, with every
// item's result, still reaches the caller before the request's deadline.
func answerBy(ctx context.Context) time.Time {
	deadline, ok := ctx.Deadline()
	if !ok {
		return time.Now().Add(time.Hour)
	}
	reserve := time.Until(deadline) / 10
	if reserve > 500*time.Millisecond {
		reserve = 500 * time.Millisecond
	}
	return deadline.Add(-reserve)
}

func summarize(results []itemResult) batchSummary {
	s := batchSummary{Total: len(results), ByStatus: map[string]int{}}
	for _, r := range results {
		s.ByStatus[strconv.Itoa(r.Status)]++
		switch {
		case r.Status == http.StatusAccepted:
			s.Accepted++
		case r.Code == "NotAttempted":
			s.NotAttempted++
		default:
			s.Failed++
		}
	}
	return s
}
