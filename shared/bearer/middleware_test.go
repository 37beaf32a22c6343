package bearer

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestMiddleware(t *testing.T) {
	tn := newTenant(t)
	tn.publish("key-a", rsaKeys()[0])
	v := newTestVerifier(t, tn.config())
	now := time.Now()
	valid := mint(t, jwt.SigningMethodRS256, rsaKeys()[0], "key-a", appClaims(tn.issuer(), now))
	noRole := appClaims(tn.issuer(), now)
	delete(noRole, "roles")

	var reached *http.Request
	protected := v.Middleware(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = r
		w.WriteHeader(http.StatusAccepted)
	}))
	tests := []struct {
		name          string
		token         string
		header        map[string]string
		wantStatus    int
		wantChallenge string
		wantCode      string
	}{
		{name: "valid", token: valid, wantStatus: http.StatusAccepted},
		{name: "missing", wantStatus: http.StatusUnauthorized, wantChallenge: "Bearer", wantCode: "InvalidAuthenticationToken"},
		{name: "invalid", token: valid + "x", wantStatus: http.StatusUnauthorized, wantChallenge: `Bearer error="invalid_token"`, wantCode: "InvalidAuthenticationToken"},
		{name: "no role", token: mint(t, jwt.SigningMethodRS256, rsaKeys()[0], "key-a", noRole), wantStatus: http.StatusForbidden, wantChallenge: `Bearer error="insufficient_scope"`, wantCode: "Forbidden"},
		{
			name: "easy auth headers are no credential",
			header: map[string]string{
				"X-MS-CLIENT-PRINCIPAL":      "eyJhdXRoX3R5cCI6ImFhZCIsImNsYWltcyI6W3sidHlwIjoicm9sZXMiLCJ2YWwiOiJSZXByb2Nlc3MuSW52b2tlIn1dfQ==",
				"X-MS-CLIENT-PRINCIPAL-ID":   "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c",
				"X-MS-CLIENT-PRINCIPAL-NAME": "admin@contoso.com",
			},
			wantStatus: http.StatusUnauthorized, wantChallenge: "Bearer", wantCode: "InvalidAuthenticationToken",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reached = nil
			r := request(tt.token)
			for k, val := range tt.header {
				r.Header.Set(k, val)
			}
			w := httptest.NewRecorder()
			protected.ServeHTTP(w, r)
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", w.Code, tt.wantStatus, w.Body)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tt.wantChallenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tt.wantChallenge)
			}
			if tt.wantStatus == http.StatusAccepted {
				p, ok := FromContext(reached.Context())
				if !ok || p.ObjectID != "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c" {
					t.Errorf("principal in context = %+v, %v", p, ok)
				}
				return
			}
			if reached != nil {
				t.Errorf("handler reached on %d", tt.wantStatus)
			}
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != tt.wantCode || body.Error.Message == "" {
				t.Errorf("body = %s (%v), want Graph's error shape with code %s", w.Body, err, tt.wantCode)
			}
			if tt.token != "" && strings.Contains(w.Body.String(), tt.token[:20]) {
				t.Errorf("body echoes the token")
			}
		})
	}
}

func TestMiddlewareStripsEasyAuthHeadersForValidCallers(t *testing.T) {
	tn := newTenant(t)
	tn.publish("key-a", rsaKeys()[0])
	v := newTestVerifier(t, tn.config())
	var got http.Header
	h := v.Middleware(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header }))
	r := request(mint(t, jwt.SigningMethodRS256, rsaKeys()[0], "key-a", appClaims(tn.issuer(), time.Now())))
	r.Header.Set("X-Ms-Client-Principal-Name", "admin@contoso.com")
	r.Header["x-ms-client-principal-idp"] = []string{"aad"} // not canonicalised, as some edges pass it
	h.ServeHTTP(httptest.NewRecorder(), r)
	for name := range got {
		if strings.HasPrefix(strings.ToLower(name), "x-ms-client-principal") {
			t.Errorf("handler saw %s", name)
		}
	}
}

func TestMiddlewareCustomOnError(t *testing.T) {
	tn := newTenant(t)
	v := newTestVerifier(t, tn.config())
	var seen error
	h := v.Middleware(func(w http.ResponseWriter, r *http.Request, err error) {
		seen = err
		w.WriteHeader(HTTPStatus(err))
	})(http.NotFoundHandler())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, request(""))
	if !errors.Is(seen, ErrMissingToken) || w.Code != http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("onError saw %v; status %d, challenge %q", seen, w.Code, w.Header().Get("WWW-Authenticate"))
	}
}

func TestWriteErrorUnavailable(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, request(""), ErrKeysUnavailable)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("status %d, Retry-After %q; want 503 with Retry-After", w.Code, w.Header().Get("Retry-After"))
	}
}

// FuzzBearerToken: arbitrary Authorization values never panic, never pass
// an oversized value on, and return only the package's errors.
func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"Bearer a.b.c", "bearer  x", "Basic x", "Bearer", "Bearer \t", "", "Bearer " + strings.Repeat("a", 9000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		h := http.Header{"Authorization": {value}}
		token, err := bearerToken(h)
		if err != nil {
			if !errors.Is(err, ErrMissingToken) && !errors.Is(err, ErrInvalidToken) {
				t.Errorf("bearerToken(%q) = %v", value, err)
			}
			return
		}
		if token == "" || len(value) > MaxAuthorizationHeader || strings.ContainsAny(token, " \t") {
			t.Errorf("bearerToken(%q) = %q", value, token)
		}
	})
}
