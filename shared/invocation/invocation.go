// Package invocation carries what a platform edge knows about the current
// invocation (its id and what triggered it) to the core handler through the
// request context. Only edges create it; callers cannot forge it with headers.
package invocation

import "context"

// Trigger names what started an invocation.
type Trigger string

// The triggers the edges produce.
const (
	HTTP   Trigger = "http"   // a caller's HTTP request (any runtime)
	Queue  Trigger = "queue"  // an Azure Storage queue message
	SQS    Trigger = "sqs"    // an Amazon SQS record
	Invoke Trigger = "invoke" // a direct Lambda invoke (Step Functions, EventBridge, SDK)
	Timer  Trigger = "timer"  // an Azure Functions timer trigger (the sweep)
)

// Info describes one invocation.
type Info struct {
	ID      string  // platform invocation or request id, for log correlation
	Trigger Trigger // what started it
	XRay    string  // on Lambda, the X-Ray trace id (Root=1-…) of the invocation, for log correlation
}

// FromPlatform reports whether the invocation came from a platform trigger
// (a queue, SQS or a direct invoke) rather than an HTTP caller. Such an
// invocation was authenticated by the platform before it reached us.
func (i Info) FromPlatform() bool { return i.Trigger != "" && i.Trigger != HTTP }

type key struct{}

// NewContext returns a copy of ctx that carries info.
func NewContext(ctx context.Context, info Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// FromContext returns the invocation info in ctx, if any.
func FromContext(ctx context.Context) (Info, bool) {
	info, ok := ctx.Value(key{}).(Info)
	return info, ok
}
