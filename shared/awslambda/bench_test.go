package awslambda

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// benchmarkConvert measures one invocation end to end, event in and response
// event out, around a core that does next to nothing.
func benchmarkConvert(b *testing.B, payload []byte) {
	core := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Graph-Request-Id", "graph-1")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, acceptedBody)
	})
	h := NewHandler(core, messageCore(), nil, Options{})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: testRequestID})
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConvertREST(b *testing.B) { benchmarkConvert(b, readEvent(b, "apigw-request.json")) }
func BenchmarkConvertHTTPAPI(b *testing.B) {
	benchmarkConvert(b, readEvent(b, "ours-httpapi-named-stage.json"))
}
func BenchmarkConvertFunctionURL(b *testing.B) {
	benchmarkConvert(b, readEvent(b, "function-url-request-with-headers-and-cookies-and-text-body.json"))
}
func BenchmarkConvertALB(b *testing.B) {
	benchmarkConvert(b, readEvent(b, "alb-lambda-target-request-multivalue-headers.json"))
}
func BenchmarkConvertSQS10(b *testing.B) {
	ids := make([]string, 10)
	for i := range ids {
		ids[i] = okID
	}
	benchmarkConvert(b, sqsBatch("arn:aws:sqs:eu-west-1:123456789012:q", ids...))
}
func BenchmarkConvertInvoke(b *testing.B) { benchmarkConvert(b, readEvent(b, "ours-invoke.json")) }

func BenchmarkClassify(b *testing.B) {
	payload := readEvent(b, "apigw-request.json")
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if classify(payload) != sourceREST {
			b.Fatal("misclassified")
		}
	}
}
