package callback

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/recorder"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

func TestParseCallbackURL(t *testing.T) {
	allowed := []string{".logic.azure.com", "logic.azure.us"}
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://prod-27.westeurope.logic.azure.com:443/workflows/abc/runs/1/actions/A/run?api-version=2016-06-01&sp=%2Fruns&sv=1.0&sig=xyz", true},
		{"https://prod-27.westeurope.logic.azure.com/workflows/abc", true},
		{"https://PROD-27.WestEurope.Logic.Azure.Com/workflows/abc", true},
		{"https://prod-01.usgovvirginia.logic.azure.us/workflows/abc", true},
		{"https://logic.azure.com/workflows/abc", true},
		{"http://prod-27.westeurope.logic.azure.com/workflows/abc", false},
		{"https://prod-27.westeurope.logic.azure.com.evil.example/workflows/abc", false},
		{"https://evillogic.azure.com/workflows/abc", false},
		{"https://evil.example/?next=.logic.azure.com", false},
		{"https://a@prod-27.westeurope.logic.azure.com/workflows/abc", false},
		{"https://prod-27.westeurope.logic.azure.com:8443/workflows/abc", false},
		{"https://prod-27.westeurope.logic.azure.com/workflows/abc#x", false},
		{"https://prod-27.westeurope.logic.azure.com/workflows/abc#", false},
		{"prod-27.westeurope.logic.azure.com/workflows/abc", false},
		{"//prod-27.westeurope.logic.azure.com/workflows/abc", false},
		{"https://", false},
		{"https://10.0.0.1/workflows", false},
		{"https://prod-27.westeurope.logic.azure.com/" + strings.Repeat("a", 2100), false},
	}
	for _, tc := range tests {
		t.Run(reprocess.Truncate(tc.url, 70), func(t *testing.T) {
			u, err := NewSender(nil, allowed).ParseURL(tc.url)
			if (err == nil) != tc.ok {
				t.Fatalf("ParseURL(%q) = %v, %v; want ok %v", tc.url, u, err, tc.ok)
			}
			var p *reprocess.Problem
			if err != nil && (!errors.As(err, &p) || p.Status != http.StatusBadRequest || p.Code != "InvalidCallbackUrl") {
				t.Errorf("error %v is not a 400 InvalidCallbackUrl", err)
			}
			if err != nil && strings.Contains(err.Error(), "sig=") {
				t.Errorf("error %q repeats the URL's signature", err)
			}
		})
	}
}

// Deliver retries a 503 and stops at the first 2xx; the answer's status
// travels in X-Reprocess-Status.
func TestDeliverRetriesThenSucceeds(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if r.Header.Get("X-Reprocess-Status") != "202" || r.Header.Get("X-Graph-Request-Id") != "g1" {
			t.Errorf("callback headers = %v", r.Header)
		}
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL + "/workflows/x?sig=secret")
	s := NewSender(srv.Client().Transport, nil)
	status, err := s.Deliver(context.Background(), u, recorder.Response{Status: 202, Header: http.Header{"X-Graph-Request-Id": {"g1"}}, Body: []byte(`{}`)})
	if err != nil || status != http.StatusOK || calls.Load() != 2 {
		t.Errorf("Deliver = %d, %v after %d calls; want 200 after 2", status, err, calls.Load())
	}
	srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond) // no waiting out the back-off
	defer cancel()
	_, err = s.Deliver(ctx, u, recorder.Response{Status: 202})
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Deliver to a closed server = %v, want an error without the signature", err)
	}
}
