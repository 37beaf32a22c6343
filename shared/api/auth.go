package api

import (
	"log/slog"
	"net/http"

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
func authenticate(auth Authenticator, mux *http.ServeMux, table []Route) http.Handler {
	open := openRoutes(table)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bearer.StripPlatformIdentityHeaders(r.Header)
		if auth == nil {
			mux.ServeHTTP(w, r)
			return
		}
		_, pattern := mux.Handler(r)
		if !needsToken(open, pattern, r.Method) {
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

// openRoutes says, for each ServeMux pattern New registers (a route's
// path), which of its methods take no bearer token: those of its public
// routes. The catch-all "/", behind which is only the 404, is left out.
func openRoutes(routes []Route) map[string]map[string]bool {
	open := map[string]map[string]bool{}
	for path, rts := range byPath(routes) {
		open[path] = map[string]bool{}
		for _, rt := range rts {
			open[path][rt.Method] = rt.Public
		}
	}
	return open
}

// needsToken reports whether a request with method that the mux routes to
// pattern requires a bearer token when AUTH_AUDIENCE is set. A pattern the
// table does not know needs one; the catch-all's 404 does not. A method the
// path does not serve (its 405) is open only when every method of the path
// is.
func needsToken(open map[string]map[string]bool, pattern, method string) bool {
	if pattern == "/" {
		return false
	}
	methods, ok := open[pattern]
	if !ok {
		return true
	}
	public, ok := methods[method]
	if !ok && method == http.MethodHead {
		public, ok = methods[http.MethodGet]
	}
	if ok {
		return !public
	}
	for _, public := range methods {
		if !public {
			return true
		}
	}
	return len(methods) == 0 // a path without routes is none New registers
}

// routeOfPattern is the route a ServeMux pattern of New names: its path;
// the catch-all "/" is the unnamed route.
func routeOfPattern(pattern string) string {
	if pattern == "/" {
		return ""
	}
	return pattern
}
