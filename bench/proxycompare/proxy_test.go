package proxycompare

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// core is shared/awslambda's benchmark core: it reads the body and answers
// 202 with two headers and a short JSON body.
var core = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Graph-Request-Id", "graph-1")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"assignmentId":"x","status":"accepted"}`)
})

func event(b *testing.B, name string) []byte {
	payload, err := os.ReadFile(filepath.Join("..", "..", "shared", "awslambda", "testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	return payload
}

func lambdaContext() context.Context {
	return lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "8f507cfc-example-request-id"})
}

// Both ways, as the product's benchmark measures them: the event's JSON in,
// the response event's JSON out.

func BenchmarkConvertHTTPAPI(b *testing.B) {
	payload := event(b, "ours-httpapi-named-stage.json")
	adapter := httpadapter.NewV2(core)
	ctx := lambdaContext()
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			b.Fatal(err)
		}
		resp, err := adapter.ProxyWithContext(ctx, ev)
		if err != nil || resp.StatusCode != http.StatusAccepted {
			b.Fatalf("%d %v", resp.StatusCode, err)
		}
		if _, err := json.Marshal(resp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConvertREST(b *testing.B) {
	payload := event(b, "apigw-request.json")
	adapter := httpadapter.New(core)
	ctx := lambdaContext()
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			b.Fatal(err)
		}
		resp, err := adapter.ProxyWithContext(ctx, ev)
		if err != nil || resp.StatusCode != http.StatusAccepted {
			b.Fatalf("%d %v", resp.StatusCode, err)
		}
		if _, err := json.Marshal(resp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConvertALB(b *testing.B) {
	payload := event(b, "alb-lambda-target-request-multivalue-headers.json")
	adapter := httpadapter.NewALB(core)
	ctx := lambdaContext()
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		var ev events.ALBTargetGroupRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			b.Fatal(err)
		}
		resp, err := adapter.ProxyWithContext(ctx, ev)
		if err != nil || resp.StatusCode != http.StatusAccepted {
			b.Fatalf("%d %v", resp.StatusCode, err)
		}
		if _, err := json.Marshal(resp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConvertFunctionURL(b *testing.B) {
	payload := event(b, "function-url-request-with-headers-and-cookies-and-text-body.json")
	adapter := httpadapter.NewV2(core)
	ctx := lambdaContext()
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		var ev events.APIGatewayV2HTTPRequest // a function URL event has the HTTP API 2.0 shape
		if err := json.Unmarshal(payload, &ev); err != nil {
			b.Fatal(err)
		}
		resp, err := adapter.ProxyWithContext(ctx, ev)
		if err != nil || resp.StatusCode != http.StatusAccepted {
			b.Fatalf("%d %v", resp.StatusCode, err)
		}
		if _, err := json.Marshal(resp); err != nil {
			b.Fatal(err)
		}
	}
}
