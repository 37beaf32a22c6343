package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

func TestAssignmentStatus(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: time.Hour}, nil)
	seeds := s.tenant.Seeds
	tests := []struct {
		name       string
		id         string
		wantStatus int
		wantState  string
	}{
		{"delivered is final", seeds.Delivered[2], http.StatusOK, "delivered"},
		{"delivering is polled again", seeds.Delivering, http.StatusAccepted, "delivering"},
		{"delivery failed is final", seeds.DeliveryFailed, http.StatusOK, "deliveryFailed"},
		{"unknown", seeds.Unknown, http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := s.do(t, http.MethodGet, "/api/assignments/"+tc.id, "")
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if tc.wantState == "" {
				readError(t, resp)
				return
			}
			var body struct {
				ID, State, TargetObjectID, AccessPackageID string
				Final                                      bool
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if body.ID != tc.id || body.State != tc.wantState || body.TargetObjectID == "" || body.AccessPackageID == "" {
				t.Errorf("body = %+v, want id %s, state %s, target and access package", body, tc.id, tc.wantState)
			}
			if body.Final != (tc.wantStatus == http.StatusOK) {
				t.Errorf("final = %v with status %d", body.Final, tc.wantStatus)
			}
			if loc := resp.Header.Get("Location"); (tc.wantStatus == http.StatusAccepted) != (loc != "") {
				t.Errorf("Location = %q with status %d", loc, tc.wantStatus)
			}
		})
	}
}

func TestAsyncPatternFollowsReprocess(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: time.Hour}, nil)
	id := s.tenant.Seeds.Delivered[3]
	resp := s.do(t, http.MethodPost, "/api/assignments/"+id+"/reprocess", "")
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("reprocess status = %d, want 202", resp.StatusCode)
	}
	loc := strings.TrimPrefix(resp.Header.Get("Location"), "http://example.com")
	poll := s.do(t, http.MethodGet, loc, "")
	if poll.StatusCode != http.StatusAccepted {
		t.Errorf("poll status = %d, want 202 while delivering", poll.StatusCode)
	}
}

func TestRequestShapesAndMethods(t *testing.T) {
	s := newStack(t, sandbox.Options{}, nil)
	id := s.tenant.Seeds.Delivered[0]
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantAllow                string
	}{
		{"body with id", http.MethodPost, "/api/reprocess", `{"assignmentId":"` + id + `"}`, http.StatusAccepted, ""},
		{"empty body", http.MethodPost, "/api/reprocess", ``, http.StatusBadRequest, ""},
		{"not JSON", http.MethodPost, "/api/reprocess", `assignmentId=` + id, http.StatusBadRequest, ""},
		{"unknown field", http.MethodPost, "/api/reprocess", `{"assignmentId":"` + id + `","x":1}`, http.StatusBadRequest, ""},
		{"trailing data", http.MethodPost, "/api/reprocess", `{"assignmentId":"` + id + `"}{}`, http.StatusBadRequest, ""},
		{"id not a string", http.MethodPost, "/api/reprocess", `{"assignmentId":42}`, http.StatusBadRequest, ""},
		{"too large", http.MethodPost, "/api/reprocess", `{"assignmentId":"` + strings.Repeat("a", 70<<10) + `"}`, http.StatusRequestEntityTooLarge, ""},
		{"too large on the path route", http.MethodPost, "/api/assignments/" + id + "/reprocess", strings.Repeat(" ", 17<<10), http.StatusRequestEntityTooLarge, ""},
		{"wrong method on reprocess", http.MethodGet, "/api/assignments/" + id + "/reprocess", "", http.StatusMethodNotAllowed, "POST"},
		{"wrong method on status", http.MethodDelete, "/api/assignments/" + id, "", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"wrong method on submit", http.MethodPut, "/api/reprocess", "", http.StatusMethodNotAllowed, "POST"},
		{"unknown route", http.MethodGet, "/api/nothing", "", http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := s.do(t, tc.method, tc.path, tc.body)
			if resp.StatusCode != tc.wantStatus {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tc.wantStatus, b)
			}
			if got := resp.Header.Get("Allow"); got != tc.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tc.wantAllow)
			}
			if tc.wantStatus >= 400 {
				readError(t, resp)
			}
		})
	}
}

func TestReadinessMakesNoRequest(t *testing.T) {
	s := newStack(t, sandbox.Options{}, nil)
	resp := s.do(t, http.MethodGet, "/", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET / status = %d, want 200", resp.StatusCode)
	}
	if n := s.outbound(); n != 0 {
		t.Errorf("GET / made %d outbound requests, want 0", n)
	}
}
