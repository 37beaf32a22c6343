package bearer

import (
	"errors"
	"net/http"
)

// The outcomes of authentication. Map them with HTTPStatus and Challenge.
var (
	// ErrMissingToken: no Authorization header, or not the Bearer scheme.
	ErrMissingToken = errors.New("bearer: no bearer token")
	// ErrInvalidToken: malformed, badly signed, expired, not yet valid, or
	// for another issuer, tenant or audience. The wrapped chain says which.
	ErrInvalidToken = errors.New("bearer: invalid token")
	// ErrTokenTooLarge comes wrapped together with ErrInvalidToken.
	ErrTokenTooLarge = errors.New("bearer: authorization header too large")
	// ErrMissingRole: a valid token without the required app role.
	ErrMissingRole = errors.New("bearer: required app role missing")
	// ErrKeysUnavailable: the tenant's signing keys could not be fetched and
	// none are cached.
	ErrKeysUnavailable = errors.New("bearer: signing keys unavailable")
)

// HTTPStatus is the status for an error from Authenticate: 401, 403 or 503,
// and 500 for anything else.
func HTTPStatus(err error) int {
	switch {
	case errors.Is(err, ErrMissingToken), errors.Is(err, ErrInvalidToken):
		return http.StatusUnauthorized
	case errors.Is(err, ErrMissingRole):
		return http.StatusForbidden
	case errors.Is(err, ErrKeysUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// Challenge is the WWW-Authenticate value for an error from Authenticate
// (RFC 6750 section 3), or "" when none applies.
func Challenge(err error) string {
	switch {
	case errors.Is(err, ErrMissingToken):
		// No error code when the request had no credentials at all.
		return "Bearer"
	case errors.Is(err, ErrInvalidToken):
		return `Bearer error="invalid_token"`
	case errors.Is(err, ErrMissingRole):
		return `Bearer error="insufficient_scope"`
	}
	return ""
}
