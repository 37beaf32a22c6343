package graph

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestParseBatchMapsAnswersToSteps(t *testing.T) {
	// Graph answers in any order; items carry no request-id header, their
	// error bodies do. Shaped after the example in Graph's JSON batching doc.
	body := []byte(`{"responses":[
		{"id":"s3","status":429,"headers":{"Retry-After":"7","Content-Type":"application/json"},
		 "body":{"error":{"code":"TooManyRequests","message":"Too many requests.","innerError":{"date":"2025-02-13T10:17:06","request-id":"rid-3"}}}},
		{"id":"s1","status":202,"headers":{"Cache-Control":"no-cache"}},
		{"id":"s2","status":404,"headers":{"Content-Type":"application/json"},
		 "body":{"error":{"code":"ResourceNotFound","message":"Not found.","innerError":{"request-id":"rid-2"}}}},
		{"id":"s1","status":500,"headers":{}},
		{"id":"unknown","status":202,"headers":{}}
	]}`)
	got, err := ParseBatch(body, []string{"s1", "s2", "s3", "s4"}, "envelope-rid")
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Err != nil || got[0].Result.Status != 202 || got[0].Result.RequestID != "envelope-rid" {
		t.Errorf("s1 = %+v, want 202 with the envelope's request-id (the repeated id ignored)", got[0])
	}
	var ge *Error
	if !errors.As(got[1].Err, &ge) || ge.Status != 404 || ge.Code != "ResourceNotFound" || ge.RequestID != "rid-2" || len(ge.Body) == 0 {
		t.Errorf("s2 = %+v, want Graph's 404 with its body and inner request-id", got[1].Err)
	}
	if !errors.As(got[2].Err, &ge) || ge.Status != 429 || ge.RetryAfter != 7*time.Second {
		t.Errorf("s3 = %+v, want 429 with Retry-After 7s", got[2].Err)
	}
	if !errors.As(got[3].Err, &ge) || ge.Status != 502 || ge.Code != "BatchItemMissing" {
		t.Errorf("s4 = %+v, want a 502 for the missing answer", got[3].Err)
	}
	if _, err := ParseBatch([]byte(`<html>`), []string{"s1"}, ""); err == nil {
		t.Errorf("ParseBatch accepted a body that is not JSON")
	}
}

func TestDeliveredFilterEscapesLiterals(t *testing.T) {
	tests := []struct{ user, pkg, want string }{
		{"1f0e2d3c-4b5a-4697-8877-665544332211", "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea",
			"target/objectId eq '1f0e2d3c-4b5a-4697-8877-665544332211' and accessPackage/id eq '9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea' and state eq 'delivered'"},
		{"x' or 1 eq 1 or 'a", "p''", "target/objectId eq 'x'' or 1 eq 1 or ''a' and accessPackage/id eq 'p''''' and state eq 'delivered'"},
	}
	for _, tc := range tests {
		if got := DeliveredFilter(tc.user, tc.pkg); got != tc.want {
			t.Errorf("DeliveredFilter(%q, %q) = %q, want %q", tc.user, tc.pkg, got, tc.want)
		}
	}
}

func TestItemRetryWait(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	now := time.Now()
	tests := []struct {
		name     string
		err      error
		answers  int
		wantWait time.Duration
		wantOK   bool
	}{
		{"429 with Retry-After", &Error{Status: 429, RetryAfter: 3 * time.Second}, 1, 3 * time.Second, true},
		{"503 without: back-off", &Error{Status: 503}, 2, 2 * time.Second, true},
		{"504", &Error{Status: 504, RetryAfter: time.Second}, 3, time.Second, true},
		{"after the last retry", &Error{Status: 429, RetryAfter: time.Second}, 4, time.Second, false},
		{"past the deadline", &Error{Status: 429, RetryAfter: 9 * time.Second}, 1, 9 * time.Second, false},
		{"404 is final", &Error{Status: 404}, 1, 0, false},
		{"not a Graph answer", errors.New("dial"), 1, 0, false},
	}
	for _, tc := range tests {
		wait, ok := ItemRetryWait(ctx, tc.err, tc.answers, now)
		if ok != tc.wantOK || (ok && wait != tc.wantWait) {
			t.Errorf("%s: itemRetryWait = %v, %v; want %v, %v", tc.name, wait, ok, tc.wantWait, tc.wantOK)
		}
	}
}
