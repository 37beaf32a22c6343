package webhook

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
)

func newTestGuard(window time.Duration, capacity int) (*ReplayGuard, *testkit.Clock) {
	clock := testkit.NewClock(time.Unix(1_700_000_000, 0))
	g := NewReplayGuard(window, capacity)
	g.now = clock.Now
	return g, clock
}

// counter is work that counts its runs and answers with status.
type counter struct {
	runs   atomic.Int32
	status int
}

func (c *counter) work() Answer {
	n := c.runs.Add(1)
	h := http.Header{}
	h.Set("X-Run", strconv.Itoa(int(n)))
	return Answer{Status: c.status, Header: h, Body: []byte(`{"run":` + strconv.Itoa(int(n)) + `}`)}
}

func do(tb testing.TB, g *ReplayGuard, keys []string, work func() Answer) (Answer, bool) {
	tb.Helper()
	a, replayed, err := g.Do(context.Background(), keys, work)
	if err != nil {
		tb.Fatalf("Do(%q) = %v", keys, err)
	}
	return a, replayed
}

func TestReplayGuardReturnsFirstAnswer(t *testing.T) {
	g, _ := newTestGuard(time.Minute, 100)
	c := &counter{status: http.StatusAccepted}
	first, replayed := do(t, g, []string{"github/id/d1", "github/sig/s1"}, c.work)
	if replayed {
		t.Fatalf("first Do replayed")
	}
	// The same delivery id, or the same signature under another id.
	for _, keys := range [][]string{{"github/id/d1", "github/sig/s1"}, {"github/id/d2", "github/sig/s1"}, {"github/id/d1"}} {
		again, replayed := do(t, g, keys, c.work)
		if !replayed || again.Status != first.Status || string(again.Body) != string(first.Body) || again.Header.Get("X-Run") != "1" {
			t.Errorf("Do(%q) = %d %s replayed=%v, want the first answer %d %s", keys, again.Status, again.Body, replayed, first.Status, first.Body)
		}
	}
	if n := c.runs.Load(); n != 1 {
		t.Errorf("work ran %d times, want 1", n)
	}
	// Another delivery runs.
	if _, replayed := do(t, g, []string{"github/id/d3", "github/sig/s3"}, c.work); replayed || c.runs.Load() != 2 {
		t.Errorf("a new delivery replayed=%v runs=%d, want a fresh run", replayed, c.runs.Load())
	}
}

func TestReplayGuardStoredAnswerIsACopy(t *testing.T) {
	g, _ := newTestGuard(time.Minute, 100)
	c := &counter{status: http.StatusAccepted}
	first, _ := do(t, g, []string{"k"}, c.work)
	first.Body[0] = 'X'
	first.Header.Set("X-Run", "mutated")
	again, _ := do(t, g, []string{"k"}, c.work)
	if again.Body[0] != '{' || again.Header.Get("X-Run") != "1" {
		t.Errorf("stored answer changed by the caller: %s %v", again.Body, again.Header)
	}
}

func TestReplayGuardConcurrentDuplicatesRunOnce(t *testing.T) {
	g, _ := newTestGuard(time.Minute, 100)
	release := make(chan struct{})
	var runs atomic.Int32
	work := func() Answer {
		runs.Add(1)
		<-release // hold the first run until every duplicate is waiting
		return Answer{Status: http.StatusAccepted, Body: []byte("first")}
	}
	const n = 32
	var wg sync.WaitGroup
	answers := make([]Answer, n)
	replays := make([]bool, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Half know the delivery by its id, half by its signature.
			keys := []string{"pagerduty/id/d1", "pagerduty/sig/s1"}
			if i%2 == 1 {
				keys = []string{"pagerduty/sig/s1"}
			}
			answers[i], replays[i], _ = g.Do(context.Background(), keys, work)
		}()
	}
	for waitingOn(g, "pagerduty/sig/s1") == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the duplicates reach their wait
	close(release)
	wg.Wait()
	if got := runs.Load(); got != 1 {
		t.Fatalf("work ran %d times under %d concurrent duplicates, want 1", got, n)
	}
	fresh := 0
	for i := range n {
		if string(answers[i].Body) != "first" {
			t.Errorf("caller %d got %q, want the first answer", i, answers[i].Body)
		}
		if !replays[i] {
			fresh++
		}
	}
	if fresh != 1 {
		t.Errorf("%d callers report a fresh run, want 1", fresh)
	}
}

// waitingOn reports whether key has an entry (the first run has claimed it).
func waitingOn(g *ReplayGuard, key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.entries[key]; ok {
		return 1
	}
	return 0
}

