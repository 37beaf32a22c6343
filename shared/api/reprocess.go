package api

import (
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

// reprocessOne asks the core to reprocess one valid id and answers the caller.
func reprocessOne(d Deps, w http.ResponseWriter, r *http.Request, id assignment.ID) {
	rec := recordOf(r)
	rec.assignmentID = id.String()
	o := d.Core.Reprocess(r.Context(), id)
	if o.Status != http.StatusAccepted {
		writeOutcome(w, r, o)
		return
	}
	rec.graphRequestID, rec.code = o.GraphRequestID, o.Code
	if o.GraphRequestID != "" {
		w.Header().Set("X-Graph-Request-Id", o.GraphRequestID)
	}
	statusURL := pollAt(w, r, "/api/assignments/"+id.String())
	writeJSON(w, http.StatusAccepted, accepted{AssignmentID: id.String(), Status: "accepted", GraphRequestID: o.GraphRequestID, StatusURL: statusURL})
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
		a, err := d.Core.Status(r.Context(), id)
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
			pollAt(w, r, "/api/assignments/"+id.String())
		}
		writeJSON(w, status, assignmentState{Assignment: a, Final: status == http.StatusOK})
	})
}

// pollAt points the asynchronous pattern's poller at the status route p:
// Location (absolute, as absoluteURL) and Retry-After. It returns the URL.
func pollAt(w http.ResponseWriter, r *http.Request, p string) string {
	u := absoluteURL(r, p)
	w.Header().Set("Location", u)
	w.Header().Set("Retry-After", pollAfter)
	return u
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
