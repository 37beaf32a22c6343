package awsjobs

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs"
)

// Queue is jobs.Queue on the SQS queue at cfg.QueueURL. It is safe for
// concurrent use.
type Queue struct {
	url    string
	client func() (*jsonClient, error)
}

var _ jobs.Queue = (*Queue)(nil)

// NewQueue returns the queue at cfg.QueueURL; its client is built on first use.
func NewQueue(cfg Config) *Queue {
	return &Queue{url: cfg.QueueURL, client: sync.OnceValues(func() (*jsonClient, error) {
		if err := cfg.check(); err != nil {
			return nil, err
		}
		if cfg.QueueURL == "" {
			return nil, errors.New("JOBS_QUEUE_URL is not set")
		}
		return cfg.client("sqs", "AmazonSQS", cfg.SQSEndpoint), nil
	})}
}

// maxBatch is SendMessageBatch's limit of entries per call.
const maxBatch = 10

type sendEntry struct {
	ID           string `json:"Id"`
	MessageBody  string
	DelaySeconds int
}

type sendBatchResult struct {
	Successful []struct {
		ID               string `json:"Id"`
		MD5OfMessageBody string
	}
	Failed []struct {
		ID      string `json:"Id"`
		Code    string
		Message string
	}
}

// Send enqueues msgs in calls of at most ten, each message held back for
// delay (rounded up to whole seconds, at most jobs.MaxDelay).
func (q *Queue) Send(ctx context.Context, delay time.Duration, msgs ...jobs.Message) error {
	c, err := q.client()
	if err != nil {
		return fmt.Errorf("send job messages: %w: %w", jobs.ErrUnavailable, err)
	}
	seconds := int((min(max(delay, 0), jobs.MaxDelay) + time.Second - 1) / time.Second)
	for from := 0; from < len(msgs); from += maxBatch {
		part := msgs[from:min(from+maxBatch, len(msgs))]
		entries := make([]sendEntry, len(part))
		for i, m := range part {
			entries[i] = sendEntry{ID: strconv.Itoa(i), MessageBody: string(jobs.EncodeMessage(m)), DelaySeconds: seconds}
		}
		if err := q.sendBatch(ctx, c, entries); err != nil {
			return fmt.Errorf("send job messages: %w: %w", jobs.ErrUnavailable, err)
		}
	}
	return nil
}

// sendBatch sends one SendMessageBatch. SQS may accept some entries and
// refuse others: the refused ones are sent once more before giving up.
func (q *Queue) sendBatch(ctx context.Context, c *jsonClient, entries []sendEntry) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		var out sendBatchResult
		if err := c.call(ctx, "SendMessageBatch", map[string]any{"QueueUrl": q.url, "Entries": entries}, &out); err != nil {
			return err
		}
		byID := map[string]sendEntry{}
		for _, e := range entries {
			byID[e.ID] = e
		}
		for _, ok := range out.Successful { // as the SDKs check it: the body arrived intact
			sum := md5.Sum([]byte(byID[ok.ID].MessageBody))
			if ok.MD5OfMessageBody != hex.EncodeToString(sum[:]) {
				return fmt.Errorf("SQS answered entry %s with a wrong MD5 of its body", ok.ID)
			}
		}
		if len(out.Failed) == 0 {
			return nil
		}
		if attempt == 2 {
			f := out.Failed[0]
			return fmt.Errorf("%d of %d messages refused: %s: %s", len(out.Failed), len(entries), f.Code, f.Message)
		}
		again := make([]sendEntry, 0, len(out.Failed))
		for _, f := range out.Failed {
			again = append(again, byID[f.ID])
		}
		entries = again
	}
}
