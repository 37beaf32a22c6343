package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// hostPlayer plays the Functions host's queue trigger for job-worker: it
// dequeues from Azurite with a short visibility timeout, POSTs each message
// to a handler process as the host's JSON invocation (the text
// JSON-encoded twice, DequeueCount and Id in Metadata), and deletes it on
// HTTP 200. A failed or unanswered invocation leaves the message to reappear.
type hostPlayer struct {
	queue      *azqueue.QueueClient
	procs      []*process
	down       []atomic.Bool
	delivered  atomic.Int64
	retries    atomic.Int64 // deliveries of a throttled chunk sent again (unit key …/rN)
	killAfter  int64        // kill procs[0] at this delivery (0: never)
	visibility int32
}

func newHostPlayer(t *testing.T, connectionString, queue string, procs ...*process) *hostPlayer {
	t.Helper()
	q, err := azqueue.NewQueueClientFromConnectionString(connectionString, queue, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &hostPlayer{queue: q, procs: procs, down: make([]atomic.Bool, len(procs)), visibility: 2}
}

// runUntil delivers messages until done reports true (checked between
// rounds), or fails the test after a bound that only a hang reaches.
func (h *hostPlayer) runUntil(t *testing.T, done func() bool) {
	t.Helper()
	ctx := context.Background()
	bound := time.Now().Add(3 * time.Minute)
	n := int32(32)
	for round := 0; !done(); round++ {
		if time.Now().After(bound) {
			t.Fatalf("the job did not finish; %d deliveries", h.delivered.Load())
		}
		got, err := h.queue.DequeueMessages(ctx, &azqueue.DequeueMessagesOptions{NumberOfMessages: &n, VisibilityTimeout: &h.visibility})
		if err != nil {
			t.Fatalf("dequeue: %v", err)
		}
		if len(got.Messages) == 0 {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		var wg sync.WaitGroup
		for i, m := range got.Messages {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := (round + i) % len(h.procs)
				if h.down[p].Load() {
					p = (p + 1) % len(h.procs)
				}
				if h.deliver(t, p, m) {
					if _, err := h.queue.DeleteMessage(ctx, *m.MessageID, *m.PopReceipt, nil); err != nil {
						t.Errorf("delete: %v", err)
					}
				}
			}()
		}
		wg.Wait()
	}
}

func (h *hostPlayer) deliver(t *testing.T, p int, m *azqueue.DequeuedMessage) bool {
	// Mid-job, the first delivery to procs[0] finds it killed: this message
	// and any others it held reappear after their visibility timeout.
	if n := h.delivered.Add(1); h.killAfter > 0 && n >= h.killAfter && p == 0 && h.down[0].CompareAndSwap(false, true) {
		h.procs[0].cmd.Process.Kill()
	}
	if h.down[p].Load() {
		return false
	}
	var unit struct{ Unit string }
	if json.Unmarshal([]byte(*m.MessageText), &unit) == nil && strings.Contains(unit.Unit, "/r") {
		h.retries.Add(1)
	}
	once, _ := json.Marshal(*m.MessageText)
	twice, _ := json.Marshal(string(once))
	payload := fmt.Sprintf(`{"Data":{"msg":%s},"Metadata":{"DequeueCount":"%d","Id":%q,"sys":{"MethodName":"job-worker"}}}`,
		twice, *m.DequeueCount, `"`+*m.MessageID+`"`)
	req, _ := http.NewRequest(http.MethodPost, h.procs[p].base+"/job-worker", strings.NewReader(payload))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("X-Azure-Functions-InvocationId", "11111111-2222-4333-8444-555555555555")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false // the process died under it
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

type jobStatus struct {
	JobID  string `json:"jobId"`
	State  string `json:"state"`
	Counts struct {
		Total, Accepted, Failed, Drifted, InSync, Unverifiable int
	} `json:"counts"`
}

func startJobOn(t *testing.T, p *process, body string) string {
	t.Helper()
	h := http.Header{"Content-Type": {"application/json"}}
	resp := p.send(t, http.MethodPost, "/api/jobs", h, body)
	var j jobStatus
	json.NewDecoder(resp.Body).Decode(&j)
	if resp.StatusCode != http.StatusAccepted || j.JobID == "" {
		t.Fatalf("POST /api/jobs = %d %+v, want 202 with a job id", resp.StatusCode, j)
	}
	return j.JobID
}

func jobOn(t *testing.T, p *process, id string) (int, jobStatus) {
	t.Helper()
	resp := p.send(t, http.MethodGet, "/api/jobs/"+id, nil, "")
	var j jobStatus
	json.NewDecoder(resp.Body).Decode(&j)
	return resp.StatusCode, j
}

// A 2,000-assignment job through Azurite, delivered as the Functions host
// delivers job-worker invocations, to two handler processes, one killed
// mid-job; some items throttled once. Then a drift dry run.
func TestJobThroughAzuriteAndTwoHandlers(t *testing.T) {
	az := testkit.AzuriteFor(t)
	var b [4]byte
	rand.Read(b[:])
	queue, table := fmt.Sprintf("jobs-%x", b), fmt.Sprintf("jobs%x", b)
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	pkg := tenant.AddBulkAccessPackage(2000, 25)
	env := map[string]string{"AzureWebJobsStorage": az.ConnectionString(), "JOBS_QUEUE": queue, "JOBS_TABLE": table}
	a, survivor := startBinary(t, tenant, env), startBinary(t, tenant, env)
	for i := 1; i <= 5; i++ { // per-item 429s: each of these is throttled once, then accepted
		tenant.Graph.Fail(fmt.Sprintf("%s-0004-4000-8000-%012d", pkg.ID[:8], i*300), http.StatusTooManyRequests, 1, time.Second)
	}

	id := startJobOn(t, a, `{"accessPackageId":"`+pkg.ID+`","mode":"all"}`)
	host := newHostPlayer(t, az.ConnectionString(), queue, a, survivor)
	host.killAfter = 12
	var final jobStatus
	host.runUntil(t, func() bool {
		status, j := jobOn(t, survivor, id)
		final = j
		return status == http.StatusOK
	})
	if final.State != "completed" || final.Counts.Total != 2000 || final.Counts.Accepted != 2000 || final.Counts.Failed != 0 {
		t.Fatalf("job = %+v, want completed with 2000 of 2000 accepted", final)
	}
	t.Logf("%d deliveries to two handlers, the first killed mid-job; %d of throttled chunks sent again", host.delivered.Load(), host.retries.Load())
	if !host.down[0].Load() || host.retries.Load() == 0 {
		t.Fatalf("the first handler killed: %v; throttled chunks delivered again: %d; want both", host.down[0].Load(), host.retries.Load())
	}

	id = startJobOn(t, survivor, `{"accessPackageId":"`+pkg.ID+`","mode":"drifted","dryRun":true}`)
	host.runUntil(t, func() bool {
		status, j := jobOn(t, survivor, id)
		final = j
		return status == http.StatusOK
	})
	if final.State != "completed" || final.Counts.Total != 2000 || final.Counts.Drifted != pkg.Drifted || final.Counts.InSync != 2000-pkg.Drifted || final.Counts.Accepted != 0 {
		t.Fatalf("drift dry run = %+v, want %d drifted, %d in sync, nothing reprocessed", final, pkg.Drifted, 2000-pkg.Drifted)
	}
}

// Storage that does not answer: POST /api/jobs is 503 JobStoreUnavailable
// (within the storage clients' few seconds of retries), never a hang or 500.
func TestJobStorageDownIs503(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	dead := "http://127.0.0.1:" + freePort(t) + "/devstoreaccount1"
	p := startBinary(t, tenant, map[string]string{"AzureWebJobsStorage": "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
		"AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=" + dead + ";TableEndpoint=" + dead})
	resp := p.send(t, http.MethodPost, "/api/jobs", http.Header{"Content-Type": {"application/json"}}, `{"accessPackageId":"`+tenant.Seeds.AccessPackages[0].ID+`"}`)
	if e := readError(t, resp); resp.StatusCode != http.StatusServiceUnavailable || e.Error.Code != "JobStoreUnavailable" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("POST /api/jobs with storage down = %d %s (Retry-After %q), want 503 JobStoreUnavailable with Retry-After", resp.StatusCode, e.Error.Code, resp.Header.Get("Retry-After"))
	}
}

// The sweep's timer invocation, as the host sends it, starts a job per
// SWEEP_ACCESS_PACKAGE_IDS; its work goes through the queue like any job.
func TestSweepTimerInvocationStartsJobs(t *testing.T) {
	az := testkit.AzuriteFor(t)
	var b [4]byte
	rand.Read(b[:])
	queue, table := fmt.Sprintf("sweep-%x", b), fmt.Sprintf("sweep%x", b)
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	pkg := tenant.AddBulkAccessPackage(120, 10)
	p := startBinary(t, tenant, map[string]string{"AzureWebJobsStorage": az.ConnectionString(), "JOBS_QUEUE": queue, "JOBS_TABLE": table,
		"SWEEP_ACCESS_PACKAGE_IDS": pkg.ID, "SWEEP_MODE": "drifted"})
	timer := `{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}},"Metadata":{"sys":{"MethodName":"sweep"}}}`
	h := http.Header{"Content-Type": {"application/json; charset=utf-8"}, "X-Azure-Functions-Invocationid": {"21111111-2222-4333-8444-555555555555"}}
	if resp := p.send(t, http.MethodPost, "/sweep", h, timer); resp.StatusCode != http.StatusOK {
		t.Fatalf("sweep invocation = %d, want 200", resp.StatusCode)
	}
	// The log line travels through the process's stdout pipe, which may
	// trail the HTTP answer.
	var id string
	for bound := time.Now().Add(10 * time.Second); id == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(bound) {
			t.Fatalf("the sweep's log line names no job")
		}
		for _, line := range p.logLines() {
			var l struct {
				Function string   `json:"function"`
				JobIDs   []string `json:"jobIds"`
			}
			if json.Unmarshal([]byte(line), &l) == nil && l.Function == "sweep" && len(l.JobIDs) == 1 {
				id = l.JobIDs[0]
			}
		}
	}
	var final jobStatus
	newHostPlayer(t, az.ConnectionString(), queue, p).runUntil(t, func() bool {
		status, j := jobOn(t, p, id)
		final = j
		return status == http.StatusOK
	})
	if final.State != "completed" || final.Counts.Total != 120 || final.Counts.Drifted != pkg.Drifted || final.Counts.Accepted != pkg.Drifted {
		t.Fatalf("the sweep's job = %+v, want %d drifted and reprocessed of 120", final, pkg.Drifted)
	}
}
