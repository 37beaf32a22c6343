package awslambda

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/jobs"
)

const jobsQueueURL = "https://sqs.eu-west-1.amazonaws.com/123456789012/reprocess-jobs"

// fakeWorker stands in for the jobs engine: units in fail fail unless the
// delivery is final (the engine then counts them failed and succeeds).
type fakeWorker struct {
	fail     map[string]bool
	sweepErr error

	mu     sync.Mutex
	units  map[string]jobs.Delivery
	infos  []invocation.Info
	sweeps [][]string
	modes  []jobs.Mode
}

func (w *fakeWorker) Handle(ctx context.Context, m jobs.Message, d jobs.Delivery) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.units == nil {
		w.units = map[string]jobs.Delivery{}
	}
	w.units[m.Unit] = d
	info, _ := invocation.FromContext(ctx)
	w.infos = append(w.infos, info)
	if w.fail[m.Unit] && !d.Final {
		return errors.New("graph unavailable")
	}
	return nil
}

func (w *fakeWorker) Sweep(ctx context.Context, ids []string, mode jobs.Mode) ([]jobs.Job, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sweeps, w.modes = append(w.sweeps, ids), append(w.modes, mode)
	var out []jobs.Job
	for i, id := range ids {
		if w.sweepErr != nil && i == len(ids)-1 {
			break
		}
		out = append(out, jobs.Job{ID: "job-" + id[:4], Scope: jobs.Scope{AccessPackageID: id}})
	}
	return out, w.sweepErr
}

func TestSQSJobsQueueRecords(t *testing.T) {
	worker := &fakeWorker{fail: map[string]bool{"p0/c1": true, "p0/c2": true}}
	core := messageCore()
	h := NewHandler(http.NotFoundHandler(), core, nil, Options{Jobs: Jobs{Worker: worker, QueueURL: jobsQueueURL}})
	out := invoke(t, h, readEvent(t, "ours-sqs-jobs.json"))

	// Retried: the chunk that failed before its last delivery. Not: the
	// one on its last (the engine counted it failed), the body that is no
	// job message, the reprocess queue's record (the core accepted it).
	if got, want := batchFailures(t, out), []string{"a1b2c3d4-0003-4000-8000-000000000003"}; !reflect.DeepEqual(got, want) {
		t.Errorf("batchItemFailures = %v, want %v", got, want)
	}
	want := map[string]jobs.Delivery{
		"p0":    {Attempt: 1},
		"p0/c0": {Attempt: 2},
		"p0/c1": {Attempt: 3},
		"p0/c2": {Attempt: 5, Final: true},
	}
	if !reflect.DeepEqual(worker.units, want) {
		t.Errorf("engine got %v, want %v", worker.units, want)
	}
	for _, info := range worker.infos {
		if info.Trigger != invocation.SQS || info.ID != testRequestID {
			t.Errorf("job invocation info = %+v", info)
		}
	}
	if calls, _ := core.Calls(); len(calls) != 1 || len(calls[0]) != 1 {
		t.Errorf("the core got %v, want the reprocess queue's one record", calls)
	}
}

func TestSQSJobRecordsWithoutBackendAreRetried(t *testing.T) {
	logger, logs := testkit.NewLogger()
	h := NewHandler(http.NotFoundHandler(), messageCore(), logger, Options{Jobs: Jobs{QueueURL: jobsQueueURL}})
	got := batchFailures(t, invoke(t, h, readEvent(t, "ours-sqs-jobs.json")))
	if len(got) != 4 || slices.Contains(got, "a1b2c3d4-0005-4000-8000-000000000005") {
		t.Errorf("batchItemFailures = %v, want the four job messages", got)
	}
	if len(logs.Messages(t, "job message on a function without a job backend; it will be retried")) != 4 {
		t.Errorf("no log line says why:\n%s", logs)
	}
}

// Without JOBS_QUEUE_URL every record is a reprocess message, as before jobs.
func TestSQSWithoutJobsQueueGoesToTheCore(t *testing.T) {
	core := messageCore()
	h := NewHandler(http.NotFoundHandler(), core, nil, Options{})
	invoke(t, h, readEvent(t, "ours-sqs-jobs.json"))
	if calls, _ := core.Calls(); len(calls) != 1 || len(calls[0]) != 1 {
		t.Errorf("the core got %v, want the one record that parses", calls)
	}
}

func TestScheduledEventStartsTheSweep(t *testing.T) {
	ids := []string{"9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea", "2f1e0d9c-8b7a-4654-a321-0fedcba98765"}
	type answer struct {
		Jobs []struct {
			JobID           string `json:"jobId"`
			AccessPackageID string `json:"accessPackageId"`
		} `json:"jobs"`
		Error string `json:"error"`
	}
	cases := []struct {
		name      string
		worker    *fakeWorker
		ids       []string
		wantJobs  int
		wantError bool
		wantSweep bool
	}{
		{"both start", &fakeWorker{}, ids, 2, false, true},
		{"one fails", &fakeWorker{sweepErr: errors.New("queue down")}, ids, 1, true, true},
		{"no ids", &fakeWorker{}, nil, 0, false, false},
		{"no backend", nil, ids, 0, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{Jobs: Jobs{QueueURL: jobsQueueURL, SweepAccessPackageIDs: c.ids, SweepMode: jobs.Drifted}}
			if c.worker != nil {
				opts.Jobs.Worker = c.worker
			}
			h := NewHandler(http.NotFoundHandler(), messageCore(), nil, opts)
			var got answer
			if err := json.Unmarshal(invoke(t, h, readEvent(t, "ours-eventbridge-schedule.json")), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Jobs) != c.wantJobs || (got.Error != "") != c.wantError {
				t.Errorf("answer %+v, want %d jobs, error %v", got, c.wantJobs, c.wantError)
			}
			if c.worker != nil && (len(c.worker.sweeps) == 1) != c.wantSweep {
				t.Fatalf("sweeps %v, want one: %v", c.worker.sweeps, c.wantSweep)
			}
			if c.wantSweep && (!reflect.DeepEqual(c.worker.sweeps[0], c.ids) || c.worker.modes[0] != jobs.Drifted) {
				t.Errorf("Sweep(%v, %s), want (%v, drifted)", c.worker.sweeps[0], c.worker.modes[0], c.ids)
			}
		})
	}
}

func TestClassifyScheduleAndEventBridgeInvoke(t *testing.T) {
	for file, want := range map[string]source{
		"ours-eventbridge-schedule.json": sourceSchedule,
		"ours-eventbridge.json":          sourceInvoke,
		"ours-sqs-jobs.json":             sourceSQS,
	} {
		if got := classify(readEvent(t, file)); got != want {
			t.Errorf("classify(%s) = %s, want %s", file, got, want)
		}
	}
}
