package azurefunc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/jobs"
)

// serveJobWorker runs one job work unit from the jobs queue. Completing
// (HTTP 200) removes the message; failing (HTTP 500) makes the host deliver
// it again after the visibility timeout, and after maxDequeueCount attempts
// move it to the poison queue — on that last attempt (Delivery.Final) the
// engine counts the unit's items as failed instead of failing. A message
// that is not a job message can never succeed: it is logged and completed.
func (e *edge) serveJobWorker(w http.ResponseWriter, r *http.Request, _ string) {
	start := time.Now()
	id := invocationID(r.Header)
	base, _ := graph.WithCalls(r.Context())
	ctx, cancel := context.WithTimeout(invocation.NewContext(base, invocation.Info{ID: id, Trigger: invocation.Queue}), e.timeout)
	defer cancel()
	var (
		meta queueMeta
		msg  jobs.Message
	)
	retry, detail := func() (retry bool, detail string) {
		defer func() {
			if p := recover(); p != nil {
				e.logPanic(r, id, p)
				retry, detail = true, errCorePanicked.Error()
			}
		}()
		payload, err := readPayload(r.Body, e.maxBytes)
		if err != nil {
			return !errors.Is(err, errPayloadTooLarge), err.Error()
		}
		inv, err := decodeInvocation(payload)
		if err != nil {
			return false, "not ours: " + err.Error()
		}
		meta = queueMetaFrom(inv)
		text, err := messageFromInvocation(inv)
		if err == nil {
			msg, err = jobs.DecodeMessage(text)
		}
		if err != nil {
			return false, "not ours: " + err.Error()
		}
		if e.jobs == nil {
			return true, "this instance has no job backend (AzureWebJobsStorage)"
		}
		d := jobs.Delivery{Attempt: max(meta.dequeueCount, 1), Final: meta.dequeueCount >= maxDequeueCount}
		if err := e.jobs.Handle(ctx, msg, d); err != nil {
			return true, err.Error()
		}
		return false, ""
	}()
	level, answer, result := slog.LevelInfo, http.StatusOK, "done"
	switch {
	case retry:
		level, answer, result = slog.LevelError, http.StatusInternalServerError, "failed, the host delivers it again"
	case detail != "":
		level, result = slog.LevelWarn, "dropped"
	}
	line := fmt.Sprintf("%s: message %s unit %q of job %q: %s", FunctionJobWorker, meta.messageID,
		truncate(msg.Unit, maxLoggedValue), truncate(msg.Job, maxLoggedValue), result)
	if detail != "" {
		line += " (" + truncate(detail, 512) + ")"
	}
	attrs := []slog.Attr{
		slog.String("invocationId", id), slog.String("trigger", "queue"), slog.String("mode", "json"),
		slog.String("function", FunctionJobWorker), slog.String("messageId", meta.messageID),
		slog.Int("dequeueCount", meta.dequeueCount),
		slog.String("jobId", truncate(msg.Job, maxLoggedValue)), slog.String("unit", truncate(msg.Unit, maxLoggedValue)),
		slog.String("kind", msg.Kind), slog.String("outcome", result), slog.String("detail", truncate(detail, 512)),
		slog.Int64("durationMs", time.Since(start).Milliseconds()),
	}
	if calls := graph.CallsFrom(ctx); calls != nil {
		if _, n := calls.List(); n > 0 {
			attrs = append(attrs, slog.Int("graphCallCount", n))
		}
	}
	e.logger.LogAttrs(ctx, level, "invocation", attrs...)
	writeResult(w, answer, invocationResult{Logs: []string{line}})
}
