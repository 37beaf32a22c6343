package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

// newJobs builds the process's jobs engine over Graph and the runtime's
// job backend (q and s, when jobBackend found one: ok). Locally without
// storage, the queue and store are in-process, and run is the queue's
// consumer, which the caller runs for as long as it serves. A nil engine
// (a runtime without a job backend) leaves the job routes answering 503.
func newJobs(rt config.Runtime, q jobs.Queue, s jobs.Store, ok bool, g jobs.Graph, throttle *reprocess.Throttle, logger *slog.Logger) (e *jobs.Engine, run func(context.Context)) {
	opts := jobs.Options{Throttle: throttle, Logger: logger}
	switch {
	case ok:
		return jobs.NewEngine(g, q, s, opts), nil
	case rt != config.Local:
		return nil, nil
	}
	mq := jobs.NewMemoryQueue()
	mq.Logger = logger
	e = jobs.NewEngine(g, mq, jobs.NewMemoryStore(), opts)
	return e, func(ctx context.Context) { mq.Run(ctx, e.Handle) }
}

// runJobs runs the in-process queue's consumer (if any) until ctx ends;
// wait returns once it has stopped. Messages in flight see ctx end and are
// abandoned with the process, as the in-process store is.
func runJobs(ctx context.Context, run func(context.Context), logger *slog.Logger) (wait func()) {
	if run == nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil { // the queue recovers each message's panic; this is its own
				logger.Error("in-process jobs queue stopped", "panic", fmt.Sprint(r))
			}
		}()
		run(ctx)
	}()
	return func() { <-done }
}
