package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"sync"
)

// The OpenAPI 2.0 document is generated from the route table the handler
// serves (routes), so a route cannot be served undocumented or documented
// unserved; openAPIOps adds what a table entry cannot say (bodies, answers).
// Power Automate, Power Apps and Logic Apps custom connectors import only
// OpenAPI 2.0, under 1 MB, and use the first security definition:
// https://learn.microsoft.com/connectors/custom-connectors/define-openapi-definition

// OpenAPIOptions are what the served document needs from the configuration.
type OpenAPIOptions struct {
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

// docTarget is where a generated document points.
type docTarget struct {
	host, basePath string
	schemes        []string
	oauth          *OpenAPIOptions // nil: function key only
}

// openAPI builds the document for target from Routes().
func openAPI(t docTarget) (map[string]any, error) {
	paths := map[string]any{}
	for _, rt := range Routes() {
		op, err := operation(rt)
		if err != nil {
			return nil, err
		}
		p := swaggerPath(rt.Path)
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

func securityDefinitions(o *OpenAPIOptions) map[string]any {
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
func securityRequirement(o *OpenAPIOptions) []any {
	req := []any{map[string]any{securityFunctionKey: []string{}}}
	if o != nil {
		req = append(req, map[string]any{securityEntra: []string{entraScope(*o)}})
	}
	return req
}

func tokenURL(o OpenAPIOptions) string {
	authority := o.AuthorityHost
	if authority == "" {
		authority = "https://login.microsoftonline.com/"
	}
	return strings.TrimSuffix(authority, "/") + "/" + o.TenantID + "/oauth2/v2.0/token"
}

func entraScope(o OpenAPIOptions) string { return strings.TrimSuffix(o.Audience, "/") + "/.default" }

var pathParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)(?:\.\.\.)?\}`)

// swaggerPath turns a ServeMux pattern into an OpenAPI path.
func swaggerPath(pattern string) string {
	p := strings.TrimSuffix(pattern, "{$}")
	return pathParam.ReplaceAllString(p, "{$1}")
}

// operation documents one route: the table's id and summary, its path
// parameters, and the rest from openAPIOps. A route without an entry is
// still documented, with its path parameters as strings and Graph's error
// shape (the drift test fails until it gets one).
func operation(rt Route) (map[string]any, error) {
	doc, ok := openAPIOps[rt.OperationID]
	if !ok {
		doc = opDoc{tag: "Other", description: rt.Summary + ".", pathParams: map[string]any{}}
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
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
	if doc.anonymous {
		op["security"] = []any{}
	}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
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

// openAPIDocument serves the document, pointing at the host the caller used.
func openAPIDocument(d Deps) http.Handler {
	var oauth *OpenAPIOptions
	if d.OpenAPI.Audience != "" {
		o := d.OpenAPI
		oauth = &o
	}
	// Built once (the route table does not change), on the first request:
	// building it here would recurse through routes.
	build := sync.OnceValues(func() (map[string]any, error) { return openAPI(docTarget{oauth: oauth}) })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base, err := build()
		if err != nil {
			writeError(w, r, err)
			return
		}
		scheme, rest, _ := strings.Cut(absoluteURL(r, "/"), "://")
		host, prefix, _ := strings.Cut(rest, "/")
		doc := maps.Clone(base) // only the top level changes per request
		doc["host"], doc["basePath"], doc["schemes"] = host, "/"+prefix, []string{scheme}
		w.Header().Set("Cache-Control", "no-cache")
		writeJSON(w, http.StatusOK, doc)
	})
}

// Power Platform custom connector files, generated from the same document.
const connectorHost = "your-function-app.azurewebsites.net"

// PowerPlatformConnector returns apiDefinition.swagger.json and
// apiProperties.json for a custom connector that calls the function app with
// a function key (Power Platform's connectors cannot use app-only tokens).
func PowerPlatformConnector() (definition, properties []byte, err error) {
	doc, err := openAPI(docTarget{host: connectorHost, basePath: "/", schemes: []string{"https"}})
	if err != nil {
		return nil, nil, err
	}
	doc["info"].(map[string]any)["contact"] = map[string]any{"name": "The function app's owner"}
	if definition, err = json.MarshalIndent(doc, "", "  "); err != nil {
		return nil, nil, err
	}
	props := map[string]any{"properties": map[string]any{
		"capabilities": []string{},
		"connectionParameters": map[string]any{securityFunctionKey: map[string]any{
			"type": "securestring",
			"uiDefinition": map[string]any{
				"displayName": "Function key",
				"description": "A function key of the function app (Azure portal: the function app, App keys).",
				"tooltip":     "Sent as the x-functions-key header",
				"constraints": map[string]any{"tabIndex": 2, "clearText": false, "required": "true"},
			},
		}},
		"iconBrandColor": "#0078D4",
	}}
	if properties, err = json.MarshalIndent(props, "", "  "); err != nil {
		return nil, nil, err
	}
	return append(definition, '\n'), append(properties, '\n'), nil
}
