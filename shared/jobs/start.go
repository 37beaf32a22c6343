package jobs

import (
	"context"
	"fmt"
)

// Start validates the scope against Graph (its 404 for an unknown access
// package or catalog passes through), creates the job and sends one
// first-page message per access package. Storage failures are a 503
// JobStoreUnavailable Problem; a send that fails after the job was created
// marks it failed, so its status does not stay running forever.
func (e *Engine) Start(ctx context.Context, spec Spec) (Job, error) {
	if spec.Mode == "" {
		spec.Mode = All
	}
	first, err := e.firstPages(ctx, spec)
	if err != nil {
		return Job{}, err
	}
	j := Job{ID: e.opts.NewID(), State: Running, Scope: spec.Scope, Mode: spec.Mode, DryRun: spec.DryRun,
		CreatedAt: e.now(), Failures: []Failure{}, Drift: []Drift{}, Outstanding: len(first)}
	if len(first) == 0 { // a catalog without access packages: nothing to do
		j.State, j.CompletedAt = Completed, &j.CreatedAt
	}
	for i := range first {
		first[i].Job = j.ID
	}
	sctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	if err := e.store.Create(sctx, j); err != nil {
		return Job{}, unavailable(err)
	}
	if len(first) == 0 {
		return j, nil
	}
	if err := e.queue.Send(sctx, 0, first...); err != nil {
		reason := fmt.Sprintf("the job's first messages could not be queued: %v", err)
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		defer cancel()
		if ferr := e.store.Fail(fctx, j.ID, reason); ferr != nil {
			e.opts.Logger.Error("job could not be marked failed", "job", j.ID, "err", ferr)
		}
		return Job{}, unavailable(err)
	}
	e.opts.Logger.Info("job started", "job", j.ID, "accessPackageId", spec.Scope.AccessPackageID,
		"catalogId", spec.Scope.CatalogID, "mode", spec.Mode, "dryRun", spec.DryRun, "packages", len(first))
	return j, nil
}

// firstPages asks Graph for the scope and answers the first-page message of
// each access package in it (Job unset). A drift job over one package
// carries the package's groups, read here anyway, so its first page need
// not read them again.
func (e *Engine) firstPages(ctx context.Context, spec Spec) ([]Message, error) {
	msg := func(pkg string) Message {
		return Message{Unit: pageUnit(pkg, 0), Kind: KindPage, Mode: spec.Mode, DryRun: spec.DryRun, AccessPackageID: pkg}
	}
	if id := spec.Scope.AccessPackageID; id != "" {
		p, err := e.graph.AccessPackage(ctx, id)
		if err != nil {
			return nil, err
		}
		m := msg(id)
		if spec.Mode == Drifted {
			m.Package = &p
		}
		return []Message{m}, nil
	}
	ids, err := e.graph.CatalogAccessPackages(ctx, spec.Scope.CatalogID)
	if err != nil {
		return nil, err
	}
	out := make([]Message, 0, len(ids))
	for _, id := range ids {
		out = append(out, msg(id))
	}
	return out, nil
}

// Unit keys: deterministic, so a redelivered message commits nothing twice,
// and each names its parent (parentUnit), so Fold can tell when a job is done.
//
//	<package>/p<n>           page n of the package's delivered assignments (sent by page n-1)
//	<page unit>/c<i>         chunk i of that page
//	<chunk unit>/r1          a chunk's throttled items, sent again as they were
//	<chunk unit>/r2          a drift chunk's checked items whose reprocess was throttled
//
// A unit held back whole (the process throttle, a throttled page) goes
// again under its own key: nothing of it was done or committed.
func pageUnit(pkg string, n int) string { return fmt.Sprintf("%s/p%d", pkg, n) }
