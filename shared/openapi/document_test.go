package openapi

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/openapi/openapitest"
)

// routes is a table like the handler's, with one route ops.go does not
// describe.
var routes = []Route{
	{Method: "GET", Path: "/{$}", OperationID: "Ready", Summary: "Readiness", Public: true},
	{Method: "POST", Path: "/api/assignments/{id}/reprocess", OperationID: "ReprocessAssignment", Summary: "Reprocess an assignment"},
	{Method: "GET", Path: "/api/assignments/{id}", OperationID: "GetAssignmentStatus", Summary: "Get an assignment's state"},
	{Method: "POST", Path: "/api/webhooks/{source}", OperationID: "ReceiveWebhook", Summary: "Receive a webhook", Public: true},
	{Method: "GET", Path: "/api/things/{rest...}", OperationID: "GetThing", Summary: "Get a thing"},
}

var entra = Options{TenantID: "5f2b7d9c-3e41-4a8b-9c6d-1e2f3a4b5c6d", AuthorityHost: "https://login.microsoftonline.com/", Audience: "api://reprocess/"}

// decoded is doc as a client reads it.
func decoded(tb testing.TB, doc any) map[string]any {
	tb.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		tb.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func newDocument(tb testing.TB, o Options) *Document {
	tb.Helper()
	d, err := New(routes, o)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func TestDocumentIsValidSwagger2(t *testing.T) {
	def, _, err := PowerPlatformConnector(routes)
	if err != nil {
		t.Fatal(err)
	}
	var connector map[string]any
	if err := json.Unmarshal(def, &connector); err != nil {
		t.Fatal(err)
	}
	docs := map[string]map[string]any{
		"with OAuth": decoded(t, newDocument(t, entra).For("reprocess.example", "/", "https")),
		"key only":   decoded(t, newDocument(t, Options{}).For("127.0.0.1:7071", "/", "http")),
		"connector":  connector,
	}
	for name, doc := range docs {
		for _, p := range openapitest.Problems(doc) {
			t.Errorf("%s: %s", name, p)
		}
	}

	// The checker must catch what it claims to.
	broken := decoded(t, newDocument(t, entra).For("reprocess.example", "/", "https"))
	obj(obj(obj(broken["paths"])["/api/assignments/{id}"])["get"])["operationId"] = "Ready"
	obj(broken["definitions"])["BatchAnswer"] = map[string]any{"$ref": "#/definitions/Nothing"}
	if got := openapitest.Problems(broken); len(got) != 2 {
		t.Errorf("Problems of a broken document = %q, want a duplicate operationId and an unresolved $ref", got)
	}
}

func TestPublicRoutesHaveNoSecurity(t *testing.T) {
	doc := decoded(t, newDocument(t, entra).For("reprocess.example", "/", "https"))
	if len(doc["security"].([]any)) != 2 {
		t.Errorf("document security = %v, want the function key or a token", doc["security"])
	}
	for _, rt := range routes {
		op := obj(obj(obj(doc["paths"])[Path(rt.Path)])[strings.ToLower(rt.Method)])
		sec, set := op["security"]
		if anonymous := set && len(sec.([]any)) == 0; anonymous != rt.Public {
			t.Errorf("%s %s: security %v (set: %v), public %v", rt.Method, rt.Path, sec, set, rt.Public)
		}
	}
}

// A route ops.go does not describe is documented from its table entry.
func TestUndescribedRouteIsDocumented(t *testing.T) {
	doc := decoded(t, newDocument(t, Options{}).For("h", "/", "https"))
	op := obj(obj(obj(doc["paths"])["/api/things/{rest}"])["get"])
	params, _ := op["parameters"].([]any)
	if op["operationId"] != "GetThing" || op["description"] != "Get a thing." || len(params) != 1 ||
		obj(params[0])["name"] != "rest" || obj(params[0])["type"] != "string" {
		t.Errorf("undescribed operation = %v", op)
	}
	if slices.Contains(DocumentedOperations(), "GetThing") {
		t.Errorf("DocumentedOperations lists GetThing, which ops.go does not describe")
	}
}

func TestUndescribedPathParameterFails(t *testing.T) {
	_, err := New([]Route{{Method: "POST", Path: "/api/assignments/{id}/{step}", OperationID: "ReprocessAssignment"}}, Options{})
	if err == nil || !strings.Contains(err.Error(), `"step"`) {
		t.Errorf("New with an undescribed path parameter: err = %v", err)
	}
}

func TestForPointsAtTheCaller(t *testing.T) {
	d := newDocument(t, entra)
	a := decoded(t, d.For("a.example", "/", "https"))
	b := decoded(t, d.For("b.example:8080", "/prod/", "http"))
	if a["host"] != "a.example" || a["basePath"] != "/" || a["schemes"].([]any)[0] != "https" {
		t.Errorf("first document: host %v basePath %v schemes %v", a["host"], a["basePath"], a["schemes"])
	}
	if b["host"] != "b.example:8080" || b["basePath"] != "/prod/" || b["schemes"].([]any)[0] != "http" {
		t.Errorf("second document: host %v basePath %v schemes %v", b["host"], b["basePath"], b["schemes"])
	}
	entraDef := obj(obj(a["securityDefinitions"])["oauth2_entra"])
	if entraDef["tokenUrl"] != "https://login.microsoftonline.com/5f2b7d9c-3e41-4a8b-9c6d-1e2f3a4b5c6d/oauth2/v2.0/token" ||
		obj(entraDef["scopes"])["api://reprocess/.default"] == nil {
		t.Errorf("oauth2_entra = %v", entraDef)
	}
	// Power Platform uses the first security definition: the function key.
	raw, _ := json.Marshal(d.For("a.example", "/", "https"))
	defs := raw[bytes.Index(raw, []byte(`"securityDefinitions"`)):]
	if bytes.Index(defs, []byte(`"api_key"`)) > bytes.Index(defs, []byte(`"oauth2_entra"`)) {
		t.Errorf("the function key is not the first security definition")
	}
	keyOnly := decoded(t, newDocument(t, Options{TenantID: entra.TenantID}).For("a.example", "/", "https"))
	if _, ok := obj(keyOnly["securityDefinitions"])["oauth2_entra"]; ok {
		t.Errorf("without an audience the document offers OAuth 2.0")
	}
}

func TestPath(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{"/{$}", "/"},
		{"/api/assignments/{id}/reprocess", "/api/assignments/{id}/reprocess"},
		{"/api/things/{rest...}", "/api/things/{rest}"},
	}
	for _, tc := range tests {
		if got := Path(tc.pattern); got != tc.want {
			t.Errorf("Path(%q) = %q, want %q", tc.pattern, got, tc.want)
		}
	}
}
