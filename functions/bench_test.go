package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// BenchmarkStartToReady is what the Functions host waits for: from exec to
// the first answer of GET /. Secrets load lazily, so this never includes
// Key Vault, Entra or Graph.
func BenchmarkStartToReady(b *testing.B) {
	tenant := sandbox.NewForTest(b, sandbox.Options{})
	bin := handlerBinary(b)
	vars := tenant.ProcessEnv()
	vars["PATH"] = os.Getenv("PATH")
	var rssKiB int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		port := freePort(b)
		vars["FUNCTIONS_CUSTOMHANDLER_PORT"] = port
		cmd := exec.Command(bin)
		cmd.Env = environ(vars)
		b.StartTimer()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		for {
			resp, err := http.Get("http://127.0.0.1:" + port + "/")
			if err == nil {
				resp.Body.Close()
				break
			}
			time.Sleep(time.Millisecond)
		}
		b.StopTimer()
		rssKiB = max(rssKiB, residentKiB(cmd.Process.Pid))
		cmd.Process.Kill()
		cmd.Wait()
		b.StartTimer()
	}
	b.ReportMetric(float64(rssKiB), "rss-KiB")
	if n := tenant.Count(sandbox.KeyVault) + tenant.Count(sandbox.Entra); n != 0 {
		b.Fatalf("start-up made %d Key Vault or Entra requests", n)
	}
}

// residentKiB reads a process's resident set size (Linux only; 0 elsewhere).
func residentKiB(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	return 0
}

// BenchmarkReprocessWarm is one accepted reprocess through the core, the
// real SDKs and TLS to the emulated Graph, with credentials and token cached.
func BenchmarkReprocessWarm(b *testing.B) {
	s := newStack(b, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, nil)
	target := "/api/assignments/" + s.tenant.Seeds.Delivered[0] + "/reprocess"
	if resp := s.do(b, http.MethodPost, target, ""); resp.StatusCode != http.StatusAccepted {
		b.Fatalf("warm-up status = %d", resp.StatusCode)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		s.handler.ServeHTTP(w, httptest.NewRequest(http.MethodPost, target, nil))
		if w.Code != http.StatusAccepted {
			b.Fatalf("status = %d", w.Code)
		}
	}
}

// BenchmarkRejectInvalidID is the cost of refusing a hostile id: no I/O.
func BenchmarkRejectInvalidID(b *testing.B) {
	s := newStack(b, sandbox.Options{}, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		s.handler.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/api/assignments/%7Bnot-a-guid%7D/reprocess", nil))
		if w.Code != http.StatusBadRequest {
			b.Fatalf("status = %d", w.Code)
		}
	}
}
