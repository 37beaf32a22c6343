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
	cfg    Config
	client func() (*sqs.Client, error)
}

var _ jobs.Queue = (*Queue)(nil)

// NewQueue returns the queue at cfg.QueueURL; its client is built on first use.
func NewQueue(cfg Config) *Queue {
	return &Queue{cfg: cfg, client: sync.OnceValues(func() (*sqs.Client, error) {
		if err := cfg.check(); err != nil {
			return nil, err
		}
		if cfg.QueueURL == "" {
			return nil, errors.New("JOBS_QUEUE_URL is not set")
		}
		return sqs.New(sqs.Options{
			Region: cfg.Region, Credentials: cfg.credentials(), HTTPClient: cfg.httpClient(),
			BaseEndpoint: endpoint(cfg.SQSEndpoint), Retryer: cfg.retryer(),
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
				Id:           aws.String(strconv.Itoa(i)),
				MessageBody:  aws.String(string(jobs.EncodeMessage(m))),
				DelaySeconds: seconds,
			}
		}
		if err := q.sendBatch(ctx, c, entries); err != nil {
			return fmt.Errorf("send job messages: %w: %w", jobs.ErrUnavailable, err)
		}
	}
	return nil
}

// sendBatch sends one batch; SQS may accept some entries and refuse
// others, and the refused ones are sent once more before giving up.
func (q *Queue) sendBatch(ctx context.Context, c *sqs.Client, entries []types.SendMessageBatchRequestEntry) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.cfg.QueueURL), Entries: entries})
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
		failed := map[string]bool{}
		for _, f := range out.Failed {
			failed[aws.ToString(f.Id)] = true
		}
		again := entries[:0:0]
		for _, e := range entries {
			if failed[aws.ToString(e.Id)] {
				again = append(again, e)
			}
		}
		entries = again
	}
}
