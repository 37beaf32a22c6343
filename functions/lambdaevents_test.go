package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// eventSource is one way an HTTP request reaches the function on AWS.
type eventSource string

const (
	restAPI     eventSource = "rest-1.0"     // API Gateway REST API, stage prod
	httpAPI     eventSource = "httpapi-2.0"  // API Gateway HTTP API, $default stage
	functionURL eventSource = "function-url" // Lambda function URL, BUFFERED
	alb         eventSource = "alb"          // Application Load Balancer, multi-value headers off
)

var eventSources = []eventSource{restAPI, httpAPI, functionURL, alb}

// The hosts callers use on each source; the core builds Location from them.
var sourceHost = map[eventSource]string{
	restAPI:     "abc123defg.execute-api.eu-west-1.amazonaws.com",
	httpAPI:     "h7k2m9p4q1.execute-api.eu-west-1.amazonaws.com",
	functionURL: "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws",
	alb:         "reprocess.internal.example",
}

// httpEvent is the event source's payload for one caller request, shaped
// like the captured events in shared/awslambda/testdata.
func httpEvent(tb testing.TB, src eventSource, method, path, body string) []byte {
	tb.Helper()
	host := sourceHost[src]
	now := time.Now()
	headers := map[string]string{
		"accept": "application/json", "host": host, "user-agent": "Azure-Logic-Apps/1.0",
		"x-forwarded-for": "203.0.113.7", "x-forwarded-port": "443", "x-forwarded-proto": "https",
	}
	if body != "" {
		headers["content-type"] = "application/json"
	}
	requestID := fmt.Sprintf("%08x-7b61-41e6-9a41-93e8deadbeef", now.UnixNano()&0xffffffff)
	var ev any
	switch src {
	case restAPI:
		multi := map[string][]string{}
		for k, v := range headers {
			multi[k] = []string{v}
		}
		ev = events.APIGatewayProxyRequest{
			Resource: "/{proxy+}", Path: path, HTTPMethod: method, Headers: headers, MultiValueHeaders: multi,
			PathParameters: map[string]string{"proxy": strings.TrimPrefix(path, "/")},
			RequestContext: events.APIGatewayProxyRequestContext{
				AccountID: "123456789012", ResourceID: "x1y2z3", Stage: "prod", RequestID: requestID,
				DomainName: host, DomainPrefix: "abc123defg", Protocol: "HTTP/1.1",
				Identity:     events.APIGatewayRequestIdentity{SourceIP: "203.0.113.7", UserAgent: "Azure-Logic-Apps/1.0"},
				ResourcePath: "/{proxy+}", Path: "/prod" + path, HTTPMethod: method, APIID: "abc123defg",
				RequestTimeEpoch: now.UnixMilli(),
			},
			Body: body,
		}
	case httpAPI, functionURL:
		ctx := events.APIGatewayV2HTTPRequestContext{
			AccountID: "123456789012", APIID: strings.Split(host, ".")[0], DomainName: host, DomainPrefix: strings.Split(host, ".")[0],
			RequestID: requestID, RouteKey: "$default", Stage: "$default", TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: method, Path: path, Protocol: "HTTP/1.1", SourceIP: "203.0.113.7", UserAgent: "Azure-Logic-Apps/1.0",
			},
		}
		if src == functionURL {
			ctx.AccountID, ctx.RouteKey = "anonymous", "$default"
		}
		ev = events.APIGatewayV2HTTPRequest{
			Version: "2.0", RouteKey: "$default", RawPath: path, Headers: headers, RequestContext: ctx, Body: body,
		}
	case alb:
		headers["x-forwarded-port"], headers["x-forwarded-proto"] = "80", "http"
		ev = events.ALBTargetGroupRequest{
			HTTPMethod: method, Path: path, Headers: headers, Body: body,
			RequestContext: events.ALBTargetGroupRequestContext{ELB: events.ELBContext{
				TargetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/reprocess/0123456789abcdef",
			}},
		}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// httpResponse reads the function's answer to an HTTP event: every source's
// response shape has statusCode, headers (and maybe multiValueHeaders) and
// body.
func httpResponse(tb testing.TB, payload []byte) reply {
	tb.Helper()
	var out struct {
		StatusCode        int                 `json:"statusCode"`
		StatusDescription string              `json:"statusDescription"`
		Headers           map[string]string   `json:"headers"`
		MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
		Body              string              `json:"body"`
		IsBase64Encoded   bool                `json:"isBase64Encoded"`
	}
	if err := json.Unmarshal(payload, &out); err != nil || out.StatusCode == 0 {
		tb.Fatalf("the function answered %s, not an HTTP response (%v)", payload, err)
	}
	if out.IsBase64Encoded {
		tb.Fatalf("a JSON answer came base64-encoded: %s", payload)
	}
	h := http.Header{}
	for k, v := range out.Headers {
		h.Set(k, v)
	}
	for k, vs := range out.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	return reply{status: out.StatusCode, header: h, body: []byte(out.Body)}
}

// httpCase is one caller request and what must come of it.
type httpCase struct {
	name, method, path, body string
	wantStatus, wantGraph    int // Graph requests
	wantID                   string
}

func httpCases(seeds sandbox.Seeds) []httpCase {
	return []httpCase{
		{"delivered", http.MethodPost, "/api/assignments/" + seeds.Delivered[0] + "/reprocess", "", 202, 1, seeds.Delivered[0]},
		{"unknown", http.MethodPost, "/api/assignments/" + seeds.Unknown + "/reprocess", "", 404, 1, ""},
		{"hostile", http.MethodPost, "/api/assignments/" + url.PathEscape("../../users") + "/reprocess", "", 400, 0, ""},
		{"hostile body", http.MethodPost, "/api/reprocess", `{"assignmentId":"` + seeds.Delivered[1] + `/../../../users"}`, 400, 0, ""},
	}
}

// checkHTTP asserts what the caller behind src receives, and what reached
// the tenant, for one case whose invocation answered payload.
func checkHTTP(t *testing.T, tenant *sandbox.Tenant, src eventSource, tc httpCase, payload []byte) {
	t.Helper()
	r := httpResponse(t, payload)
	if r.status != tc.wantStatus {
		t.Fatalf("status = %d, want %d (%s)", r.status, tc.wantStatus, r.body)
	}
	if got := tenant.Count(sandbox.Graph); got != tc.wantGraph {
		t.Errorf("Graph requests = %d, want %d", got, tc.wantGraph)
	}
	if tc.wantGraph == 0 {
		if n := tenant.Count(sandbox.KeyVault) + tenant.Count(sandbox.Entra) + tenant.Count(sandbox.STS); n != 0 {
			t.Errorf("a refused request made %d Key Vault, Entra or STS requests", n)
		}
		if h := r.header.Get("X-Graph-Request-Id"); h != "" {
			t.Errorf("X-Graph-Request-Id = %q without a Graph call", h)
		}
	} else if r.header.Get("X-Graph-Request-Id") == "" {
		t.Errorf("X-Graph-Request-Id is missing")
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want JSON", ct)
	}
	if tc.wantStatus == http.StatusAccepted {
		var ok struct {
			AssignmentID string `json:"assignmentId"`
		}
		if json.Unmarshal(r.body, &ok) != nil || ok.AssignmentID != tc.wantID {
			t.Errorf("202 body %s does not name %s", r.body, tc.wantID)
		}
		scheme := "https://"
		if src == alb {
			scheme = "http://"
		}
		if loc := r.header.Get("Location"); !strings.HasPrefix(loc, scheme+sourceHost[src]+"/") {
			t.Errorf("Location = %q, want it on %s%s", loc, scheme, sourceHost[src])
		}
		return
	}
	var e errorShape
	if json.Unmarshal(r.body, &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Errorf("error body %s is not Graph's shape", r.body)
	}
}

// sqsMessage is one record of a mixed batch and whether SQS must retry it.
type sqsMessage struct {
	id, body  string
	wantRetry bool
}

// sqsBatch is the event Lambda's SQS poller sends for msgs.
func sqsBatch(tb testing.TB, msgs []sqsMessage) []byte {
	tb.Helper()
	var ev events.SQSEvent
	for _, m := range msgs {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId: m.id, ReceiptHandle: "AQEB" + m.id, Body: m.body, EventSource: "aws:sqs",
			EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:reprocess-requests", AWSRegion: "eu-west-1",
			Attributes: map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": fmt.Sprint(time.Now().UnixMilli())},
		})
	}
	b, err := json.Marshal(ev)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// mixedBatch sets Graph up so that exactly the records marked wantRetry
