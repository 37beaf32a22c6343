package awsjobs_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/entra-tools/reprocess/shared/awscreds"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/jobs/awsjobs"
	"github.com/entra-tools/reprocess/shared/jobs/awsjobs/awsjobstest"
	"github.com/entra-tools/reprocess/shared/jobs/jobstest"
)

// dynaliteConfig is a Config for the jobs table in a fresh dynalite.
func dynaliteConfig(t *testing.T) awsjobs.Config {
	t.Helper()
	return awsjobs.Config{
		Region: awsjobstest.Region, Table: "reprocessjobs", Credentials: awsjobstest.Credentials,
		DynamoDBEndpoint: awsjobstest.Table(t, "reprocessjobs"),
	}
}

func TestStoreOnDynalite(t *testing.T) {
	cfg := dynaliteConfig(t)
	store := awsjobs.NewStore(cfg)
	jobstest.StoreSuite(t, func(*testing.T) jobs.Store { return store })

	t.Run("every item expires with its job", func(t *testing.T) {
		ctx := context.Background()
		j := jobstest.NewJob()
		if err := store.Create(ctx, j); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Commit(ctx, j.ID, "p0", jobs.Delta{Outstanding: -1}); err != nil {
			t.Fatal(err)
		}
		items := awsjobstest.Items(t, cfg.DynamoDBEndpoint, cfg.Table, j.ID)
		want := j.ExpiresAt().Unix()
		for _, it := range items {
			if n := it["expiresAt"]["N"]; n != strconv.FormatInt(want, 10) {
				t.Errorf("item %v: expiresAt %v, want %d", it["sk"], it["expiresAt"], want)
			}
		}
		if len(items) != 2 {
			t.Errorf("%d items, want the job and its unit", len(items))
		}
	})
}

// countingTransport counts the DynamoDB actions it carries, by X-Amz-Target.
type countingTransport struct {
	action string
	n      atomic.Int32
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("X-Amz-Target") == "DynamoDB_20120810."+c.action {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestStoreGetReadsEveryQueryPage: a Query answers at most 1 MB, so a job
// whose unit records are bigger is read in pages, through the process's
// HTTP client.
func TestStoreGetReadsEveryQueryPage(t *testing.T) {
	cfg := dynaliteConfig(t)
	queries := &countingTransport{action: "Query"}
	cfg.HTTPClient = &http.Client{Transport: queries}
	store := awsjobs.NewStore(cfg)
	ctx := context.Background()
	j := jobstest.NewJob()
	j.Outstanding = 4
	if err := store.Create(ctx, j); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 300<<10) // four of them make 1.2 MB
	for i := range 4 {
		d := jobs.Delta{Counts: jobs.Counts{Total: 1, Failed: 1}, Outstanding: -1, At: j.CreatedAt,
			Failures: []jobs.Failure{{AssignmentID: big, Status: 500, Code: "c" + strconv.Itoa(i)}}}
		if ok, err := store.Commit(ctx, j.ID, "c"+strconv.Itoa(i), d); !ok || err != nil {
			t.Fatalf("Commit %d = %v, %v", i, ok, err)
		}
	}
	got, err := store.Get(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Counts.Total != 4 || len(got.Failures) != 4 {
		t.Errorf("Get = %+v counts, %d failures; want every unit's", got.Counts, len(got.Failures))
	}
	if n := queries.n.Load(); n < 2 {
		t.Errorf("%d Query calls, want a second page", n)
	}
}

func TestStoreUnreachableIsUnavailable(t *testing.T) {
	cases := []struct {
		name string
		cfg  awsjobs.Config
	}{
		{"closed port", awsjobs.Config{Region: "eu-west-1", Table: "t", DynamoDBEndpoint: "http://127.0.0.1:1",
			Credentials: awscreds.Static("a", "s", "")}},
		{"no credentials", awsjobs.Config{Region: "eu-west-1", Table: "t", DynamoDBEndpoint: "http://127.0.0.1:1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := awsjobs.NewStore(c.cfg)
			_, err := s.Get(context.Background(), "x")
			if !errors.Is(err, jobs.ErrUnavailable) {
				t.Fatalf("Get = %v, want ErrUnavailable", err)
			}
			if err := s.Create(context.Background(), jobstest.NewJob()); !errors.Is(err, jobs.ErrUnavailable) {
				t.Fatalf("Create = %v, want ErrUnavailable", err)
			}
		})
	}
}
