package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

var sqsQueueName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// The actions' inputs, as the AWS JSON 1.0 protocol names their members.
type sqsInput struct {
	QueueURL                    string            `json:"QueueUrl"`
	QueueName                   string            `json:"QueueName"`
	MessageBody                 *string           `json:"MessageBody"`
	DelaySeconds                *int              `json:"DelaySeconds"`
	Entries                     []sqsEntry        `json:"Entries"`
	MaxNumberOfMessages         *int              `json:"MaxNumberOfMessages"`
	VisibilityTimeout           *int              `json:"VisibilityTimeout"`
	WaitTimeSeconds             *int              `json:"WaitTimeSeconds"`
	ReceiptHandle               string            `json:"ReceiptHandle"`
	Attributes                  map[string]string `json:"Attributes"`
	AttributeNames              []string          `json:"AttributeNames"`
	MessageSystemAttributeNames []string          `json:"MessageSystemAttributeNames"`
}

type sqsEntry struct {
	ID            string  `json:"Id"`
	MessageBody   *string `json:"MessageBody"`
	DelaySeconds  *int    `json:"DelaySeconds"`
	ReceiptHandle string  `json:"ReceiptHandle"`
}

type sqsBatchFailure struct {
	ID          string `json:"Id"`
	SenderFault bool   `json:"SenderFault"`
	Code        string `json:"Code"`
	Message     string `json:"Message"`
}

// SQS's limits.
const (
	sqsMaxBody      = 256 << 10
	sqsMaxDelay     = 900
	sqsMaxBatch     = 10
	sqsMaxWait      = 20
	sqsMaxVisiblity = 12 * 60 * 60
)

func (s *SQSServer) do(ctx context.Context, region, action string, body []byte) (any, *sqsError) {
	var in sqsInput
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, sqsBad("SerializationException", "", "The request body is not valid JSON.")
	}
	switch action {
	case "GetQueueUrl":
		if s.queue(in.QueueName) == nil {
			return nil, errNoQueue
		}
		return map[string]string{"QueueUrl": s.QueueURL(region, in.QueueName)}, nil
	case "CreateQueue":
		return s.createQueue(region, in)
	}
	q := s.byURL(in.QueueURL)
	if q == nil {
		return nil, errNoQueue
	}
	now := time.Now()
	switch action {
	case "SendMessage":
		m, e := sqsNewMessage(in.MessageBody, in.DelaySeconds, now)
		if e != nil {
			return nil, e
		}
		q.send(m)
		return map[string]string{"MessageId": m.id, "MD5OfMessageBody": m.md5}, nil
	case "SendMessageBatch":
		return s.sendBatch(q, in.Entries, now)
	case "ReceiveMessage":
		return s.receive(ctx, q, in)
	case "DeleteMessage":
		q.remove(in.ReceiptHandle)
		return struct{}{}, nil
	case "DeleteMessageBatch":
		if e := checkBatch(in.Entries); e != nil {
			return nil, e
		}
		ok := []map[string]string{}
		for _, e := range in.Entries {
			q.remove(e.ReceiptHandle)
			ok = append(ok, map[string]string{"Id": e.ID})
		}
		return map[string]any{"Successful": ok, "Failed": []sqsBatchFailure{}}, nil
	case "ChangeMessageVisibility":
		v := 0
		if in.VisibilityTimeout != nil {
			v = *in.VisibilityTimeout
		}
		if v < 0 || v > sqsMaxVisiblity {
			return nil, sqsBad("InvalidParameterValue", "InvalidParameterValue", "Value %d for parameter VisibilityTimeout is invalid.", v)
		}
		if !q.changeVisibility(in.ReceiptHandle, time.Duration(v)*time.Second, now) {
			return nil, sqsBad("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle is invalid.")
		}
		return struct{}{}, nil
	case "GetQueueAttributes":
		visible, hidden := 0, 0
		for _, m := range q.snapshot() {
			if m.VisibleAt.After(now) {
				hidden++
			} else {
				visible++
			}
		}
		return map[string]any{"Attributes": map[string]string{
			"ApproximateNumberOfMessages":           fmt.Sprint(visible),
			"ApproximateNumberOfMessagesNotVisible": fmt.Sprint(hidden),
			"VisibilityTimeout":                     fmt.Sprint(int(q.visibilityTimeout / time.Second)),
		}}, nil
	}
	return nil, sqsBad("InvalidAction", "InvalidAction", "The action %s is not valid for this endpoint.", truncate(action, 64))
}

func sqsNewMessage(body *string, delay *int, now time.Time) (*sqsMessage, *sqsError) {
	switch {
	case body == nil || *body == "":
		return nil, sqsBad("MissingParameter", "MissingParameter", "The request must contain the parameter MessageBody.")
	case len(*body) > sqsMaxBody:
		return nil, sqsBad("InvalidParameterValue", "InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.")
	}
	d := 0
	if delay != nil {
		d = *delay
	}
	if d < 0 || d > sqsMaxDelay {
		return nil, sqsBad("InvalidParameterValue", "InvalidParameterValue", "Value %d for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.", d)
	}
	return newSQSMessage(*body, time.Duration(d)*time.Second, now), nil
}

