package sandbox

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
	"sync"
	"time"
)

// sqsQueue is one emulated standard queue: messages become visible after
// their delay, are hidden for the visibility timeout when received, and
// move to the dead-letter queue on the receive after maxReceiveCount.
type sqsQueue struct {
	name              string
	visibilityTimeout time.Duration
	dlq               *sqsQueue // nil: no redrive policy
	maxReceiveCount   int

	mu   sync.Mutex
	msgs []*sqsMessage // in send order
}

type sqsMessage struct {
	id, body, md5 string
	sent          time.Time
	visibleAt     time.Time
	receiveCount  int
	firstReceive  time.Time
	handle        string // receipt handle of the latest receive; "" before the first
}

// SQSMessage is a message as a test sees it on a queue (Messages).
type SQSMessage struct {
	ID           string
	Body         string
	VisibleAt    time.Time // when a receive can return it
	ReceiveCount int
}

func newSQSMessage(body string, delay time.Duration, now time.Time) *sqsMessage {
	sum := md5.Sum([]byte(body))
	return &sqsMessage{id: newGUID(), body: body, md5: hex.EncodeToString(sum[:]), sent: now, visibleAt: now.Add(delay)}
}

func (q *sqsQueue) send(m *sqsMessage) {
	q.mu.Lock()
	q.msgs = append(q.msgs, m)
	q.mu.Unlock()
}

// receive hides and returns up to max visible messages; one due for the
// dead-letter queue moves there instead.
func (q *sqsQueue) receive(max int, visibility time.Duration, now time.Time) []sqsReceived {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []sqsReceived
	kept := q.msgs[:0]
	for _, m := range q.msgs {
		if len(out) == max || m.visibleAt.After(now) {
			kept = append(kept, m)
			continue
		}
		if q.dlq != nil && m.receiveCount >= q.maxReceiveCount {
			m.visibleAt, m.handle = now, ""
			q.dlq.send(m)
			continue
		}
		m.receiveCount++
		if m.receiveCount == 1 {
			m.firstReceive = now
		}
		m.visibleAt = now.Add(visibility)
		m.handle = randomToken(48)
		out = append(out, sqsReceived{*m})
		kept = append(kept, m)
	}
	clear(q.msgs[len(kept):])
	q.msgs = kept
	return out
}

// sqsReceived is a copy of a message as one receive returned it.
type sqsReceived struct{ sqsMessage }

func (m sqsReceived) attributes() map[string]string {
	return map[string]string{
		"ApproximateReceiveCount":          strconv.Itoa(m.receiveCount),
		"SentTimestamp":                    strconv.FormatInt(m.sent.UnixMilli(), 10),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstReceive.UnixMilli(), 10),
		"SenderId":                         "AROAEXAMPLEROLEID:reprocess-lambda",
	}
}

// byHandle finds the message whose latest receive gave handle.
func (q *sqsQueue) byHandle(handle string) (int, bool) {
	for i, m := range q.msgs {
		if m.handle != "" && m.handle == handle {
			return i, true
		}
	}
	return 0, false
}

// remove deletes the message received with handle; a stale or unknown
// handle is not an error (as in SQS, which ignores a repeated delete).
func (q *sqsQueue) remove(handle string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if i, ok := q.byHandle(handle); ok {
		q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
	}
}

// changeVisibility makes the message received with handle visible after d.
func (q *sqsQueue) changeVisibility(handle string, d time.Duration, now time.Time) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	i, ok := q.byHandle(handle)
	if ok {
		q.msgs[i].visibleAt = now.Add(d)
	}
	return ok
}

func (q *sqsQueue) snapshot() []SQSMessage {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]SQSMessage, len(q.msgs))
	for i, m := range q.msgs {
		out[i] = SQSMessage{ID: m.id, Body: m.body, VisibleAt: m.visibleAt, ReceiveCount: m.receiveCount}
	}
	return out
}
