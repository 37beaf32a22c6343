package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// errorBody is Graph's error shape, the only error shape we answer with.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"InternalServerError","message":"An internal error occurred."}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

// writeError answers err through the one outcome mapping and notes the
// outcome for the request's log line.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	o := outcomeOf(err)
	rec := recordOf(r)
	rec.err, rec.code = err, o.code
	if o.requestID != "" {
		rec.graphRequestID = o.requestID
		w.Header().Set("X-Graph-Request-Id", o.requestID)
	}
	for k, vs := range o.header {
		w.Header()[k] = vs
	}
	if o.retryAfter > 0 {
		w.Header().Set("Retry-After", retryAfterSeconds(o.retryAfter))
	}
	if len(o.graphBody) > 0 {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(o.graphBody)))
		w.WriteHeader(o.status)
		w.Write(o.graphBody)
		return
	}
	var body errorBody
	body.Error.Code, body.Error.Message = o.code, o.message
	writeJSON(w, o.status, body)
}

func retryAfterSeconds(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return strconv.Itoa(s)
}
