package api

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/entra-tools/reprocess/shared/bearer"
	"github.com/entra-tools/reprocess/shared/invocation"
)

// Authenticator verifies a caller's Entra bearer token (bearer.Verifier).
// Its errors wrap bearer's sentinels, which outcomeOf maps to 401, 403 or
// 503.
type Authenticator interface {
	Authenticate(r *http.Request) (bearer.Principal, error)
}

// authenticate puts every /api route behind the bearer check, except the
// signed webhooks (their signature is the proof) and the OpenAPI document
// (connector wizards fetch it anonymously). Requests a platform trigger
// made (queue, SQS, direct invoke) were authenticated by the platform.
//
// Which routes are open is decided by the route the mux would pick, not by
// the request path, so no spelling of a path can reach a protected handler
// through an open route's rule. The App Service identity headers are
// removed on every route: nothing here trusts them, and nothing later may.
func authenticate(auth Authenticator, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bearer.StripPlatformIdentityHeaders(r.Header)
		if auth == nil {
			mux.ServeHTTP(w, r)
			return
		}
		_, pattern := mux.Handler(r)
		route := routeOfPattern(pattern)
		if !needsToken(route) {
			mux.ServeHTTP(w, r)
			return
		}
		if info, _ := invocation.FromContext(r.Context()); info.FromPlatform() {
			mux.ServeHTTP(w, r)
			return
		}
		p, err := auth.Authenticate(r)
		rec := recordOf(r)
		if p.ObjectID != "" || p.AppID != "" {
			// Identifiers only: who called (or was refused for a missing role).
			rec.attrs = append(rec.attrs, slog.Group("caller", slog.String("oid", p.ObjectID), slog.String("azp", p.AppID)))
		}
		if err != nil {
			rec.route = route
			writeError(w, r, err)
			return
		}
		mux.ServeHTTP(w, r.WithContext(bearer.NewContext(r.Context(), p)))
	})
}

// needsToken reports whether the route (a ServeMux pattern's path) requires
// a bearer token when AUTH_AUDIENCE is set.
func needsToken(route string) bool {
	switch {
	case route == "/api/swagger.json", strings.HasPrefix(route, "/api/webhooks/"):
		return false
	}
	return strings.HasPrefix(route, "/api/")
}

// routeOfPattern is the path of a ServeMux pattern ("POST /api/x" → "/api/x");
// the catch-all "/" is the unnamed route.
func routeOfPattern(pattern string) string {
	if _, p, ok := strings.Cut(pattern, " "); ok {
		pattern = p
	}
	if pattern == "/" {
		return ""
	}
	return pattern
}
