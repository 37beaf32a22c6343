package awsjobs

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/entra-tools/reprocess/shared/awscreds"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/sigv4/sigv4test"
)

// A scripted endpoint: answers[i] is the (status, body) of the i-th call;
// every request must be an AWS JSON 1.0 call signed with the session's
// credentials, as DynamoDB requires.
func scripted(t *testing.T, answers ...[2]string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := sigv4test.Verify(r, body, "secret"); err != nil {
			t.Errorf("signature: %v", err)
		}
		if r.Header.Get("Content-Type") != "application/x-amz-json-1.0" || r.Header.Get("X-Amz-Target") == "" {
			t.Errorf("not an AWS JSON 1.0 call: %v", r.Header)
		}
		i := int(n.Add(1)) - 1
		if i >= len(answers) {
			t.Errorf("call %d, only %d scripted", i+1, len(answers))
			w.WriteHeader(500)
			return
		}
		status := map[string]int{"200": 200, "400": 400, "500": 500, "503": 503}[answers[i][0]]
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		io.WriteString(w, answers[i][1])
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func testConfig(endpoint string) Config {
	return Config{Region: "eu-west-1", Table: "t", DynamoDBEndpoint: endpoint,
		Credentials: awscreds.Static("AKID", "secret", "tok")}
}

const throttled = `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}`

// TestClientRetries: the SDK's standard retryer, bounded to three attempts,
// retries throttling and 5xx and nothing else.
func TestClientRetries(t *testing.T) {
	cases := []struct {
		name      string
		answers   [][2]string
		wantCalls int32
		wantErr   bool
	}{
		{"throttled then done", [][2]string{{"400", throttled}, {"200", `{}`}}, 2, false},
		{"5xx three times", [][2]string{{"500", `{}`}, {"503", `{}`}, {"500", `{}`}}, 3, true},
		{"validation error once", [][2]string{{"400", `{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"no"}`}}, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, n := scripted(t, c.answers...)
			err := NewStore(testConfig(srv.URL)).Fail(context.Background(), "j", "r")
			if (err != nil) != c.wantErr || n.Load() != c.wantCalls {
				t.Fatalf("err %v after %d calls; want error %v after %d", err, n.Load(), c.wantErr, c.wantCalls)
			}
			if err != nil && !errors.Is(err, jobs.ErrUnavailable) {
				t.Errorf("%v is not ErrUnavailable", err)
			}
		})
	}
}
