package awslambda

import (
	"context"
	"errors"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/entra-tools/reprocess/shared/api"
	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/recorder"
)

// Error codes of the answers the edge makes itself, in the core's error
// shape {"error":{"code","message"}}.
const (
	codeBadRequest     = "BadRequest"
	codeInternal       = "InternalServerError"
	codeGatewayTimeout = "GatewayTimeout"
	codeUnavailable    = "ServiceUnavailable"
)

// outcome is how one call of the core ended.
type outcome struct {
	response
	abandoned bool // the core did not return in time; the answer is the edge's
}

// serve runs the core for r and returns its response. A panic becomes a 500.
// If the core is still running half a margin after the request's deadline,
// serve stops waiting and answers 504 itself, so the invocation can still
// report before Lambda ends it; the abandoned call keeps its own recorder,
// which nothing reads again.
func (h *Handler) serve(r *http.Request) outcome {
	info, _ := invocation.FromContext(r.Context())
	w := recorder.New()
	done := make(chan bool, 1)
	go func() {
		panicked := true
		defer func() {
			if panicked {
				p := recover()
				if p != http.ErrAbortHandler {
					h.logger.ErrorContext(r.Context(), "core handler panicked",
						"invocation_id", info.ID, "panic", p, "stack", string(debug.Stack()))
				}
			}
			done <- panicked
		}()
		h.core.ServeHTTP(w, r)
		panicked = false
	}()

	var expired <-chan time.Time
	if deadline, ok := r.Context().Deadline(); ok {
		t := time.NewTimer(time.Until(deadline) + h.margin/2)
		defer t.Stop()
		expired = t.C
	}
	select {
	case panicked := <-done:
		if panicked {
			return outcome{response: errorResponse(http.StatusInternalServerError, codeInternal, "The request could not be completed.")}
		}
		return outcome{response: w.Result(r.Method)}
	case <-expired:
		h.logger.ErrorContext(r.Context(), "core handler did not return before the invocation deadline",
			"invocation_id", info.ID, "method", r.Method, "path", r.URL.Path)
		if errors.Is(r.Context().Err(), context.Canceled) {
			return outcome{response: errorResponse(http.StatusServiceUnavailable, codeUnavailable, "The function is shutting down."), abandoned: true}
		}
		return outcome{response: errorResponse(http.StatusGatewayTimeout, codeGatewayTimeout, "The request did not complete in time."), abandoned: true}
	}
}

// errorResponse is an answer made by the edge, in the api's error shape.
func errorResponse(status int, code, message string) response {
	return response{
		Status: status,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   api.ErrorBody(code, message),
	}
}

// recoverCore, deferred, turns a panic of the core into a log line and
// then runs answer, so no panic reaches the runtime.
func (h *Handler) recoverCore(ctx context.Context, id string, answer func()) {
	if p := recover(); p != nil {
		h.logger.ErrorContext(ctx, "core panicked", "aws_request_id", id, "panic", p, "stack", string(debug.Stack()))
		answer()
	}
}
