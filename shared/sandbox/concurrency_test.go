package sandbox_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// Many goroutines reprocessing, reading, failing and resetting at once; run
// under -race this checks that the tenant's state is guarded.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	tok := graphToken(t, tenant)
	var ids []string
	for range 40 {
		ids = append(ids, tenant.AddAssignment(sandbox.Assignment{}))
	}
	tenant.Graph.Fail("", 429, 10, 0)
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for i, id := range ids {
		wg.Go(func() {
			hc := tenant.HTTPClient()
			for {
				r := do(t, hc, "POST", assignmentURL(id, "/reprocess"), tok, nil)
				if r.status == 202 {
					break
				}
				if r.status != http.StatusTooManyRequests {
					errs <- fmt.Errorf("reprocess %s = %d", id, r.status)
					return
				}
			}
			do(t, hc, "GET", assignmentURL(id, "?$expand=target"), tok, nil)
			if i%10 == 0 {
				tenant.SetSecret(fmt.Sprintf("s%d", i), "v")
				_ = tenant.Requests()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, id := range ids {
		if n := tenant.Graph.Reprocessed(id); n != 1 {
			t.Errorf("Reprocessed(%s) = %d, want 1", id, n)
		}
	}
	if n := tenant.CountFunc(func(r sandbox.Request) bool { return r.Status == 429 }); n != 10 {
		t.Errorf("429s = %d, want exactly the 10 injected", n)
	}
}

func TestMount(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{ExtraHosts: []string{"*.example.test"}})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("sts")) })
	if err := tenant.Mount("sts.amazonaws.com", "aws-sts", h); err != nil {
		t.Fatalf("Mount(sts.amazonaws.com): %v", err)
	}
	if err := tenant.Mount("*.example.test", "extra", h); err != nil {
		t.Fatalf("Mount(*.example.test): %v", err)
	}
	if err := tenant.Mount("uncovered.example.org", "x", h); err == nil {
		t.Error("Mount of a host outside the certificate succeeded")
	}
	for _, u := range []string{"https://sts.amazonaws.com/", "https://api.example.test/"} {
		if r := do(t, tenant.HTTPClient(), "GET", u, "", nil); r.status != 200 || string(r.body) != "sts" {
			t.Errorf("GET %s = %d %q", u, r.status, r.body)
		}
	}
	if n := tenant.Count("aws-sts"); n != 1 {
		t.Errorf("Count(aws-sts) = %d, want 1", n)
	}
}
