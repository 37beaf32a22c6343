package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/entra-tools/reprocess/shared/reprocess"
)

// Spec is what POST /api/jobs asks for.
type Spec struct {
	Scope  Scope
	Mode   Mode
	DryRun bool
}

// Options tune an Engine; zero values take the defaults.
type Options struct {
	Throttle *reprocess.Throttle // the process's 429 hold gate (shared with the reprocess routes)
	Logger   *slog.Logger
	Now      func() time.Time
	NewID    func() string // job ids (canonical GUIDs); default random v4
}

// Engine runs jobs over a Graph, a Queue and a Store. Every edge calls it:
// the HTTP routes (Start, Status), the queue consumers (Handle: Azure's
// job-worker, SQS records, the in-process queue) and the schedules (Sweep).
type Engine struct {
	graph Graph
	queue Queue
	store Store
	opts  Options
}

// NewEngine returns the engine over g, q and s.
func NewEngine(g Graph, q Queue, s Store, opts Options) *Engine {
	return &Engine{graph: g, queue: q, store: s, opts: opts}
}

var errNotBuilt = errors.New("jobs: not built yet")

// Start validates the scope against Graph (404 for an unknown access package
// or catalog), creates the job and sends its first page messages.
func (e *Engine) Start(ctx context.Context, spec Spec) (Job, error) { return Job{}, errNotBuilt }

// Status reads a job (ErrNotFound for an unknown one).
func (e *Engine) Status(ctx context.Context, id string) (Job, error) { return e.store.Get(ctx, id) }

// Handle runs one work unit. nil: done, the platform deletes the message
// (a throttled chunk has been sent again with Graph's delay). An error: the
// platform delivers it again (and, after its last attempt, dead-letters it;
// on that attempt, d.Final, Handle counts the unit's items as failed).
func (e *Engine) Handle(ctx context.Context, m Message, d Delivery) error { return errNotBuilt }

// Sweep starts one job per access package id with mode: the timer function
// and the EventBridge schedule call it. One failure does not stop the rest.
func (e *Engine) Sweep(ctx context.Context, accessPackageIDs []string, mode Mode) ([]Job, error) {
	return nil, errNotBuilt
}
