package awslambda

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/entra-tools/reprocess/shared/recorder"
)

func TestRecorderKeepsServerSemantics(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	tests := []struct {
		name       string
		method     string
		handler    http.HandlerFunc
		wantStatus int
		wantHeader http.Header
		wantBody   string
		wantB64    bool
	}{
		{"writes nothing", "GET", func(w http.ResponseWriter, r *http.Request) {},
			200, http.Header{}, "", false},
		{"first WriteHeader wins", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(201)
			w.WriteHeader(500)
		}, 201, http.Header{}, "", false},
		{"Write implies 200", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{}`)
			w.WriteHeader(404)
		}, 200, http.Header{"Content-Type": {"application/json"}}, `{}`, false},
		{"headers after WriteHeader are not sent", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("A", "1")
			w.WriteHeader(202)
			w.Header().Set("B", "2")
		}, 202, http.Header{"A": {"1"}}, "", false},
		{"informational status is not final", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(103)
			w.WriteHeader(409)
		}, 409, http.Header{}, "", false},
		{"content type sniffed", "GET", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hello")
		}, 200, http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, "hello", false},
		{"nil content type suppresses sniffing", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil
			w.Write(png)
		}, 200, http.Header{"Content-Type": nil}, base64.StdEncoding.EncodeToString(png), true},
		{"binary body is base64", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Write(png)
		}, 200, http.Header{"Content-Type": {"image/png"}}, base64.StdEncoding.EncodeToString(png), true},
		{"compressed JSON is base64", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write([]byte{0x1f, 0x8b})
		}, 200, http.Header{"Content-Type": {"application/json"}, "Content-Encoding": {"gzip"}}, "H4s=", true},
		{"invalid UTF-8 text is base64", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=latin1")
			w.Write([]byte{'c', 0xe9})
		}, 200, http.Header{"Content-Type": {"text/plain; charset=latin1"}}, "Y+k=", true},
		{"problem+json is text", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			io.WriteString(w, `{"é":1}`)
		}, 200, http.Header{"Content-Type": {"application/problem+json"}}, `{"é":1}`, false},
		{"no body on 204", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(204)
			if _, err := io.WriteString(w, "x"); !errors.Is(err, http.ErrBodyNotAllowed) {
				panic("Write on 204 = " + err.Error())
			}
		}, 204, http.Header{}, "", false},
		{"no body on HEAD", "HEAD", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"a":1}`)
		}, 200, http.Header{"Content-Type": {"application/json"}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := recorder.New()
			tt.handler(w, &http.Request{Method: tt.method})
			resp := w.Result(tt.method)
			body, b64 := encodeBody(resp.Header, resp.Body)
			if resp.Status != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.Status, tt.wantStatus)
			}
			if !reflect.DeepEqual(resp.Header, tt.wantHeader) {
				t.Errorf("header = %v, want %v", resp.Header, tt.wantHeader)
			}
			if body != tt.wantBody || b64 != tt.wantB64 {
				t.Errorf("body = %q (base64 %v), want %q (base64 %v)", body, b64, tt.wantBody, tt.wantB64)
			}
		})
	}
}

