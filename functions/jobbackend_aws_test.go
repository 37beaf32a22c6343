package main

import (
	"context"
	"testing"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/jobs/awsjobs/awsjobstest"
	"github.com/entra-tools/reprocess/shared/jobs/jobstest"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// On Lambda the job backend is SQS and DynamoDB, signed with the role
// session from the environment; without JOBS_QUEUE_URL there is none.
func TestAWSJobBackend(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	env := tenant.AWSEnv()
	env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:9001"
	load := func(t *testing.T) config.Config {
		cfg, err := config.Load(env.Getenv)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	t.Run("no queue URL, no jobs", func(t *testing.T) {
		cfg := load(t)
		if _, _, ok, err := jobBackend(cfg, nil, newAWSChain(cfg, tenant.HTTPClient()), tenant.HTTPClient()); ok || err != nil {
			t.Fatalf("jobBackend = %v, %v; want none", ok, err)
		}
	})
	t.Run("SQS and DynamoDB", func(t *testing.T) {
		env["JOBS_QUEUE_URL"] = tenant.SQS.QueueURL(sandbox.AWSRegion, sandbox.SQSJobsQueue)
		env["AWS_ENDPOINT_URL_DYNAMODB"] = awsjobstest.Table(t, config.DefaultJobsTable)
		cfg := load(t)
		q, s, ok, err := jobBackend(cfg, nil, newAWSChain(cfg, tenant.HTTPClient()), tenant.HTTPClient())
		if !ok || err != nil {
			t.Fatalf("jobBackend = %v, %v", ok, err)
		}
		ctx := context.Background()
		j := jobstest.NewJob()
		if err := s.Create(ctx, j); err != nil {
			t.Fatalf("Create: %v", err)
		}
		m := jobs.Message{Job: j.ID, Unit: "p0", Kind: jobs.KindPage, Mode: j.Mode, AccessPackageID: j.Scope.AccessPackageID}
		if err := q.Send(ctx, 0, m); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if got := tenant.SQS.Messages(sandbox.SQSJobsQueue); len(got) != 1 || got[0].Body != string(jobs.EncodeMessage(m)) {
			t.Errorf("queue holds %+v", got)
		}
		if got, err := s.Get(ctx, j.ID); err != nil || got.ID != j.ID {
			t.Errorf("Get = %+v, %v", got, err)
		}
	})
}
