package awslambda

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

// Start runs the Lambda Runtime API loop (at $AWS_LAMBDA_RUNTIME_API) with h.
// Every invocation's context derives from ctx, so cancelling ctx cancels the
// invocations in flight.
//
// Start registers the internal extension that makes Lambda send SIGTERM
// before it stops the execution environment; onSIGTERM run when it arrives.
//
// Start does not return: when the loop fails (the Runtime API is gone),
// aws-lambda-go logs the error and exits the process, and Lambda starts a
// new one. Call it only when AWS_LAMBDA_RUNTIME_API is set; without it
// aws-lambda-go exits at once.
func Start(ctx context.Context, h lambda.Handler, onSIGTERM ...func()) {
	lambda.StartWithOptions(h, lambda.WithContext(ctx), lambda.WithEnableSIGTERM(onSIGTERM...))
}
