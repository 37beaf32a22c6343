//go:build !azureonly

package main

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/entra-tools/reprocess/shared/awscreds"
	"github.com/entra-tools/reprocess/shared/config"
)

// awsChain is the process's one AWS credential chain (awscreds): it signs
// the STS call of keyless federation and every SQS and DynamoDB call, and
// caches what the container endpoint answers for all of them. The zero
// value has none.
type awsChain struct{ creds aws.CredentialsProvider }

func newAWSChain(cfg config.Config, hc *http.Client) awsChain {
	return awsChain{creds: awscreds.New(cfg.AWSCredentials, hc)}
}
