//go:build sandbox

package main

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// The token and the signed webhook that make run prints work as printed.
func TestSandboxGuideCallsWork(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	var guide bytes.Buffer
	printSandboxGuide(&guide, tenant, "127.0.0.1:7071", true)
	s := newStackWith(t, tenant, sandboxEnv(tenant, true))

	token := regexp.MustCompile(`TOKEN='([^']+)'`).FindStringSubmatch(guide.String())
	if token == nil {
		t.Fatalf("guide prints no token:\n%s", guide.String())
	}
	if resp := s.reprocessAs(t, tenant.Seeds.Delivered[0], "Bearer "+token[1], nil); resp.StatusCode != http.StatusAccepted {
		t.Errorf("printed token: status = %d, want 202", resp.StatusCode)
	}
	if resp := s.reprocessAs(t, tenant.Seeds.Delivered[0], "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: status = %d, want 401", resp.StatusCode)
	}

	line := regexp.MustCompile(`-H 'X-GitHub-Delivery: ([^']+)' -H 'X-Hub-Signature-256: ([^']+)' --data-raw '([^']+)'`).FindStringSubmatch(guide.String())
	if line == nil {
		t.Fatalf("guide prints no signed webhook:\n%s", guide.String())
	}
	h := http.Header{"X-Github-Delivery": {line[1]}, "X-Hub-Signature-256": {line[2]}}
	for i := 0; i < 2; i++ {
		if resp := s.deliver(t, "github", h, line[3]); resp.StatusCode != http.StatusAccepted {
			t.Errorf("printed webhook, send %d: status = %d, want 202", i+1, resp.StatusCode)
		}
	}
	if id := tenant.Seeds.Delivered[2]; !strings.Contains(line[3], id) || s.graphCalls(id) != 1 {
		t.Errorf("printed webhook: Graph calls for %s = %d, want 1 for two sends", id, s.graphCalls(id))
	}
}

// The job lines make run prints start a drift dry run that ends with the
// seeded package's drift.
func TestSandboxGuideJobLinesWork(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	var guide bytes.Buffer
	printSandboxGuide(&guide, tenant, "127.0.0.1:7071", false)
	line := regexp.MustCompile(`curl -i -X POST http://127\.0\.0\.1:7071/api/jobs .* -d '([^']+)'`).FindStringSubmatch(guide.String())
	if line == nil || !strings.Contains(guide.String(), "curl -s http://127.0.0.1:7071/api/jobs/") {
		t.Fatalf("guide prints no job lines:\n%s", guide.String())
	}
	s := newStackWith(t, tenant, nil)
	j := s.runJob(t, line[1])
	large := tenant.Seeds.LargeAccessPackage
	if !j.DryRun || j.Counts.Total != large.Assignments || j.Counts.Drifted != large.Drifted || j.Counts.Accepted != 0 {
		t.Fatalf("printed job: %+v", j)
	}
}
