package azurefunc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit/fakecore"
	"github.com/entra-tools/reprocess/shared/jobs"
)

// recordingWorker stands in for jobs.Engine: it records what the edge asks.
type recordingWorker struct {
	mu       sync.Mutex
	handled  []jobs.Message
	delivery []jobs.Delivery
	swept    [][]string
	mode     jobs.Mode
	err      error
	panics   bool
}

func (w *recordingWorker) Handle(_ context.Context, m jobs.Message, d jobs.Delivery) error {
	if w.panics {
		panic("boom")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.handled, w.delivery = append(w.handled, m), append(w.delivery, d)
	return w.err
}

func (w *recordingWorker) Sweep(_ context.Context, ids []string, mode jobs.Mode) ([]jobs.Job, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.swept, w.mode = append(w.swept, ids), mode
	out := make([]jobs.Job, len(ids))
	for i := range out {
		out[i].ID = "job-" + ids[i][:4]
	}
	return out, w.err
}

type countingPurger struct{ calls int }

func (p *countingPurger) Purge(context.Context, time.Time) (int, error) { p.calls++; return 2, nil }

// jobInvocation is the queue trigger's payload for a job message, the text
// JSON-encoded once more as the host does.
func jobInvocation(t *testing.T, text string, dequeueCount int) []byte {
	t.Helper()
	quoted, _ := json.Marshal(text)
	msg, _ := json.Marshal(string(quoted))
	return []byte(`{"Data":{"msg":` + string(msg) + `},"Metadata":{"DequeueCount":"` + strconv.Itoa(dequeueCount) +
		`","Id":"\"6f1d2c3b-4a5e-4f60-8b71-92a3b4c5d6e7\"","sys":{"MethodName":"job-worker"}}}`)
}

func TestJobWorker(t *testing.T) {
	chunk := jobs.Message{Job: "0f8fad5b-d9cb-469f-a165-70867728950e", Unit: "p0/c3", Kind: jobs.KindChunk, Mode: jobs.All,
		AccessPackageID: "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"}
	text := string(jobs.EncodeMessage(chunk))
	for _, c := range []struct {
		name         string
		payload      []byte
		worker       *recordingWorker
		noWorker     bool
		wantStatus   int
		wantHandled  bool
		wantDelivery jobs.Delivery
		wantLog      string
	}{
		{name: "first delivery is done", payload: jobInvocation(t, text, 1), worker: &recordingWorker{},
			wantStatus: 200, wantHandled: true, wantDelivery: jobs.Delivery{Attempt: 1}, wantLog: ": done"},
		{name: "the fifth delivery is the last", payload: jobInvocation(t, text, 5), worker: &recordingWorker{},
			wantStatus: 200, wantHandled: true, wantDelivery: jobs.Delivery{Attempt: 5, Final: true}, wantLog: ": done"},
		{name: "an error makes the host retry", payload: jobInvocation(t, text, 2), worker: &recordingWorker{err: errors.New("table down")},
			wantStatus: 500, wantHandled: true, wantDelivery: jobs.Delivery{Attempt: 2}, wantLog: "delivers it again (table down)"},
		{name: "the message object itself", payload: []byte(`{"Data":{"msg":` + text + `},"Metadata":{"DequeueCount":1}}`), worker: &recordingWorker{},
			wantStatus: 200, wantHandled: true, wantDelivery: jobs.Delivery{Attempt: 1}, wantLog: ": done"},
		{name: "not a job message is completed", payload: jobInvocation(t, `{"assignmentId":"x"}`, 1), worker: &recordingWorker{},
			wantStatus: 200, wantLog: "dropped (not ours: job message: job, unit and kind"},
		{name: "not JSON is completed", payload: jobInvocation(t, "hello", 1), worker: &recordingWorker{},
			wantStatus: 200, wantLog: "dropped (not ours"},
		{name: "not an invocation is completed", payload: []byte(`[1,2]`), worker: &recordingWorker{},
			wantStatus: 200, wantLog: "dropped (not ours"},
		{name: "a panic is retried, not a crash", payload: jobInvocation(t, text, 1), worker: &recordingWorker{panics: true},
			wantStatus: 500, wantLog: "the core panicked"},
		{name: "no job backend is retried", payload: jobInvocation(t, text, 1), noWorker: true,
			wantStatus: 500, wantLog: "no job backend"},
	} {
		t.Run(c.name, func(t *testing.T) {
			logger, logs := newTestLogger(t)
			var opts []Option
			if !c.noWorker {
				opts = append(opts, WithJobs(c.worker, SweepPlan{}))
			}
			h := NewHandler(http.NotFoundHandler(), &fakecore.Messages{}, logger, time.Minute, opts...)
			rec := invoke(t, h, FunctionJobWorker, hostInvocationID, c.payload)
			if rec.Code != c.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, c.wantStatus)
			}
			result := decodeResult(t, rec)
			if len(result.Logs) != 1 || !strings.Contains(result.Logs[0], c.wantLog) {
				t.Fatalf("Logs = %q, want one containing %q", result.Logs, c.wantLog)
			}
			if lines := invocationLines(t, logs); len(lines) != 1 || lines[0]["function"] != FunctionJobWorker {
				t.Fatalf("invocation log lines = %v", lines)
			}
			if c.noWorker {
				return
			}
			if got := len(c.worker.handled) == 1; got != c.wantHandled {
				t.Fatalf("handled = %+v, want handled %v", c.worker.handled, c.wantHandled)
			}
			if c.wantHandled && (c.worker.handled[0].Unit != chunk.Unit || c.worker.delivery[0] != c.wantDelivery) {
				t.Fatalf("Handle(%+v, %+v), want unit %s and %+v", c.worker.handled[0], c.worker.delivery[0], chunk.Unit, c.wantDelivery)
			}
		})
	}
}

