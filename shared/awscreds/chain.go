package awscreds

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"

	"github.com/entra-tools/reprocess/shared/config"
)

// ErrNone: neither the environment nor a container endpoint has credentials.
var ErrNone = errors.New("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_CONTAINER_CREDENTIALS_FULL_URI")

// New returns the chain for c, cached. hc carries the container endpoint
// calls (nil: http.DefaultClient). It makes no call: the first signature
// does. Build it once per process and share it.
func New(c config.AWSCredentials, hc *http.Client) *aws.CredentialsCache {
	return aws.NewCredentialsCache(source(c, hc))
}

// source is the first configured provider of the chain. The environment
// cannot change while the process runs, so the choice is made here once.
func source(c config.AWSCredentials, hc *http.Client) aws.CredentialsProvider {
	switch {
	case c.AccessKeyID != "" && c.SecretAccessKey != "":
		return static(c.AccessKeyID, c.SecretAccessKey, c.SessionToken, "environment")
	case c.ContainerURI != "":
		return endpointcreds.New(c.ContainerURI, func(o *endpointcreds.Options) {
			if hc != nil {
				o.HTTPClient = hc
			}
			o.AuthorizationToken = c.ContainerToken
			if f := c.ContainerTokenFile; f != "" {
				o.AuthorizationTokenProvider = endpointcreds.TokenProviderFunc(func() (string, error) {
					b, err := os.ReadFile(f)
					return strings.TrimSpace(string(b)), err
				})
			}
		})
	}
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{}, ErrNone
	})
}

// Static is a provider of fixed keys, as tests and emulators use them.
func Static(accessKeyID, secretAccessKey, sessionToken string) aws.CredentialsProvider {
	return static(accessKeyID, secretAccessKey, sessionToken, "static")
}

func static(id, secret, token, from string) aws.CredentialsProvider {
	creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token, Source: from}
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil })
}
