// Package openapitest checks generated documents against the OpenAPI 2.0
// specification, for the tests of openapi and of the handler that serves
// the document.
package openapitest

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Problems reports, sorted, what makes doc (decoded JSON) an invalid OpenAPI
// 2.0 document: the rules of the specification that a custom-connector
// import or an HTTP + Swagger action trips over.
// https://github.com/OAI/OpenAPI-Specification/blob/main/versions/2.0.md
func Problems(doc map[string]any) []string {
	c := &swaggerChecker{doc: doc, operationIDs: map[string]bool{}}
	c.top()
	c.refs("", doc)
	sort.Strings(c.problems)
	return c.problems
}

type swaggerChecker struct {
	doc          map[string]any
	operationIDs map[string]bool
	problems     []string
}

func (c *swaggerChecker) bad(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func nonEmpty(v any) bool { s, ok := v.(string); return ok && s != "" }

var (
	placeholder = regexp.MustCompile(`\{([^{}]+)\}`)
	statusCode  = regexp.MustCompile(`^[1-5][0-9][0-9]$`)
)

func (c *swaggerChecker) top() {
	d := c.doc
	if d["swagger"] != "2.0" {
		c.bad(`swagger = %v, want "2.0"`, d["swagger"])
	}
	info := obj(d["info"])
	if !nonEmpty(info["title"]) || !nonEmpty(info["version"]) {
		c.bad("info needs title and version")
	}
	if h, ok := d["host"].(string); !ok || h == "" || strings.ContainsAny(h, "/ ") || strings.Contains(h, "://") {
		c.bad("host %v must be a host[:port] without scheme or path", d["host"])
	}
	if bp, ok := d["basePath"].(string); !ok || !strings.HasPrefix(bp, "/") {
		c.bad("basePath %v must start with /", d["basePath"])
	}
	schemes, _ := d["schemes"].([]any)
	if len(schemes) == 0 {
		c.bad("schemes is empty")
	}
	for _, s := range schemes {
		if !slices.Contains([]any{"http", "https", "ws", "wss"}, s) {
			c.bad("scheme %v", s)
		}
	}
	secDefs := obj(d["securityDefinitions"])
	for name, v := range secDefs {
		c.securityDefinition(name, obj(v))
	}
	c.security("top level", d["security"], secDefs)
	paths := obj(d["paths"])
	if len(paths) == 0 {
		c.bad("no paths")
	}
	for p, item := range paths {
		if !strings.HasPrefix(p, "/") {
			c.bad("path %q must start with /", p)
		}
		for method, op := range obj(item) {
			if !slices.Contains([]string{"get", "put", "post", "delete", "options", "head", "patch"}, method) {
				c.bad("%s: %q is not an operation", p, method)
				continue
			}
			c.operation(p, method, obj(op), secDefs)
		}
	}
	for name, def := range obj(d["definitions"]) {
		c.schema("definitions."+name, obj(def))
	}
}

func (c *swaggerChecker) securityDefinition(name string, s map[string]any) {
	switch s["type"] {
	case "basic":
	case "apiKey":
		if !nonEmpty(s["name"]) || (s["in"] != "header" && s["in"] != "query") {
			c.bad("securityDefinitions.%s: apiKey needs name and in header or query", name)
		}
	case "oauth2":
		flow := s["flow"]
		if !slices.Contains([]any{"implicit", "password", "application", "accessCode"}, flow) {
			c.bad("securityDefinitions.%s: flow %v", name, flow)
		}
		if flow != "implicit" && !strings.HasPrefix(fmt.Sprint(s["tokenUrl"]), "https://") {
			c.bad("securityDefinitions.%s: flow %v needs an https tokenUrl", name, flow)
		}
		if (flow == "implicit" || flow == "accessCode") && !nonEmpty(s["authorizationUrl"]) {
			c.bad("securityDefinitions.%s: flow %v needs authorizationUrl", name, flow)
		}
		if _, ok := s["scopes"].(map[string]any); !ok {
			c.bad("securityDefinitions.%s: scopes must be an object", name)
		}
	default:
		c.bad("securityDefinitions.%s: type %v", name, s["type"])
	}
}

func (c *swaggerChecker) security(where string, v any, defs map[string]any) {
	if v == nil {
		return
	}
	reqs, ok := v.([]any)
	if !ok {
		c.bad("%s: security must be an array", where)
		return
	}
	for _, r := range reqs {
		for name, scopes := range obj(r) {
			def := obj(defs[name])
			if def == nil {
				c.bad("%s: security names undefined %q", where, name)
				continue
			}
			if list, _ := scopes.([]any); def["type"] != "oauth2" && len(list) > 0 {
				c.bad("%s: %q is not oauth2 but lists scopes", where, name)
			}
		}
	}
}

func (c *swaggerChecker) operation(p, method string, op map[string]any, secDefs map[string]any) {
	where := method + " " + p
	id, _ := op["operationId"].(string)
	switch {
	case id == "":
		c.bad("%s: no operationId", where)
	case c.operationIDs[id]:
		c.bad("%s: operationId %q is not unique", where, id)
	}
	c.operationIDs[id] = true
	if v, ok := op["x-ms-visibility"]; ok && !slices.Contains([]any{"important", "advanced", "internal", "none"}, v) {
		c.bad("%s: x-ms-visibility %v", where, v)
	}
	c.security(where, op["security"], secDefs)

	inPath := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(p, -1) {
		inPath[m[1]] = true
	}
	seen, bodies := map[string]bool{}, 0
	params, _ := op["parameters"].([]any)
	for _, raw := range params {
		prm := obj(raw)
		name, in := fmt.Sprint(prm["name"]), prm["in"]
		if !nonEmpty(prm["name"]) || !slices.Contains([]any{"query", "header", "path", "formData", "body"}, in) {
			c.bad("%s: parameter %v needs a name and a valid in", where, prm)
			continue
		}
		key := fmt.Sprint(in) + ":" + name
		if seen[key] {
			c.bad("%s: parameter %s twice", where, key)
		}
		seen[key] = true
		switch in {
		case "body":
			bodies++
			if prm["schema"] == nil || prm["type"] != nil {
				c.bad("%s: body parameter needs a schema and no type", where)
			}
		default:
			if !slices.Contains([]any{"string", "number", "integer", "boolean", "array", "file"}, prm["type"]) {
				c.bad("%s: parameter %s needs a primitive type", where, name)
			}
		}
		if in == "path" {
			if prm["required"] != true {
				c.bad("%s: path parameter %s must be required", where, name)
			}
			if !inPath[name] {
				c.bad("%s: path parameter %s is not in the path", where, name)
			}
			delete(inPath, name)
		}
	}
	if bodies > 1 {
		c.bad("%s: %d body parameters", where, bodies)
	}
	for name := range inPath {
		c.bad("%s: {%s} has no path parameter", where, name)
	}
	responses := obj(op["responses"])
	if len(responses) == 0 {
		c.bad("%s: no responses", where)
	}
	for code, raw := range responses {
		r := obj(raw)
		if code != "default" && !statusCode.MatchString(code) {
			c.bad("%s: response code %q", where, code)
		}
		if !nonEmpty(r["description"]) {
			c.bad("%s %s: response needs a description", where, code)
		}
		if s := obj(r["schema"]); s != nil {
			c.schema(where+" "+code, s)
		}
		for h, hv := range obj(r["headers"]) {
			if !slices.Contains([]any{"string", "number", "integer", "boolean", "array"}, obj(hv)["type"]) {
				c.bad("%s %s: header %s needs a type", where, code, h)
			}
		}
	}
}

// schema checks the parts of a Schema Object that tools reject.
func (c *swaggerChecker) schema(where string, s map[string]any) {
	if s == nil {
		c.bad("%s: schema is not an object", where)
		return
	}
	if _, ok := s["$ref"]; ok {
		if len(s) > 1 {
			c.bad("%s: $ref has siblings (they are ignored)", where)
		}
		return
	}
	if t, ok := s["type"]; ok && !slices.Contains([]any{"object", "array", "string", "number", "integer", "boolean", "file"}, t) {
		c.bad("%s: type %v", where, t)
	}
	props := obj(s["properties"])
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			if _, ok := props[fmt.Sprint(r)]; !ok {
				c.bad("%s: required %v is not a property", where, r)
			}
		}
	}
	for name, p := range props {
		c.schema(where+"."+name, obj(p))
	}
	if s["type"] == "array" {
		c.schema(where+"[]", obj(s["items"]))
	}
	if ap, ok := s["additionalProperties"].(map[string]any); ok {
		c.schema(where+"{}", ap)
	}
}

// refs checks that every $ref is a local definition that exists.
func (c *swaggerChecker) refs(where string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			if k == "$ref" {
				name, ok := strings.CutPrefix(fmt.Sprint(child), "#/definitions/")
				if !ok || obj(c.doc["definitions"])[name] == nil {
					c.bad("%s: $ref %v does not resolve", where, child)
				}
				continue
			}
			c.refs(where+"/"+k, child)
		}
	case []any:
		for i, child := range v {
			c.refs(fmt.Sprintf("%s/%d", where, i), child)
		}
	}
}
