package awslambda

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/entra-tools/reprocess/internal/testkit"
)

// restSampleHeaders are the headers of aws-lambda-go's REST API samples as
// the core must see them: canonical keys, Host moved out.
func restSampleHeaders() http.Header {
	return http.Header{
		"Accept":                       {"*/*"},
		"Accept-Encoding":              {"gzip, deflate"},
		"Cache-Control":                {"no-cache"},
		"Cloudfront-Forwarded-Proto":   {"https"},
		"Cloudfront-Is-Desktop-Viewer": {"true"},
		"Cloudfront-Is-Mobile-Viewer":  {"false"},
		"Cloudfront-Is-Smarttv-Viewer": {"false"},
		"Cloudfront-Is-Tablet-Viewer":  {"false"},
		"Cloudfront-Viewer-Country":    {"US"},
		"Content-Type":                 {"application/json"},
		"Headername":                   {"headerValue"},
		"Postman-Token":                {"9f583ef0-ed83-4a38-aef3-eb9ce3f7a57f"},
		"User-Agent":                   {"PostmanRuntime/2.4.5"},
		"Via":                          {"1.1 d98420743a69852491bbdea73f7680bd.cloudfront.net (CloudFront)"},
		"X-Amz-Cf-Id":                  {"pn-PWIJc6thYnZm5P0NMgOUglL1DYtl0gdeJky8tqsg8iS_sgsKD1A=="},
		"X-Forwarded-For":              {"54.240.196.186, 54.182.214.83"},
		"X-Forwarded-Port":             {"443"},
		"X-Forwarded-Proto":            {"https"},
		"X-Forwarded-Host":             {"gy415nuibc.execute-api.us-east-1.amazonaws.com"},
	}
}

func TestRESTEvents(t *testing.T) {
	sample := testkit.Seen{
		Method: "POST", Path: "/hello/world", RawQuery: "name=me", RequestURI: "/hello/world?name=me",
		Host: "gy415nuibc.execute-api.us-east-1.amazonaws.com", RemoteAddr: "192.168.196.186:0", Proto: "HTTP/1.1",
		Header: restSampleHeaders(), Body: "{\r\n\t\"a\": 1\r\n}", Info: httpInfo,
	}
	const id = "0b6b4a8e-6a55-4d8c-9a1e-1f2e3d4c5b6a"
	const host = "abc123defg.execute-api.eu-west-1.amazonaws.com"
	tests := []struct {
		file         string
		want         testkit.Seen
		wantLocation string
	}{
		{"apigw-request.json", sample, "https://gy415nuibc.execute-api.us-east-1.amazonaws.com/api/assignments/x"},
		{"apigw-restapi-openapi-request.json", sample, "https://gy415nuibc.execute-api.us-east-1.amazonaws.com/api/assignments/x"},
		{"ours-rest-stage-base64.json", testkit.Seen{
			Method: "POST", Path: "/api/assignments/" + id + "/reprocess", RawQuery: "note=a+b%26c&x=1&x=2",
			RequestURI: "/api/assignments/" + id + "/reprocess?note=a+b%26c&x=1&x=2",
			Host:       host, RemoteAddr: "203.0.113.7:0", Proto: "HTTP/1.1",
			Header: http.Header{
				"Accept":             {"application/json", "text/plain"},
				"Content-Type":       {"application/json"},
				"Cookie":             {"a=1; b=2"},
				"User-Agent":         {"curl/8.5.0"},
				"X-Forwarded-For":    {"203.0.113.7, 130.176.0.1"},
				"X-Forwarded-Port":   {"443"},
				"X-Forwarded-Proto":  {"https"},
				"X-Forwarded-Host":   {host},
				"X-Forwarded-Prefix": {"/prod"},
			},
			Body: `{"reason":"test"}`, Info: httpInfo,
		}, "https://" + host + "/prod/api/assignments/x"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			core := &testkit.RecordingHandler{Reply: acceptedReply}
			out := invoke(t, NewHandler(core, messageCore(), nil, Options{}), readEvent(t, tt.file))
			reportDiff(t, "request", diffSeen(onlyRequest(t, core), tt.want))

			var got events.APIGatewayProxyResponse
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("response %s: %v", out, err)
			}
			want := events.APIGatewayProxyResponse{
				StatusCode: http.StatusAccepted,
				MultiValueHeaders: map[string][]string{
					"Content-Type":       {"application/json"},
					"Location":           {tt.wantLocation},
					"Retry-After":        {"5"},
					"X-Graph-Request-Id": {"graph-request-1"},
					"Set-Cookie":         {"a=1; Path=/", "b=2; Path=/"},
					"Vary":               {"Accept", "Origin"},
				},
				Body: acceptedBody,
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("response = %+v,\nwant %+v", got, want)
			}
		})
	}
}

func TestRESTQuery(t *testing.T) {
	tests := []struct {
		name   string
		single map[string]string
		multi  map[string][]string
		want   string
	}{
		{"none", nil, nil, ""},
		{"multi wins, re-encoded", map[string]string{"a": "2"}, map[string][]string{"a": {"1", "2"}, "b c": {"d&e=f"}}, "a=1&a=2&b+c=d%26e%3Df"},
		{"single only", map[string]string{"z": "1", "y": "%"}, nil, "y=%25&z=1"},
	}
	for _, tt := range tests {
		if got := restQuery(tt.single, tt.multi); got != tt.want {
			t.Errorf("restQuery(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestStagePrefix(t *testing.T) {
	tests := []struct{ callerPath, path, want string }{
		{"/prod/api/x", "/api/x", "/prod"},
		{"/api/x", "/api/x", ""},
		{"/v1/base/api/x", "/api/x", "/v1/base"},
		{"", "/api/x", ""},
		{"/other", "/api/x", ""},
	}
	for _, tt := range tests {
		if got := stagePrefix(tt.callerPath, tt.path); got != tt.want {
			t.Errorf("stagePrefix(%q, %q) = %q, want %q", tt.callerPath, tt.path, got, tt.want)
		}
	}
}