func TestSweepStartsTheConfiguredJobsAndPurges(t *testing.T) {
	ids := []string{"9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea", "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"}
	w, p := &recordingWorker{}, &countingPurger{}
	logger, logs := newTestLogger(t)
	h := NewHandler(http.NotFoundHandler(), &fakecore.Messages{}, logger, time.Minute,
		WithJobs(w, SweepPlan{AccessPackageIDs: ids, Mode: jobs.Drifted, Purge: p}))
	rec := invoke(t, h, FunctionSweep, hostInvocationID, readFixture(t, "timer-sweep.json"))
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", rec.Code)
	}
	if len(w.swept) != 1 || strings.Join(w.swept[0], ",") != strings.Join(ids, ",") || w.mode != jobs.Drifted || p.calls != 1 {
		t.Fatalf("Sweep calls %v mode %s, purges %d; want one sweep of %v drifted and one purge", w.swept, w.mode, p.calls, ids)
	}
	result := decodeResult(t, rec)
	if want := "sweep: started 2 of 2 jobs (mode drifted), purged 2 expired jobs (past due)"; len(result.Logs) != 1 || result.Logs[0] != want {
		t.Fatalf("Logs = %q, want [%q]", result.Logs, want)
	}
	lines := invocationLines(t, logs)
	if len(lines) != 1 || lines[0]["trigger"] != "timer" || lines[0]["isPastDue"] != true || lines[0]["jobsStarted"] != float64(2) || fmt.Sprint(lines[0]["jobIds"]) != "[job-9bbe job-1c2d]" {
		t.Fatalf("log = %v", lines)
	}
}

func TestSweepFailuresAreReported(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []Option
		want string
	}{
		{"sweep error", []Option{WithJobs(&recordingWorker{err: errors.New("graph down")}, SweepPlan{AccessPackageIDs: []string{"9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"}, Mode: jobs.All})}, "sweep: graph down"},
		{"ids without a backend", []Option{func(e *edge) { e.sweep = SweepPlan{AccessPackageIDs: []string{"9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"}} }}, "no job backend"},
	} {
		t.Run(c.name, func(t *testing.T) {
			logger, _ := newTestLogger(t)
			h := NewHandler(http.NotFoundHandler(), &fakecore.Messages{}, logger, time.Minute, c.opts...)
			rec := invoke(t, h, FunctionSweep, hostInvocationID, readFixture(t, "timer-sweep.json"))
			if result := decodeResult(t, rec); rec.Code != http.StatusInternalServerError || len(result.Logs) != 1 || !strings.Contains(result.Logs[0], c.want) {
				t.Fatalf("status %d logs %q; want 500 and %q", rec.Code, result.Logs, c.want)
			}
		})
	}
	// Nothing configured: nothing to do, and that is fine.
	logger, _ := newTestLogger(t)
	if rec := invoke(t, NewHandler(http.NotFoundHandler(), &fakecore.Messages{}, logger, time.Minute), FunctionSweep, hostInvocationID, readFixture(t, "timer-sweep.json")); rec.Code != http.StatusOK {
		t.Fatalf("an idle sweep answered %d", rec.Code)
	}
}
