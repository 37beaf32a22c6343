package api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/entra-tools/reprocess/shared/bearer"
)

// refuseAll is an Authenticator that counts calls and refuses every token.
type refuseAll struct{ calls int }

func (a *refuseAll) Authenticate(*http.Request) (bearer.Principal, error) {
	a.calls++
	return bearer.Principal{}, bearer.ErrMissingToken
}

func TestNeedsToken(t *testing.T) {
	tests := []struct {
		route string
		want  bool
	}{
		{"/api/assignments/{id}/reprocess", true},
		{"/api/assignments/{id}", true},
		{"/api/reprocess", true},
		{"/api/webhooks/{source}", false},
		{"/api/swagger.json", false},
		{"/{$}", false},
		{"", false}, // the catch-all 404
	}
	for _, tc := range tests {
		if got := needsToken(tc.route); got != tc.want {
			t.Errorf("needsToken(%q) = %v, want %v", tc.route, got, tc.want)
		}
	}
}

// The open routes are chosen by the route the mux picks, so an encoded
// slash that makes a path look like an open route's does not open a
// protected one.
func TestAuthenticateDecidesByMatchedRoute(t *testing.T) {
	mux := http.NewServeMux()
	reached := 0
	mux.HandleFunc("POST /api/{kind}/jobs/run", func(w http.ResponseWriter, r *http.Request) { reached++ })
	mux.HandleFunc("POST /api/webhooks/{source}", func(w http.ResponseWriter, r *http.Request) { reached++ })
	auth := &refuseAll{}
	h := authenticate(auth, mux)

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/api/webhooks%2Fgithub/jobs/run", nil))
	if w.Code != http.StatusUnauthorized || auth.calls != 1 || reached != 0 {
		t.Errorf("encoded slash: status %d, authenticator calls %d, handler reached %d; want 401, 1, 0", w.Code, auth.calls, reached)
	}
	if got := w.Header().Get("WWW-Authenticate"); got != "Bearer" {
		t.Errorf("WWW-Authenticate = %q, want Bearer", got)
	}

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/api/webhooks/github", nil))
	if auth.calls != 1 || reached != 1 {
		t.Errorf("webhook route: authenticator calls %d, handler reached %d; want 1 (unchanged), 1", auth.calls, reached)
	}
}

func TestAuthenticateStripsPlatformIdentityHeaders(t *testing.T) {
	for _, auth := range []Authenticator{nil, &refuseAll{}} {
		var seen http.Header
		mux := http.NewServeMux()
		mux.HandleFunc("POST /api/webhooks/{source}", func(w http.ResponseWriter, r *http.Request) { seen = r.Header.Clone() })
		req := httptest.NewRequest(http.MethodPost, "/api/webhooks/github", nil)
		req.Header.Set("X-MS-CLIENT-PRINCIPAL", "e30=")
		req.Header.Set("X-MS-CLIENT-PRINCIPAL-ID", "00000000-0000-0000-0000-000000000001")
		req.Header.Set("X-Ms-Client-Principal-Idp", "aad")
		req.Header.Set("X-Other", "kept")
		authenticate(auth, mux).ServeHTTP(httptest.NewRecorder(), req)
		if seen == nil {
			t.Fatalf("auth %T: handler not reached", auth)
		}
		for name := range seen {
			if len(name) >= 21 && http.CanonicalHeaderKey(name[:21]) == "X-Ms-Client-Principal" {
				t.Errorf("auth %T: handler saw %s", auth, name)
			}
		}
		if seen.Get("X-Other") != "kept" {
			t.Errorf("auth %T: other headers were removed too", auth)
		}
	}
}
