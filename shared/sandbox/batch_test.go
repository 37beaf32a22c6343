package sandbox_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

type batchResult struct {
	Responses []struct {
		ID      string            `json:"id"`
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"responses"`
}

func reprocessItem(id, assignment string, dependsOn ...string) map[string]any {
	return map[string]any{
		"id": id, "method": "POST", "url": "/identityGovernance/entitlementManagement/assignments/" + assignment + "/reprocess",
		"headers": map[string]string{"accept": "application/json"}, "body": nil, "dependsOn": dependsOn,
	}
}

// postBatch sends items gzip-compressed, as msgraph-sdk-go does.
func postBatch(tb testing.TB, tenant *sandbox.Tenant, token string, items []map[string]any, compress bool) (response, batchResult) {
	tb.Helper()
	raw, _ := json.Marshal(map[string]any{"requests": items})
	body, headers := raw, []string{"Content-Type", "application/json"}
	if compress {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(raw)
		_ = zw.Close()
		body, headers = buf.Bytes(), append(headers, "Content-Encoding", "gzip")
	}
	r := do(tb, tenant.HTTPClient(), "POST", graphBase+"/$batch", token, bytes.NewReader(body), headers...)
	var res batchResult
	if r.status == 200 {
		if err := json.Unmarshal(r.body, &res); err != nil {
			tb.Fatalf("batch body: %v", err)
		}
	}
	return r, res
}

func TestBatch(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	tok := graphToken(t, tenant)
	s := tenant.Seeds
	tenant.Graph.Fail(s.Delivered[2], 429, 1, 2*time.Second)
	items := []map[string]any{
		reprocessItem("1", s.Delivered[0]),
		reprocessItem("2", s.Unknown),
		reprocessItem("3", "not-a-guid"),
		reprocessItem("4", s.Delivered[2]),
		reprocessItem("5", s.Delivered[1], "2"),
		{"id": "6", "method": "GET", "url": "/identityGovernance/entitlementManagement/assignments/" + s.Expired + "?$expand=target"},
		{"id": "7", "method": "GET", "url": "users/" + s.Users[0].ObjectID},
		{"id": "8", "method": "GET", "url": "https://graph.microsoft.com/v1.0/users/" + s.Users[0].ObjectID},
	}
	for _, compress := range []bool{true, false} {
		t.Run(fmt.Sprintf("gzip=%v", compress), func(t *testing.T) {
			r, res := postBatch(t, tenant, tok, items, compress)
			if r.status != 200 {
				t.Fatalf("batch = %d %s", r.status, r.body)
			}
			want := map[string]int{"1": 202, "2": 404, "3": 400, "4": 429, "5": 424, "6": 200, "7": 200, "8": 400}
			if !compress {
				want["4"] = 202 // the one injected 429 was used by the first run
			}
			if len(res.Responses) != len(want) {
				t.Fatalf("%d responses, want %d", len(res.Responses), len(want))
			}
			for _, it := range res.Responses {
				if it.Status != want[it.ID] {
					t.Errorf("item %s status = %d, want %d (%s)", it.ID, it.Status, want[it.ID], it.Body)
				}
				switch {
				case it.Status == 202 && string(it.Body) != "null":
					t.Errorf("item %s: 202 body = %s, want null", it.ID, it.Body)
				case it.Status != 202 && it.Headers["Content-Type"] != "application/json":
					t.Errorf("item %s: headers %v, want Content-Type application/json", it.ID, it.Headers)
				case it.Status == 429 && it.Headers["Retry-After"] != "2":
					t.Errorf("item %s: Retry-After %q, want 2", it.ID, it.Headers["Retry-After"])
				}
			}
		})
	}
	posted := tenant.CountFunc(func(r sandbox.Request) bool { return r.InBatch && r.Method == "POST" })
	if posted != 8 { // 4 reprocess items per batch ran (the 424 did not): 1, 2, 3, 4
		t.Errorf("logged %d batch reprocess items, want 8", posted)
	}
	if n := tenant.CountFunc(func(r sandbox.Request) bool { return r.Service == sandbox.Graph && !r.InBatch }); n != 2 {
		t.Errorf("Graph envelopes = %d, want 2", n)
	}
}

func TestBatchLimits(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tok := graphToken(t, tenant)
	many := func(n int) []map[string]any {
		var items []map[string]any
		for i := range n {
			items = append(items, reprocessItem(fmt.Sprint(i), tenant.Seeds.Unknown))
		}
		return items
	}
	dup := many(2)
	dup[1]["id"] = "0"
	tests := []struct {
		name   string
		items  []map[string]any
		status int
	}{
		{"20 items", many(20), 200},
		{"21 items", many(21), 400},
		{"no items", []map[string]any{}, 400},
		{"duplicate ids", dup, 400},
		{"depends on a later item", []map[string]any{reprocessItem("a", tenant.Seeds.Unknown, "b"), reprocessItem("b", tenant.Seeds.Unknown)}, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := postBatch(t, tenant, tok, tc.items, true)
			if r.status != tc.status || (tc.status == 400 && r.errorCode() != "BadRequest") {
				t.Errorf("batch = %d %s, want %d", r.status, r.body, tc.status)
			}
		})
	}
	r := do(t, tenant.HTTPClient(), "POST", graphBase+"/$batch", tok, bytes.NewReader([]byte("{not json")), "Content-Type", "application/json")
	if r.status != 400 {
		t.Errorf("malformed batch = %d", r.status)
	}
	if r := do(t, tenant.HTTPClient(), "POST", graphBase+"/$batch", tok, bytes.NewReader([]byte("plain")), "Content-Encoding", "gzip"); r.status != 400 {
		t.Errorf("bad gzip batch = %d", r.status)
	}
}

func TestBatchAuthAndPermission(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	items := []map[string]any{reprocessItem("1", tenant.Seeds.Delivered[0])}
	if r, _ := postBatch(t, tenant, "", items, true); r.status != 401 {
		t.Errorf("batch without token = %d, want 401", r.status)
	}
	tok := graphToken(t, tenant)
	tenant.Graph.SetPermission(false)
	r, res := postBatch(t, tenant, tok, items, true)
	if r.status != 200 || len(res.Responses) != 1 || res.Responses[0].Status != 403 {
		t.Errorf("batch without permission = %d %s, want 200 with a 403 item", r.status, r.body)
	}
	tenant.Graph.SetPermission(true)
	tenant.Graph.FailBatch(503, 1, time.Second)
	if r, _ := postBatch(t, tenant, tok, items, true); r.status != 503 || r.header.Get("Retry-After") != "1" {
		t.Errorf("FailBatch: batch = %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
}
