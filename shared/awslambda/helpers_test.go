package awslambda

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/invocation"
)

const testRequestID = "8f507cfc-example-request-id"

// diffSeen lists the fields of got that differ from want.
func diffSeen(got, want testkit.Seen) []string {
	var d []string
	check := func(name string, g, w any) {
		if !reflect.DeepEqual(g, w) {
			d = append(d, fmt.Sprintf("%s = %#v, want %#v", name, g, w))
		}
	}
	check("Method", got.Method, want.Method)
	check("URL.Path", got.Path, want.Path)
	check("URL.RawPath", got.RawPath, want.RawPath)
	check("URL.RawQuery", got.RawQuery, want.RawQuery)
	check("RequestURI", got.RequestURI, want.RequestURI)
	check("Host", got.Host, want.Host)
	check("RemoteAddr", got.RemoteAddr, want.RemoteAddr)
	check("Proto", got.Proto, want.Proto)
	check("Body", got.Body, want.Body)
	check("ContentLength", got.ContentLength, int64(len(want.Body)))
	check("Info", got.Info, want.Info)
	keys := map[string]bool{}
	for k := range got.Header {
		keys[k] = true
	}
	for k := range want.Header {
		keys[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		check("Header["+k+"]", got.Header[k], want.Header[k])
	}
	return d
}

// acceptingAPI stands in for the HTTP API, answering as it does for an
// accepted reprocess.
func acceptingAPI() *testkit.RecordingHandler { return &testkit.RecordingHandler{Reply: acceptedReply} }

// acceptedReply answers like the core does for an accepted reprocess, with
// the headers that must survive every response shape.
func acceptedReply(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Location", "https://"+r.Header.Get("X-Forwarded-Host")+r.Header.Get("X-Forwarded-Prefix")+"/api/assignments/x")
	h.Set("Retry-After", "5")
	h.Set("X-Graph-Request-Id", "graph-request-1")
	h.Add("Set-Cookie", "a=1; Path=/")
	h.Add("Set-Cookie", "b=2; Path=/")
	h.Add("Vary", "Accept")
	h.Add("Vary", "Origin")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, acceptedBody)
}

const acceptedBody = `{"assignmentId":"x","status":"accepted"}`

// readEvent returns a file of testdata.
func readEvent(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// sampleEvent is one event of testdata.
type sampleEvent struct {
	name    string
	payload []byte
}

// sampleEvents reads every event of testdata, in file name order.
func sampleEvents(tb testing.TB) []sampleEvent {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	events := make([]sampleEvent, len(files))
	for i, name := range files {
		events[i] = sampleEvent{filepath.Base(name), readEvent(tb, filepath.Base(name))}
	}
	return events
}

// lambdaContext is the context aws-lambda-go hands an invocation.
func lambdaContext(tb testing.TB, timeout time.Duration) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	tb.Cleanup(cancel)
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: testRequestID})
}

// invoke calls h as the runtime loop would and fails on a function error.
func invoke(tb testing.TB, h *Handler, payload []byte) []byte {
	tb.Helper()
	out, err := h.Invoke(lambdaContext(tb, 10*time.Second), payload)
	if err != nil {
		tb.Fatalf("Invoke() error = %v, want a response", err)
	}
	return out
}

// onlyRequest returns the one request the core saw.
func onlyRequest(tb testing.TB, c *testkit.RecordingHandler) testkit.Seen {
	tb.Helper()
	reqs := c.Requests()
	if len(reqs) != 1 {
		tb.Fatalf("core saw %d requests, want 1", len(reqs))
	}
	return reqs[0]
}

func reportDiff(tb testing.TB, what string, d []string) {
	tb.Helper()
	if len(d) > 0 {
		tb.Errorf("%s:\n  %s", what, strings.Join(d, "\n  "))
	}
}

// httpInfo is the invocation info of an HTTP event.
var httpInfo = invocation.Info{ID: testRequestID, Trigger: invocation.HTTP}
