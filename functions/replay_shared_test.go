package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs/awsjobs/awsjobstest"
	"github.com/entra-tools/reprocess/shared/sandbox"
	"github.com/entra-tools/reprocess/shared/webhook"
)

// Two instances sharing the platform's jobs table: a delivery the first
// received is refused by the second (the replay record is in the table).
func TestWebhookReplayToAnotherInstance(t *testing.T) {
	platforms := []struct {
		name string
		env  func(t *testing.T, tenant *sandbox.Tenant) map[string]string
	}{
		{"Azure Table", func(t *testing.T, _ *sandbox.Tenant) map[string]string {
			return webhookEnv(map[string]string{
				"AzureWebJobsStorage": testkit.AzuriteFor(t).ConnectionString(),
				"JOBS_TABLE":          "replays" + time.Now().Format("150405"),
			})
		}},
		{"DynamoDB", func(t *testing.T, tenant *sandbox.Tenant) map[string]string {
			env := webhookEnv(tenant.AWSEnv())
			env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:9001"
			env["JOBS_QUEUE_URL"] = tenant.SQS.QueueURL(sandbox.AWSRegion, sandbox.SQSJobsQueue)
			env["AWS_ENDPOINT_URL_DYNAMODB"] = awsjobstest.Table(t, config.DefaultJobsTable)
			return env
		}},
	}
	for _, p := range platforms {
		t.Run(p.name, func(t *testing.T) {
			tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
			env := p.env(t, tenant)
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
		})
	}
}
