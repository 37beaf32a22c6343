package awsjobs

import (
	"errors"
	"net/http"
	"time"

	"github.com/entra-tools/reprocess/shared/sigv4"
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
type Credentials = sigv4.Credentials

func (c Config) check() error {
	switch {
	case c.Region == "":
		return errors.New("AWS_REGION is not set")
	case c.Credentials.AccessKeyID == "" || c.Credentials.SecretAccessKey == "":
		return errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
	}
	return nil
}

// callTimeout bounds each store or queue operation, retries included, so a
// dead endpoint turns into jobs.ErrUnavailable (HTTP 503) within seconds.
const callTimeout = 8 * time.Second

func (c Config) client(service, target, override string) *jsonClient {
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	return &jsonClient{
		endpoint: regionalEndpoint(service, c.Region, override), service: service, target: target,
		region: c.Region, creds: c.Credentials, hc: hc,
	}
}
