package azstorage_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/jobs/azstorage"
	"github.com/entra-tools/reprocess/shared/jobs/jobstest"
)

func azuriteConnectionString(t *testing.T) string { return testkit.Azurite(t).ConnectionString() }

// deadPort is a loopback port nobody listens on.
func deadPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestStorageDownIsUnavailable(t *testing.T) {
	dead := "http://" + deadPort(t) + "/devstoreaccount1"
	a, err := azstorage.ParseAccount(config.Storage{ConnectionString: "AccountName=devstoreaccount1;AccountKey=c2VjcmV0LWtleS1ub3QtcmVhbA==;QueueEndpoint=" + dead + ";TableEndpoint=" + dead})
	if err != nil {
		t.Fatal(err)
	}
	o := azstorage.Options{Account: a}
	s, _ := azstorage.NewStore(o, "jobs")
	q, _ := azstorage.NewQueue(o, "jobs")
	ctx := context.Background()
	j := jobstest.NewJob()
	for name, call := range map[string]func() error{
		"create": func() error { return s.Create(ctx, j) },
		"get":    func() error { _, err := s.Get(ctx, j.ID); return err },
		"commit": func() error { _, err := s.Commit(ctx, j.ID, "p0", jobs.Delta{}); return err },
		"fail":   func() error { return s.Fail(ctx, j.ID, "x") },
		"send":   func() error { return q.Send(ctx, 0, jobs.Message{Job: j.ID, Unit: "p0", Kind: jobs.KindPage}) },
		"claim":  func() error { _, err := s.Claim(ctx, "k", time.Minute); return err },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each spends its retries (well under a second) on its own
			err := call()
			if !errors.Is(err, jobs.ErrUnavailable) {
				t.Errorf("%s = %v, want ErrUnavailable", name, err)
			}
			if err != nil && strings.Contains(err.Error(), "c2VjcmV0") {
				t.Errorf("%s error shows the key: %v", name, err)
			}
		})
	}
}
