package graph

import (
	"net/http"
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
		if got := ParseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestNewErrorKeepsGraphBody(t *testing.T) {
	body := []byte(`{"error":{"code":"ResourceNotFound","message":"No assignment.","innerError":{"request-id":"r1"}}}`)
	e := NewError(404, http.Header{"Request-Id": {"r1"}}, body)
	if e.Status != 404 || e.Code != "ResourceNotFound" || e.Message != "No assignment." || e.RequestID != "r1" || string(e.Body) != string(body) {
		t.Errorf("newError = %+v", e)
	}
	html := NewError(502, http.Header{}, []byte("<html>bad gateway</html>"))
	if html.Body != nil || html.Code != "" {
		t.Errorf("a non-Graph body is kept: %+v", html)
	}
}
