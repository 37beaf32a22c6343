package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// NoRetryAfter, given to Fail or FailBatch, sends no Retry-After header.
const NoRetryAfter time.Duration = -1

// faultState is the Graph's injected behaviour; guarded by GraphServer.mu.
type faultState struct {
	permission       bool
	clientPermission map[string]bool
	latency          time.Duration
	faults           []*fault
	batchFaults      []*fault
}

type fault struct {
	match      string // lowercase assignment id, or "" for any request
	status     int
	remaining  int // < 0: no limit
	retryAfter time.Duration
}

// Fail makes the next n Graph requests whose path contains match (an
// assignment id; "" matches every request) answer status with Graph's error
// body for it (429 TooManyRequests, 503 ServiceNotAvailable, ...). It applies
// to each $batch item as Graph throttles items one by one, but not to the
// $batch envelope (see FailBatch). retryAfter is sent as Retry-After in whole
// seconds, rounded up; NoRetryAfter omits it. n < 0 fails until ClearFaults.
func (g *GraphServer) Fail(match string, status, n int, retryAfter time.Duration) {
	g.addFault(&g.faults, match, status, n, retryAfter)
}

// FailBatch makes the next n $batch envelopes answer status as a whole.
func (g *GraphServer) FailBatch(status, n int, retryAfter time.Duration) {
	g.addFault(&g.batchFaults, "", status, n, retryAfter)
}

func (g *GraphServer) addFault(list *[]*fault, match string, status, n int, retryAfter time.Duration) {
	if n == 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	*list = append(*list, &fault{match: strings.ToLower(match), status: status, remaining: n, retryAfter: retryAfter})
}

// ClearFaults removes every pending fault.
func (g *GraphServer) ClearFaults() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.faults, g.batchFaults = nil, nil
}

// SetLatency delays every Graph HTTP request (not each batch item) by d.
func (g *GraphServer) SetLatency(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.latency = d
}

// SetPermission grants (true) or revokes (false) Graph permission for every
// client: without it Graph answers 403 Authorization_RequestDenied.
func (g *GraphServer) SetPermission(allowed bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.permission = allowed
}

// SetClientPermission grants or revokes Graph permission for one client id,
// overriding what it was registered with.
func (g *GraphServer) SetClientPermission(clientID string, allowed bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.clientPermission[strings.ToLower(clientID)] = allowed
}

// Delayed is how many Graph requests SetLatency is holding right now: a
// test knows its requests are in flight when they are all held.
func (g *GraphServer) Delayed() int { return int(g.delayed.Load()) }

func (g *GraphServer) getLatency() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.latency
}

func (g *GraphServer) allowed(clientID string) bool {
	client, ok := g.t.dir.lookup(clientID)
	g.mu.Lock()
	defer g.mu.Unlock()
	if !ok || !g.permission {
		return false
	}
	if allowed, set := g.clientPermission[clientID]; set {
		return allowed
	}
	return client.graph
}

func (g *GraphServer) takeFault(path string) (fault, bool) {
	return g.take(&g.faults, strings.ToLower(path))
}

func (g *GraphServer) takeBatchFault() (fault, bool) { return g.take(&g.batchFaults, "") }

func (g *GraphServer) take(list *[]*fault, path string) (fault, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, f := range *list {
		if f.match != "" && !strings.Contains(path, f.match) {
			continue
		}
		if f.remaining > 0 {
			f.remaining--
		}
		if f.remaining == 0 {
			*list = append((*list)[:i:i], (*list)[i+1:]...)
		}
		return *f, true
	}
	return fault{}, false
}

// write answers with the fault's status and Graph's error for it.
func (f fault) write(w http.ResponseWriter) {
	if f.retryAfter >= 0 {
		secs := int64((f.retryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	code, msg := faultError(f.status)
	graphError(w, f.status, code, msg)
}

func faultError(status int) (code, message string) {
	switch status {
	case http.StatusTooManyRequests:
		return "TooManyRequests", fmt.Sprintf("Too many requests from Identifier:%s under category:throttled. Please try again later.", TenantID)
	case http.StatusServiceUnavailable:
		return "ServiceNotAvailable", "The service is temporarily unavailable. Please try again later."
	case http.StatusGatewayTimeout:
		return "GatewayTimeout", "The gateway did not receive a response in time."
	case http.StatusInternalServerError:
		return "InternalServerError", "An internal server error occurred."
	case http.StatusBadGateway:
		return "BadGateway", "The upstream service answered with an error."
	case http.StatusForbidden:
		return "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
	}
	return strings.ReplaceAll(http.StatusText(status), " ", ""), "Injected fault: " + http.StatusText(status) + "."
}
