package awslambda

import (
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/entra-tools/reprocess/internal/testkit"
)

// functionURLSampleHeaders are the headers of the function URL events
// captured by aws-lambda-go, as the core must see them.
func functionURLSampleHeaders(traceID string) http.Header {
	return http.Header{
		"Accept":                  {"application/xml"},
		"Accept-Encoding":         {"gzip, deflate"},
		"Content-Type":            {"application/json"},
		"User-Agent":              {"python-requests/2.28.2"},
		"X-Amz-Content-Sha256":    {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		"X-Amz-Date":              {"20230418T170147Z"},
		"X-Amz-Security-Token":    {"security-token"},
		"X-Amzn-Tls-Cipher-Suite": {"ECDHE-RSA-AES128-GCM-SHA256"},
		"X-Amzn-Tls-Version":      {"TLSv1.2"},
		"X-Amzn-Trace-Id":         {traceID},
		"X-Forwarded-For":         {"127.0.0.1"},
		"X-Forwarded-Port":        {"443"},
		"X-Forwarded-Proto":       {"https"},
		"X-Forwarded-Host":        {"lambda-url-id.lambda-url.us-west-2.on.aws"},
	}
}

func TestV2Events(t *testing.T) {
	const id = "0b6b4a8e-6a55-4d8c-9a1e-1f2e3d4c5b6a"
	const urlHost = "lambda-url-id.lambda-url.us-west-2.on.aws"
	iamSample := testkit.Seen{
		Method: "GET", Path: "/my/path", RawQuery: "parameter1=value1&parameter1=value2&parameter2=value",
		RequestURI: "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
		Host:       "id.execute-api.us-east-1.amazonaws.com", RemoteAddr: "IP:0", Proto: "HTTP/1.1",
		Header: http.Header{
			"Header1":           {"value1"},
			"Header2":           {"value2"},
			"Cookie":            {"cookie1; cookie2"},
			"X-Forwarded-Proto": {"https"},
			"X-Forwarded-Host":  {"id.execute-api.us-east-1.amazonaws.com"},
		},
		Body: "{\r\n\t\"a\": 1\r\n}", Info: httpInfo,
	}
	domainOnlyGet := func(trace string) testkit.Seen {
		return testkit.Seen{
			Method: "GET", Path: "/", RequestURI: "/", Host: urlHost, RemoteAddr: "127.0.0.1:0", Proto: "HTTP/1.1",
			Header: functionURLSampleHeaders(trace), Info: httpInfo,
		}
	}
	base64Body := domainOnlyGet("Root=1-643eccfb-7fdecb844a12b4b45645132d")
	base64Body.Method, base64Body.Body = "POST", "<idk/>"
	base64Body.Header.Set("Accept", "*/*")
	base64Body.Header.Set("Content-Type", "idk")
	base64Body.Header.Set("Content-Length", "6")
	base64Body.Header.Set("X-Amz-Content-Sha256", "0ab2082273499eaa495f2196e32d8c794745e58a20a0c93182c59d2165432839")
	withCookies := domainOnlyGet("Root=1-643eccfa-2c6028925c2b249524664087")
	withCookies.Method, withCookies.Path, withCookies.RawQuery = "POST", "/hello", "hello=world&foo=bar"
	withCookies.RequestURI, withCookies.Body = "/hello?hello=world&foo=bar", `{"hello": "world"}`
	for k, v := range map[string]string{
		"Accept": "*/*", "Content-Length": "18", "Cookie": "foo=bar; hello=hello", "Header1": "h1", "Header2": "h1,h2",
		"Header3": "h3", "X-Amz-Date": "20230418T170146Z",
		"X-Amz-Content-Sha256": "5f8f04f6a3a892aaabbddb6cf273894493773960d4a325b105fee46eef4304f1",
	} {
		withCookies.Header.Set(k, v)
	}

	tests := []struct {
		file         string
		src          source
		want         testkit.Seen
		wantLocation string
	}{
		{"apigw-v2-request-no-authorizer.json", sourceHTTPAPI, testkit.Seen{
			Method: "GET", Path: "/", RequestURI: "/", Host: "aaaaaaaaaa.execute-api.us-west-2.amazonaws.com",
			RemoteAddr: "1.2.3.4:0", Proto: "HTTP/1.1",
			Header: http.Header{
				"Accept":            {"*/*"},
				"Content-Length":    {"0"},
				"User-Agent":        {"curl/7.58.0"},
				"X-Amzn-Trace-Id":   {"Root=1-5e9f0c65-1de4d666d4dd26aced652b6c"},
				"X-Forwarded-For":   {"1.2.3.4"},
				"X-Forwarded-Port":  {"443"},
				"X-Forwarded-Proto": {"https"},
				"X-Forwarded-Host":  {"aaaaaaaaaa.execute-api.us-west-2.amazonaws.com"},
			},
			Info: httpInfo,
		}, "https://aaaaaaaaaa.execute-api.us-west-2.amazonaws.com/api/assignments/x"},
		{"apigw-v2-request-iam.json", sourceHTTPAPI, iamSample, "https://id.execute-api.us-east-1.amazonaws.com/api/assignments/x"},
		{"apigw-v2-request-jwt-authorizer.json", sourceHTTPAPI, iamSample, "https://id.execute-api.us-east-1.amazonaws.com/api/assignments/x"},
		{"apigw-v2-request-lambda-authorizer.json", sourceHTTPAPI, iamSample, "https://id.execute-api.us-east-1.amazonaws.com/api/assignments/x"},
		{"ours-httpapi-named-stage.json", sourceHTTPAPI, testkit.Seen{
			Method: "POST", Path: "/api/reprocess", RawQuery: "trace=a%20b&x=1&x=2",
			RequestURI: "/api/reprocess?trace=a%20b&x=1&x=2",
			Host:       "abc123defg.execute-api.eu-west-1.amazonaws.com", RemoteAddr: "198.51.100.23:0", Proto: "HTTP/1.1",
			Header: http.Header{
				"Accept":             {"application/json"},
				"Content-Length":     {"55"},
				"Content-Type":       {"application/json"},
				"Cookie":             {"session=abc; theme=dark"},
				"User-Agent":         {"Azure-Logic-Apps/1.0"},
				"X-Amzn-Trace-Id":    {"Root=1-6749a1b2-0123456789abcdef01234567"},
				"X-Forwarded-For":    {"198.51.100.23"},
				"X-Forwarded-Port":   {"443"},
				"X-Forwarded-Proto":  {"https"},
				"X-Multi":            {"one, two"},
				"X-Forwarded-Host":   {"abc123defg.execute-api.eu-west-1.amazonaws.com"},
				"X-Forwarded-Prefix": {"/dev"},
			},
			Body: `{"assignmentId":"` + id + `"}`, Info: httpInfo,
		}, "https://abc123defg.execute-api.eu-west-1.amazonaws.com/dev/api/assignments/x"},
		{"ours-httpapi-binary-webhook.json", sourceHTTPAPI, testkit.Seen{
			Method: "POST", Path: "/api/webhooks/github", RequestURI: "/api/webhooks/github",
			Host: "hooks.example.org", RemoteAddr: "192.0.2.44:0", Proto: "HTTP/1.1",
			Header: http.Header{
				"Content-Encoding":    {"gzip"},
				"Content-Length":      {"8"},
				"Content-Type":        {"application/json"},
				"X-Forwarded-For":     {"192.0.2.44"},
				"X-Forwarded-Port":    {"443"},
				"X-Forwarded-Proto":   {"https"},
				"X-Github-Event":      {"issues"},
				"X-Hub-Signature-256": {"sha256=0000000000000000000000000000000000000000000000000000000000000000"},
				"X-Forwarded-Host":    {"hooks.example.org"},
			},
			Body: "\x1f\x8b\x08\x00\xff\xfe\x00\x01", Info: httpInfo,
		}, "https://hooks.example.org/api/assignments/x"},
		{"lambda-urls-request.json", sourceFunctionURL, testkit.Seen{
			Method: "POST", Path: "/my/path", RawQuery: "parameter1=value1&parameter1=value2&parameter2=value",
			RequestURI: "/my/path?parameter1=value1&parameter1=value2&parameter2=value",
			Host:       "<url-id>.lambda-url.us-west-2.on.aws", RemoteAddr: "123.123.123.123:0", Proto: "HTTP/1.1",
			Header: http.Header{
				"Header1":           {"value1"},
				"Header2":           {"value1,value2"},
				"Cookie":            {"cookie1; cookie2"},
				"X-Forwarded-Proto": {"https"},
				"X-Forwarded-Host":  {"<url-id>.lambda-url.us-west-2.on.aws"},
			},
			Body: "Hello from client!", Info: httpInfo,
		}, "https://<url-id>.lambda-url.us-west-2.on.aws/api/assignments/x"},
		{"function-url-domain-only-get-request.json", sourceFunctionURL,
			domainOnlyGet("Root=1-643eccfb-4c9be61972302fa41111a443"), "https://" + urlHost + "/api/assignments/x"},
		{"function-url-domain-only-get-request-trailing-slash.json", sourceFunctionURL,
			domainOnlyGet("Root=1-643eccfb-7c4d3f09749a95a044db997a"), "https://" + urlHost + "/api/assignments/x"},
		{"function-url-domain-only-request-with-base64-encoded-body.json", sourceFunctionURL, base64Body, "https://" + urlHost + "/api/assignments/x"},
		{"function-url-request-with-headers-and-cookies-and-text-body.json", sourceFunctionURL, withCookies, "https://" + urlHost + "/api/assignments/x"},
		{"ours-function-url-reprocess.json", sourceFunctionURL, testkit.Seen{
			Method: "POST", Path: "/api/assignments/" + id + "/reprocess", RawQuery: "wait=false",
			RequestURI: "/api/assignments/" + id + "/reprocess?wait=false",
			Host:       "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws", RemoteAddr: "203.0.113.99:0", Proto: "HTTP/1.1",
			Header: http.Header{
				"Accept":                  {"application/json"},
				"Authorization":           {"Bearer redacted"},
				"Content-Length":          {"0"},
				"User-Agent":              {"PowerAutomate/1.0"},
				"X-Amzn-Tls-Cipher-Suite": {"TLS_AES_128_GCM_SHA256"},
				"X-Amzn-Tls-Version":      {"TLSv1.3"},
				"X-Amzn-Trace-Id":         {"Root=1-6749a1b2-89abcdef0123456789abcdef"},
				"X-Forwarded-For":         {"203.0.113.99"},
				"X-Forwarded-Port":        {"443"},
				"X-Forwarded-Proto":       {"https"},
				"X-Forwarded-Host":        {"abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws"},
			},
			Info: httpInfo,
		}, "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/api/assignments/x"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			payload := readEvent(t, tt.file)
			if got := classify(payload); got != tt.src {
				t.Fatalf("classify() = %v, want %v", got, tt.src)
			}
			core := &testkit.RecordingHandler{Reply: acceptedReply}
			out := invoke(t, NewHandler(core, messageCore(), nil, Options{}), payload)
			reportDiff(t, "request", diffSeen(onlyRequest(t, core), tt.want))

			wantHeaders := map[string]string{
				"Content-Type":       "application/json",
				"Location":           tt.wantLocation,
				"Retry-After":        "5",
				"X-Graph-Request-Id": "graph-request-1",
				"Vary":               "Accept, Origin",
			}
			wantCookies := []string{"a=1; Path=/", "b=2; Path=/"}
			if tt.src == sourceFunctionURL {
				var got events.LambdaFunctionURLResponse
				if err := json.Unmarshal(out, &got); err != nil {
					t.Fatalf("response %s: %v", out, err)
				}
				want := events.LambdaFunctionURLResponse{StatusCode: 202, Headers: wantHeaders, Cookies: wantCookies, Body: acceptedBody}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("response = %+v,\nwant %+v", got, want)
				}
				return
			}
			var got events.APIGatewayV2HTTPResponse
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("response %s: %v", out, err)
			}
			want := events.APIGatewayV2HTTPResponse{StatusCode: 202, Headers: wantHeaders, Cookies: wantCookies, Body: acceptedBody}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("response = %+v,\nwant %+v", got, want)
			}
		})
	}
}

func TestStripStage(t *testing.T) {
	const domain = "abc.execute-api.eu-west-1.amazonaws.com"
	tests := []struct {
		path, stage, domain, apiID string
		wantPath, wantPrefix       string
	}{
		{"/dev/api/x", "dev", domain, "abc", "/api/x", "/dev"},
		{"/dev", "dev", domain, "abc", "/", "/dev"},
		{"/devices/x", "dev", domain, "abc", "/devices/x", ""},
		{"/api/x", "$default", domain, "abc", "/api/x", ""},
		{"/dev/api/x", "dev", "api.example.org", "abc", "/dev/api/x", ""}, // custom domain: no stage in the path
		{"/dev/api/x", "dev", domain, "", "/dev/api/x", ""},
	}
	for _, tt := range tests {
		gotPath, gotPrefix := stripStage(tt.path, tt.stage, tt.domain, tt.apiID)
		if gotPath != tt.wantPath || gotPrefix != tt.wantPrefix {
			t.Errorf("stripStage(%q, %q, %q, %q) = %q, %q, want %q, %q",
				tt.path, tt.stage, tt.domain, tt.apiID, gotPath, gotPrefix, tt.wantPath, tt.wantPrefix)
		}
	}
}
