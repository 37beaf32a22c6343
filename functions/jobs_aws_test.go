package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/jobs/awsjobs/awsjobstest"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// eventSourceMapping plays Lambda's SQS event source mapping against the
// sandbox's SQS: it receives up to ten messages, hands them to the function
// as an SQS event, and deletes those batchItemFailures does not list.
type eventSourceMapping struct {
	client   *sqs.Client
	queueURL string
	arn      string
}

func newEventSourceMapping(tenant *sandbox.Tenant, queue string) *eventSourceMapping {
	id, secret, token := tenant.AWSCredentials()
	return &eventSourceMapping{
		client: sqs.New(sqs.Options{Region: sandbox.AWSRegion, HTTPClient: tenant.HTTPClient(),
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token}, nil
			})}),
		queueURL: tenant.SQS.QueueURL(sandbox.AWSRegion, queue),
		arn:      "arn:aws:sqs:" + sandbox.AWSRegion + ":" + sandbox.AWSAccountID + ":" + queue,
	}
}

// poll receives a batch; nil when the queue has nothing visible.
func (m *eventSourceMapping) poll(tb testing.TB) []types.Message {
	tb.Helper()
	out, err := m.client.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(m.queueURL), MaxNumberOfMessages: 10, VisibilityTimeout: 180,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
	})
	if err != nil {
		tb.Fatalf("ReceiveMessage: %v", err)
	}
	return out.Messages
}

// event is the SQS event Lambda builds of msgs.
func (m *eventSourceMapping) event(tb testing.TB, msgs []types.Message) []byte {
	tb.Helper()
	var ev events.SQSEvent
	for _, msg := range msgs {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId: aws.ToString(msg.MessageId), ReceiptHandle: aws.ToString(msg.ReceiptHandle), Body: aws.ToString(msg.Body),
			Md5OfBody: aws.ToString(msg.MD5OfBody), Attributes: msg.Attributes,
			EventSource: "aws:sqs", EventSourceARN: m.arn, AWSRegion: sandbox.AWSRegion,
		})
	}
	b, err := json.Marshal(ev)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// settle deletes the messages the answer did not list and makes the
// listed ones visible again at once (Lambda leaves them to their
// visibility timeout); it returns how many were listed.
func (m *eventSourceMapping) settle(tb testing.TB, msgs []types.Message, answer []byte) int {
	tb.Helper()
	var resp events.SQSEventResponse
	if err := json.Unmarshal(answer, &resp); err != nil {
		tb.Fatalf("SQS answer %s: %v", answer, err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	ctx := context.Background()
	for _, msg := range msgs {
		var err error
		if slices.Contains(failed, aws.ToString(msg.MessageId)) {
			_, err = m.client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
				QueueUrl: aws.String(m.queueURL), ReceiptHandle: msg.ReceiptHandle, VisibilityTimeout: 0})
		} else {
			_, err = m.client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(m.queueURL), ReceiptHandle: msg.ReceiptHandle})
		}
		if err != nil {
			tb.Fatalf("settle %s: %v", aws.ToString(msg.MessageId), err)
		}
	}
	return len(failed)
}

// jobStatus is GET /api/jobs/{id} through an HTTP API event.
func (p *lambdaProcess) jobStatus(tb testing.TB, id string) (int, jobs.Job) {
	tb.Helper()
	r := httpResponse(tb, p.invoke(tb, httpEvent(tb, httpAPI, http.MethodGet, "/api/jobs/"+id, ""), 10*time.Second).Body)
	var j jobs.Job
	if err := json.Unmarshal(r.body, &j); err != nil {
		tb.Fatalf("job status %d %s: %v", r.status, r.body, err)
	}
	return r.status, j
}

// The AWS path of a job, end to end with the real bootstrap: POST /api/jobs
// as an API Gateway event sends the first page to SQS (the sandbox's) and
// writes the job to DynamoDB (dynalite); the test plays the event source
// mapping until the job completes with exact counts. Then an EventBridge
// scheduled event starts the sweep.
func TestLambdaJobEndToEnd(t *testing.T) {
	// Reprocessed assignments are "delivering" for a while, as in Graph:
	// out of the delivered list the later pages read.
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	const table = "reprocessjobs"
	pkg := tenant.Seeds.LargeAccessPackage
	env := tenant.AWSProcessEnv()
	env["JOBS_QUEUE_URL"] = tenant.SQS.QueueURL(sandbox.AWSRegion, sandbox.SQSJobsQueue)
	env["JOBS_TABLE"] = table
	env["AWS_ENDPOINT_URL_DYNAMODB"] = awsjobstest.Table(t, table)
	env["SWEEP_ACCESS_PACKAGE_IDS"] = pkg.ID
	env["SWEEP_MODE"] = "drifted"
	p := startBootstrap(t, tenant, env)
	esm := newEventSourceMapping(tenant, sandbox.SQSJobsQueue)

	r := httpResponse(t, p.invoke(t, httpEvent(t, httpAPI, http.MethodPost, "/api/jobs", `{"accessPackageId":"`+pkg.ID+`","mode":"all"}`), 20*time.Second).Body)
	var started struct {
		JobID string `json:"jobId"`
	}
	if err := json.Unmarshal(r.body, &started); r.status != http.StatusAccepted || err != nil || started.JobID == "" {
		t.Fatalf("POST /api/jobs: %d %s", r.status, r.body)
	}

	invocations, retried := 0, 0
	for {
		msgs := esm.poll(t)
		if len(msgs) == 0 {
			break // every unit sends its children before it commits: an empty queue is the end
		}
		if invocations++; invocations > 200 {
			t.Fatalf("still work on the queue after %d invocations", invocations)
		}
		retried += esm.settle(t, msgs, p.invoke(t, esm.event(t, msgs), 30*time.Second).Body)
	}
	status, j := p.jobStatus(t, started.JobID)
	want := jobs.Counts{Total: pkg.Assignments, Accepted: pkg.Assignments}
	if status != http.StatusOK || j.State != jobs.Completed || j.Counts != want || len(j.Failures) != 0 {
		t.Fatalf("after %d invocations (%d records retried): %d %+v, want 200 completed with %+v", invocations, retried, status, j, want)
	}
	if dead := tenant.SQS.Messages(sandbox.SQSJobsDLQ); len(dead) != 0 {
		t.Errorf("%d units went to the dead-letter queue", len(dead))
	}
	t.Logf("%d assignments in %d invocations, %d records retried", j.Counts.Total, invocations, retried)

	t.Run("scheduled sweep", func(t *testing.T) {
		event, err := os.ReadFile(filepath.Join("..", "shared", "awslambda", "testdata", "ours-eventbridge-schedule.json"))
		if err != nil {
			t.Fatal(err)
		}
		out := p.invoke(t, event, 20*time.Second)
		var sweep struct {
			Jobs []struct{ JobID, AccessPackageID string } `json:"jobs"`
		}
		if err := json.Unmarshal(out.Body, &sweep); err != nil || len(sweep.Jobs) != 1 || sweep.Jobs[0].AccessPackageID != pkg.ID {
			t.Fatalf("sweep answer %s", out.Body)
		}
		if status, j := p.jobStatus(t, sweep.Jobs[0].JobID); status != http.StatusAccepted || j.State != jobs.Running || j.Mode != jobs.Drifted {
			t.Errorf("the sweep's job: %d %+v, want 202 running in mode drifted", status, j)
		}
		if msgs := tenant.SQS.Messages(sandbox.SQSJobsQueue); len(msgs) == 0 {
			t.Errorf("the sweep's job sent nothing to the jobs queue")
		}
	})
}
