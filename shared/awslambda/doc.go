// Package awslambda is the AWS Lambda edge: it turns a Lambda invocation into
// a call of the core http.Handler and the handler's answer back into the
// response the invoking service expects.
//
// One Handler serves every trigger the function is attached to. HTTP events
// are read in one pass by a purpose-built decoder (jsonread.go) that keeps
// only the fields the edge uses, and their answers are written without
// encoding/json (jsonwrite.go, byte for byte as json.Marshal of
// aws-lambda-go's response types). The decoder declines whatever it would
// not read exactly as encoding/json does; those events, and all others, are
// recognised with a single decode of a few discriminating fields, then the
// matching aws-lambda-go event type is decoded once:
//
//   - API Gateway REST APIs and HTTP APIs with payload format 1.0
//     (events.APIGatewayProxyRequest):
//     https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
//   - API Gateway HTTP APIs with payload format 2.0
//     (events.APIGatewayV2HTTPRequest):
//     https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
//   - Lambda function URLs in BUFFERED invoke mode (same 2.0 shape):
//     https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
//   - Application Load Balancer targets, with or without multi-value headers:
//     https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
//   - Amazon SQS batches, answered with partial batch failures (the event
//     source mapping needs FunctionResponseTypes: [ReportBatchItemFailures]):
//     https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
//   - direct invocations (Step Functions, EventBridge, the SDK) whose payload
//     is {"assignmentId":"…"} or an EventBridge event with that object as its
//     detail.
//
// An HTTP event never produces a Go error: failures of the edge itself
// (an undecodable event, a panic in the core, a core that outlives the
// deadline) become a JSON error response in the caller's shape,
// {"error":{"code","message"}}, because a function error would reach the
// caller as an opaque 502 from API Gateway or the load balancer.
//
// The request the core sees is what net/http's server would have built:
// canonical header keys, Host moved from the headers to Request.Host, a
// RemoteAddr of the form "ip:0" from the source IP the platform observed,
// RequestURI, Proto and ContentLength set, and the body decoded from base64.
// The edge sets X-Forwarded-Host to the host the caller used and
// X-Forwarded-Proto (when the platform did not) so the core can build absolute
// Location URLs; when the platform strips a path prefix the caller used (a
// REST API stage, a named HTTP API stage) the prefix is in X-Forwarded-Prefix.
// Headers of those names sent by the caller are replaced, never trusted.
//
// Deadlines: the core's request context ends Options.DeadlineMargin (default
// 500 ms) before the invocation deadline, so it can still answer in time. If
// the core has not returned half a margin later, the edge answers 504 (HTTP),
// reports the record as failed (SQS) or returns status 504 (direct invoke)
// without it. The handler holds no mutable state between invocations and is
// safe when the runtime runs several invocation loops at once
// (AWS_LAMBDA_MAX_CONCURRENCY, Lambda Managed Instances).
//
// Build the bootstrap binary for the provided.al2023 runtime with
//
//	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build -tags lambda.norpc -o bootstrap ./functions
//
// The lambda.norpc tag drops aws-lambda-go's net/rpc server, used only by the
// retired go1.x runtime. See
// https://docs.aws.amazon.com/lambda/latest/dg/golang-package.html.
package awslambda
