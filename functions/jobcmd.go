//go:build sandbox

// The terminal command `handler job` (SPEC "Jobs", last paragraph): one job
// over an access package or a catalog, run in this process on the
// in-process queue and store, with the admin's own sign-in, a progress bar
// on stderr and the report on stdout. Built only into the development build
// (-tags sandbox: make build, make run), like the emulated tenant; the
// packaged binaries get jobcmd_nodev.go.

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

const jobUsage = `Usage: handler job (--access-package ID | --catalog ID) [--mode all|drifted] [--dry-run] [--json] [--sandbox]

Runs one job in this process: lists the delivered assignments of the access
package (or of every access package of the catalog), checks drift in mode
drifted, and reprocesses them (none with --dry-run). Signs in as you: the
Azure CLI's account (az login), else a device code prompted here. It needs
EntitlementManagement.ReadWrite.All, and GroupMember.Read.All for drift.
Progress goes to stderr (a bar on a terminal), the report to stdout.
Exit status: 0 the job completed, 1 it failed, 2 a usage error.

`

// jobPoll is how often the command reads the job's counts for the bar.
const jobPoll = 150 * time.Millisecond

func runJob(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("handler job", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, jobUsage)
		fs.PrintDefaults()
	}
	accessPackage := fs.String("access-package", "", "the access package `id`")
	catalog := fs.String("catalog", "", "the catalog `id`: every access package in it")
	mode := fs.String("mode", string(jobs.All), "`all` delivered assignments, or only the drifted")
	dryRun := fs.Bool("dry-run", false, "report only: reprocess nothing")
	asJSON := fs.Bool("json", false, "print the report as JSON (the body of GET /api/jobs/{id})")
	useSandbox := fs.Bool("sandbox", false, "run against the embedded emulated tenant")
	bulk := fs.Int("sandbox-assignments", 0, "with --sandbox: a new access package of `n` delivered assignments (every 25th drifted) is the scope; Graph's request count goes to stderr")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError(err)
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Errorf("job: unexpected argument %q (flags only; see --help)", fs.Arg(0)))
	}
	if *bulk != 0 && (!*useSandbox || *bulk < 0 || *accessPackage != "" || *catalog != "") {
		return usageError(errors.New("job: --sandbox-assignments needs --sandbox, a positive count, and no --access-package or --catalog"))
	}
	if *bulk > 0 {
		*accessPackage = "00000000-0000-4000-8000-000000000000" // stands in for the package made below, to check the other flags first
	}
	spec, err := jobSpec(*accessPackage, *catalog, *mode, *dryRun)
	if err != nil {
		return usageError(err)
	}

	throttle := &reprocess.Throttle{}
	var g jobs.Graph
	var dev *devTenant
	if *useSandbox {
		if g, dev, err = sandboxJobGraph(ctx, getenv, throttle); err != nil {
			return err
		}
		defer dev.stop()
		if *bulk > 0 {
			spec.Scope.AccessPackageID = dev.addBulk(*bulk)
		}
	} else if g, err = jobGraph(getenv, stderr, throttle); err != nil {
		return err
	}
	job, err := runOneJob(ctx, g, throttle, spec, newJobProgress(stderr))
	if err != nil {
		return fmt.Errorf("job: %w", err)
	}
	if *bulk > 0 {
		requests, items := dev.graphRequests()
		fmt.Fprintf(stderr, "sandbox: Graph answered %d HTTP requests, carrying %d $batch items\n", requests, items)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(jobReport(job)); err != nil {
			return err
		}
	} else if err := writeJobTable(stdout, job); err != nil {
		return err
	}
	if job.State != jobs.Completed {
		return fmt.Errorf("job %s %s: %s", job.ID, job.State, job.Error)
	}
	return nil
}

// jobSpec reads the flags through the same rules as POST /api/jobs.
func jobSpec(accessPackage, catalog, mode string, dryRun bool) (jobs.Spec, error) {
	body := map[string]any{"mode": mode, "dryRun": dryRun}
	if accessPackage != "" {
		body["accessPackageId"] = accessPackage
	}
	if catalog != "" {
		body["catalogId"] = catalog
	}
	raw, _ := json.Marshal(body)
	spec, err := jobs.ParseSpec(raw)
	var p *reprocess.Problem
	if errors.As(err, &p) {
		return jobs.Spec{}, fmt.Errorf("job: %s (flags --access-package or --catalog, --mode all|drifted)", p.Message)
	}
	return spec, err
}

// runOneJob starts the job on an in-process queue and store, works it with
// the queue's workers and polls its counts until it is no longer running.
func runOneJob(ctx context.Context, g jobs.Graph, throttle *reprocess.Throttle, spec jobs.Spec, progress *jobProgress) (jobs.Job, error) {
	q, s := jobs.NewMemoryQueue(), jobs.NewMemoryStore()
	engine := jobs.NewEngine(g, q, s, jobs.Options{Throttle: throttle})
	workCtx, stopWork := context.WithCancel(ctx)
	var workers sync.WaitGroup
	crashed := make(chan error, 1)
	workers.Go(func() { work(workCtx, q, engine.Handle, crashed) })
	defer func() {
		stopWork()
		workers.Wait()
	}()

	job, err := engine.Start(ctx, spec)
	if err != nil {
		return jobs.Job{}, err
	}
	tick := time.NewTicker(jobPoll)
	defer tick.Stop()
	idleSeen := false
	for {
		idle := q.Idle()
		if job, err = engine.Status(ctx, job.ID); err != nil {
			return jobs.Job{}, err
		}
		progress.show(job)
		if job.State != jobs.Running {
			progress.done(job)
			return job, nil
		}
		if idleSeen { // every unit handled or dropped, yet not completed
			progress.done(job)
			return job, fmt.Errorf("job %s stopped with %d units outstanding and none queued", job.ID, job.Outstanding)
		}
		select {
		case <-ctx.Done():
			progress.done(job)
			return job, ctx.Err()
		case err := <-crashed:
			progress.done(job)
			return job, err
		case <-idle:
			idleSeen = true
		case <-tick.C:
		}
	}
}

// work runs the queue's workers until ctx ends; a panic ends the job with
// an error rather than the process.
func work(ctx context.Context, q *jobs.MemoryQueue, handle func(context.Context, jobs.Message, jobs.Delivery) error, crashed chan<- error) {
	defer func() {
		if r := recover(); r != nil {
			crashed <- fmt.Errorf("the job's queue stopped: panic: %v", r)
		}
	}()
	q.Run(ctx, handle)
}
