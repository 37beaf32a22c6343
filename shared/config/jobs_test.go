package config

import (
	"strings"
	"testing"
)

func TestLoadJobs(t *testing.T) {
	env := secretEnv()
	c, err := Load(getenv(env))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if c.Jobs.Queue != "reprocess-jobs" || c.Jobs.Table != "reprocessjobs" || c.Jobs.SweepMode != "drifted" || c.Jobs.Storage.Configured() {
		t.Fatalf("defaults = %+v", c.Jobs)
	}

	env["SWEEP_ACCESS_PACKAGE_IDS"] = " 9BBE5F7D-F1E7-4EB1-A586-38CDF6F8B1EA, ,8ca95b77-2c1d-4c56-9a2e-5f3b1d7e9c40"
	env["AzureWebJobsStorage__accountName"] = "myfuncstorage"
	c, err = Load(getenv(env))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	if got := strings.Join(c.Jobs.SweepAccessPackageIDs, ","); got != "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea,8ca95b77-2c1d-4c56-9a2e-5f3b1d7e9c40" {
		t.Fatalf("sweep ids = %q", got)
	}
	if !c.Jobs.Storage.Configured() {
		t.Fatal("identity-based storage not seen as configured")
	}

	env["JOBS_QUEUE"], env["JOBS_TABLE"], env["SWEEP_MODE"], env["SWEEP_ACCESS_PACKAGE_IDS"] = "Jobs_Queue", "1table", "some", "not-a-guid"
	_, err = Load(getenv(env))
	for _, want := range []string{"JOBS_QUEUE", "JOBS_TABLE", "SWEEP_MODE", "SWEEP_ACCESS_PACKAGE_IDS"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load() error = %v, want a line about %s", err, want)
		}
	}
}

func TestJobsNames(t *testing.T) {
	for _, c := range []struct {
		name                 string
		queue, dynamo, aztab bool
	}{
		{"reprocess-jobs", true, true, false},
		{"reprocessjobs", true, true, true},
		{"ab", false, false, false},
		{"a-b", true, true, false},
		{"-ab", false, true, false},
		{"ab-", false, true, false},
		{"a--b", false, true, false},
		{"Jobs", false, true, true},
		{"1jobs", true, true, false},
		{"jobs_table.v1", false, true, false},
		{strings.Repeat("a", 63), true, true, true},
		{strings.Repeat("a", 64), false, true, false},
		{strings.Repeat("a", 255), false, true, false},
		{strings.Repeat("a", 256), false, false, false},
	} {
		if got := [3]bool{validQueueName(c.name), validDynamoDBTable(c.name), validAzureTable(c.name)}; got != [3]bool{c.queue, c.dynamo, c.aztab} {
			t.Errorf("%.20q: queue, DynamoDB table, Azure table = %v, want %v", c.name, got, [3]bool{c.queue, c.dynamo, c.aztab})
		}
	}
}
