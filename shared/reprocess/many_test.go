package reprocess

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/graph"
)

// fakeGraph answers $batch envelopes item by item; the scheduler's
// concurrency runs against it under -race (the sandbox-backed tests in
// functions cover the wire).
type fakeGraph struct {
	answer func(id assignment.ID, attempt int) graph.Answer // nil: 202
	delay  time.Duration

	mu        sync.Mutex
	attempts  map[assignment.ID]int
	envelopes int
	singles   int
	inFlight  atomic.Int32
	maxFlight atomic.Int32
}

func (g *fakeGraph) Reprocess(ctx context.Context, id assignment.ID) (graph.Result, error) {
	g.mu.Lock()
	g.singles++
	g.mu.Unlock()
	a := g.item(id)
	return a.Result, a.Err
}

func (g *fakeGraph) ReprocessBatch(ctx context.Context, ids []assignment.ID) ([]graph.Answer, error) {
	if len(ids) == 0 || len(ids) > graph.MaxBatch {
		return nil, fmt.Errorf("batch of %d", len(ids))
	}
	n := g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	for m := g.maxFlight.Load(); n > m && !g.maxFlight.CompareAndSwap(m, n); m = g.maxFlight.Load() {
	}
	g.mu.Lock()
	g.envelopes++
	g.mu.Unlock()
	select {
	case <-time.After(g.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	out := make([]graph.Answer, len(ids))
	for i, id := range ids {
		out[i] = g.item(id)
	}
	return out, nil
}

func (g *fakeGraph) item(id assignment.ID) graph.Answer {
	g.mu.Lock()
	if g.attempts == nil {
		g.attempts = map[assignment.ID]int{}
	}
	g.attempts[id]++
	attempt := g.attempts[id]
	g.mu.Unlock()
	if g.answer != nil {
		return g.answer(id, attempt)
	}
	return graph.Answer{Result: graph.Result{Status: http.StatusAccepted, RequestID: "r-" + id.String()[:8]}}
}

func (g *fakeGraph) Get(context.Context, assignment.ID) (graph.Assignment, error) {
	return graph.Assignment{}, errors.New("not used")
}
func (g *fakeGraph) UserObjectID(context.Context, string) (string, error) {
	return "", errors.New("not used")
}
func (g *fakeGraph) DeliveredAssignments(context.Context, string, string) ([]assignment.ID, error) {
	return nil, errors.New("not used")
}

func ids(n int) []assignment.ID {
	out := make([]assignment.ID, n)
	for i := range out {
		id, err := assignment.ParseID(fmt.Sprintf("0f8fad5b-d9cb-469f-a165-%012d", i+1))
		if err != nil {
			panic(err)
		}
		out[i] = id
	}
	return out
}

func itemsOf(list []assignment.ID) []Item {
	out := make([]Item, len(list))
	for i, id := range list {
		out[i] = Item{Raw: id.String(), ID: id}
	}
	return out
}

func TestReprocessManyAnswersEveryPositionInOrder(t *testing.T) {
	all := ids(95)
	throttled := map[assignment.ID]bool{all[3]: true, all[50]: true}
	g := &fakeGraph{delay: 5 * time.Millisecond, answer: func(id assignment.ID, attempt int) graph.Answer {
		switch {
		case id == all[7]:
			return graph.Answer{Err: &graph.Error{Status: 404, Code: "ResourceNotFound", Body: []byte(`{"error":{}}`)}}
		case throttled[id] && attempt == 1:
			return graph.Answer{Err: &graph.Error{Status: 429, RetryAfter: 20 * time.Millisecond}}
		}
		return graph.Answer{Result: graph.Result{Status: 202, RequestID: "r"}}
	}}
	items := itemsOf(all)
	items = append(items, Item{Raw: "nope", Err: fmt.Errorf("%w: nope", assignment.ErrInvalidID)}, items[10]) // invalid, and a duplicate
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := New(g, nil).ReprocessMany(ctx, items)

	if len(res) != len(items) {
		t.Fatalf("%d results for %d items", len(res), len(items))
	}
	for i, r := range res {
		want := http.StatusAccepted
		switch i {
		case 7:
			want = http.StatusNotFound
		case 95:
			want = http.StatusBadRequest
		}
		if r.Status != want || r.AssignmentID != items[i].Raw {
			t.Errorf("position %d = %+v, want %d for %s", i, r, want, items[i].Raw)
		}
	}
	// 95 distinct ids: 5 envelopes, then one more for the two throttled.
	if g.envelopes != 6 || g.singles != 0 {
		t.Errorf("envelopes = %d, singles = %d; want 6 and 0", g.envelopes, g.singles)
	}
	if m := g.maxFlight.Load(); m > batchesInFlight {
		t.Errorf("%d envelopes in flight at once, want at most %d", m, batchesInFlight)
	}
	if g.attempts[all[10]] != 1 {
		t.Errorf("the duplicate was sent %d times, want once", g.attempts[all[10]])
	}
}

func TestReprocessManyOneIDTakesTheSingleCall(t *testing.T) {
	g := &fakeGraph{}
	id := ids(1)
	res := New(g, nil).ReprocessMany(context.Background(), itemsOf([]assignment.ID{id[0], id[0]}))
	if g.singles != 1 || g.envelopes != 0 || res[0].Status != 202 || res[1].Status != 202 {
		t.Errorf("singles %d envelopes %d results %+v; want one single call answering both positions", g.singles, g.envelopes, res)
	}
}

func TestReprocessManyStopsAtTheDeadline(t *testing.T) {
	g := &fakeGraph{delay: 300 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	res := New(g, nil).ReprocessMany(ctx, itemsOf(ids(200)))
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("answered after %v, past the deadline", d)
	}
	counts := map[string]int{}
	for _, r := range res {
		counts[fmt.Sprint(r.Status, r.Code)]++
	}
	if counts["202"] != 20 || counts["504NotAttempted"] == 0 || counts["202"]+counts["504NotAttempted"]+counts["504GatewayTimeout"] != 200 {
		t.Errorf("results by status = %v, want the first envelope accepted and the rest not attempted or timed out", counts)
	}
	for _, r := range res {
		if r.Status == 504 && !r.Transient() {
			t.Errorf("%+v is not transient", r)
		}
	}
}

// A setup fault on the first envelope (Key Vault, a token, permission) is
// learnt once and given to every item, without fifty more requests.
func TestReprocessManyFirstEnvelopeFault(t *testing.T) {
	g := &fakeGraph{answer: func(assignment.ID, int) graph.Answer { return graph.Answer{} }}
	failing := &failingGraph{fakeGraph: g, err: &graph.Error{Status: 403, Code: "Authorization_RequestDenied"}}
	res := New(failing, nil).ReprocessMany(context.Background(), itemsOf(ids(60)))
	if failing.calls != 1 {
		t.Errorf("envelopes sent = %d, want 1", failing.calls)
	}
	for _, r := range res {
		if r.Status != http.StatusBadGateway || r.Code != "GraphAccessDenied" {
			t.Fatalf("result %+v, want 502 GraphAccessDenied", r)
		}
	}
}

type failingGraph struct {
	*fakeGraph
	err   error
	calls int
}

func (g *failingGraph) ReprocessBatch(context.Context, []assignment.ID) ([]graph.Answer, error) {
	g.calls++
	return nil, g.err
}

func TestReprocessMessagesSplitsTheAnswers(t *testing.T) {
	all := ids(3)
	g := &fakeGraph{answer: func(id assignment.ID, _ int) graph.Answer {
		if id == all[2] {
			return graph.Answer{Err: &graph.Error{Status: 429, RetryAfter: time.Hour}}
		}
		return graph.Answer{Result: graph.Result{Status: 202}}
	}}
	bad, _ := ParseMessage([]byte(`{"assignmentIds":["x"]}`))
	reqs := []Request{{Single: &all[0]}, {Items: itemsOf(all[1:])}, bad}
	out := New(g, nil).ReprocessMessages(context.Background(), reqs)
	if g.envelopes != 1 {
		t.Errorf("envelopes = %d, want the messages' ids in one", g.envelopes)
	}
	got := []Verdict{VerdictOf(out[0]), VerdictOf(out[1]), VerdictOf(out[2])}
	if want := []Verdict{Done, Retry, Drop}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("verdicts = %v, want %v", got, want)
	}
	if len(out[1]) != 2 || out[1][0].Status != 202 || out[1][1].Status != 429 {
		t.Errorf("second message's results = %+v", out[1])
	}
}

// A panic while a batch is in flight fails its items, not the process.
func TestReprocessManySurvivesAPanickingBatch(t *testing.T) {
	all := ids(45)
	g := &fakeGraph{answer: func(id assignment.ID, _ int) graph.Answer {
		if id == all[30] {
			panic("sdk bug")
		}
		return graph.Answer{Result: graph.Result{Status: 202}}
	}}
	res := New(g, nil).ReprocessMany(context.Background(), itemsOf(all))
	for i, r := range res {
		want := 202
		if i >= 20 && i < 40 {
			want = 500
		}
		if r.Status != want {
			t.Errorf("position %d = %d, want %d", i, r.Status, want)
		}
	}
}