func checkBatch(entries []sqsEntry) *sqsError {
	switch {
	case len(entries) == 0:
		return sqsBad("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one entry in the request.")
	case len(entries) > sqsMaxBatch:
		return sqsBad("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent %d.", len(entries))
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if seen[e.ID] {
			return sqsBad("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id %s repeated.", truncate(e.ID, 80))
		}
		seen[e.ID] = true
	}
	return nil
}

func (s *SQSServer) sendBatch(q *sqsQueue, entries []sqsEntry, now time.Time) (any, *sqsError) {
	if e := checkBatch(entries); e != nil {
		return nil, e
	}
	ok, failed := []map[string]string{}, []sqsBatchFailure{}
	for _, e := range entries {
		m, err := sqsNewMessage(e.MessageBody, e.DelaySeconds, now)
		if err != nil {
			failed = append(failed, sqsBatchFailure{ID: e.ID, SenderFault: true, Code: err.typ, Message: err.message})
			continue
		}
		q.send(m)
		ok = append(ok, map[string]string{"Id": e.ID, "MessageId": m.id, "MD5OfMessageBody": m.md5})
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

// receive returns up to MaxNumberOfMessages (default 1) visible messages,
// waiting up to WaitTimeSeconds for one (long polling).
func (s *SQSServer) receive(ctx context.Context, q *sqsQueue, in sqsInput) (any, *sqsError) {
	max, visibility, wait := 1, q.visibilityTimeout, 0
	if in.MaxNumberOfMessages != nil {
		max = *in.MaxNumberOfMessages
	}
	if in.VisibilityTimeout != nil {
		visibility = time.Duration(*in.VisibilityTimeout) * time.Second
	}
	if in.WaitTimeSeconds != nil {
		wait = *in.WaitTimeSeconds
	}
	switch {
	case max < 1 || max > sqsMaxBatch:
		return nil, sqsBad("InvalidParameterValue", "InvalidParameterValue", "Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max)
	case wait < 0 || wait > sqsMaxWait:
		return nil, sqsBad("InvalidParameterValue", "InvalidParameterValue", "Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", wait)
	case visibility < 0 || visibility > sqsMaxVisiblity*time.Second:
		return nil, sqsBad("InvalidParameterValue", "InvalidParameterValue", "Value for parameter VisibilityTimeout is invalid.")
	}
	deadline := time.Now().Add(time.Duration(wait) * time.Second)
	for {
		got := q.receive(max, visibility, time.Now())
		if len(got) > 0 || !time.Now().Before(deadline) {
			msgs := make([]map[string]any, len(got))
			for i, m := range got {
				msgs[i] = map[string]any{"MessageId": m.id, "ReceiptHandle": m.handle, "MD5OfBody": m.md5, "Body": m.body, "Attributes": m.attributes()}
			}
			return map[string]any{"Messages": msgs}, nil
		}
		select {
		case <-ctx.Done():
			return map[string]any{"Messages": []any{}}, nil
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// createQueue makes a standard queue (or returns the existing one), with
// VisibilityTimeout and a RedrivePolicy naming an existing queue.
func (s *SQSServer) createQueue(region string, in sqsInput) (any, *sqsError) {
	if !sqsQueueName.MatchString(in.QueueName) {
		return nil, sqsBad("InvalidParameterValue", "InvalidParameterValue", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	visibility := 30
	if v, ok := in.Attributes["VisibilityTimeout"]; ok {
		if _, err := fmt.Sscan(v, &visibility); err != nil || visibility < 0 || visibility > sqsMaxVisiblity {
			return nil, sqsBad("InvalidAttributeValue", "InvalidAttributeValue", "Invalid value for the parameter VisibilityTimeout.")
		}
	}
	var redrive struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
		MaxReceiveCount     any    `json:"maxReceiveCount"`
	}
	var dlq *sqsQueue
	max := 0
	if p, ok := in.Attributes["RedrivePolicy"]; ok {
		if err := json.Unmarshal([]byte(p), &redrive); err != nil {
			return nil, sqsBad("InvalidAttributeValue", "InvalidAttributeValue", "Invalid value for the parameter RedrivePolicy.")
		}
		arn := redrive.DeadLetterTargetArn
		if dlq = s.queue(arn[strings.LastIndexByte(arn, ':')+1:]); dlq == nil {
			return nil, sqsBad("InvalidParameterValue", "InvalidParameterValue", "Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.", truncate(arn, 128))
		}
		if _, err := fmt.Sscan(fmt.Sprint(redrive.MaxReceiveCount), &max); err != nil || max < 1 || max > 1000 {
			return nil, sqsBad("InvalidParameterValue", "InvalidParameterValue", "Value for parameter RedrivePolicy is invalid. Reason: maxReceiveCount must be between 1 and 1000.")
		}
	}
	q := s.create(in.QueueName, time.Duration(visibility)*time.Second)
	q.mu.Lock()
	q.dlq, q.maxReceiveCount = dlq, max
	q.mu.Unlock()
	return map[string]string{"QueueUrl": s.QueueURL(region, in.QueueName)}, nil
}
