package jobs

import (
	"context"
	"errors"
	"fmt"
)

// Sweep starts one job per access package id with mode: the timer function
// and the EventBridge schedule call it. One failure does not stop the rest;
// the error joins every failure.
func (e *Engine) Sweep(ctx context.Context, accessPackageIDs []string, mode Mode) ([]Job, error) {
	var started []Job
	var errs []error
	for _, id := range accessPackageIDs {
		j, err := e.Start(ctx, Spec{Scope: Scope{AccessPackageID: id}, Mode: mode})
		if err != nil {
			e.opts.Logger.Error("sweep: job not started", "accessPackageId", id, "mode", mode, "err", err)
			errs = append(errs, fmt.Errorf("access package %s: %w", id, err))
			continue
		}
		e.opts.Logger.Info("sweep: job started", "accessPackageId", id, "mode", mode, "job", j.ID)
		started = append(started, j)
	}
	return started, errors.Join(errs...)
}
