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

// authenticate puts every route behind the bearer check except the public
// ones of the route table (Route.Public): readiness, the signed webhooks
// (their signature is the proof) and the OpenAPI document (connector wizards
// fetch it anonymously). Requests a platform trigger made (queue, SQS,
// direct invoke) were authenticated by the platform.
//
// Which routes are open is decided by the pattern the mux would pick, not by
// the request path, so no spelling of a path can reach a protected handler
// through an open route's rule. The App Service identity headers are
// removed on every route: nothing here trusts them, and nothing later may.
func authenticate(auth Authenticator, mux *http.ServeMux) http.Handler {
	open := openPatterns(Routes())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bearer.StripPlatformIdentityHeaders(r.Header)
		if auth == nil {
			mux.ServeHTTP(w, r)
			return
		}
		_, pattern := mux.Handler(r)
		if !needsToken(open, pattern) {
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
			rec.route = routeOfPattern(pattern)
			writeError(w, r, err)
			return
		}
		mux.ServeHTTP(w, r.WithContext(bearer.NewContext(r.Context(), p)))
	})
}

// openPatterns are the ServeMux patterns, as New registers them, that take
// no bearer token: each public route's "METHOD path"; a path's
// method-not-allowed pattern (the bare path) when every route of that path
// is public; and the catch-all "/", behind which is only the 404.
func openPatterns(routes []Route) map[string]bool {
	open := map[string]bool{"/": true}
	pathOpen := map[string]bool{}
	for _, rt := range routes {
		open[rt.Method+" "+rt.Path] = rt.Public
		if was, seen := pathOpen[rt.Path]; seen {
			pathOpen[rt.Path] = was && rt.Public
		} else {
			pathOpen[rt.Path] = rt.Public
		}
	}
	for p, public := range pathOpen {
		open[p] = public
	}
	return open
}

// needsToken reports whether a request the mux routes to pattern requires a
// bearer token when AUTH_AUDIENCE is set. A pattern the table does not
// know needs one.
func needsToken(open map[string]bool, pattern string) bool {
	return !open[pattern]
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
