package azurefunc

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/internal/testkit/fakecore"
)

func benchmarkInvocation(b *testing.B, function, fixture string) {
	payload := readFixture(b, fixture)
	api := testkit.Answer(http.StatusAccepted, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"20"}}, `{"status":"accepted"}`)
	h := NewHandler(api, &fakecore.Messages{}, slog.New(slog.NewJSONHandler(io.Discard, nil)), time.Minute)
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/"+function, bytes.NewReader(payload))
		req.Header.Set("X-Azure-Functions-InvocationId", hostInvocationID)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// One JSON invocation of an HTTP function: decode, rebuild, run, encode.
func BenchmarkHTTPInvocation(b *testing.B) {
	benchmarkInvocation(b, FunctionReprocess, "http-reprocess.json")
}

func BenchmarkQueueInvocation(b *testing.B) {
	benchmarkInvocation(b, FunctionReprocessQueue, "queue-object-double.json")
}

// The edge's cost on a forwarded or proxied request.
func BenchmarkPassthrough(b *testing.B) {
	h := NewHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) }), nil, slog.New(slog.NewJSONHandler(io.Discard, nil)), time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/api/assignments/"+testID+"/reprocess", nil)
		req.Header.Set("X-Azure-Functions-InvocationId", hostInvocationID)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}
