package awssts

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/awscreds"
	"github.com/entra-tools/reprocess/shared/sigv4/sigv4test"
)

var lambdaCreds = struct{ AccessKeyID, SecretAccessKey, SessionToken string }{
	AccessKeyID:     "ASIAEXAMPLEEXAMPLE01",
	SecretAccessKey: "lambda/secret/EXAMPLEKEYEXAMPLEKEY0001",
	SessionToken:    "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN==",
}

// fakeSTS is an STS regional endpoint that checks what a real one checks of
// a GetWebIdentityToken call, the SigV4 signature first.
type fakeSTS struct {
	tb       testing.TB
	clock    *clock
	status   int
	response string
	calls    atomic.Int32
	gate     chan struct{} // when set, each call waits for it
}

func newFakeSTS(tb testing.TB, c *clock) (*fakeSTS, *httptest.Server) {
	f := &fakeSTS{tb: tb, clock: c, status: 200, response: readTestdata(tb, "get-web-identity-token-response.xml")}
	srv := httptest.NewServer(f)
	tb.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeSTS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	if f.gate != nil {
		<-f.gate
	}
	now := f.clock.Now()
	body, _ := io.ReadAll(r.Body)
	problem := func(format string, args ...any) {
		f.tb.Errorf("STS request: "+format, args...)
		w.WriteHeader(http.StatusBadRequest)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		problem("%s %s, want POST /", r.Method, r.URL.Path)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded; charset=utf-8" {
		problem("Content-Type %q", ct)
		return
	}
	if err := sigv4test.Verify(r, body, lambdaCreds.SecretAccessKey); err != nil {
		problem("signature: %v", err)
		return
	}
	auth := r.Header.Get("Authorization")
	wantScope := "Credential=" + lambdaCreds.AccessKeyID + "/" + now.UTC().Format("20060102") + "/eu-west-1/sts/aws4_request,"
	if !strings.Contains(auth, wantScope) || !strings.Contains(auth, "x-amz-security-token") {
		problem("Authorization %q lacks scope %q or the signed session token", auth, wantScope)
		return
	}
	if got := r.Header.Get("X-Amz-Security-Token"); got != lambdaCreds.SessionToken {
		problem("X-Amz-Security-Token %q", got)
		return
	}
	if got := r.Header.Get("X-Amz-Date"); got != now.UTC().Format("20060102T150405Z") {
		problem("X-Amz-Date %q", got)
		return
	}
	form, err := url.ParseQuery(string(body))
	want := url.Values{
		"Action": {"GetWebIdentityToken"}, "Version": {"2011-06-15"}, "Audience.member.1": {AzureADAudience},
		"SigningAlgorithm": {"RS256"}, "DurationSeconds": {"300"},
	}
	if err != nil || form.Encode() != want.Encode() {
		problem("form %q, want %q", body, want.Encode())
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(f.status)
	// Like STS, the token expires DurationSeconds after it is issued.
	io.WriteString(w, strings.Replace(f.response, "2026-11-29T10:20:00Z", now.Add(5*time.Minute).Format(time.RFC3339), 1))
}

func readTestdata(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var issued = time.Date(2026, 11, 29, 10, 15, 0, 0, time.UTC) // the testdata token expires 10:20

func newSource(tb testing.TB, endpoint string, now func() time.Time) *TokenSource {
	tb.Helper()
	ts, err := NewTokenSource(Config{
		Region: "eu-west-1", EndpointURLSTS: endpoint,
		Credentials: awscreds.Static(lambdaCreds.AccessKeyID, lambdaCreds.SecretAccessKey, lambdaCreds.SessionToken),
		HTTPClient:  &http.Client{Timeout: 10 * time.Second}, Now: now,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return ts
}

func TestTokenIsFetchedSignedAndCached(t *testing.T) {
	c := &clock{t: issued}
	sts, srv := newFakeSTS(t, c)
	ts := newSource(t, srv.URL, c.Now)
	wantToken := readTestdata(t, "get-web-identity-token-response.xml")
	wantToken = wantToken[strings.Index(wantToken, "eyJ"):strings.Index(wantToken, "</WebIdentityToken>")]

	steps := []struct {
		at        time.Time
		wantCalls int32
	}{
		{issued, 1},
		{issued.Add(3 * time.Minute), 1},             // 2 min left: cached
		{issued.Add(4*time.Minute - time.Second), 1}, // just over 1 min left: cached
		{issued.Add(4 * time.Minute), 2},             // 1 min left: refreshed
		{issued.Add(4*time.Minute + time.Second), 2}, // the new token is cached again
		{issued.Add(4*time.Minute + 5*time.Second), 2},
	}
	for _, s := range steps {
		c.Set(s.at)
		got, err := ts.Token(context.Background())
		if err != nil {
			t.Fatalf("Token() at %v: %v", s.at.Format(time.TimeOnly), err)
		}
		if got != wantToken {
			t.Errorf("Token() = %q, want the token of the response", got)
		}
		if n := sts.calls.Load(); n != s.wantCalls {
			t.Errorf("at %v: STS calls = %d, want %d", s.at.Format(time.TimeOnly), n, s.wantCalls)
		}
	}
}

func TestConcurrentCallersShareOneCall(t *testing.T) {
	c := &clock{t: issued}
	sts, srv := newFakeSTS(t, c)
	sts.gate = make(chan struct{})
	ts := newSource(t, srv.URL, c.Now)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := ts.Token(context.Background()); err != nil {
				t.Errorf("Token() error = %v", err)
			}
		})
	}
	for sts.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(sts.gate)
	wg.Wait()
	if n := sts.calls.Load(); n != 1 {
		t.Errorf("STS calls = %d, want 1", n)
	}
}

func TestWaitingCallerHonoursItsContext(t *testing.T) {
	c := &clock{t: issued}
	sts, srv := newFakeSTS(t, c)
	sts.gate = make(chan struct{})
	defer close(sts.gate)
	ts := newSource(t, srv.URL, c.Now)
	go ts.Token(context.Background()) // holds the lock inside the STS call
	for sts.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ts.Token(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Token() error = %v, want context.Canceled", err)
	}
}

func TestSTSErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		response string
		want     *APIError // nil: any non-API error
	}{
		{"documented error response", 403, readTestdata(t, "error-response.xml"), &APIError{
			StatusCode: 403, Code: "OutboundWebIdentityFederationDisabledException",
			Message:   "Outbound web identity federation is not enabled for this account.",
			RequestID: "9d0b2a77-1c1e-4e4b-8f9a-0123456789ab",
		}},
		{"not XML", 503, "Service Unavailable", &APIError{StatusCode: 503}},
		{"200 without a token", 200, "<GetWebIdentityTokenResponse/>", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: issued}
			sts, srv := newFakeSTS(t, c)
			sts.status, sts.response = tt.status, tt.response
			ts := newSource(t, srv.URL, c.Now)
			for range 2 { // errors are not cached
				_, err := ts.Token(context.Background())
				var apiErr *APIError
				switch {
				case err == nil:
					t.Fatal("Token() error = nil")
				case tt.want != nil && (!errors.As(err, &apiErr) || *apiErr != *tt.want):
					t.Errorf("Token() error = %#v, want %#v", err, tt.want)
				case strings.Contains(err.Error(), lambdaCreds.SecretAccessKey) || strings.Contains(err.Error(), lambdaCreds.SessionToken):
					t.Errorf("error %q shows a credential", err)
				}
			}
			if n := sts.calls.Load(); n != 2 {
				t.Errorf("STS calls = %d, want 2", n)
			}
		})
	}
}

