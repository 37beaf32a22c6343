package msgraph

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

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
