package awslambda

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/entra-tools/reprocess/internal/testkit"
)

func TestALBEvents(t *testing.T) {
	sample := func(host, ip, trace string) testkit.Seen {
		return testkit.Seen{
			Method: "GET", Path: "/", RawQuery: "key=hello", RequestURI: "/?key=hello",
			Host: host, RemoteAddr: ip + ":0", Proto: "HTTP/1.1",
			Header: http.Header{
				"Accept":            {"*/*"},
				"Connection":        {"keep-alive"},
				"User-Agent":        {"curl/7.54.0"},
				"X-Amzn-Trace-Id":   {trace},
				"X-Forwarded-For":   {ip},
				"X-Forwarded-Port":  {"80"},
				"X-Forwarded-Proto": {"http"},
				"X-Imforwards":      {"20"},
				"X-Myheader":        {"123"},
				"X-Forwarded-Host":  {host},
			},
			Info: httpInfo,
		}
	}
	const id = "0b6b4a8e-6a55-4d8c-9a1e-1f2e3d4c5b6a"
	const albHost = "reprocess-alb-1234567890.eu-west-1.elb.amazonaws.com"
	tests := []struct {
		file         string
		multi        bool
		want         testkit.Seen
		wantLocation string
	}{
		{"alb-lambda-target-request-multivalue-headers.json", true,
			sample("lambda-test-alb-1234567.us-east-1.elb.amazonaws.com", "72.21.198.67", "Root=1-5c34e7d4-00ca239424b68028d4c56d68"),
			"https://lambda-test-alb-1234567.us-east-1.elb.amazonaws.com/api/assignments/x"},
		{"alb-lambda-target-request-headers-only.json", false,
			sample("lambda-test-alb-1334523864.us-east-1.elb.amazonaws.com", "25.12.198.67", "Root=1-5c34e93e-4dea0086f9763ac0667b115a"),
			"https://lambda-test-alb-1334523864.us-east-1.elb.amazonaws.com/api/assignments/x"},
		{"ours-alb-multivalue-query.json", true, testkit.Seen{
			Method: "GET", Path: "/api/assignments/" + id, RawQuery: "empty=&q=a%20b&q=c%2Bd",
			RequestURI: "/api/assignments/" + id + "?empty=&q=a%20b&q=c%2Bd",
			Host:       albHost, RemoteAddr: "203.0.113.50:0", Proto: "HTTP/1.1",
			Header: http.Header{
				"Accept":            {"application/json"},
				"User-Agent":        {"curl/8.5.0"},
				"X-Amzn-Trace-Id":   {"Root=1-6749a1b2-fedcba9876543210fedcba98"},
				"X-Dup":             {"1", "2"},
				"X-Forwarded-For":   {"198.51.100.1, 203.0.113.50"},
				"X-Forwarded-Port":  {"443"},
				"X-Forwarded-Proto": {"https"},
				"X-Forwarded-Host":  {albHost},
			},
			Info: httpInfo,
		}, "https://" + albHost + "/api/assignments/x"},
		{"ours-alb-single-post.json", false, testkit.Seen{
			Method: "POST", Path: "/api/reprocess", RawQuery: "code=s3cr%2Ft", RequestURI: "/api/reprocess?code=s3cr%2Ft",
			Host: "reprocess.internal.example", RemoteAddr: "203.0.113.60:0", Proto: "HTTP/1.1",
			Header: http.Header{
				"Content-Type":      {"application/json"},
				"X-Forwarded-For":   {"203.0.113.60"},
				"X-Forwarded-Port":  {"80"},
				"X-Forwarded-Proto": {"http"},
				"X-Forwarded-Host":  {"reprocess.internal.example"},
			},
			Body: `{"assignmentId":"` + id + `"}`, Info: httpInfo,
		}, "https://reprocess.internal.example/api/assignments/x"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			core := &testkit.RecordingHandler{Reply: acceptedReply}
			out := invoke(t, NewHandler(core, messageCore(), nil, Options{}), readEvent(t, tt.file))
			reportDiff(t, "request", diffSeen(onlyRequest(t, core), tt.want))

			if !bytes.Contains(out, []byte(`"statusDescription":"202 Accepted"`)) {
				t.Errorf("response %s has no statusDescription 202 Accepted", out)
			}
			var got events.ALBTargetGroupResponse
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("response %s: %v", out, err)
			}
			want := events.ALBTargetGroupResponse{StatusCode: 202, StatusDescription: "202 Accepted", Body: acceptedBody}
			if tt.multi {
				want.MultiValueHeaders = map[string][]string{
					"Content-Type":       {"application/json"},
					"Location":           {tt.wantLocation},
					"Retry-After":        {"5"},
					"X-Graph-Request-Id": {"graph-request-1"},
					"Set-Cookie":         {"a=1; Path=/", "b=2; Path=/"},
					"Vary":               {"Accept", "Origin"},
				}
			} else {
				want.Headers = map[string]string{
					"Content-Type":       "application/json",
					"Location":           tt.wantLocation,
					"Retry-After":        "5",
					"X-Graph-Request-Id": "graph-request-1",
					"Set-Cookie":         "a=1; Path=/",
					"Vary":               "Accept, Origin",
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("response = %+v,\nwant %+v", got, want)
			}
		})
	}
}

func TestALBQueryKeepsEncoding(t *testing.T) {
	tests := []struct {
		name   string
		single map[string]string
		multi  map[string][]string
		want   string
	}{
		{"none", nil, nil, ""},
		{"single", map[string]string{"b": "x%20y", "a": "1"}, nil, "a=1&b=x%20y"},
		{"multi", map[string]string{"ignored": "1"}, map[string][]string{"k": {"1", "%2B"}}, "k=1&k=%2B"},
		{"empty multi map", nil, map[string][]string{}, ""},
	}
	for _, tt := range tests {
		if got := albQuery(tt.single, tt.multi); got != tt.want {
			t.Errorf("albQuery(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
