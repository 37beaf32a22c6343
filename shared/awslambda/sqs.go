package awslambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/entra-tools/reprocess/shared/invocation"
)

// verdict is what happens to one SQS message after its invocation.
type verdict int

const (
	processed verdict = iota // done; Lambda deletes it
	dropped                  // permanent failure, logged; Lambda deletes it
	retry                    // transient failure; reported so SQS redelivers it
)

// serveSQS handles an SQS batch: every record is one reprocess call of the
// core. The answer lists only the records worth retrying, so SQS redelivers
// those and deletes the rest (which needs ReportBatchItemFailures on the
// event source mapping).
func (h *Handler) serveSQS(ctx context.Context, id string, payload []byte) ([]byte, error) {
	var ev events.SQSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		// Without message ids nothing can be reported one by one: fail the
		// whole batch so SQS redelivers it (and finally dead-letters it).
		return nil, &batchDecodeError{err}
	}
	verdicts := h.handleRecords(ctx, id, ev.Records)
	out := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for i, v := range verdicts {
		if v == retry {
			out.BatchItemFailures = append(out.BatchItemFailures,
				events.SQSBatchItemFailure{ItemIdentifier: ev.Records[i].MessageId})
		}
	}
	return json.Marshal(out)
}

// handleRecords runs the records, at most h.sqsConcurrency at once. A record
// not started before the deadline is marked for retry, never lost. A FIFO
// queue's records run one at a time, and after the first that must be
// retried the rest are retried too, so their order holds.
func (h *Handler) handleRecords(ctx context.Context, id string, records []events.SQSMessage) []verdict {
	verdicts := make([]verdict, len(records))
	if len(records) > 0 && strings.HasSuffix(records[0].EventSourceARN, ".fifo") {
		halted := false
		for i := range records {
			if halted || ctx.Err() != nil {
				verdicts[i] = h.notStarted(ctx, id, &records[i])
				continue
			}
			verdicts[i] = h.handleRecord(ctx, id, &records[i])
			halted = verdicts[i] == retry
		}
		return verdicts
	}

	slots := make(chan struct{}, h.sqsConcurrency)
	var wg sync.WaitGroup
	for i := range records {
		if ctx.Err() == nil {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			verdicts[i] = h.notStarted(ctx, id, &records[i])
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			verdicts[i] = h.handleRecord(ctx, id, &records[i])
		})
	}
	wg.Wait()
	return verdicts
}

func (h *Handler) notStarted(ctx context.Context, id string, rec *events.SQSMessage) verdict {
	h.logger.WarnContext(ctx, "SQS message not started before the deadline; it will be retried",
		"aws_request_id", id, "message_id", rec.MessageId)
	return retry
}

// handleRecord asks the core to reprocess the assignment one message names.
func (h *Handler) handleRecord(ctx context.Context, id string, rec *events.SQSMessage) verdict {
	log := h.logger.With("aws_request_id", id, "message_id", rec.MessageId)
	assignmentID, err := assignmentIDFromMessage(rec.Body)
	if err != nil {
		log.WarnContext(ctx, "dropping SQS message", "error", err)
		return dropped
	}
	ctx = invocation.NewContext(ctx, invocation.Info{ID: rec.MessageId, Trigger: invocation.SQS})
	out := h.serve(reprocessRequest(ctx, assignmentID))
	code := ""
	if e := coreError(out.body); e != nil {
		code = e.Code
	}
	switch {
	case out.abandoned || isTransient(out.status):
		log.WarnContext(ctx, "SQS message failed; it will be retried", "status", out.status, "code", code)
		return retry
	case out.status >= 400:
		log.WarnContext(ctx, "dropping SQS message the core refused", "status", out.status, "code", code)
		return dropped
	}
	return processed
}

// isTransient reports whether a status is worth retrying later: timeouts,
// throttling and server-side failures.
func isTransient(status int) bool {
	return status == 408 || status == 429 || status >= 500
}

// assignmentIDFromMessage reads a message body: {"assignmentId":"…"} or the
// bare id (also as a JSON string). Whether the id is valid is the core's
// call.
func assignmentIDFromMessage(body string) (string, error) {
	s := strings.TrimSpace(body)
	switch {
	case s == "":
		return "", errors.New("message body is empty")
	case s[0] == '{':
		var m struct {
			AssignmentID *string `json:"assignmentId"`
		}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return "", fmt.Errorf("message body is not a JSON object with a string assignmentId: %w", err)
		}
		if m.AssignmentID == nil {
			return "", errors.New("message body has no assignmentId")
		}
		return *m.AssignmentID, nil
	case s[0] == '"':
		var id string
		if err := json.Unmarshal([]byte(s), &id); err != nil {
			return "", fmt.Errorf("message body is not a JSON string: %w", err)
		}
		return id, nil
	case strings.ContainsAny(s, " \t\r\n{}[]\""):
		return "", errors.New("message body is neither JSON nor a bare id")
	}
	return s, nil
}

// batchDecodeError is the function error for an SQS batch that does not
// decode; its type name is the errorType Lambda logs.
type batchDecodeError struct{ err error }

func (e *batchDecodeError) Error() string { return "decode SQS event: " + e.err.Error() }
func (e *batchDecodeError) Unwrap() error { return e.err }
