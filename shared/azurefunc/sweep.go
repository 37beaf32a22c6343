package azurefunc

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/entra-tools/reprocess/shared/invocation"
)

// timerInfo is Data.timer of a timer invocation (the host's TimerInfo):
// only IsPastDue is read, for the log.
type timerInfo struct {
	IsPastDue bool `json:"IsPastDue"`
}

// serveSweep starts one job per configured access package and purges
// expired job records. The host does not retry a timer invocation, so a
// failure is reported (HTTP 500 and the log) and the next schedule tries again.
func (e *edge) serveSweep(w http.ResponseWriter, r *http.Request, _ string) {
	start := time.Now()
	id := invocationID(r.Header)
	ctx, cancel := context.WithTimeout(invocation.NewContext(r.Context(), invocation.Info{ID: id, Trigger: invocation.Timer}), sweepTimeout)
	defer cancel()
	var timer timerInfo
	if payload, err := readPayload(r.Body, e.maxBytes); err == nil {
		if inv, err := decodeInvocation(payload); err == nil {
			if raw, ok := inv.binding(timerBinding); ok {
				if s, err := unwrapString(raw); err == nil { // a JSON-encoded object, as strings are
					raw = json.RawMessage(s)
				}
				json.Unmarshal(raw, &timer)
			}
		}
	}
	var problems []string
	started, purged := 0, 0
	jobIDs := []string{} // the jobs started, for their status route
	func() {
		defer func() {
			if p := recover(); p != nil {
				e.logPanic(r, id, p)
				problems = append(problems, errCorePanicked.Error())
			}
		}()
		if len(e.sweep.AccessPackageIDs) > 0 {
			if e.jobs == nil {
				problems = append(problems, "SWEEP_ACCESS_PACKAGE_IDS is set but this instance has no job backend (AzureWebJobsStorage)")
				return
			}
			jobsStarted, err := e.jobs.Sweep(ctx, e.sweep.AccessPackageIDs, e.sweep.Mode)
			started = len(jobsStarted)
			for _, j := range jobsStarted {
				jobIDs = append(jobIDs, j.ID)
			}
			if err != nil {
				problems = append(problems, "sweep: "+err.Error())
			}
		}
		if e.sweep.Purge != nil {
			n, err := e.sweep.Purge.Purge(ctx, time.Now())
			purged = n
			if err != nil {
				problems = append(problems, "purge: "+err.Error())
			}
		}
	}()
	level, answer := slog.LevelInfo, http.StatusOK
	line := fmt.Sprintf("%s: started %d of %d jobs (mode %s), purged %d expired jobs", FunctionSweep,
		started, len(e.sweep.AccessPackageIDs), e.sweep.Mode, purged)
	if timer.IsPastDue {
		line += " (past due)"
	}
	if len(problems) > 0 {
		level, answer = slog.LevelError, http.StatusInternalServerError
		line += ": " + truncate(strings.Join(problems, "; "), 1024)
	}
	e.logger.LogAttrs(ctx, level, "invocation",
		slog.String("invocationId", id), slog.String("trigger", "timer"), slog.String("mode", "json"),
		slog.String("function", FunctionSweep), slog.Bool("isPastDue", timer.IsPastDue),
		slog.Int("jobsStarted", started), slog.Int("accessPackages", len(e.sweep.AccessPackageIDs)),
		slog.Any("jobIds", jobIDs), slog.Int("jobsPurged", purged), slog.String("detail", truncate(strings.Join(problems, "; "), 1024)),
		slog.Int64("durationMs", time.Since(start).Milliseconds()))
	writeResult(w, answer, invocationResult{Logs: []string{line}})
}
