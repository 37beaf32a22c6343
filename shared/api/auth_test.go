package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/bearer"
	"github.com/entra-tools/reprocess/shared/openapi"
)

// refuseAll is an Authenticator that counts calls and refuses every token.
type refuseAll struct{ calls int }

func (a *refuseAll) Authenticate(*http.Request) (bearer.Principal, error) {
	a.calls++
	return bearer.Principal{}, bearer.ErrMissingToken
}

// TestNeedsToken runs the patterns New registers, with their methods and
// others, and patterns it does not register, through the exemptions the
// route table gives.
func TestNeedsToken(t *testing.T) {
	open := openRoutes(Routes())
	tests := []struct {
		pattern, method string
		want            bool
	}{
		{"/api/assignments/{id}/reprocess", "POST", true},
		{"/api/assignments/{id}", "GET", true},
		{"/api/assignments/{id}", "HEAD", true},
		{"/api/reprocess", "POST", true},
		{"/api/reprocess", "PUT", true}, // its 405
		{"/api/webhooks/{source}", "POST", false},
		{"/api/webhooks/{source}", "GET", false},
		{"/api/swagger.json", "GET", false},
		{"/api/swagger.json", "HEAD", false},
		{"/api/swagger.json", "DELETE", false},
		{"/{$}", "GET", false},
		{"/{$}", "POST", false},
		{"/", "POST", false},                          // the catch-all 404
		{"POST /api/webhooks/{source}", "POST", true}, // not a pattern New registers
		{"/api/{kind}/jobs/run", "POST", true},        // not in the table
	}
	for _, tc := range tests {
		if got := needsToken(open, tc.pattern, tc.method); got != tc.want {
			t.Errorf("needsToken(%q, %s) = %v, want %v", tc.pattern, tc.method, got, tc.want)
		}
	}
}

// The contract's open routes (SPEC: readiness has no auth; AUTH_AUDIENCE
// spares the webhooks and the OpenAPI document) are the table's public ones.
func TestPublicRoutes(t *testing.T) {
	want := []string{"GET /api/swagger.json", "GET /{$}", "POST /api/webhooks/{source}"}
	var got []string
	for _, rt := range Routes() {
		if rt.Public {
			got = append(got, rt.Method+" "+rt.Path)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("public routes = %q, want %q", got, want)
	}
}

// Through the handler New builds: each route, with its method and with a
// wrong one, asks for a token exactly when it is not public.
func TestHandlerAsksForTokensByRoute(t *testing.T) {
	auth := &refuseAll{}
	h := New(Deps{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), RequestTimeout: time.Second, Auth: auth})
	for _, rt := range Routes() {
		target := placeholder.ReplaceAllString(openapi.Path(rt.Path), "x")
		for _, method := range []string{rt.Method, http.MethodPut} {
			before := auth.calls
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(method, target, nil))
			if asked := auth.calls > before; asked == rt.Public {
				t.Errorf("%s %s (route %s %s, public %v): token asked %v, status %d", method, target, rt.Method, rt.Path, rt.Public, asked, w.Code)
			}
		}
	}
}

// A route that is not public keeps its 405 behind the token even when
// another method of its path is public.
func TestOpenRoutesMixedPath(t *testing.T) {
	open := openRoutes([]Route{
		{Method: http.MethodGet, Path: "/api/things", Public: true},
		{Method: http.MethodPost, Path: "/api/things"},
	})
	for method, want := range map[string]bool{"GET": false, "HEAD": false, "POST": true, "PUT": true} {
		if got := needsToken(open, "/api/things", method); got != want {
			t.Errorf("%s /api/things: needsToken = %v, want %v", method, got, want)
		}
	}
}

// The open routes are chosen by the route the mux picks, so an encoded
// slash that makes a path look like an open route's does not open a
// protected one.
func TestAuthenticateDecidesByMatchedRoute(t *testing.T) {
	mux := http.NewServeMux()
	reached := 0
	mux.HandleFunc("/api/{kind}/jobs/run", func(w http.ResponseWriter, r *http.Request) { reached++ })
	mux.HandleFunc("/api/webhooks/{source}", func(w http.ResponseWriter, r *http.Request) { reached++ })
	auth := &refuseAll{}
	h := authenticate(auth, mux, Routes())

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
		mux.HandleFunc("/api/webhooks/{source}", func(w http.ResponseWriter, r *http.Request) { seen = r.Header.Clone() })
		req := httptest.NewRequest(http.MethodPost, "/api/webhooks/github", nil)
		req.Header.Set("X-MS-CLIENT-PRINCIPAL", "e30=")
		req.Header.Set("X-MS-CLIENT-PRINCIPAL-ID", "00000000-0000-0000-0000-000000000001")
		req.Header.Set("X-Ms-Client-Principal-Idp", "aad")
		req.Header.Set("X-Other", "kept")
		authenticate(auth, mux, Routes()).ServeHTTP(httptest.NewRecorder(), req)
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
