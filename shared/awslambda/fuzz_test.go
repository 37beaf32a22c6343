package awslambda

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
)

// FuzzDecodeEvent feeds arbitrary payloads to the handler. It must never
// panic, never answer an HTTP event with a function error, and never call the
// core for a payload it does not recognise.
func FuzzDecodeEvent(f *testing.F) {
	for _, ev := range sampleEvents(f) {
		f.Add(ev.payload)
	}
	f.Add([]byte(`{"httpMethod":"GET","path":"/a b?c","requestContext":{"accountId":"1"}}`))
	f.Add([]byte(`{"version":"2.0","rawPath":"%","requestContext":{"http":{"method":"GET"},"stage":"x","apiId":"a","domainName":"a.execute-api.x"}}`))
	f.Add([]byte(`{"Records":[{"eventSource":"aws:sqs","messageId":"m","body":"{\"assignmentId\":1}"}]}`))

	f.Fuzz(func(t *testing.T, payload []byte) {
		core := &testkit.RecordingHandler{Reply: acceptedReply}
		h := NewHandler(core, messageCore(), nil, Options{})
		src := classify(payload)
		out, err := h.Invoke(lambdaContext(t, time.Minute), payload)
		switch {
		case src.isHTTP():
			if err != nil {
				t.Fatalf("HTTP event (%v) got function error %v", src, err)
			}
			var resp struct {
				StatusCode int `json:"statusCode"`
			}
			if json.Unmarshal(out, &resp) != nil || resp.StatusCode < 100 || resp.StatusCode > 599 {
				t.Fatalf("HTTP event (%v) got response %s", src, out)
			}
		case src == sourceSchedule:
			if err != nil || !json.Valid(out) {
				t.Fatalf("schedule answer %s, %v", out, err)
			}
		case src == sourceSQS:
			if err == nil && !json.Valid(out) {
				t.Fatalf("SQS answer %s is not JSON", out)
			}
		default:
			if err != nil {
				t.Fatalf("%v payload got function error %v", src, err)
			}
			var res InvokeResult
			if json.Unmarshal(out, &res) != nil || res.Status < 100 {
				t.Fatalf("%v payload got result %s", src, out)
			}
			if src == sourceUnknown && len(core.Requests()) != 0 {
				t.Fatalf("core called for an unrecognised payload")
			}
		}
	})
}
