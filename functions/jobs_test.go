package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// jobGraphStub is a jobs.Graph; newJobs only checks that Graph has the calls.
type jobGraphStub struct{ jobs.Graph }

func TestNewJobsPicksTheBackend(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	cfg, err := config.Load(tenant.Env().Getenv)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	if cfg.Runtime != config.Local || cfg.Jobs.Storage.Configured() {
		t.Fatalf("runtime %s, storage configured %v: want local without storage", cfg.Runtime, cfg.Jobs.Storage.Configured())
	}

	e, run, err := newJobs(cfg, nil, awsChain{}, tenant.HTTPClient(), jobGraphStub{}, nil, logger)
	if err != nil || e == nil || run == nil {
		t.Fatalf("local without storage: engine %v, run %v, err %v; want the in-process queue and store", e != nil, run != nil, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runJobs(ctx, run, logger)
	cancel()
	wait() // the consumer stops with its context

	azure := cfg
	azure.Runtime = config.AzureFunctions
	if e, run, err := newJobs(azure, nil, awsChain{}, tenant.HTTPClient(), jobGraphStub{}, nil, logger); e != nil || run != nil || err != nil {
		t.Fatalf("Azure without storage: engine %v, err %v; want none (the job routes answer 503)", e != nil, err)
	}
}
