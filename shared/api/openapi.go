package api

import (
	"net/http"
	"strings"
	"sync"

	"github.com/entra-tools/reprocess/shared/openapi"
)

// The OpenAPI 2.0 document is generated (package openapi) from the route
// table the handler serves, so a route cannot be served undocumented or
// documented unserved, and the routes the document marks anonymous are the
// ones the bearer check exempts: both read Route.Public.

// OpenAPIOptions are what the served document needs from the configuration.
type OpenAPIOptions = openapi.Options

// openAPIRoutes is the route table as the document needs it.
func openAPIRoutes() []openapi.Route {
	var out []openapi.Route
	for _, rt := range Routes() {
		out = append(out, openapi.Route{Method: rt.Method, Path: rt.Path, OperationID: rt.OperationID, Summary: rt.Summary, Public: rt.Public})
	}
	return out
}

// openAPIDocument serves the document, pointing at the host the caller used.
func openAPIDocument(d Deps) http.Handler {
	// Built once (the route table does not change), on the first request:
	// building it here would recurse through routes.
	build := sync.OnceValues(func() (*openapi.Document, error) { return openapi.New(openAPIRoutes(), d.OpenAPI) })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		doc, err := build()
		if err != nil {
			writeError(w, r, err)
			return
		}
		scheme, rest, _ := strings.Cut(absoluteURL(r, "/"), "://")
		host, prefix, _ := strings.Cut(rest, "/")
		w.Header().Set("Cache-Control", "no-cache")
		writeJSON(w, http.StatusOK, doc.For(host, "/"+prefix, scheme))
	})
}
