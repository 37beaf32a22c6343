package bearer

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// Middleware requires a verified token on every request it wraps and puts
// the Principal in the request context. On failure it sets
// WWW-Authenticate and calls onError, which writes the answer; nil means
// WriteError. Requests never reach next with X-MS-CLIENT-PRINCIPAL* headers.
func (v *Verifier) Middleware(onError func(http.ResponseWriter, *http.Request, error)) func(http.Handler) http.Handler {
	if onError == nil {
		onError = WriteError
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			StripPlatformIdentityHeaders(r.Header)
			p, err := v.Authenticate(r)
			if err != nil {
				if c := Challenge(err); c != "" {
					w.Header().Set("WWW-Authenticate", c)
				}
				onError(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
		})
	}
}

// StripPlatformIdentityHeaders deletes the X-MS-CLIENT-PRINCIPAL* headers
// that App Service authentication would add. We never trust them (anyone
// can send them where that front end is absent), and removing them keeps
// later code from trusting them by accident.
func StripPlatformIdentityHeaders(h http.Header) {
	for name := range h {
		if strings.HasPrefix(strings.ToLower(name), "x-ms-client-principal") {
			delete(h, name)
		}
	}
}

type principalKey struct{}

// NewContext returns a copy of ctx carrying p.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal Middleware verified, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// WriteError is the default onError: the status of HTTPStatus and a body
// in Graph's error shape with a fixed message per outcome.
func WriteError(w http.ResponseWriter, _ *http.Request, err error) {
	status := HTTPStatus(err)
	code, msg := "InternalServerError", "Authentication failed."
	switch status {
	case http.StatusUnauthorized:
		code, msg = "InvalidAuthenticationToken", "A valid bearer token is required."
	case http.StatusForbidden:
		code, msg = "Forbidden", "The caller lacks the required app role."
	case http.StatusServiceUnavailable:
		code, msg = "ServiceUnavailable", "Token signing keys are unavailable; try again shortly."
		w.Header().Set("Retry-After", "30")
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := map[string]map[string]string{"error": {"code": code, "message": msg}}
	_ = json.NewEncoder(w).Encode(body)
}
