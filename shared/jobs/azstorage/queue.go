package azstorage

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue"

	"github.com/entra-tools/reprocess/shared/jobs"
)

// maxMessageText is Azure's 64 KiB message limit with room for the XML
// escaping of the JSON's quotes; job messages are far smaller.
const maxMessageText = 48 << 10

// sendParallel bounds the enqueues in flight for one Send: the queue API
// takes one message per request.
const sendParallel = 8

// Queue is jobs.Queue on an Azure Storage queue: the job-worker function's
// queue trigger receives what it sends.
type Queue struct {
	queue  *azqueue.QueueClient
	create ensure
}

// NewQueue returns the queue named name. Nothing is sent until the first
// Send, which creates the queue if it is missing.
func NewQueue(o Options, name string) (*Queue, error) {
	svc, err := newQueueService(o)
	if err != nil {
		return nil, err
	}
	return &Queue{queue: svc.NewQueueClient(name)}, nil
}

func (q *Queue) ready(ctx context.Context) error {
	return q.create.do(ctx, func(ctx context.Context) error {
		_, err := q.queue.Create(ctx, nil)
		// 204 (exists with the same metadata) is a success; 409 only if its metadata differ.
		if status, _ := statusOf(err); err != nil && status != http.StatusConflict {
			return unavailable("create queue", err)
		}
		return nil
	})
}

// Send enqueues each message as its JSON text, invisible for delay
// (rounded up to whole seconds, as the service counts).
func (q *Queue) Send(ctx context.Context, delay time.Duration, msgs ...jobs.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if err := q.ready(ctx); err != nil {
		return err
	}
	delay = min(max(delay, 0), jobs.MaxDelay)
	opts := &azqueue.EnqueueMessageOptions{}
	if delay > 0 {
		secs := int32(math.Ceil(delay.Seconds()))
		opts.VisibilityTimeout = &secs
	}
	texts := make([]string, len(msgs))
	for i, m := range msgs {
		texts[i] = string(jobs.EncodeMessage(m))
		if len(texts[i]) > maxMessageText {
			return fmt.Errorf("send unit %s of job %s: message of %d bytes exceeds the queue's limit", m.Unit, m.Job, len(texts[i]))
		}
	}
	errs := make(chan error, len(texts))
	slots := make(chan struct{}, sendParallel)
	for i, text := range texts {
		slots <- struct{}{}
		go func() {
			defer func() { <-slots }()
			errs <- q.enqueue(ctx, text, opts, msgs[i])
		}()
	}
	var first error
	for range texts {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// enqueue sends one message; a panic in the client becomes its error, so
// Send always hears from every goroutine.
func (q *Queue) enqueue(ctx context.Context, text string, opts *azqueue.EnqueueMessageOptions, m jobs.Message) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("send unit %s of job %s: the queue client panicked: %v", m.Unit, m.Job, p)
		}
	}()
	if _, err := q.queue.EnqueueMessage(ctx, text, opts); err != nil {
		return unavailable(fmt.Sprintf("send unit %s of job %s", m.Unit, m.Job), err)
	}
	return nil
}
