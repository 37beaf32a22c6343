package azurefunc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/reprocess"
	"github.com/entra-tools/reprocess/shared/telemetry"
)

// Core is what the queue function needs of the domain core
// (reprocess.Service).
type Core interface {
	ReprocessMessages(ctx context.Context, reqs []reprocess.Request) [][]reprocess.ItemResult
}

// serveQueueInvocation runs one reprocess-queue message through the core:
// the message is parsed by the core's one parser, its ids reach Graph
// through JSON batching, and the core's verdict decides. Completing (HTTP
// 200) removes the message; failing (HTTP 500) makes the host retry it and
// finally move it to the poison queue.
func (e *edge) serveQueueInvocation(w http.ResponseWriter, r *http.Request, _ string) {
	start := time.Now()
	id := invocationID(r.Header)
	base, _ := graph.WithCalls(r.Context()) // its Graph calls go on the log line
	ctx, cancel := context.WithTimeout(invocation.NewContext(base, invocation.Info{ID: id, Trigger: invocation.Queue}), e.timeout)
	defer cancel()
	ctx, span := telemetry.Server(ctx, e.tracer, trace.SpanKindConsumer, FunctionReprocessQueue+" process", "",
		attribute.String("faas.invocation_id", id), attribute.String("faas.trigger", "pubsub"))
	defer span.End()
	var meta queueMeta
	results, err := func() (results []reprocess.ItemResult, err error) {
		defer func() {
			if p := recover(); p != nil {
				e.logPanic(r, id, p)
				results, err = nil, errCorePanicked
			}
		}()
		payload, err := readPayload(r.Body, e.maxBytes)
		if err != nil {
			return nil, err
		}
		inv, err := decodeInvocation(payload)
		if err != nil {
			return reprocess.Refused(reprocess.BadRequest(err.Error(), err)), nil
		}
		meta = queueMetaFrom(inv)
		msg, err := messageFromInvocation(inv)
		if err != nil {
			return reprocess.Refused(reprocess.BadRequest(err.Error(), err)), nil
		}
		req, err := reprocess.ParseMessage(msg)
		if err != nil {
			return reprocess.Refused(err), nil
		}
		return e.queueCore.ReprocessMessages(ctx, []reprocess.Request{req})[0], nil
	}()
	verdict, detail := reprocess.VerdictOf(results), summary(results)
	switch {
	case errors.Is(err, errPayloadTooLarge):
		verdict, detail = reprocess.Drop, err.Error()
	case err != nil:
		verdict, detail = reprocess.Retry, err.Error()
	}
	if span.IsRecording() {
		span.SetAttributes(attribute.String("messaging.message.id", meta.messageID),
			attribute.Int("messaging.batch.message_count", 1), telemetry.BatchItems.Int(len(results)),
			attribute.String("reprocess.verdict", verdict.String()))
		if verdict == reprocess.Retry {
			span.SetStatus(codes.Error, detail)
		}
	}
	e.finishQueue(w, ctx, id, meta, results, verdict, detail, start)
}

var errCorePanicked = errors.New("the core panicked")

// summary is the log's detail of a message's results: the first failure's
// code, or the counts of a batch.
func summary(results []reprocess.ItemResult) string {
	accepted, code := 0, ""
	for _, r := range results {
		if r.Status == http.StatusAccepted {
			accepted++
		} else if code == "" {
			code = safeToken(r.Code, 64)
		}
	}
	if len(results) <= 1 {
		return code
	}
	s := fmt.Sprintf("%d of %d accepted", accepted, len(results))
	if code != "" {
		s += "; first failure " + code
	}
	return s
}

// finishQueue logs the outcome both ways (Logs[] only survives a 2xx) and
// answers the host.
func (e *edge) finishQueue(w http.ResponseWriter, ctx context.Context, id string, meta queueMeta, results []reprocess.ItemResult, verdict reprocess.Verdict, detail string, start time.Time) {
	subject := "message"
	if meta.messageID != "" {
		subject = "message " + meta.messageID
	}
	assignmentID, status := "", 0
	if len(results) == 1 {
		assignmentID, status = results[0].AssignmentID, results[0].Status
	}
	switch {
	case assignmentID != "":
		subject += fmt.Sprintf(" for assignment %q", truncate(assignmentID, maxLoggedValue))
	case len(results) > 1:
		subject += fmt.Sprintf(" for %d assignments", len(results))
	}
	result := "processed"
	switch {
	case len(results) == 1 && assignmentID == "": // refused before any id was known
		result, status = "not processed", results[0].Status
		detail = results[0].Code + ": " + truncate(results[0].Message, maxLoggedValue)
	case len(results) == 0:
		result = "not processed"
	case status != 0:
		result = fmt.Sprintf("core answered %d", status)
	}
	if detail != "" {
		result += fmt.Sprintf(" (%s)", detail)
	}
	var line string
	level, answer := slog.LevelInfo, http.StatusOK
	switch verdict {
	case reprocess.Done:
		line = fmt.Sprintf("%s: %s %s: done", FunctionReprocessQueue, subject, result)
	case reprocess.Drop:
		level = slog.LevelWarn
		line = fmt.Sprintf("%s: %s %s: permanent failure, message completed without retry", FunctionReprocessQueue, subject, result)
	default:
		level, answer = slog.LevelError, http.StatusInternalServerError
		line = fmt.Sprintf("%s: %s %s: transient failure, failing the invocation so the host retries", FunctionReprocessQueue, subject, result)
		if meta.dequeueCount > 0 {
			line += fmt.Sprintf(" (dequeue count %d)", meta.dequeueCount)
		}
	}
	e.logQueue(ctx, level, id, meta, assignmentID, len(results), status, verdict.String(), detail, start)
	writeResult(w, answer, invocationResult{Logs: []string{line}})
}