func TestReplayGuardForgetsTransientAnswers(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		g, _ := newTestGuard(time.Minute, 100)
		c := &counter{status: status}
		do(t, g, []string{"k"}, c.work)
		if _, replayed := do(t, g, []string{"k"}, c.work); replayed || c.runs.Load() != 2 {
			t.Errorf("after a %d the retry replayed=%v runs=%d, want it to run again", status, replayed, c.runs.Load())
		}
	}
	// Final answers, errors included, are kept.
	for _, status := range []int{http.StatusAccepted, http.StatusBadRequest, http.StatusNotFound} {
		g, _ := newTestGuard(time.Minute, 100)
		c := &counter{status: status}
		do(t, g, []string{"k"}, c.work)
		if _, replayed := do(t, g, []string{"k"}, c.work); !replayed || c.runs.Load() != 1 {
			t.Errorf("after a %d the retry replayed=%v runs=%d, want the stored answer", status, replayed, c.runs.Load())
		}
	}
}

func TestReplayGuardWindow(t *testing.T) {
	g, clock := newTestGuard(10*time.Minute, 100)
	c := &counter{status: http.StatusAccepted}
	do(t, g, []string{"k"}, c.work)
	clock.Advance(10*time.Minute - time.Second)
	if _, replayed := do(t, g, []string{"k"}, c.work); !replayed {
		t.Errorf("inside the window: not replayed")
	}
	clock.Advance(2 * time.Second)
	if _, replayed := do(t, g, []string{"k"}, c.work); replayed || c.runs.Load() != 2 {
		t.Errorf("after the window: replayed=%v runs=%d, want a fresh run", replayed, c.runs.Load())
	}
}

func TestReplayGuardCapacity(t *testing.T) {
	const capacity = 50
	g, _ := newTestGuard(time.Hour, capacity)
	c := &counter{status: http.StatusAccepted}
	for i := range 10 * capacity {
		do(t, g, []string{"id/" + strconv.Itoa(i), "sig/" + strconv.Itoa(i)}, c.work)
		g.mu.Lock()
		entries, order := len(g.entries), len(g.order)
		g.mu.Unlock()
		if entries > capacity || order > 2*capacity+2 {
			t.Fatalf("after %d deliveries: %d entries, %d queued keys; capacity %d", i+1, entries, order, capacity)
		}
	}
	// The newest are remembered, the oldest forgotten.
	last := 10*capacity - 1
	if _, replayed := do(t, g, []string{"id/" + strconv.Itoa(last)}, c.work); !replayed {
		t.Errorf("newest delivery forgotten")
	}
	if _, replayed := do(t, g, []string{"id/0"}, c.work); replayed {
		t.Errorf("oldest delivery still remembered beyond capacity")
	}
}

// Failed attempts leave holes in the queue; it must not grow without bound.
func TestReplayGuardQueueBoundedUnderFailures(t *testing.T) {
	const capacity = 20
	g, _ := newTestGuard(time.Hour, capacity)
	do(t, g, []string{"kept"}, (&counter{status: http.StatusAccepted}).work) // a live head
	failing := &counter{status: http.StatusServiceUnavailable}
	for i := range 1000 {
		do(t, g, []string{"f/" + strconv.Itoa(i)}, failing.work)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.order) > 2*capacity+1 {
		t.Errorf("queue holds %d keys after failures, capacity %d", len(g.order), capacity)
	}
}

func TestReplayGuardPanickingWorkLetsWaitersRetry(t *testing.T) {
	g, _ := newTestGuard(time.Minute, 100)
	started := make(chan struct{})
	release := make(chan struct{})
	go func() {
		defer func() { _ = recover() }()
		_, _, _ = g.Do(context.Background(), []string{"k"}, func() Answer {
			close(started)
			<-release
			panic("work failed")
		})
	}()
	<-started
	done := make(chan Answer)
	go func() {
		a, _, _ := g.Do(context.Background(), []string{"k"}, func() Answer { return Answer{Status: http.StatusAccepted} })
		done <- a
	}()
	time.Sleep(10 * time.Millisecond)
	close(release)
	if a := <-done; a.Status != http.StatusAccepted {
		t.Errorf("waiter got %d after the first run panicked, want its own run's 202", a.Status)
	}
}

func TestReplayGuardWaiterHonoursContext(t *testing.T) {
	g, _ := newTestGuard(time.Minute, 100)
	started := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	go g.Do(context.Background(), []string{"k"}, func() Answer {
		close(started)
		<-release
		return Answer{Status: http.StatusAccepted}
	})
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, _, err := g.Do(ctx, []string{"k"}, func() Answer { t.Error("duplicate ran"); return Answer{} })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Do = %v, want %v", err, context.DeadlineExceeded)
	}
}

func TestReplayGuardNoKeysJustRuns(t *testing.T) {
	g, _ := newTestGuard(time.Minute, 100)
	c := &counter{status: http.StatusAccepted}
	do(t, g, nil, c.work)
	do(t, g, nil, c.work)
	if c.runs.Load() != 2 {
		t.Errorf("work without keys ran %d times, want 2", c.runs.Load())
	}
}
