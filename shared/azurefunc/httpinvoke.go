package azurefunc

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/recorder"
)

// serveHTTPInvocation answers the JSON invocation of an HTTP function. The
// handler's own status is always 200: anything else makes the host answer
// the caller 500 and drop Logs, so every outcome travels in Outputs.res.
func (e *edge) serveHTTPInvocation(w http.ResponseWriter, r *http.Request, function string) {
	start := time.Now()
	id := invocationID(r.Header)
	ctx := invocation.NewContext(r.Context(), invocation.Info{ID: id, Trigger: invocation.HTTP})

	res, logged := e.invokeHTTP(r.WithContext(ctx), function, id, start)
	line := fmt.Sprintf("%s %s %q -> %d", function, truncate(logged.Method, 16), truncate(logged.URL.Path, maxLoggedPath), res.StatusCode)
	writeResult(w, http.StatusOK, invocationResult{
		Outputs: map[string]any{httpOutputBinding: res},
		Logs:    []string{line},
	})
}

// invokeHTTP rebuilds the request, runs the core and returns Outputs.res,
// plus the request to name in the log (the outer one when rebuilding failed).
func (e *edge) invokeHTTP(outer *http.Request, function, id string, start time.Time) (httpOutput, *http.Request) {
	payload, err := readPayload(outer.Body, e.maxBytes)
	if err != nil {
		status, code, msg := http.StatusBadRequest, codeInvalidInvocation, "The invocation payload could not be read."
		if errors.Is(err, errPayloadTooLarge) {
			status, code, msg = http.StatusRequestEntityTooLarge, codePayloadTooLarge, fmt.Sprintf("The invocation payload exceeds %d bytes.", e.maxBytes)
		}
		e.logHTTP(outer, id, function, status, start, slog.String("reason", err.Error()))
		return errorOutput(status, code, msg), outer
	}
	req, err := requestFromInvocation(outer.Context(), payload, outer.RemoteAddr)
	if err != nil {
		// err never quotes the payload, which carries function keys.
		e.logHTTP(outer, id, function, http.StatusBadRequest, start, slog.String("reason", err.Error()))
		return errorOutput(http.StatusBadRequest, codeInvalidInvocation, "The invocation payload is not a valid HTTP trigger invocation: "+err.Error()+"."), outer
	}

	rec := recorder.New()
	if p := serveRecovering(e.core, rec, req); p != nil {
		e.logPanic(req, id, p)
		e.logHTTP(req, id, function, http.StatusInternalServerError, start)
		return errorOutput(http.StatusInternalServerError, codeInternalError, "The request failed unexpectedly."), req
	}
	res := output(rec.Result(req.Method))
	e.logServed(req, id, function, res.StatusCode, start)
	return res, req
}

// serveRecovering runs h and returns the value of a panic, if any, so that
// no panic reaches the host.
func serveRecovering(h http.Handler, w http.ResponseWriter, r *http.Request) (recovered any) {
	defer func() { recovered = recover() }()
	h.ServeHTTP(w, r)
	return nil
}
