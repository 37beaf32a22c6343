package awsjobs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/entra-tools/reprocess/shared/jobs"
)

// Queue is jobs.Queue on the SQS queue at cfg.QueueURL. It is safe for
// concurrent use.
type Queue struct {
	url    *string
	client func() (*sqs.Client, error)
}

var _ jobs.Queue = (*Queue)(nil)

// NewQueue returns the queue at cfg.QueueURL; its client is built on first use.
func NewQueue(cfg Config) *Queue {
	return &Queue{url: aws.String(cfg.QueueURL), client: sync.OnceValues(func() (*sqs.Client, error) {
		if err := cfg.check(); err != nil {
			return nil, err
		}
		if cfg.QueueURL == "" {
			return nil, errors.New("JOBS_QUEUE_URL is not set")
		}
		return sqs.NewFromConfig(cfg.sdkConfig(), func(o *sqs.Options) {
			o.BaseEndpoint = endpoint(cfg.SQSEndpoint)
		}), nil
	})}
}

// maxBatch is SendMessageBatch's limit of entries per call.
const maxBatch = 10

// Send enqueues msgs in calls of at most ten, each message held back for
// delay (rounded up to whole seconds, at most jobs.MaxDelay).
func (q *Queue) Send(ctx context.Context, delay time.Duration, msgs ...jobs.Message) error {
	c, err := q.client()
	if err != nil {
		return fmt.Errorf("send job messages: %w: %w", jobs.ErrUnavailable, err)
	}
	seconds := int32((min(max(delay, 0), jobs.MaxDelay) + time.Second - 1) / time.Second)
	for from := 0; from < len(msgs); from += maxBatch {
		part := msgs[from:min(from+maxBatch, len(msgs))]
		entries := make([]types.SendMessageBatchRequestEntry, len(part))
		for i, m := range part {
			entries[i] = types.SendMessageBatchRequestEntry{
				Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(jobs.EncodeMessage(m))), DelaySeconds: seconds,
			}
		}
		if err := q.sendBatch(ctx, c, entries); err != nil {
			return fmt.Errorf("send job messages: %w: %w", jobs.ErrUnavailable, err)
		}
	}
	return nil
}

// sendBatch sends one SendMessageBatch. SQS may accept some entries and
// refuse others: the refused ones are sent once more before giving up.
// The client checks the MD5 of every accepted body.
func (q *Queue) sendBatch(ctx context.Context, c *sqs.Client, entries []types.SendMessageBatchRequestEntry) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: q.url, Entries: entries})
		if err != nil {
			return err
		}
		if len(out.Failed) == 0 {
			return nil
		}
		if attempt == 2 {
			f := out.Failed[0]
			return fmt.Errorf("%d of %d messages refused: %s: %s", len(out.Failed), len(entries), aws.ToString(f.Code), aws.ToString(f.Message))
		}
		byID := map[string]types.SendMessageBatchRequestEntry{}
		for _, e := range entries {
			byID[aws.ToString(e.Id)] = e
		}
		again := make([]types.SendMessageBatchRequestEntry, 0, len(out.Failed))
		for _, f := range out.Failed {
			again = append(again, byID[aws.ToString(f.Id)])
		}
		entries = again
	}
}
