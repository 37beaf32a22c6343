package awsjobs

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Config is where the table and queue are and how to reach them.
type Config struct {
	Region      string
	Credentials Credentials
	Table       string // JOBS_TABLE
	QueueURL    string // JOBS_QUEUE_URL

	DynamoDBEndpoint string // AWS_ENDPOINT_URL_DYNAMODB; "" = the regional endpoint
	SQSEndpoint      string // AWS_ENDPOINT_URL_SQS; "" = the regional endpoint

	HTTPClient *http.Client // nil = http.DefaultClient
}

// Credentials are the execution role's temporary credentials, as Lambda
// puts them in the environment.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

func (c Config) check() error {
	switch {
	case c.Region == "":
		return errors.New("AWS_REGION is not set")
	case c.Credentials.AccessKeyID == "" || c.Credentials.SecretAccessKey == "":
		return errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	}
	return nil
}

// callTimeout bounds each store or queue call, retries included, so a dead
// endpoint turns into jobs.ErrUnavailable (HTTP 503) within seconds.
const callTimeout = 8 * time.Second

// maxAttempts: one retry of a throttled or failed call, with a short backoff.
const maxAttempts = 3

func (c Config) credentials() aws.CredentialsProvider {
	creds := aws.Credentials{
		AccessKeyID: c.Credentials.AccessKeyID, SecretAccessKey: c.Credentials.SecretAccessKey,
		SessionToken: c.Credentials.SessionToken, Source: "environment",
	}
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })
}

func (c Config) retryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = time.Second
	})
}

func (c Config) httpClient() aws.HTTPClient {
	if c.HTTPClient == nil {
		return http.DefaultClient
	}
	return c.HTTPClient
}

func endpoint(url string) *string {
	if url == "" {
		return nil
	}
	return aws.String(url)
}
