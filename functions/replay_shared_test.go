package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/sandbox"
	"github.com/entra-tools/reprocess/shared/webhook"
)

// Two instances sharing the function app's storage: a delivery the first
// received is refused by the second (the replay record is in the table).
func TestWebhookReplayToAnotherInstance(t *testing.T) {
	env := webhookEnv(nil)
	env["AzureWebJobsStorage"] = testkit.AzuriteFor(t).ConnectionString()
	env["JOBS_TABLE"] = "replays" + time.Now().Format("150405")
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	a, b := newStackWith(t, tenant, env), newStackWith(t, tenant, env)
	for _, src := range []webhook.Source{webhook.GitHub, webhook.Standard} {
		t.Run(string(src), func(t *testing.T) {
			id := tenant.AddAssignment(sandbox.Assignment{})
			body := `{"assignmentId":"` + id + `"}`
			h := signDelivery(t, src, a.seededSecret(t, src), "d-"+id, body, time.Now())
			if resp := a.deliver(t, string(src), h, body); resp.StatusCode != http.StatusAccepted {
				t.Fatalf("first delivery: %d, want 202", resp.StatusCode)
			}
			resp := b.deliver(t, string(src), h, body)
			if e := readError(t, resp); resp.StatusCode != http.StatusConflict || e.Error.Code != "WebhookReplayed" {
				t.Fatalf("the replay to another instance: %d %s, want 409 WebhookReplayed", resp.StatusCode, e.Error.Code)
			}
			if got := a.graphCalls(id); got != 1 {
				t.Fatalf("Graph calls = %d, want 1", got)
			}
		})
	}
}
