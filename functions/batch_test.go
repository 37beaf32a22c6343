package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// thousandBatch is a 1,000-position batch for tests and the benchmark.
type thousandBatch struct {
	body      string
	want      []string // per position: "accepted", "invalid", "unknown", "throttled" (accepted on retry)
	ids       []string // per position, as sent
	delivered []string // distinct delivered ids
	throttled []string
	valid     int // distinct valid ids (delivered and unknown)
}

// newThousandBatch adds the assignments to the tenant and builds the body:
// invalid ids, unknown ids, duplicates (in another case) and ids Graph
// throttles once with Retry-After, spread through the batch.
func newThousandBatch(tb testing.TB, tenant *sandbox.Tenant, invalid, unknown, dup, throttled int) thousandBatch {
	tb.Helper()
	const total = 1000
	deliveredN := total - invalid - unknown - dup
	var m thousandBatch
	for i := 0; i < deliveredN; i++ {
		m.delivered = append(m.delivered, tenant.AddAssignment(sandbox.Assignment{}))
	}
	m.throttled = m.delivered[:throttled]
	for _, id := range m.throttled {
		tenant.Graph.Fail(id, http.StatusTooManyRequests, 1, time.Second)
	}
	d, inv, unk, du := 0, 0, 0, 0
	for p := 0; p < total; p++ {
		switch {
		case inv < invalid && p%20 == 3:
			m.ids, m.want = append(m.ids, fmt.Sprintf("not-a-guid-%d", inv)), append(m.want, "invalid")
			inv++
		case unk < unknown && p%20 == 7:
			m.ids, m.want = append(m.ids, fmt.Sprintf("00000000-0000-4000-8000-%012d", unk+1)), append(m.want, "unknown")
			unk++
		case du < dup && p%20 == 11 && d > du:
			m.ids, m.want = append(m.ids, strings.ToUpper(m.delivered[du])), append(m.want, m.want[indexOf(m.ids, m.delivered[du])])
			du++
		case d < deliveredN:
			want := "accepted"
			if d < throttled {
				want = "throttled"
			}
			m.ids, m.want = append(m.ids, m.delivered[d]), append(m.want, want)
			d++
		default:
			tb.Fatalf("thousand batch: ran out of ids at position %d", p)
		}
	}
	if inv != invalid || unk != unknown || du != dup || d != deliveredN {
		tb.Fatalf("thousand batch: placed %d/%d invalid, %d/%d unknown, %d/%d duplicates, %d/%d delivered", inv, invalid, unk, unknown, du, dup, d, deliveredN)
	}
	m.valid = deliveredN + unknown
	m.body = `{"assignmentIds":["` + strings.Join(m.ids, `","`) + `"]}`
	return m
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func TestBatchOfAThousand(t *testing.T) {
	t.Parallel() // it mostly waits: Retry-After, latency, polling
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, nil)
	m := newThousandBatch(t, s.tenant, 40, 30, 20, 25)
	if len(m.body) > 64<<10 {
		t.Fatalf("a 1,000-id body is %d bytes, over the 64 KiB limit", len(m.body))
	}
	start := time.Now()
	a := readBatch(t, s.do(t, http.MethodPost, "/api/reprocess", m.body))
	elapsed := time.Since(start)

	if len(a.Results) != len(m.ids) {
		t.Fatalf("results = %d, want %d", len(a.Results), len(m.ids))
	}
	for i, r := range a.Results {
		wantID := strings.ToLower(m.ids[i])
		wantStatus := map[string]int{"accepted": 202, "throttled": 202, "invalid": 400, "unknown": 404}[m.want[i]]
		if m.want[i] == "invalid" {
			wantID = m.ids[i]
		}
		if r.AssignmentID != wantID || r.Status != wantStatus {
			t.Errorf("results[%d] = %s %d %s, want %s %d (%s)", i, r.AssignmentID, r.Status, r.Code, wantID, wantStatus, m.want[i])
		}
	}
	for _, id := range m.delivered {
		if n := s.tenant.Graph.Reprocessed(id); n != 1 {
			t.Errorf("%s reprocessed %d times, want 1", id, n)
		}
	}
	// Graph HTTP requests: the first round packs every distinct valid id
	// 20 to a $batch; the throttled ones go again, 20 to a $batch.
	want := ceilDiv(m.valid, 20) + ceilDiv(len(m.throttled), 20)
	if got := s.batchEnvelopes(); got != want {
		t.Errorf("$batch requests = %d, want ⌈%d/20⌉ + ⌈%d/20⌉ = %d", got, m.valid, len(m.throttled), want)
	}
	if got := s.tenant.Count(sandbox.Graph); got != want {
		t.Errorf("Graph HTTP requests = %d, want %d (only $batch envelopes)", got, want)
	}
	sum := a.Summary
	if sum.Total != 1000 || sum.Accepted != 1000-40-30 || sum.ByStatus["400"] != 40 || sum.ByStatus["404"] != 30 || sum.NotAttempted != 0 {
		t.Errorf("summary = %+v", sum)
	}
	t.Logf("1,000-id batch (%d distinct valid, %d throttled once for 1 s): %v, %d Graph requests", m.valid, len(m.throttled), elapsed.Round(time.Millisecond), s.tenant.Count(sandbox.Graph))
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func TestBatchCutShortByTheDeadline(t *testing.T) {
	t.Parallel() // it mostly waits: Retry-After, latency, polling
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, map[string]string{"REQUEST_TIMEOUT": "2s"})
	m := newThousandBatch(t, s.tenant, 0, 0, 0, 0)
	// Warm the credentials so the deadline is spent on Graph alone.
	if resp := s.do(t, http.MethodPost, "/api/assignments/"+s.tenant.Seeds.Delivered[0]+"/reprocess", ""); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("warm-up status = %d", resp.StatusCode)
	}
	s.tenant.Graph.SetLatency(600 * time.Millisecond)

	start := time.Now()
	a := readBatch(t, s.do(t, http.MethodPost, "/api/reprocess", m.body))
	elapsed := time.Since(start)

	if len(a.Results) != 1000 {
		t.Fatalf("results = %d, want 1000: nothing may be dropped", len(a.Results))
	}
	counts := map[string]int{}
	for i, r := range a.Results {
		if r.AssignmentID != m.ids[i] {
			t.Fatalf("results[%d] is %s, want %s: input order", i, r.AssignmentID, m.ids[i])
		}
		counts[fmt.Sprint(r.Status, r.Code)]++
		reprocessed := s.tenant.Graph.Reprocessed(r.AssignmentID)
		switch {
		case r.Status == 202 && reprocessed != 1:
			t.Errorf("%s answered 202 but Graph reprocessed it %d times", r.AssignmentID, reprocessed)
		case r.Code == "NotAttempted" && (r.Status != 504 || reprocessed != 0):
			t.Errorf("%s answered %d NotAttempted but Graph reprocessed it %d times", r.AssignmentID, r.Status, reprocessed)
		case r.Status != 202 && r.Code != "NotAttempted" && r.Code != "GatewayTimeout":
			t.Errorf("%s answered %d %s, want 202, 504 NotAttempted or 504 GatewayTimeout", r.AssignmentID, r.Status, r.Code)
		}
	}
	sum := a.Summary
	if sum.Accepted == 0 || sum.NotAttempted == 0 || sum.Accepted+sum.Failed+sum.NotAttempted != 1000 {
		t.Errorf("summary = %+v, want some accepted, some not attempted, 1000 in all", sum)
	}
	if elapsed > 2*time.Second+500*time.Millisecond {
		t.Errorf("answered after %v, want within the 2s deadline", elapsed)
	}
	t.Logf("2 s deadline, 600 ms per Graph request: %v; %v", elapsed.Round(time.Millisecond), counts)
}