// TestEdgeErrorsAreResponses checks that a failure of the edge reaches an
// HTTP caller as an error response in its own shape, never as a function
// error.
func TestEdgeErrorsAreResponses(t *testing.T) {
	panics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Half", "written")
		panic("core bug")
	})
	aborts := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	never := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("core called") })
	tests := []struct {
		name       string
		payload    string
		core       http.Handler
		wantStatus int
		wantCode   string
	}{
		{"REST panic", string(readEvent(t, "apigw-request.json")), panics, 500, codeInternal},
		{"HTTP API panic", string(readEvent(t, "apigw-v2-request-no-authorizer.json")), panics, 500, codeInternal},
		{"function URL abort", string(readEvent(t, "lambda-urls-request.json")), aborts, 500, codeInternal},
		{"ALB panic", string(readEvent(t, "alb-lambda-target-request-multivalue-headers.json")), panics, 500, codeInternal},
		{"REST bad base64", `{"httpMethod":"POST","path":"/","requestContext":{"accountId":"1"},"body":"%%%","isBase64Encoded":true}`, never, 400, codeBadRequest},
		{"HTTP API bad base64", `{"version":"2.0","rawPath":"/","requestContext":{"http":{"method":"POST"}},"body":"%","isBase64Encoded":true}`, never, 400, codeBadRequest},
		{"ALB without method", `{"path":"/","requestContext":{"elb":{"targetGroupArn":"arn"}}}`, never, 400, codeBadRequest},
		{"ALB bad method", `{"httpMethod":"GE T","path":"/","requestContext":{"elb":{"targetGroupArn":"arn"}}}`, never, 400, codeBadRequest},
		{"REST undecodable", `{"httpMethod":"GET","requestContext":{"accountId":"1"},"headers":{"a":5}}`, never, 400, codeBadRequest},
		{"HTTP API control byte in query", `{"version":"2.0","rawPath":"/","rawQueryString":"a=\u0001","requestContext":{"http":{"method":"GET"}}}`, never, 400, codeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := invoke(t, NewHandler(tt.core, messageCore(), nil, Options{}), []byte(tt.payload))
			var got struct {
				StatusCode      int                 `json:"statusCode"`
				Headers         map[string]string   `json:"headers"`
				MultiValue      map[string][]string `json:"multiValueHeaders"`
				Body            string              `json:"body"`
				IsBase64Encoded bool                `json:"isBase64Encoded"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("response %s: %v", out, err)
			}
			if got.StatusCode != tt.wantStatus {
				t.Errorf("statusCode = %d, want %d (%s)", got.StatusCode, tt.wantStatus, out)
			}
			var e struct{ Error *ErrorDetail }
			if json.Unmarshal([]byte(got.Body), &e); e.Error == nil || e.Error.Code != tt.wantCode {
				t.Errorf("body = %s, want error code %s", got.Body, tt.wantCode)
			}
			ct := got.Headers["Content-Type"]
			if ct == "" && len(got.MultiValue["Content-Type"]) == 1 {
				ct = got.MultiValue["Content-Type"][0]
			}
			if ct != "application/json" || got.Headers["X-Half"] != "" || got.MultiValue["X-Half"] != nil {
				t.Errorf("headers = %v / %v, want only Content-Type application/json", got.Headers, got.MultiValue)
			}
		})
	}
}

func TestDefaultStatusPerSource(t *testing.T) {
	silent := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	h := NewHandler(silent, messageCore(), nil, Options{})

	var rest events.APIGatewayProxyResponse
	json.Unmarshal(invoke(t, h, readEvent(t, "apigw-request.json")), &rest)
	var v2 events.APIGatewayV2HTTPResponse
	json.Unmarshal(invoke(t, h, readEvent(t, "apigw-v2-request-no-authorizer.json")), &v2)
	var alb events.ALBTargetGroupResponse
	json.Unmarshal(invoke(t, h, readEvent(t, "alb-lambda-target-request-headers-only.json")), &alb)
	if rest.StatusCode != 200 || v2.StatusCode != 200 || alb.StatusCode != 200 || alb.StatusDescription != "200 OK" {
		t.Errorf("statuses = %d, %d, %d %q, want 200 and \"200 OK\"", rest.StatusCode, v2.StatusCode, alb.StatusCode, alb.StatusDescription)
	}
}

func TestEscapePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/api/assignments/x", "/api/assignments/x"},
		{"", "/"},
		{"api", "/api"},
		{"/a b", "/a%20b"},
		{"/a?b#c", "/a%3Fb%23c"},
		{"/already%20encoded%2F", "/already%20encoded%2F"},
		{"/100%", "/100%25"},
		{"/%zz", "/%25zz"},
		{"/é", "/%C3%A9"},
		{"//double", "//double"},
		{"/sub-delims!$&'()*+,;=:@~", "/sub-delims!$&'()*+,;=:@~"},
	}
	for _, tt := range tests {
		if got := escapePath(tt.in); got != tt.want {
			t.Errorf("escapePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAddHeaders(t *testing.T) {
	tests := []struct {
		name   string
		single map[string]string
		multi  map[string][]string
		want   http.Header
	}{
		{"multi wins", map[string]string{"accept": "b"}, map[string][]string{"accept": {"a", "b"}}, http.Header{"Accept": {"a", "b"}}},
		{"empty multi map", map[string]string{"x-a": "1"}, map[string][]string{}, http.Header{"X-A": {"1"}}},
		{"case variants merge", map[string]string{"content-type": "a", "Content-Type": "a"}, nil, http.Header{"Content-Type": {"a", "a"}}},
	}
	for _, tt := range tests {
		got := http.Header{}
		addHeaders(got, tt.single, tt.multi)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("addHeaders(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestConversionErrorsDoNotLogTheQuery(t *testing.T) {
	var logs strings.Builder
	h := NewHandler(http.NotFoundHandler(), messageCore(), slog.New(slog.NewJSONHandler(&logs, nil)), Options{})
	invoke(t, h, []byte(`{"version":"2.0","rawPath":"/","rawQueryString":"code=s3cret\u0001","requestContext":{"http":{"method":"GET"}}}`))
	if !strings.Contains(logs.String(), "cannot convert") || strings.Contains(logs.String(), "s3cret") {
		t.Errorf("log = %s, want the failure without the query", logs.String())
	}
}
