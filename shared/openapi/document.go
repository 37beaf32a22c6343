package openapi

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Route is what the document needs of one route of the handler's table.
type Route struct {
	Method, Path string // Path as a ServeMux pattern, e.g. /api/assignments/{id}
	OperationID  string
	Summary      string
	Public       bool // no function key or bearer token: the operation's security is []
}

// Options are what the served document needs from the configuration.
type Options struct {
	TenantID      string // GRAPH_TENANT_ID: the issuer of caller tokens
	AuthorityHost string // e.g. https://login.microsoftonline.com/
	Audience      string // AUTH_AUDIENCE; empty leaves OAuth 2.0 out of the document
}

// Security definition names. The function key comes first (by name, as the
// document's keys are sorted): Power Platform uses the first definition, and
// it does not support OAuth 2.0's client-credentials ("application") flow.
const (
	securityFunctionKey = "api_key"
	securityEntra       = "oauth2_entra"
)

// Document is the document of one route table and configuration, built
// once; For points it at each caller's host.
type Document struct{ base map[string]any }

// New builds the document of routes. It fails when a route has a path
// parameter that ops.go does not describe.
func New(routes []Route, o Options) (*Document, error) {
	var oauth *Options
	if o.Audience != "" {
		oauth = &o
	}
	base, err := build(routes, target{oauth: oauth})
	if err != nil {
		return nil, err
	}
	return &Document{base: base}, nil
}

// For returns the document pointing at host and basePath over schemes, ready
// for encoding/json. Only its top level is its own: the rest is shared by
// every call and must not be changed.
func (d *Document) For(host, basePath string, schemes ...string) map[string]any {
	doc := maps.Clone(d.base)
	doc["host"], doc["basePath"], doc["schemes"] = host, basePath, schemes
	return doc
}

// target is where a generated document points.
type target struct {
	host, basePath string
	schemes        []string
	oauth          *Options // nil: function key only
}

// build writes the document for t from routes.
func build(routes []Route, t target) (map[string]any, error) {
	paths := map[string]any{}
	for _, rt := range routes {
		op, err := operation(rt)
		if err != nil {
			return nil, err
		}
		p := Path(rt.Path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	doc := map[string]any{
		"swagger": "2.0",
		"info": map[string]any{
			"title":   "Entra access package reprocess",
			"version": "1.0",
			"description": "Asks Microsoft Graph to reprocess Microsoft Entra access package assignments " +
				"(re-evaluate and re-apply what they grant): one by id, a batch of up to 1000, a user's delivered assignments " +
				"to an access package, or the assignment of an entitlement-management custom-extension call. " +
				"Errors use Graph's shape {\"error\":{\"code\",\"message\"}}.",
		},
		"host":                t.host,
		"basePath":            t.basePath,
		"schemes":             t.schemes,
		"consumes":            []string{"application/json"},
		"produces":            []string{"application/json"},
		"paths":               paths,
		"definitions":         definitions(),
		"securityDefinitions": securityDefinitions(t.oauth),
		"security":            securityRequirement(t.oauth),
	}
	return doc, nil
}

func securityDefinitions(o *Options) map[string]any {
	defs := map[string]any{securityFunctionKey: map[string]any{
		"type": "apiKey", "in": "header", "name": "x-functions-key",
		"description": "An Azure Functions function key (or host key) of the function app.",
	}}
	if o != nil {
		defs[securityEntra] = map[string]any{
			"type": "oauth2", "flow": "application", "tokenUrl": tokenURL(*o),
			"description": "A Microsoft Entra app-only token for the API's app registration, carrying its app role.",
			"scopes":      map[string]any{entraScope(*o): "The app roles granted to the calling application."},
		}
	}
	return defs
}

// securityRequirement lists the alternatives: the function key, or a token.
func securityRequirement(o *Options) []any {
	req := []any{map[string]any{securityFunctionKey: []string{}}}
	if o != nil {
		req = append(req, map[string]any{securityEntra: []string{entraScope(*o)}})
	}
	return req
}

func tokenURL(o Options) string {
	authority := o.AuthorityHost
	if authority == "" {
		authority = "https://login.microsoftonline.com/"
	}
	return strings.TrimSuffix(authority, "/") + "/" + o.TenantID + "/oauth2/v2.0/token"
}

func entraScope(o Options) string { return strings.TrimSuffix(o.Audience, "/") + "/.default" }

// pathParam is compiled on the first document build, not at every start.
var pathParam = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{([A-Za-z0-9_]+)(?:\.\.\.)?\}`) })

// Path turns a ServeMux pattern's path into the document's path
// ("/{$}" → "/", "{rest...}" → "{rest}").
func Path(pattern string) string {
	p := strings.TrimSuffix(pattern, "{$}")
	return pathParam().ReplaceAllString(p, "{$1}")
}

// DocumentedOperations lists, sorted, the operation ids ops.go describes, so
// the handler's tests can tell a route without documentation (it is still
// documented, from its table entry alone) or documentation without a route.
func DocumentedOperations() []string { return slices.Sorted(maps.Keys(ops())) }

// operation documents one route: the table's id, summary and whether it is
// public, its path parameters, and the rest from ops. A route without an
// entry is still documented, with its path parameters as strings and
// Graph's error shape.
func operation(rt Route) (map[string]any, error) {
	doc, ok := ops()[rt.OperationID]
	if !ok {
		doc = opDoc{tag: "Other", description: rt.Summary + ".", pathParams: map[string]any{}}
		for _, m := range pathParam().FindAllStringSubmatch(rt.Path, -1) {
			doc.pathParams[m[1]] = map[string]any{"name": m[1], "in": "path", "required": true, "type": "string"}
		}
	}
	op := map[string]any{
		"operationId": rt.OperationID,
		"summary":     rt.Summary,
		"description": doc.description,
		"tags":        []string{doc.tag},
		"responses":   doc.responses(),
	}
	if doc.visibility != "" {
		op["x-ms-visibility"] = doc.visibility
	}
	if rt.Public {
		op["security"] = []any{} // overrides the document's: no key, no token
	}
	var params []any
	for _, m := range pathParam().FindAllStringSubmatch(rt.Path, -1) {
		p, ok := doc.pathParams[m[1]]
		if !ok {
			return nil, fmt.Errorf("route %s %s: path parameter %q is not documented", rt.Method, rt.Path, m[1])
		}
		params = append(params, p)
	}
	if doc.body != nil {
		params = append(params, doc.body)
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	return op, nil
}
