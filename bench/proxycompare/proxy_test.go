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
func benchConvert[E, R any](b *testing.B, file string, proxy func(context.Context, E) (R, error), status func(R) int) {
	payload := event(b, file)
	ctx := lambdaContext()
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		var ev E
		if err := json.Unmarshal(payload, &ev); err != nil {
			b.Fatal(err)
		}
		resp, err := proxy(ctx, ev)
		if err != nil || status(resp) != http.StatusAccepted {
			b.Fatalf("%d %v", status(resp), err)
		}
		if _, err := json.Marshal(resp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConvertHTTPAPI(b *testing.B) {
	benchConvert(b, "ours-httpapi-named-stage.json", httpadapter.NewV2(core).ProxyWithContext,
		func(r events.APIGatewayV2HTTPResponse) int { return r.StatusCode })
}

func BenchmarkConvertREST(b *testing.B) {
	benchConvert(b, "apigw-request.json", httpadapter.New(core).ProxyWithContext,
		func(r events.APIGatewayProxyResponse) int { return r.StatusCode })
}

func BenchmarkConvertALB(b *testing.B) {
	benchConvert(b, "alb-lambda-target-request-multivalue-headers.json", httpadapter.NewALB(core).ProxyWithContext,
		func(r events.ALBTargetGroupResponse) int { return r.StatusCode })
}

// A function URL event has the HTTP API 2.0 shape.
func BenchmarkConvertFunctionURL(b *testing.B) {
	benchConvert(b, "function-url-request-with-headers-and-cookies-and-text-body.json", httpadapter.NewV2(core).ProxyWithContext,
		func(r events.APIGatewayV2HTTPResponse) int { return r.StatusCode })
}
