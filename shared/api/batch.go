package api

import (
	"log/slog"
	"net/http"

	"github.com/entra-tools/reprocess/shared/reprocess"
)

// batchAnswer is the 200 body of a batch or a user lookup: one result per
// input position, in input order, and the counts.
type batchAnswer struct {
	Results []reprocess.ItemResult `json:"results"`
	Summary reprocess.Summary      `json:"summary"`
}

// reprocessItems answers a batch through the core.
func reprocessItems(d Deps, w http.ResponseWriter, r *http.Request, items []reprocess.Item) {
	results := d.Core.ReprocessMany(r.Context(), items)
	answer := batchAnswer{Results: results, Summary: reprocess.Summarize(results)}
	rec := recordOf(r)
	rec.code = "Batch"
	rec.attrs = append(rec.attrs, slog.Int("items", answer.Summary.Total), slog.Int("accepted", answer.Summary.Accepted),
		slog.Int("failed", answer.Summary.Failed), slog.Int("notAttempted", answer.Summary.NotAttempted))
	writeJSON(w, http.StatusOK, answer)
}
