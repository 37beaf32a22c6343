package awsjobs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/entra-tools/reprocess/shared/sigv4"
)

// jsonClient calls one AWS service in the AWS JSON 1.0 protocol, which
// DynamoDB and SQS both speak: a SigV4-signed POST / naming the action in
// X-Amz-Target, JSON in and out, errors as {"__type","message"}
// (https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html).
type jsonClient struct {
	endpoint string // https://<service>.<region>.amazonaws.com, or an emulator's
	service  string // the SigV4 signing name: dynamodb, sqs
	target   string // the X-Amz-Target prefix: DynamoDB_20120810, AmazonSQS
	region   string
	creds    sigv4.Credentials
	hc       *http.Client
}

// APIError is an error answer of the service.
type APIError struct {
	Status  int
	Code    string // e.g. ConditionalCheckFailedException, QueueDoesNotExist
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// retryable reports whether another attempt may succeed: throttling and
// the service's own failures, as the SDKs' standard retryer treats them.
func (e *APIError) retryable() bool {
	switch e.Code {
	case "ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
		"RequestThrottled", "RequestThrottledException", "TransactionInProgressException":
		return true
	}
	return e.Status >= 500
}

// backoff is the wait before attempt 2, 3 … (maxAttempts in all).
var backoff = []time.Duration{50 * time.Millisecond, 250 * time.Millisecond}

// call runs action with in and decodes the answer into out, retrying
// network failures, throttling and 5xx answers a bounded number of times.
func (c *jsonClient) call(ctx context.Context, action string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		err = c.once(ctx, action, body, out)
		var apiErr *APIError
		if err == nil || attempt == len(backoff) || ctx.Err() != nil || (errors.As(err, &apiErr) && !apiErr.retryable()) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff[attempt]):
		}
	}
}

func (c *jsonClient) once(ctx context.Context, action string, body []byte, out any) error {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	r.Header.Set("X-Amz-Target", c.target+"."+action)
	sigv4.Sign(r, body, c.creds, c.region, c.service, time.Now())
	resp, err := c.hc.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return parseError(resp, raw)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s answer: %w", c.service, action, err)
	}
	return nil
}

// parseError reads an error answer. SQS also names the error in the query
// protocol's terms (x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender);
// __type is the one both services send.
func parseError(resp *http.Response, raw []byte) error {
	var body struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(raw, &body)
	code := body.Type[strings.LastIndexByte(body.Type, '#')+1:]
	if code == "" {
		code = http.StatusText(resp.StatusCode)
	}
	msg := body.Message
	if msg == "" {
		msg = body.MessageU
	}
	return &APIError{Status: resp.StatusCode, Code: code, Message: msg}
}

// regionalEndpoint is service's endpoint in region, as the SDKs build it,
// unless override (AWS_ENDPOINT_URL_<SERVICE>) names another.
func regionalEndpoint(service, region, override string) string {
	if override != "" {
		return strings.TrimSuffix(override, "/")
	}
	if strings.HasPrefix(region, "cn-") {
		return "https://" + service + "." + region + ".amazonaws.com.cn"
	}
	return "https://" + service + "." + region + ".amazonaws.com"
}
