package jobs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs"
)

// sentMsg is one message a unit sent and the delay it asked for.
type sentMsg struct {
	m     jobs.Message
	delay time.Duration
}

// recQueue records what is sent (through the queue body, as a real queue
// carries it) for the test to deliver by hand.
type recQueue struct {
	mu   sync.Mutex
	todo []sentMsg
	all  []sentMsg
	fail error
}

func (q *recQueue) Send(_ context.Context, delay time.Duration, msgs ...jobs.Message) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fail != nil {
		return q.fail
	}
	for _, m := range msgs {
		got, err := jobs.DecodeMessage(jobs.EncodeMessage(m))
		if err != nil {
			panic(err)
		}
		q.todo = append(q.todo, sentMsg{got, delay})
		q.all = append(q.all, sentMsg{got, delay})
	}
	return nil
}

func (q *recQueue) pop() (sentMsg, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.todo) == 0 {
		return sentMsg{}, false
	}
	s := q.todo[0]
	q.todo = q.todo[1:]
	return s, true
}

// delays lists the delays of the messages sent with one.
func (q *recQueue) delays() map[string]time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := map[string]time.Duration{}
	for _, s := range q.all {
		if s.delay > 0 {
			out[s.m.Unit] = s.delay
		}
	}
	return out
}

// countingStore counts creates and can refuse everything.
type countingStore struct {
	jobs.Store
	mu      sync.Mutex
	creates int
	down    bool
}

var errDown = errors.New("connection refused")

func (s *countingStore) Create(ctx context.Context, j jobs.Job) error {
	s.mu.Lock()
	s.creates++
	down := s.down
	s.mu.Unlock()
	if down {
		return errors.Join(jobs.ErrUnavailable, errDown)
	}
	return s.Store.Create(ctx, j)
}

// rig is an engine over a fake Graph, a recording queue and a memory store.
type rig struct {
	g *fakeGraph
	q *recQueue
	s *countingStore
	e *jobs.Engine
}

func newRig(opts jobs.Options) *rig {
	r := &rig{g: newFakeGraph(), q: &recQueue{}, s: &countingStore{Store: jobs.NewMemoryStore()}}
	r.e = jobs.NewEngine(r.g, r.q, r.s, opts)
	return r
}

// drain delivers every message, each `times` times in a row (a
// redelivery), until none is left; Graph's delays are not waited for.
func (r *rig) drain(t *testing.T, times int) {
	t.Helper()
	for {
		s, ok := r.q.pop()
		if !ok {
			return
		}
		for i := range times {
			if err := r.e.Handle(context.Background(), s.m, jobs.Delivery{Attempt: i + 1}); err != nil {
				t.Fatalf("Handle %s (delivery %d): %v", s.m.Unit, i+1, err)
			}
		}
	}
}

// run starts spec, drains its messages and answers the finished job.
func (r *rig) run(t *testing.T, spec jobs.Spec, times int) jobs.Job {
	t.Helper()
	j, err := r.e.Start(context.Background(), spec)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	r.drain(t, times)
	got, err := r.e.Status(context.Background(), j.ID)
	if err != nil {
		t.Fatalf("Status: %v", err)
	}
	if got.State != jobs.Completed || got.CompletedAt == nil || got.Outstanding != 0 {
		t.Fatalf("job not completed: state %s, outstanding %d, completedAt %v", got.State, got.Outstanding, got.CompletedAt)
	}
	return got
}

// drainOnce delivers the next message once.
func (r *rig) drainOnce(t *testing.T) {
	t.Helper()
	s, ok := r.q.pop()
	if !ok {
		t.Fatal("no message to deliver")
	}
	if err := r.e.Handle(context.Background(), s.m, jobs.Delivery{Attempt: 1}); err != nil {
		t.Fatalf("Handle %s: %v", s.m.Unit, err)
	}
}

// popNewest takes the message sent last: children before their parents.
func (q *recQueue) popNewest() (sentMsg, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.todo) == 0 {
		return sentMsg{}, false
	}
	s := q.todo[len(q.todo)-1]
	q.todo = q.todo[:len(q.todo)-1]
	return s, true
}

// left is how many messages wait.
func (q *recQueue) left() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.todo)
}
