//go:build azureonly

package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/credential"
)

// The azureonly build is the handler of azure-functions.zip: it leaves out
// the AWS Lambda runtime and AWS STS federation, which never run on Azure,
// so the package stays under its size budget. It refuses, at start and in
// one line, a configuration that needs them.

var (
	errNoLambda = errors.New("this binary is the Azure Functions handler, built without the AWS Lambda runtime: deploy lambda.zip to Lambda")
	errNoAWSSTS = errors.New("AZURE_TOKEN_FROM_AWS_STS: this binary is the Azure Functions handler, built without AWS STS federation: use lambda.zip on AWS")
)

func fitsBuild(cfg config.Config) error {
	switch {
	case cfg.Runtime == config.Lambda:
		return errNoLambda
	case cfg.Identity.Kind == config.AWSFederation:
		return errNoAWSSTS
	}
	return nil
}

func startLambda(context.Context, edges) error {
	return errNoLambda
}

// awsChain: this build signs no AWS call.
type awsChain struct{}

func newAWSChain(config.Config, *http.Client) awsChain { return awsChain{} }

func awsAssertion(id config.Identity, _ awsChain, _ *http.Client) credential.AssertionFunc {
	if id.Kind != config.AWSFederation {
		return nil
	}
	return func(context.Context) (string, error) { return "", errNoAWSSTS }
}
