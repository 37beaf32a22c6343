package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/entra-tools/reprocess/shared/graph"
)

// MaxDelay is the longest a message can be held back: SQS's DelaySeconds
// limit (900 s); Azure's visibility timeout allows more.
const MaxDelay = 15 * time.Minute

// Queue sends job work to every instance: an Azure Storage queue, SQS, or
// an in-process queue. The platform hands messages back to the worker
// (queue trigger, SQS event source mapping, in-process loop).
type Queue interface {
	// Send enqueues msgs, each invisible for delay (0 to MaxDelay).
	// Wrap ErrUnavailable when the queue cannot be reached.
	Send(ctx context.Context, delay time.Duration, msgs ...Message) error
}

// Kinds of message.
const (
	KindPage  = "page"  // list one page of an access package's delivered assignments
	KindChunk = "chunk" // check and/or reprocess at most 20 assignments (one $batch each)
)

// Message is one work unit of a job; its JSON is the queue message body
// (under 64 KiB, Azure Storage's limit).
type Message struct {
	Job    string `json:"job"`
	Unit   string `json:"unit"` // deterministic key: a redelivery commits nothing twice
	Kind   string `json:"kind"`
	Mode   Mode   `json:"mode"`
	DryRun bool   `json:"dryRun,omitempty"`

	AccessPackageID string `json:"accessPackageId"`
	// Page: Graph's @odata.nextLink, "" for the first page, and the
	// page's number (0 first), which keys the next page's unit.
	NextLink string `json:"nextLink,omitempty"`
	Page     int    `json:"page,omitempty"`
	// Drift: the package's groups, read on its first page and carried on.
	Package *graph.Package `json:"package,omitempty"`
	// Chunk: at most graph.MaxBatch assignments.
	Items []graph.Target `json:"items,omitempty"`
}

// Delivery is what the platform says about this delivery of a message.
type Delivery struct {
	Attempt int  // 1 for the first delivery (Azure DequeueCount, SQS ApproximateReceiveCount)
	Final   bool // failing now sends it to the poison queue / DLQ: count its items as failed instead
}

// EncodeMessage is the queue body of m.
func EncodeMessage(m Message) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("jobs: encode message: %v", err)) // only plain fields: cannot happen
	}
	return b
}

// DecodeMessage reads a queue body written by EncodeMessage.
func DecodeMessage(b []byte) (Message, error) {
	var m Message
	if err := json.Unmarshal(b, &m); err != nil {
		return Message{}, fmt.Errorf("job message: %w", err)
	}
	if m.Job == "" || m.Unit == "" || (m.Kind != KindPage && m.Kind != KindChunk) {
		return Message{}, fmt.Errorf("job message: job, unit and kind (page or chunk) are required")
	}
	return m, nil
}
