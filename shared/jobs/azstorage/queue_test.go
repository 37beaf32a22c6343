package azstorage_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue"

	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/jobs/azstorage"
)

// peekClient reads the queue as the Functions host would.
func peekClient(t *testing.T, name string) *azqueue.QueueClient {
	t.Helper()
	c, err := azqueue.NewQueueClientFromConnectionString(azuriteConnectionString(t), name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestQueueSendsTheMessageJSONAsText(t *testing.T) {
	ctx := context.Background()
	name := unique("jobs-")
	q, err := azstorage.NewQueue(azuriteOptions(t), name)
	if err != nil {
		t.Fatal(err)
	}
	sent := []jobs.Message{
		{Job: "j1", Unit: "p0", Kind: jobs.KindPage, Mode: jobs.All, AccessPackageID: "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"},
		{Job: "j1", Unit: "p0/c0", Kind: jobs.KindChunk, Mode: jobs.Drifted, DryRun: true, AccessPackageID: "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea",
			Items: []graph.Target{{AssignmentID: "a<1>&'\"", TargetObjectID: "t1"}}},
	}
	if err := q.Send(ctx, 0, sent...); err != nil {
		t.Fatalf("Send: %v", err)
	}
	n := int32(32)
	got, err := peekClient(t, name).DequeueMessages(ctx, &azqueue.DequeueMessagesOptions{NumberOfMessages: &n})
	if err != nil {
		t.Fatal(err)
	}
	byUnit := map[string]jobs.Message{}
	for _, m := range got.Messages {
		// host.json's messageEncoding "none": the trigger gets this text as it is.
		decoded, err := jobs.DecodeMessage([]byte(*m.MessageText))
		if err != nil {
			t.Fatalf("message text %q: %v", *m.MessageText, err)
		}
		byUnit[decoded.Unit] = decoded
	}
	for _, m := range sent {
		if !reflect.DeepEqual(byUnit[m.Unit], m) {
			t.Fatalf("received %+v, sent %+v", byUnit[m.Unit], m)
		}
	}
}

func TestQueueDelayKeepsTheMessageInvisible(t *testing.T) {
	ctx := context.Background()
	name := unique("delay-")
	q, _ := azstorage.NewQueue(azuriteOptions(t), name)
	if err := q.Send(ctx, 10*time.Minute, jobs.Message{Job: "j", Unit: "p0/c0/r1", Kind: jobs.KindChunk}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	c := peekClient(t, name)
	props, err := c.GetProperties(ctx, nil)
	if err != nil || props.ApproximateMessagesCount == nil || *props.ApproximateMessagesCount != 1 {
		t.Fatalf("queue holds %v messages (%v), want 1", props.ApproximateMessagesCount, err)
	}
	peeked, err := c.PeekMessages(ctx, nil)
	if err != nil || len(peeked.Messages) != 0 {
		t.Fatalf("a delayed message is visible: %d, %v", len(peeked.Messages), err)
	}
}
