package jobs

import (
	"context"
	"crypto/rand"
	"fmt"
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
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = newGUID
	}
	return &Engine{graph: g, queue: q, store: s, opts: opts}
}

// Status reads a job (ErrNotFound for an unknown one; a 503 Problem when
// the store cannot be reached).
func (e *Engine) Status(ctx context.Context, id string) (Job, error) {
	ctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	j, err := e.store.Get(ctx, id)
	if err != nil && !isNotFound(err) {
		return Job{}, unavailable(err)
	}
	return j, err
}

// Handle runs one work unit. nil: done, the platform deletes the message
// (a throttled chunk has been sent again with Graph's delay). An error: the
// platform delivers it again (and, after its last attempt, dead-letters it;
// on that attempt, d.Final, Handle counts the unit's items as failed).
func (e *Engine) Handle(ctx context.Context, m Message, d Delivery) error {
	switch m.Kind {
	case KindPage:
		return e.page(ctx, m, d)
	case KindChunk:
		return e.chunk(ctx, m, d)
	}
	e.opts.Logger.Error("job message of unknown kind dropped", "job", m.Job, "unit", m.Unit, "kind", m.Kind)
	return nil
}

func (e *Engine) now() time.Time { return e.opts.Now().UTC() }

// newGUID is a random (version 4) GUID in canonical lowercase form.
func newGUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
