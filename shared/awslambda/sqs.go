package awslambda

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/reprocess"
	"github.com/entra-tools/reprocess/shared/telemetry"
)

// serveSQS handles an SQS batch: the core's parser reads every record, and
// the ids of all of them go to Graph together, through JSON batching. The
// answer lists only the records with an item worth retrying, so SQS
// redelivers those and deletes the rest (which needs ReportBatchItemFailures
// on the event source mapping).
func (h *Handler) serveSQS(ctx context.Context, id string, payload []byte) ([]byte, error) {
	var ev events.SQSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		// Without message ids nothing can be reported one by one: fail the
		// whole batch so SQS redelivers it (and finally dead-letters it).
		return nil, &batchDecodeError{err}
	}
	ctx, span := telemetry.Server(ctx, h.tracer, trace.SpanKindConsumer, "SQS process", "",
		attribute.String("faas.invocation_id", id), attribute.String("faas.trigger", "pubsub"),
		attribute.String("messaging.system", "aws_sqs"), attribute.Int("messaging.batch.message_count", len(ev.Records)))
	defer span.End()
	ctx = invocation.NewContext(ctx, invocation.Info{ID: id, Trigger: invocation.SQS, XRay: xrayRoot(ctx)})
	// The jobs queue's records go to the jobs engine, the rest to the core.
	records, jobRecords := ev.Records, []*events.SQSMessage(nil)
	if h.jobs.QueueURL != "" {
		records = nil
		for i := range ev.Records {
			if rec := &ev.Records[i]; h.jobs.isJobRecord(rec) {
				jobRecords = append(jobRecords, rec)
			} else {
				records = append(records, *rec)
			}
		}
	}
	out := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	if len(jobRecords) > 0 {
		for _, messageID := range h.handleJobRecords(ctx, id, jobRecords) {
			out.BatchItemFailures = append(out.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: messageID})
		}
	}
	if len(records) > 0 {
		verdicts := h.handleRecords(ctx, id, records)
		if verdicts == nil { // the core panicked: every record is retried
			verdicts = make([]reprocess.Verdict, len(records))
			for i := range verdicts {
				verdicts[i] = reprocess.Retry
			}
		}
		for i, v := range verdicts {
			if v == reprocess.Retry {
				out.BatchItemFailures = append(out.BatchItemFailures,
					events.SQSBatchItemFailure{ItemIdentifier: records[i].MessageId})
			}
		}
	}
	if n := len(out.BatchItemFailures); n > 0 {
		span.SetAttributes(attribute.Int("reprocess.retried_messages", n))
		span.SetStatus(codes.Error, "some messages will be retried")
	}
	return json.Marshal(out)
}

// handleRecords asks the core for every record at once and returns each
// record's verdict. In a FIFO queue every record after the first to be
// retried is retried too, so their order holds.
func (h *Handler) handleRecords(ctx context.Context, id string, records []events.SQSMessage) (verdicts []reprocess.Verdict) {
	defer h.recoverCore(ctx, id, func() { verdicts = nil })
	reqs := make([]reprocess.Request, 0, len(records))
	at := make([]int, len(records)) // index into reqs; -1 for a record that does not parse
	results := make([][]reprocess.ItemResult, len(records))
	for i, rec := range records {
		req, err := reprocess.ParseMessage([]byte(rec.Body))
		if err != nil {
			at[i], results[i] = -1, reprocess.Refused(err)
			continue
		}
		at[i] = len(reqs)
		reqs = append(reqs, req)
	}
	answers := h.messages.ReprocessMessages(ctx, reqs)
	verdicts = make([]reprocess.Verdict, len(records))
	halted := false
	fifo := len(records) > 0 && strings.HasSuffix(records[0].EventSourceARN, ".fifo")
	for i, rec := range records {
		if at[i] >= 0 {
			results[i] = answers[at[i]]
		}
		verdicts[i] = reprocess.VerdictOf(results[i])
		if halted && verdicts[i] != reprocess.Retry {
			verdicts[i] = reprocess.Retry
			h.logger.WarnContext(ctx, "SQS message retried to keep the FIFO order", "aws_request_id", id, "message_id", rec.MessageId)
			continue
		}
		halted = fifo && verdicts[i] == reprocess.Retry
		h.logRecord(ctx, id, rec.MessageId, results[i], verdicts[i])
	}
	return verdicts
}

// logRecord writes the one line of a record that was not simply done.
func (h *Handler) logRecord(ctx context.Context, id, messageID string, results []reprocess.ItemResult, v reprocess.Verdict) {
	if v == reprocess.Done {
		return
	}
	status, code := 0, ""
	for _, r := range results {
		if r.Status != 202 && (code == "" || r.Transient()) {
			status, code = r.Status, r.Code
		}
	}
	msg := "dropping SQS message the core refused"
	if v == reprocess.Retry {
		msg = "SQS message failed; it will be retried"
	}
	info, _ := invocation.FromContext(ctx)
	h.logger.WarnContext(ctx, msg, "aws_request_id", id, "xray_trace_id", info.XRay, "message_id", messageID, "items", len(results), "status", status, "code", code)
}

// batchDecodeError is the function error for an SQS batch that does not
// decode; its type name is the errorType Lambda logs.
type batchDecodeError struct{ err error }

func (e *batchDecodeError) Error() string { return "decode SQS event: " + e.err.Error() }
func (e *batchDecodeError) Unwrap() error { return e.err }