func TestMissingExpirationFallsBackToTheAskedLifetime(t *testing.T) {
	c := &clock{t: issued}
	sts, srv := newFakeSTS(t, c)
	sts.response = strings.Replace(sts.response, "<Expiration>2026-11-29T10:20:00Z</Expiration>", "", 1)
	ts := newSource(t, srv.URL, c.Now)
	for _, at := range []time.Duration{0, 3*time.Minute + 59*time.Second, 4 * time.Minute} {
		c.Set(issued.Add(at))
		if _, err := ts.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := sts.calls.Load(); n != 2 {
		t.Errorf("STS calls = %d, want 2 (expiry taken as issue time + 5m)", n)
	}
}

func TestResolveEndpoint(t *testing.T) {
	tests := []struct {
		sts, any, region, want string
		wantErr                bool
	}{
		{"", "", "eu-west-1", "https://sts.eu-west-1.amazonaws.com/", false},
		{"", "", "cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn/", false},
		{"", "http://127.0.0.1:4566", "eu-west-1", "http://127.0.0.1:4566/", false},
		{"https://sts-fips.us-east-1.amazonaws.com", "http://127.0.0.1:4566", "us-east-1", "https://sts-fips.us-east-1.amazonaws.com/", false},
		{"ftp://x", "", "eu-west-1", "", true},
		{"sts.example", "", "eu-west-1", "", true},
	}
	for _, tt := range tests {
		got, err := resolveEndpoint(tt.sts, tt.any, tt.region)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("resolveEndpoint(%q, %q, %q) = %q, %v; want %q, error %v", tt.sts, tt.any, tt.region, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestNewTokenSourceReportsEveryProblem(t *testing.T) {
	_, err := NewTokenSource(Config{Duration: 2 * time.Hour, EndpointURL: "::"})
	if err == nil {
		t.Fatal("NewTokenSource() error = nil")
	}
	for _, want := range []string{"region", "access key", "HTTP client", "duration", "endpoint"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}
