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

	q, s, ok, err := jobBackend(cfg, nil, awsChain{}, tenant.HTTPClient())
	e, run := newJobs(cfg.Runtime, q, s, ok, jobGraphStub{}, nil, logger)
	if err != nil || e == nil || run == nil {
		t.Fatalf("local without storage: engine %v, run %v, err %v; want the in-process queue and store", e != nil, run != nil, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := runJobs(ctx, run, logger)
	cancel()
	wait() // the consumer stops with its context

	azure := cfg
	azure.Runtime = config.AzureFunctions
	q, s, ok, err = jobBackend(azure, nil, awsChain{}, tenant.HTTPClient())
	if e, run := newJobs(azure.Runtime, q, s, ok, jobGraphStub{}, nil, logger); e != nil || run != nil || err != nil {
		t.Fatalf("Azure without storage: engine %v, err %v; want none (the job routes answer 503)", e != nil, err)
	}
}

// The platform store serves more than jobs: on Azure its table is also the
// sweep's purge (Table Storage has no TTL); the in-process store is not.
func TestAzureStorageIsAlsoTheSweepsPurge(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	env := tenant.Env()
	logger := slog.New(slog.DiscardHandler)
	for _, c := range []struct {
		name    string
		storage string
		want    bool
	}{{"Azure Storage", "UseDevelopmentStorage=true", true}, {"in-process", "", false}} {
		getenv := func(k string) string {
			if k == "AzureWebJobsStorage" {
				return c.storage
			}
			return env.Getenv(k)
		}
		cfg, err := config.Load(getenv)
		if err != nil {
			t.Fatal(err)
		}
		ed, err := newTracedCore(cfg, tenant.HTTPClient(), logger, nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := ed.purge != nil; got != c.want || ed.jobs == nil {
			t.Errorf("%s: purge wired %v, engine %v; want purge %v and an engine", c.name, got, ed.jobs != nil, c.want)
		}
	}
}
