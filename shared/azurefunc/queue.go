package azurefunc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/entra-tools/reprocess/shared/invocation"
)

// reprocessPath is the core route a queue message becomes.
const reprocessPath = "/api/reprocess"

// queueOutcome is what becomes of a message after the core answered.
type queueOutcome int

const (
	queueDone      queueOutcome = iota // reprocessing accepted
	queuePermanent                     // retrying cannot help: complete the message
	queueTransient                     // worth retrying: fail so the host retries, then poisons
)

func (o queueOutcome) String() string {
	switch o {
	case queueDone:
		return "done"
	case queuePermanent:
		return "dropped"
	default:
		return "retry"
	}
}

// classifyQueueStatus sorts the core's status the way Logic Apps' retry
// policy does: 408, 429 and 5xx are transient, other non-2xx are permanent
// (an invalid id, an unknown assignment, Graph's 400).
func classifyQueueStatus(status int) queueOutcome {
	switch {
	case status >= 200 && status < 300:
		return queueDone
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500:
		return queueTransient
	default:
		return queuePermanent
	}
}

// serveQueueInvocation runs one reprocess-queue message through the core.
// Completing (HTTP 200) removes the message; failing (HTTP 500) makes the
// host retry it and finally move it to the poison queue.
func (e *edge) serveQueueInvocation(w http.ResponseWriter, r *http.Request, _ string) {
	start := time.Now()
	id := invocationID(r.Header)
	ctx := invocation.NewContext(r.Context(), invocation.Info{ID: id, Trigger: invocation.Queue})
	done := func(meta queueMeta, assignmentID string, status int, outcome queueOutcome, detail string) {
		e.finishQueue(w, ctx, id, meta, assignmentID, status, outcome, detail, start)
	}

	payload, err := readPayload(r.Body, e.maxBytes)
	if err != nil {
		if errors.Is(err, errPayloadTooLarge) {
			done(queueMeta{}, "", 0, queuePermanent, err.Error())
		} else {
			done(queueMeta{}, "", 0, queueTransient, err.Error())
		}
		return
	}
	inv, err := decodeInvocation(payload)
	if err != nil {
		done(queueMeta{}, "", 0, queuePermanent, err.Error())
		return
	}
	meta := queueMetaFrom(inv)
	assignmentID, err := assignmentIDFromInvocation(inv)
	if err != nil {
		done(meta, "", 0, queuePermanent, err.Error())
		return
	}

	buf := newResponseBuffer()
	req := queueRequest(ctx, assignmentID, r)
	if p := serveRecovering(e.core, buf, req); p != nil {
		e.logPanic(req, id, p)
		done(meta, assignmentID, http.StatusInternalServerError, queueTransient, "the core handler panicked")
		return
	}
	done(meta, assignmentID, buf.status, classifyQueueStatus(buf.status), errorCode(buf.body.Bytes()))
}

// queueRequest is the core request for one message. The id is JSON-encoded,
// never spliced into the body. No credentials are added: the core trusts the
// Queue trigger in the context, which callers cannot set.
func queueRequest(ctx context.Context, assignmentID string, outer *http.Request) *http.Request {
	body, _ := json.Marshal(struct {
		AssignmentID string `json:"assignmentId"`
	}{assignmentID})
	return (&http.Request{
		Method:     http.MethodPost,
		URL:        &url.URL{Path: reprocessPath},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header: http.Header{
			"Content-Type":   {"application/json"},
			"Content-Length": {strconv.Itoa(len(body))},
		},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Host:          outer.Host,
		RemoteAddr:    outer.RemoteAddr,
		RequestURI:    reprocessPath,
	}).WithContext(ctx)
}

// errorCode returns error.code of a Graph-shaped error body, for the log.
func errorCode(body []byte) string {
	var b errorBody
	if json.Unmarshal(body, &b) != nil {
		return ""
	}
	return safeToken(b.Error.Code, 64)
}

// finishQueue logs the outcome both ways (Logs[] only survives a 2xx) and
// answers the host.
func (e *edge) finishQueue(w http.ResponseWriter, ctx context.Context, id string, meta queueMeta, assignmentID string, status int, outcome queueOutcome, detail string, start time.Time) {
	subject := "message"
	if meta.messageID != "" {
		subject = "message " + meta.messageID
	}
	if assignmentID != "" {
		subject += fmt.Sprintf(" for assignment %q", truncate(assignmentID, maxLoggedValue))
	}
	result := fmt.Sprintf("core answered %d", status)
	if status == 0 {
		result = "not processed"
	}
	if detail != "" {
		result += fmt.Sprintf(" (%s)", detail)
	}
	var line string
	level, answer := slog.LevelInfo, http.StatusOK
	switch outcome {
	case queueDone:
		line = fmt.Sprintf("%s: %s %s: done", FunctionReprocessQueue, subject, result)
	case queuePermanent:
		level = slog.LevelWarn
		line = fmt.Sprintf("%s: %s %s: permanent failure, message completed without retry", FunctionReprocessQueue, subject, result)
	default:
		level, answer = slog.LevelError, http.StatusInternalServerError
		line = fmt.Sprintf("%s: %s %s: transient failure, failing the invocation so the host retries", FunctionReprocessQueue, subject, result)
		if meta.dequeueCount > 0 {
			line += fmt.Sprintf(" (dequeue count %d)", meta.dequeueCount)
		}
	}
	e.logQueue(ctx, level, id, meta, assignmentID, status, outcome.String(), detail, start)
	writeResult(w, answer, invocationResult{Logs: []string{line}})
}
