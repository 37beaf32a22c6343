package sandbox_test

import (
	"context"
	"testing"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// BenchmarkStart measures start-up: CA and leaf (P-256), seeding, three
// listeners. RSA keys are made lazily and are not part of it.
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		tenant, err := sandbox.Start(context.Background(), sandbox.Options{})
		if err != nil {
			b.Fatal(err)
		}
		tenant.Close()
	}
}

// BenchmarkReprocess is one Graph reprocess over TLS through the proxy on a
// warm connection.
func BenchmarkReprocess(b *testing.B) {
	tenant := sandbox.NewForTest(b, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	tok, hc, url := graphToken(b, tenant), tenant.HTTPClient(), assignmentURL(tenant.Seeds.Delivered[0], "/reprocess")
	for b.Loop() {
		if r := do(b, hc, "POST", url, tok, nil); r.status != 202 {
			b.Fatalf("reprocess = %d", r.status)
		}
	}
}
