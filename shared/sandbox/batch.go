package sandbox

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBatchItems is Graph's limit on requests in one $batch.
const maxBatchItems = 20

type batchRequest struct {
	Requests []batchItem `json:"requests"`
}

type batchItem struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers"`
	Body      json.RawMessage   `json:"body"`
	DependsOn []string          `json:"dependsOn"`
}

type batchItemResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// batch serves POST /v1.0/$batch: it runs each item through item (the same
// routes, permission check and faults as a direct call), in order, and
// answers 200 with every item's result.
func (g *GraphServer) batch(w http.ResponseWriter, r *http.Request, item http.Handler) {
	if f, ok := g.takeBatchFault(); ok {
		f.write(w)
		return
	}
	var body io.Reader = http.MaxBytesReader(w, r.Body, 4<<20)
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(body)
		if err != nil {
			graphError(w, http.StatusBadRequest, "BadRequest", "Invalid batch payload format: the gzip body cannot be read.")
			return
		}
		defer zr.Close()
		body = io.LimitReader(zr, 4<<20)
	}
	var req batchRequest
	if err := json.NewDecoder(body).Decode(&req); err != nil || req.Requests == nil {
		graphError(w, http.StatusBadRequest, "BadRequest", "Invalid batch payload format.")
		return
	}
	if msg := validateBatch(req.Requests); msg != "" {
		graphError(w, http.StatusBadRequest, "BadRequest", msg)
		return
	}

	status := map[string]int{}
	responses := make([]batchItemResponse, 0, len(req.Requests))
	for _, it := range req.Requests {
		var resp batchItemResponse
		if failed := failedDependency(it, status); failed != "" {
			resp = batchItemResponse{ID: it.ID, Status: http.StatusFailedDependency,
				Headers: map[string]string{"Content-Type": "application/json"},
				Body: mustJSON(map[string]any{"error": map[string]string{"code": "FailedDependency",
					"message": fmt.Sprintf("The request depends on request '%s', which failed.", failed)}})}
		} else {
			resp = g.runItem(r, it, item)
		}
		status[it.ID] = resp.Status
		responses = append(responses, resp)
	}
	writeOData(w, http.StatusOK, map[string]any{"responses": responses})
}

func validateBatch(items []batchItem) string {
	if len(items) == 0 {
		return "Invalid batch payload format: the batch has no requests."
	}
	if len(items) > maxBatchItems {
		return fmt.Sprintf("The batch has %d requests; a batch can hold at most %d.", len(items), maxBatchItems)
	}
	seen := map[string]bool{}
	for _, it := range items {
		switch {
		case it.ID == "" || it.Method == "" || it.URL == "":
			return "Invalid batch payload format: every request needs an id, a method and a url."
		case seen[it.ID]:
			return fmt.Sprintf("Request id '%s' is duplicated; request ids in a batch must be unique.", truncate(it.ID, 40))
		}
		for _, d := range it.DependsOn {
			if !seen[d] {
				return fmt.Sprintf("Request '%s' depends on '%s', which is not an earlier request in the batch.", truncate(it.ID, 40), truncate(d, 40))
			}
		}
		seen[it.ID] = true
	}
	return ""
}

func failedDependency(it batchItem, status map[string]int) string {
	for _, d := range it.DependsOn {
		if status[d] >= 400 {
			return d
		}
	}
	return ""
}

// runItem dispatches one item internally and logs it as a Graph request.
func (g *GraphServer) runItem(outer *http.Request, it batchItem, item http.Handler) batchItemResponse {
	rec := &recorder{header: http.Header{}}
	u, err := url.Parse(it.URL)
	if err != nil {
		u = &url.URL{Scheme: "invalid"}
	}
	host := hostOnly(outer.Host)
	if u.IsAbs() || u.Host != "" || strings.HasPrefix(strings.TrimPrefix(u.Path, "/"), "v1.0/") {
		setGraphHeaders(rec, outer)
		graphError(rec, http.StatusBadRequest, "BadRequest", "Invalid request URL: a batch request's url must be relative to the version, e.g. /users/{id}.")
	} else {
		var body io.Reader
		if len(it.Body) > 0 && string(it.Body) != "null" {
			body = bytes.NewReader(it.Body)
		}
		target := "https://" + host + "/v1.0/" + strings.TrimPrefix(u.Path, "/")
		if u.RawQuery != "" {
			target += "?" + u.RawQuery
		}
		req, err := http.NewRequestWithContext(outer.Context(), strings.ToUpper(it.Method), target, body)
		if err != nil {
			setGraphHeaders(rec, outer)
			graphError(rec, http.StatusBadRequest, "BadRequest", "Invalid request method or URL.")
		} else {
			req.Host = outer.Host
			for k, v := range it.Headers {
				req.Header.Set(k, v)
			}
			if v := outer.Header.Get("client-request-id"); v != "" && req.Header.Get("client-request-id") == "" {
				req.Header.Set("client-request-id", v)
			}
			setGraphHeaders(rec, req)
			item.ServeHTTP(rec, req)
		}
	}
	g.t.log.add(Request{Service: Graph, Method: strings.ToUpper(it.Method), Host: host, Path: "/v1.0/" + strings.TrimPrefix(u.Path, "/"),
		Query: safeQuery(u.RawQuery), Status: rec.status, Client: clientOf(outer), InBatch: true, Time: time.Now()})

	resp := batchItemResponse{ID: it.ID, Status: rec.status, Headers: map[string]string{"Cache-Control": "no-cache"}}
	if ra := rec.header.Get("Retry-After"); ra != "" {
		resp.Headers["Retry-After"] = ra
	}
	if rec.body.Len() > 0 {
		resp.Headers["Content-Type"] = "application/json"
		resp.Body = json.RawMessage(rec.body.Bytes())
	}
	return resp
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// recorder is the ResponseWriter a batch item is served into.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
