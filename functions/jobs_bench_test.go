package main

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// BenchmarkJob10000 is one job over a 10,000-assignment access package
// (every 25th target drifted) through the HTTP routes, the engine, the
// in-process queue and the real SDKs to the sandbox over TLS: wall time
// per job, Graph requests per job (at least 10,000/20 $batches plus the
// list pages), and the peak Go heap of the process, which holds the
// sandbox too.
func BenchmarkJob10000(b *testing.B) {
	for _, c := range []struct{ name, body string }{
		{"all", `"mode":"all"`},
		{"drifted-dry-run", `"mode":"drifted","dryRun":true`},
		{"drifted", `"mode":"drifted"`},
	} {
		b.Run(c.name, func(b *testing.B) {
			// Reprocessed assignments stay delivered: each round lists all 10,000.
			tenant := sandbox.NewForTest(b, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
			pkg := tenant.AddBulkAccessPackage(10000, 25)
			s := newStackWith(b, tenant, nil)
			peak := sampleHeap(b)
			before := tenant.Count(sandbox.Graph)
			b.ResetTimer()
			for b.Loop() {
				j := s.runJob(b, `{"accessPackageId":"`+pkg.ID+`",`+c.body+`}`)
				if j.Counts.Total != 10000 {
					b.Fatalf("counts %+v", j.Counts)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(tenant.Count(sandbox.Graph)-before)/float64(b.N), "graph-requests/op")
			b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MiB")
		})
	}
}

// sampleHeap samples the Go heap in use every 10 ms until the benchmark
// ends; the returned func reads the peak so far.
func sampleHeap(b *testing.B) func() uint64 {
	var mu sync.Mutex
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			mu.Lock()
			peak = max(peak, m.HeapInuse)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	b.Cleanup(func() { close(stop); <-done })
	return func() uint64 { mu.Lock(); defer mu.Unlock(); return peak }
}
