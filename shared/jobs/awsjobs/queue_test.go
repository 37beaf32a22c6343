package awsjobs_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/entra-tools/reprocess/shared/awscreds"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/jobs/awsjobs"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// sandboxQueue is a Queue on the sandbox's jobs queue, reached as Lambda
// reaches SQS: the regional endpoint, the role session's credentials.
func sandboxQueue(t *testing.T) (*awsjobs.Queue, *sandbox.Tenant, awsjobs.Config) {
	t.Helper()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	id, secret, token := tenant.AWSCredentials()
	cfg := awsjobs.Config{
		Region: sandbox.AWSRegion, QueueURL: tenant.SQS.QueueURL(sandbox.AWSRegion, sandbox.SQSJobsQueue),
		Credentials: awscreds.Static(id, secret, token),
		HTTPClient:  tenant.HTTPClient(),
	}
	return awsjobs.NewQueue(cfg), tenant, cfg
}

func message(i int) jobs.Message {
	return jobs.Message{Job: "0f8fad5b-d9cb-469f-a165-70867728950e", Unit: "c" + strconv.Itoa(i), Kind: jobs.KindChunk, Mode: jobs.All,
		AccessPackageID: "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"}
}

func TestQueueSendsInBatchesWithDelay(t *testing.T) {
	cases := []struct {
		name      string
		n         int
		delay     time.Duration
		wantDelay time.Duration
	}{
		{"one, now", 1, 0, 0},
		{"23 in three calls", 23, 0, 0},
		{"a part second rounds up", 2, 1500 * time.Millisecond, 2 * time.Second},
		{"over 15 minutes is 15 minutes", 1, time.Hour, jobs.MaxDelay},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q, tenant, _ := sandboxQueue(t)
			msgs := make([]jobs.Message, c.n)
			for i := range msgs {
				msgs[i] = message(i)
			}
			before := time.Now()
			if err := q.Send(context.Background(), c.delay, msgs...); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := tenant.SQS.Messages(sandbox.SQSJobsQueue)
			if len(got) != c.n {
				t.Fatalf("%d messages on the queue, want %d", len(got), c.n)
			}
			for i, m := range got {
				dm, err := jobs.DecodeMessage([]byte(m.Body))
				if err != nil || dm.Unit != msgs[i].Unit {
					t.Errorf("message %d: %+v, %v; want unit %s", i, dm, err, msgs[i].Unit)
				}
				if held := m.VisibleAt.Sub(before); held < c.wantDelay || held > c.wantDelay+5*time.Second {
					t.Errorf("message %d held back %v, want %v", i, held, c.wantDelay)
				}
			}
			sends := 0
			for _, r := range tenant.Requests() {
				if r.Service == sandbox.SQS && r.Status == 200 {
					sends++
				}
			}
			if want := (c.n + 9) / 10; sends != want {
				t.Errorf("%d SQS calls, want %d", sends, want)
			}
		})
	}
}

// TestSandboxQueueRedrives plays the event source mapping against the
// sandbox: receive counts grow with each delivery, and the receive after
// the fifth moves the message to the dead-letter queue.
func TestSandboxQueueRedrives(t *testing.T) {
	q, tenant, cfg := sandboxQueue(t)
	ctx := context.Background()
	if err := q.Send(ctx, 0, message(1)); err != nil {
		t.Fatal(err)
	}
	c := sqs.New(sqs.Options{Region: cfg.Region, HTTPClient: cfg.HTTPClient, Credentials: cfg.Credentials})
	for attempt := 1; attempt <= sandbox.SQSMaxReceiveCount; attempt++ {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(cfg.QueueURL), MaxNumberOfMessages: 10,
			VisibilityTimeout: 30, MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		if len(out.Messages) != 1 || out.Messages[0].Attributes["ApproximateReceiveCount"] != strconv.Itoa(attempt) {
			t.Fatalf("receive %d: %+v", attempt, out.Messages)
		}
		// Hidden until the visibility timeout ends: make it visible now, as
		// a failed record's timeout running out would.
		if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(cfg.QueueURL),
			ReceiptHandle: out.Messages[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
			t.Fatalf("ChangeMessageVisibility: %v", err)
		}
	}
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(cfg.QueueURL)})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("receive after the last: %+v, %v; want none", out, err)
	}
	if dead := tenant.SQS.Messages(sandbox.SQSJobsDLQ); len(dead) != 1 {
		t.Fatalf("dead-letter queue holds %d, want 1", len(dead))
	}

	if err := q.Send(ctx, 0, message(2)); err != nil {
		t.Fatal(err)
	}
	got, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(cfg.QueueURL)})
	if _, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(cfg.QueueURL),
		Entries: []types.DeleteMessageBatchRequestEntry{{Id: aws.String("0"), ReceiptHandle: got.Messages[0].ReceiptHandle}}}); err != nil {
		t.Fatalf("DeleteMessageBatch: %v", err)
	}
	if left := tenant.SQS.Messages(sandbox.SQSJobsQueue); len(left) != 0 {
		t.Fatalf("%d messages left after the delete", len(left))
	}
}

func TestQueueFailuresAreUnavailable(t *testing.T) {
	_, tenant, good := sandboxQueue(t)
	cases := []struct {
		name string
		edit func(*awsjobs.Config)
	}{
		{"no such queue", func(c *awsjobs.Config) { c.QueueURL = tenant.SQS.QueueURL(sandbox.AWSRegion, "nope") }},
		{"wrong secret", func(c *awsjobs.Config) {
			id, _, token := tenant.AWSCredentials()
			c.Credentials = awscreds.Static(id, "wrong", token)
		}},
		{"closed port", func(c *awsjobs.Config) { c.SQSEndpoint = "http://127.0.0.1:1" }},
		{"no queue url", func(c *awsjobs.Config) { c.QueueURL = "" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := good
			c.edit(&cfg)
			err := awsjobs.NewQueue(cfg).Send(context.Background(), 0, message(1))
			if !errors.Is(err, jobs.ErrUnavailable) {
				t.Fatalf("Send = %v, want ErrUnavailable", err)
			}
		})
	}
}
