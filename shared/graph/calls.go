package graph

import (
	"context"
	"sync"
)

// Call is what a request's log line says of one Graph call: the
// client-request-id we sent and the request-id Graph answered, which
// Microsoft support asks for.
type Call struct {
	ClientRequestID string `json:"clientRequestId"`
	RequestID       string `json:"requestId,omitempty"`
	Status          int    `json:"status,omitempty"`
}

// maxCalls bounds what one request's log line lists; Count says how many
// there were.
const maxCalls = 10

// Calls collects the Graph calls made for one request or invocation. It is
// safe for concurrent use (a batch sends envelopes at once).
type Calls struct {
	mu    sync.Mutex
	list  []Call
	count int
}

// Add records a call.
func (c *Calls) Add(call Call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.count++
	if len(c.list) < maxCalls {
		c.list = append(c.list, call)
	}
}

// List returns the first calls recorded and how many there were in all.
func (c *Calls) List() ([]Call, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Call(nil), c.list...), c.count
}

type callsKey struct{}

// WithCalls returns a context whose Graph calls are recorded in the
// returned Calls.
func WithCalls(ctx context.Context) (context.Context, *Calls) {
	c := &Calls{}
	return context.WithValue(ctx, callsKey{}, c), c
}

// CallsFrom returns the collector in ctx, or nil.
func CallsFrom(ctx context.Context) *Calls {
	c, _ := ctx.Value(callsKey{}).(*Calls)
	return c
}
