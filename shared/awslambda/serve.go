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
	call := &coreCall{r: r, w: recorder.New(), done: make(chan bool, 1)}
	select {
	case h.idle <- call: // a worker waiting for work takes it
	default:
		go h.work(call)
	}

	var expired <-chan time.Time
	if deadline, ok := r.Context().Deadline(); ok {
		t := time.NewTimer(time.Until(deadline) + h.margin/2)
		defer t.Stop()
		expired = t.C
	}
	select {
	case panicked := <-call.done:
		if panicked {
			return outcome{response: errorResponse(http.StatusInternalServerError, codeInternal, "The request could not be completed.")}
		}
		return outcome{response: call.w.Result(r.Method)}
	case <-expired:
		info, _ := invocation.FromContext(r.Context())
		h.logger.ErrorContext(r.Context(), "core handler did not return before the invocation deadline",
			"invocation_id", info.ID, "method", r.Method, "path", r.URL.Path)
		if errors.Is(r.Context().Err(), context.Canceled) {
			return outcome{response: errorResponse(http.StatusServiceUnavailable, codeUnavailable, "The function is shutting down."), abandoned: true}
		}
		return outcome{response: errorResponse(http.StatusGatewayTimeout, codeGatewayTimeout, "The request did not complete in time."), abandoned: true}
	}
}

// coreCall is one call of the core, handed to a worker.
type coreCall struct {
	r    *http.Request
	w    *recorder.Recorder
	done chan bool // whether the core panicked
}

// work runs the core for call, then for each call handed to it while it
// waits. A worker keeps the stack the core grew, where a goroutine per call
// grew a new one each time; Lambda sends one invocation at a time, so there
// is one worker, plus one for each call abandoned at its deadline that has
// not returned.
func (h *Handler) work(call *coreCall) {
	for {
		call.done <- h.runCore(call)
		call = <-h.idle
	}
}

// runCore runs the core and reports whether it panicked.
func (h *Handler) runCore(call *coreCall) (panicked bool) {
	defer func() {
		if !panicked {
			return
		}
		if p := recover(); p != http.ErrAbortHandler {
			info, _ := invocation.FromContext(call.r.Context())
			h.logger.ErrorContext(call.r.Context(), "core handler panicked",
				"invocation_id", info.ID, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	panicked = true
	h.core.ServeHTTP(call.w, call.r)
	return false
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