// fail transiently.
func mixedBatch(tenant *sandbox.Tenant) []sqsMessage {
	s := tenant.Seeds
	const outage = "5f0c0de5-0000-4000-8000-000000000503"
	tenant.Graph.Fail(s.Delivered[3], 429, 10, time.Minute)
	tenant.Graph.Fail(outage, 503, 10, time.Minute)
	return []sqsMessage{
		{"m-delivered", `{"assignmentId":"` + s.Delivered[1] + `"}`, false},
		{"m-bare-id", s.Delivered[2], false},
		{"m-unknown", `{"assignmentId":"` + s.Unknown + `"}`, false},
		{"m-not-delivered", `{"assignmentId":"` + s.Expired + `"}`, false},
		{"m-hostile", `{"assignmentId":"../../users"}`, false},
		{"m-no-id", `{"id":1}`, false},
		{"m-throttled", `{"assignmentId":"` + s.Delivered[3] + `"}`, true},
		{"m-graph-down", `"` + outage + `"`, true},
	}
}

// checkBatch asserts the batch answer lists exactly the transient failures.
func checkBatch(t *testing.T, tenant *sandbox.Tenant, msgs []sqsMessage, payload []byte) {
	t.Helper()
	var out events.SQSEventResponse
	if err := json.Unmarshal(payload, &out); err != nil {
		t.Fatalf("batch answer %s: %v", payload, err)
	}
	var got, want []string
	for _, f := range out.BatchItemFailures {
		got = append(got, f.ItemIdentifier)
	}
	for _, m := range msgs {
		if m.wantRetry {
			want = append(want, m.id)
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("batchItemFailures = %v, want exactly %v", got, want)
	}
	s := tenant.Seeds
	if tenant.Graph.Reprocessed(s.Delivered[1]) != 1 || tenant.Graph.Reprocessed(s.Delivered[2]) != 1 {
		t.Errorf("the two good messages were not both reprocessed")
	}
}

// checkInvoke asserts a direct invocation's answer.
func checkInvoke(t *testing.T, payload []byte, wantID string, wantStatus int) {
	t.Helper()
	var out struct {
		AssignmentID   string `json:"assignmentId"`
		Status         int    `json:"status"`
		GraphRequestID string `json:"graphRequestId"`
		Error          *struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(payload, &out); err != nil {
		t.Fatalf("invoke answer %s: %v", payload, err)
	}
	if out.AssignmentID != wantID || out.Status != wantStatus {
		t.Errorf("invoke answer %s, want %s with status %d", payload, wantID, wantStatus)
	}
	if (wantStatus == 202) != (out.Error == nil) || (wantStatus == 202 && out.GraphRequestID == "") {
		t.Errorf("invoke answer %s: error or graphRequestId does not fit status %d", payload, wantStatus)
	}
}
