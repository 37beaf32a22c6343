//go:build !azureonly

package main

import (
	"context"
	"net/http"
	"time"

	"github.com/entra-tools/reprocess/shared/awslambda"
	"github.com/entra-tools/reprocess/shared/awssts"
	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/credential"
	"github.com/entra-tools/reprocess/shared/jobs"
)

// fitsBuild accepts every configuration: this build has every runtime.
func fitsBuild(config.Config) error { return nil }

// startLambda runs the Lambda runtime loop, which exits the process.
func startLambda(ctx context.Context, a edges) error {
	httpAPI, core, logger, tracing := a.httpAPI, a.core, a.logger, a.tracing
	opts := awslambda.Options{Tracer: tracing.Provider(), Jobs: awslambda.Jobs{
		QueueURL:              a.jobsConfig.QueueURL,
		SweepAccessPackageIDs: a.jobsConfig.SweepAccessPackageIDs,
		SweepMode:             jobs.Mode(a.jobsConfig.SweepMode),
	}}
	if a.jobs != nil { // a nil *jobs.Engine must stay a nil interface
		opts.Jobs.Worker = a.jobs
	}
	if tracing != nil {
		opts.FlushTraces = tracing.Flush
	}
	// Lambda gives the runtime 500 ms after SIGTERM; the hooks share it.
	awslambda.Start(ctx, awslambda.NewHandler(httpAPI, core, logger, opts), logger,
		func(context.Context) { flushTraces(tracing, logger, 400*time.Millisecond) })
	return nil // not reached: the runtime loop exits the process
}

// awsAssertion is the AWS STS web identity token that federation presents
// to Entra instead of a stored secret; nil unless it is configured.
func awsAssertion(id config.Identity, chain awsChain, hc *http.Client) credential.AssertionFunc {
	if id.Kind != config.AWSFederation {
		return nil
	}
	src, err := awssts.NewTokenSource(awssts.Config{
		Region:         id.AWS.Region,
		Credentials:    chain.creds,
		EndpointURLSTS: id.AWS.STSEndpoint,
		HTTPClient:     hc,
	})
	if err != nil {
		return func(context.Context) (string, error) { return "", err }
	}
	return src.Token
}