// BenchmarkBatchOfAThousand measures a 1,000-id batch of delivered
// assignments through the whole stack against the sandbox.
func BenchmarkBatchOfAThousand(b *testing.B) {
	s := newStack(b, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, nil)
	m := newThousandBatch(b, s.tenant, 0, 0, 0, 0)
	s.do(b, http.MethodPost, "/api/assignments/"+s.tenant.Seeds.Delivered[0]+"/reprocess", "")
	s.tenant.Reset()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := readBatch(b, s.do(b, http.MethodPost, "/api/reprocess", m.body))
		if a.Summary.Accepted != 1000 {
			b.Fatalf("accepted = %d, want 1000", a.Summary.Accepted)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(s.tenant.Count(sandbox.Graph))/float64(b.N), "graph-requests/op")
}

func TestBatchFaults(t *testing.T) {
	t.Parallel() // it mostly waits: Retry-After, latency, polling
	tests := []struct {
		name       string
		setup      func(s *stack)
		wantStatus int
		wantCode   string
		wantGraph  func(chunks int) int // $batch requests for a batch of chunks
	}{
		{"envelope throttled once: the SDK retries it", func(s *stack) { s.tenant.Graph.FailBatch(http.StatusTooManyRequests, 1, time.Second) },
			http.StatusAccepted, "", func(n int) int { return n + 1 }},
		{"envelope refused: learnt from the first batch", func(s *stack) { s.tenant.Graph.FailBatch(http.StatusBadRequest, 1, sandbox.NoRetryAfter) },
			http.StatusBadRequest, "BadRequest", func(int) int { return 1 }},
		{"no permission: Graph refuses each item", func(s *stack) { s.tenant.Graph.SetPermission(false) },
			http.StatusBadGateway, "GraphAccessDenied", func(n int) int { return n }},
		{"key vault down: nothing reaches Graph", func(s *stack) { s.tenant.KeyVault.SetDown(true) },
			http.StatusServiceUnavailable, "KeyVaultUnavailable", func(int) int { return 0 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, nil)
			var ids []string
			for i := 0; i < 45; i++ {
				ids = append(ids, s.tenant.AddAssignment(sandbox.Assignment{}))
			}
			tc.setup(s)
			a := readBatch(t, s.do(t, http.MethodPost, "/api/reprocess", `{"assignmentIds":["`+strings.Join(ids, `","`)+`"]}`))
			for i, r := range a.Results {
				if r.AssignmentID != ids[i] || r.Status != tc.wantStatus || r.Code != tc.wantCode {
					t.Fatalf("results[%d] = %+v, want %s %d %q", i, r, ids[i], tc.wantStatus, tc.wantCode)
				}
			}
			if got, want := s.batchEnvelopes(), tc.wantGraph(3); got != want {
				t.Errorf("$batch requests = %d, want %d", got, want)
			}
		})
	}
}
