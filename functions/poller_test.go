package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// logicAppsPoller follows the asynchronous pattern as the Logic Apps HTTP
// action does: after a 202 it GETs the response's Location once Retry-After
// has passed, and repeats until the answer is not 202. The only liberty is
// maxWait, which caps each wait so the test stays short; every URL and
// every wait comes from the server.
type logicAppsPoller struct {
	client  *http.Client
	maxWait time.Duration
	polls   []pollStep
}

type pollStep struct {
	status     int
	location   string
	retryAfter string
}

func (p *logicAppsPoller) run(tb testing.TB, first *http.Response) *http.Response {
	tb.Helper()
	resp := first
	for i := 0; resp.StatusCode == http.StatusAccepted; i++ {
		if i == 50 {
			tb.Fatalf("still 202 after %d polls", i)
		}
		loc, ra := resp.Header.Get("Location"), resp.Header.Get("Retry-After")
		p.polls = append(p.polls, pollStep{resp.StatusCode, loc, ra})
		if loc == "" {
			tb.Fatalf("202 without Location: the poller cannot go on")
		}
		secs, err := strconv.Atoi(ra)
		if err != nil || secs < 0 {
			tb.Fatalf("Retry-After %q is not delta-seconds", ra)
		}
		wait := time.Duration(secs) * time.Second
		if wait > p.maxWait {
			wait = p.maxWait
		}
		time.Sleep(wait)
		resp.Body.Close()
		if resp, err = p.client.Get(loc); err != nil {
			tb.Fatal(err)
		}
	}
	return resp
}

func TestLogicAppsAsyncPattern(t *testing.T) {
	t.Parallel() // it mostly waits: Retry-After, latency, polling
	const delivering = time.Second
	s := newStack(t, sandbox.Options{DeliveringFor: delivering}, nil)
	srv := httptest.NewServer(s.handler)
	t.Cleanup(srv.Close)
	id := s.tenant.Seeds.Delivered[0]

	for _, start := range []struct{ name, path, body string }{
		{"path route", "/api/assignments/" + id + "/reprocess", ""},
		{"body route", "/api/reprocess", `{"assignmentId":"` + id + `"}`},
	} {
		t.Run(start.name, func(t *testing.T) {
			waitDelivered(t, s, id)
			began := time.Now()
			first, err := srv.Client().Post(srv.URL+start.path, "application/json", strings.NewReader(start.body))
			if err != nil {
				t.Fatal(err)
			}
			if first.StatusCode != http.StatusAccepted {
				t.Fatalf("reprocess status = %d, want 202", first.StatusCode)
			}
			p := &logicAppsPoller{client: srv.Client(), maxWait: 200 * time.Millisecond}
			final := p.run(t, first)
			defer final.Body.Close()

			if final.StatusCode != http.StatusOK {
				body, _ := io.ReadAll(final.Body)
				t.Fatalf("final status = %d, want 200 (%s)", final.StatusCode, body)
			}
			var state struct {
				ID, State string
				Final     bool
			}
			if err := json.NewDecoder(final.Body).Decode(&state); err != nil || state.ID != id || state.State != "delivered" || !state.Final {
				t.Errorf("final body = %+v (%v), want %s delivered final", state, err, id)
			}
			if len(p.polls) < 2 {
				t.Errorf("polls = %d, want the reprocess 202 and at least one 202 while delivering", len(p.polls))
			}
			want := srv.URL + "/api/assignments/" + id
			for i, step := range p.polls {
				if step.location != want || step.retryAfter != "10" {
					t.Errorf("poll %d: Location %q Retry-After %q, want %q and 10", i, step.location, step.retryAfter, want)
				}
			}
			if elapsed := time.Since(began); elapsed < delivering {
				t.Errorf("final after %v, before the %v of delivering", elapsed, delivering)
			}
		})
	}
}

// waitDelivered waits for an earlier reprocess of id to end.
func waitDelivered(tb testing.TB, s *stack, id string) {
	tb.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if a, _ := s.tenant.Graph.Assignment(id); a.State == sandbox.StateDelivered {
			return
		}
	}
	tb.Fatalf("%s is not delivered again", id)
}
