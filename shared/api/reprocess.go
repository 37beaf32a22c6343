package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/graph"
)

// pollAfter is the Retry-After of the asynchronous pattern: how long a
// Logic App waits before polling the status route.
const pollAfter = "10"

// accepted is the body of a 202.
type accepted struct {
	AssignmentID   string `json:"assignmentId"`
	Status         string `json:"status"`
	GraphRequestID string `json:"graphRequestId,omitempty"`
	StatusURL      string `json:"statusUrl"`
}

func reprocessByPath(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := assignment.ParseID(r.PathValue("id"))
		if err != nil {
			writeError(w, r, err)
			return
		}
		reprocessOne(d, w, r, id)
	})
}

// reprocessOne calls Graph for one valid id and answers the caller.
func reprocessOne(d Deps, w http.ResponseWriter, r *http.Request, id assignment.ID) {
	rec := recordOf(r)
	rec.assignmentID = id.String()
	res, err := d.Graph.Reprocess(r.Context(), id)
	if err != nil {
		writeError(w, r, err)
		return
	}
	rec.graphRequestID, rec.code = res.RequestID, "Accepted"
	statusURL := absoluteURL(r, "/api/assignments/"+id.String())
	if res.RequestID != "" {
		w.Header().Set("X-Graph-Request-Id", res.RequestID)
	}
	w.Header().Set("Location", statusURL)
	w.Header().Set("Retry-After", pollAfter)
	writeJSON(w, http.StatusAccepted, accepted{AssignmentID: id.String(), Status: "accepted", GraphRequestID: res.RequestID, StatusURL: statusURL})
}

// assignmentState is the body of the status route.
type assignmentState struct {
	graph.Assignment
	Final bool `json:"final"` // false while Graph is still delivering
}

func assignmentStatus(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := assignment.ParseID(r.PathValue("id"))
		if err != nil {
			writeError(w, r, err)
			return
		}
		rec := recordOf(r)
		rec.assignmentID = id.String()
		a, err := d.Graph.Get(r.Context(), id)
		if err != nil {
			writeError(w, r, err)
			return
		}
		rec.graphRequestID, rec.code = a.RequestID, a.State
		if a.RequestID != "" {
			w.Header().Set("X-Graph-Request-Id", a.RequestID)
		}
		status := http.StatusOK
		if a.State == "delivering" {
			// Still under way: the Logic Apps poller comes back after Retry-After.
			status = http.StatusAccepted
			w.Header().Set("Location", absoluteURL(r, "/api/assignments/"+id.String()))
			w.Header().Set("Retry-After", pollAfter)
		}
		writeJSON(w, status, assignmentState{Assignment: a, Final: status == http.StatusOK})
	})
}

// singleRequest is {"assignmentId": "…"}.
type singleRequest struct {
	AssignmentID *string `json:"assignmentId"`
}

func reprocessByBody(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req singleRequest
		if err := decodeStrict(r, &req); err != nil {
			writeError(w, r, err)
			return
		}
		if req.AssignmentID == nil {
			writeError(w, r, badRequest("The body must be {\"assignmentId\": \"<GUID>\"}.", nil))
			return
		}
		id, err := assignment.ParseID(*req.AssignmentID)
		if err != nil {
			writeError(w, r, err)
			return
		}
		reprocessOne(d, w, r, id)
	})
}

// decodeStrict reads one JSON object with no unknown fields and nothing after it.
func decodeStrict(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
		return &Problem{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType", Message: "Send the body as application/json."}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return tooLarge(tooBig.Limit)
		}
		if errors.Is(err, io.EOF) {
			return badRequest("The request body is empty; send a JSON object.", err)
		}
		return badRequest("The request body is not the JSON this route takes: "+err.Error()+".", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("The request body has data after its JSON object.", err)
	}
	return nil
}

func badRequest(msg string, cause error) *Problem {
	return &Problem{Status: http.StatusBadRequest, Code: "BadRequest", Message: msg, Err: cause}
}

// absoluteURL builds the URL a caller polls, as the caller sees this
// function (behind the Functions host, API Gateway or a load balancer).
func absoluteURL(r *http.Request, p string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if v := firstValue(r.Header.Get("X-Forwarded-Proto")); v == "http" || v == "https" {
		scheme = v
	}
	host := r.Host
	if v := firstValue(r.Header.Get("X-Forwarded-Host")); v != "" {
		host = v
	}
	prefix := strings.TrimSuffix(firstValue(r.Header.Get("X-Forwarded-Prefix")), "/")
	return scheme + "://" + host + prefix + p
}

func firstValue(v string) string {
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}
