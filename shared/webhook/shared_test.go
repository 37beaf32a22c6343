package webhook

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"
)

// memoryShared is the shared record as a map: what another instance would see.
type memoryShared struct {
	mu       sync.Mutex
	claimed  map[string]bool
	released []string
	err      error
}

func (m *memoryShared) Claim(_ context.Context, k string, _ time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return false, m.err
	}
	if m.claimed[k] {
		return false, nil
	}
	m.claimed[k] = true
	return true, nil
}

func (m *memoryShared) Release(_ context.Context, k string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.claimed, k)
	m.released = append(m.released, k)
	return nil
}

func TestSharedReplays(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	for _, c := range []struct {
		name         string
		status       int
		err          error
		claimedFirst []string // by another instance
		wantErr      error
		wantRuns     int
		wantReleased int
	}{
		{name: "first anywhere runs", status: 202, wantRuns: 1},
		{name: "seen elsewhere by id is refused", status: 202, claimedFirst: []string{"github/id/1"}, wantErr: ErrReplayed},
		{name: "seen elsewhere by signature is refused", status: 202, claimedFirst: []string{"github/sig/abc"}, wantErr: ErrReplayed},
		{name: "an unsettled answer is released", status: 503, wantRuns: 1, wantReleased: 2},
		{name: "the store down still runs", status: 202, err: errors.New("table down"), wantRuns: 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			shared := &memoryShared{claimed: map[string]bool{}, err: c.err}
			for _, k := range c.claimedFirst {
				shared.claimed[k] = true
			}
			g := NewReplayGuard(time.Minute, 10)
			g.Share(shared, quiet)
			runs := 0
			_, _, err := g.Do(ctx, []string{"github/id/1", "github/sig/abc"}, func() Answer { runs++; return Answer{Status: c.status, Header: http.Header{}} })
			if !errors.Is(err, c.wantErr) || runs != c.wantRuns || len(shared.released) != c.wantReleased {
				t.Fatalf("err %v runs %d released %v; want %v, %d, %d", err, runs, shared.released, c.wantErr, c.wantRuns, c.wantReleased)
			}
		})
	}
}
