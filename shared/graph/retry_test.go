package graph

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"5", 5 * time.Second},
		{" 41 ", 41 * time.Second},
		{"-3", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tc := range tests {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRetryFitsTheDeadline(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name       string
		left       time.Duration // until the deadline; 0 = no deadline
		retryAfter string
		attempt    int
		want       bool
	}{
		{"short wait, long deadline", 25 * time.Second, "1", 0, true},
		{"wait longer than the deadline", 25 * time.Second, "30", 0, false},
		{"wait fits but leaves no headroom", 5 * time.Second, "4", 0, false},
		{"no Retry-After: back-off fits", 25 * time.Second, "", 2, true},
		{"no Retry-After: back-off does not fit", 3 * time.Second, "", 1, false},
		{"no deadline", 0, "3600", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.left > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, now.Add(tc.left))
				defer cancel()
			}
			req := httptest.NewRequestWithContext(ctx, http.MethodPost, "https://graph.microsoft.com/v1.0/x", nil)
			resp := &http.Response{StatusCode: 429, Header: http.Header{}}
			if tc.retryAfter != "" {
				resp.Header.Set("Retry-After", tc.retryAfter)
			}
			if got := retryFits(req, resp, tc.attempt, now); got != tc.want {
				t.Errorf("retryFits = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNewErrorKeepsGraphBody(t *testing.T) {
	body := []byte(`{"error":{"code":"ResourceNotFound","message":"No assignment.","innerError":{"request-id":"r1"}}}`)
	e := newError(404, http.Header{"Request-Id": {"r1"}}, body)
	if e.Status != 404 || e.Code != "ResourceNotFound" || e.Message != "No assignment." || e.RequestID != "r1" || string(e.Body) != string(body) {
		t.Errorf("newError = %+v", e)
	}
	html := newError(502, http.Header{}, []byte("<html>bad gateway</html>"))
	if html.Body != nil || html.Code != "" {
		t.Errorf("a non-Graph body is kept: %+v", html)
	}
}
