package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// sqsClient is AWS's own SQS client pointed at the tenant, signing with
// the role session of AWSEnv unless secret says otherwise.
func sqsClient(tenant *sandbox.Tenant, secret string) *sqs.Client {
	id, s, session := tenant.AWSCredentials()
	if secret == "" {
		secret = s
	}
	return sqs.New(sqs.Options{Region: sandbox.AWSRegion, HTTPClient: tenant.HTTPClient(),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: session}, nil
		})})
}

// The emulation refuses what SQS refuses, with the codes AWS's client
// reads back.
func TestSQSRefusals(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	jobsQueue := aws.String(tenant.SQS.QueueURL(sandbox.AWSRegion, sandbox.SQSJobsQueue))
	eleven := make([]types.SendMessageBatchRequestEntry, 11)
	for i := range eleven {
		eleven[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String("x")}
	}
	cases := []struct {
		name, wantCode string
		call           func(*sqs.Client) error
		secret         string
	}{
		{"wrong secret", "SignatureDoesNotMatch", func(c *sqs.Client) error {
			_, err := c.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: jobsQueue, MessageBody: aws.String("x")})
			return err
		}, "wrong"},
		{"no such queue", "AWS.SimpleQueueService.NonExistentQueue", func(c *sqs.Client) error {
			_, err := c.GetQueueUrl(context.Background(), &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
			return err
		}, ""},
		{"delay over 900 s", "InvalidParameterValue", func(c *sqs.Client) error {
			_, err := c.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: jobsQueue, MessageBody: aws.String("x"), DelaySeconds: 901})
			return err
		}, ""},
		{"eleven in a batch", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", func(c *sqs.Client) error {
			_, err := c.SendMessageBatch(context.Background(), &sqs.SendMessageBatchInput{QueueUrl: jobsQueue, Entries: eleven})
			return err
		}, ""},
		{"a stale receipt handle", "ReceiptHandleIsInvalid", func(c *sqs.Client) error {
			_, err := c.ChangeMessageVisibility(context.Background(), &sqs.ChangeMessageVisibilityInput{QueueUrl: jobsQueue, ReceiptHandle: aws.String("stale")})
			return err
		}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call(sqsClient(tenant, c.secret))
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != c.wantCode {
				t.Fatalf("error %v, want code %s", err, c.wantCode)
			}
		})
	}
	t.Run("unsigned", func(t *testing.T) {
		resp, err := tenant.HTTPClient().Post("https://sqs."+sandbox.AWSRegion+".amazonaws.com/", "application/x-amz-json-1.0", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("unsigned request: %d, want 403", resp.StatusCode)
		}
	})
}

// A queue made with CreateQueue and a RedrivePolicy dead-letters as the
// jobs queue does; a delayed message is not received before its time.
func TestSQSCreateQueueRedrive(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	c := sqsClient(tenant, "")
	ctx := context.Background()
	if _, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("dlq")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("work"), Attributes: map[string]string{
		"VisibilityTimeout": "0",
		"RedrivePolicy":     `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:dlq","maxReceiveCount":"2"}`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: out.QueueUrl, MessageBody: aws.String("later"), DelaySeconds: 60}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: out.QueueUrl, MessageBody: aws.String("now")}); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for range 3 { // visibility 0: each receive sees it again, the third moves it
		got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: out.QueueUrl, MaxNumberOfMessages: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range got.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
		}
	}
	if strings.Join(bodies, ",") != "now,now" {
		t.Errorf("received %v, want the undelayed message twice", bodies)
	}
	if dead := tenant.SQS.Messages("dlq"); len(dead) != 1 || dead[0].Body != "now" {
		t.Errorf("dead-letter queue holds %+v", dead)
	}
}
