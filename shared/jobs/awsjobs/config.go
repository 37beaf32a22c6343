package awsjobs

import (
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Config is where the table and queue are and how to reach them.
type Config struct {
	Region      string
	Credentials aws.CredentialsProvider // the process's chain (awscreds)
	Table       string                  // JOBS_TABLE
	QueueURL    string                  // JOBS_QUEUE_URL

	DynamoDBEndpoint string // AWS_ENDPOINT_URL_DYNAMODB; "" = the regional endpoint
	SQSEndpoint      string // AWS_ENDPOINT_URL_SQS; "" = the regional endpoint

	HTTPClient *http.Client // the process's transport; nil = http.DefaultClient
}

func (c Config) check() error {
	switch {
	case c.Region == "":
		return errors.New("AWS_REGION is not set")
	case c.Credentials == nil:
		return errors.New("no AWS credentials (AWS_ACCESS_KEY_ID or AWS_CONTAINER_CREDENTIALS_FULL_URI)")
	}
	return nil
}

// callTimeout bounds each store or queue operation, retries included, so a
// dead endpoint turns into jobs.ErrUnavailable (HTTP 503) within seconds.
const callTimeout = 8 * time.Second

// Retries: the SDK's standard retryer (throttling, 5xx, connection
// failures), bounded so that a caller waiting on an HTTP answer is not
// held for the SDK's default 20 s backoff ceiling.
const (
	maxAttempts = 3
	maxBackoff  = 250 * time.Millisecond
)

// sdkConfig is the SDK configuration both clients are made from. It is built
// from cfg alone, not config.LoadDefaultConfig: the credentials are the
// process's chain (awscreds), and the shared-config, SSO and IMDS
// providers LoadDefaultConfig links in would only add size.
func (c Config) sdkConfig() aws.Config {
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	return aws.Config{
		Region:      c.Region,
		HTTPClient:  hc,
		Credentials: c.Credentials,
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts, o.MaxBackoff = maxAttempts, maxBackoff
			})
		},
	}
}

// endpoint is an AWS_ENDPOINT_URL_<SERVICE> override as the SDK takes it:
// nil for the regional endpoint.
func endpoint(override string) *string {
	if override == "" {
		return nil
	}
	return aws.String(override)
}
