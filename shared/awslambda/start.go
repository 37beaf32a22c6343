package awslambda

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// ShutdownBudget is the runtime's share of Lambda's shutdown phase once an
// extension is registered: 500 ms with an internal extension (300 ms with an
// external one) of the phase's 2,000 ms, after which Lambda sends SIGKILL.
// Shutdown hooks share it.
const ShutdownBudget = 500 * time.Millisecond

// ShutdownHook runs when Lambda is about to stop the execution environment:
// flush what is buffered, close what is open. ctx ends shortly before
// ShutdownBudget is spent.
type ShutdownHook func(ctx context.Context)

// Start runs the Lambda Runtime API loop (at $AWS_LAMBDA_RUNTIME_API) with h.
// Every invocation's context derives from ctx, so cancelling ctx cancels the
// invocations in flight.
//
// Start registers the internal extension that makes Lambda send SIGTERM
// before it stops the execution environment (Lambda sends it only between
// invocations, or after a timeout). When it arrives the hooks run in order,
// a panic in one is logged and does not stop the others, and the process
// exits 0.
//
// Start does not return: when the loop fails (the Runtime API is gone),
// aws-lambda-go logs the error and exits the process, and Lambda starts a
// new one. Call it only when AWS_LAMBDA_RUNTIME_API is set; without it
// aws-lambda-go exits at once.
func Start(ctx context.Context, h lambda.Handler, logger *slog.Logger, hooks ...ShutdownHook) {
	if logger == nil {
		logger = slog.Default()
	}
	onSIGTERM := func() {
		shutdown(context.WithoutCancel(ctx), logger, hooks)
		os.Exit(0)
	}
	lambda.StartWithOptions(h, lambda.WithContext(ctx), lambda.WithEnableSIGTERM(onSIGTERM))
}

// shutdown runs hooks within ShutdownBudget, less a margin for exiting.
func shutdown(ctx context.Context, logger *slog.Logger, hooks []ShutdownHook) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, ShutdownBudget*4/5)
	defer cancel()
	for _, hook := range hooks {
		runHook(ctx, logger, hook)
	}
	logger.LogAttrs(ctx, slog.LevelInfo, "lambda runtime shutting down",
		slog.Int("hooks", len(hooks)), slog.Int64("durationMs", time.Since(start).Milliseconds()))
}

func runHook(ctx context.Context, logger *slog.Logger, hook ShutdownHook) {
	defer func() {
		if p := recover(); p != nil {
			logger.LogAttrs(ctx, slog.LevelError, "shutdown hook panicked", slog.Any("panic", p))
		}
	}()
	hook(ctx)
}
