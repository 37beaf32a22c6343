package api

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/openapi"
	"github.com/entra-tools/reprocess/shared/openapi/openapitest"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

var update = flag.Bool("update", false, "rewrite infra/power-platform and the pinned documents in testdata from the route table")

const connectorDir = "../../infra/power-platform"

func testHandler() http.Handler {
	return New(Deps{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), RequestTimeout: 5 * time.Second,
		OpenAPI: OpenAPIOptions{TenantID: "5f2b7d9c-3e41-4a8b-9c6d-1e2f3a4b5c6d", AuthorityHost: "https://login.microsoftonline.com/", Audience: "api://reprocess"}})
}

func servedDocument(tb testing.TB, h http.Handler, header http.Header) (map[string]any, []byte) {
	tb.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/swagger.json", nil)
	for k, v := range header {
		req.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		tb.Fatalf("GET /api/swagger.json = %d %s", w.Code, w.Body)
	}
	var doc map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		tb.Fatal(err)
	}
	return doc, w.Body.Bytes()
}

func TestOpenAPIDocumentsEveryRouteAndNothingElse(t *testing.T) {
	doc, _ := servedDocument(t, testHandler(), nil)
	documented := map[string]bool{}
	for p, item := range obj(doc["paths"]) {
		for method := range obj(item) {
			documented[strings.ToUpper(method)+" "+p] = true
		}
	}
	served := map[string]bool{}
	described := openapi.DocumentedOperations()
	for _, rt := range Routes() {
		key := rt.Method + " " + openapi.Path(rt.Path)
		served[key] = true
		if !documented[key] {
			t.Errorf("served route %s is not documented", key)
		}
		if !slices.Contains(described, rt.OperationID) {
			t.Errorf("route %s (%s) has no entry in openapi's ops.go", key, rt.OperationID)
		}
	}
	for key := range documented {
		if !served[key] {
			t.Errorf("documented %s is not served", key)
		}
	}
	for _, id := range described {
		if !slices.ContainsFunc(Routes(), func(rt Route) bool { return rt.OperationID == id }) {
			t.Errorf("openapi's ops.go documents %s, which no route has", id)
		}
	}
}

// TestOpenAPISecurityFollowsPublic: the operations of public routes, and
// only those, override the document's security with none.
func TestOpenAPISecurityFollowsPublic(t *testing.T) {
	doc, _ := servedDocument(t, testHandler(), nil)
	for _, rt := range Routes() {
		op := obj(obj(obj(doc["paths"])[openapi.Path(rt.Path)])[strings.ToLower(rt.Method)])
		sec, overridden := op["security"]
		if anonymous := overridden && len(sec.([]any)) == 0; anonymous != rt.Public {
			t.Errorf("%s %s: security %v (set: %v), public %v", rt.Method, rt.Path, sec, overridden, rt.Public)
		}
	}
}

// The document states the handler's batch limit.
func TestOpenAPIBatchLimit(t *testing.T) {
	doc, _ := servedDocument(t, testHandler(), nil)
	ids := obj(obj(obj(obj(doc["definitions"])["ReprocessRequest"])["properties"])["assignmentIds"])
	if ids["maxItems"] != float64(reprocess.MaxIDs) {
		t.Errorf("ReprocessRequest.assignmentIds.maxItems = %v, want %d", ids["maxItems"], reprocess.MaxIDs)
	}
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

var placeholder = regexp.MustCompile(`\{([^{}]+)\}`)

// TestDocumentedRoutesAreServed sends each documented operation to the
// handler: none may meet the router's 404 or 405. Values are chosen so no
// dependency is called.
func TestDocumentedRoutesAreServed(t *testing.T) {
	h := testHandler()
	doc, _ := servedDocument(t, h, nil)
	for p, item := range obj(doc["paths"]) {
		for method := range obj(item) {
			target := placeholder.ReplaceAllString(p, "not-a-guid")
			t.Run(method+" "+p, func(t *testing.T) {
				req := httptest.NewRequest(strings.ToUpper(method), target, strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				var e struct{ Error struct{ Code string } }
				json.Unmarshal(w.Body.Bytes(), &e)
				if w.Code == http.StatusMethodNotAllowed || e.Error.Code == "NotFound" {
					t.Errorf("%s %s = %d %s: the documented operation is not served", method, target, w.Code, e.Error.Code)
				}
			})
		}
	}
}

func TestOpenAPIIsValidSwagger2(t *testing.T) {
	served, _ := servedDocument(t, testHandler(), nil)
	def, _, err := openapi.PowerPlatformConnector(openAPIRoutes())
	if err != nil {
		t.Fatal(err)
	}
	var connector map[string]any
	if err := json.Unmarshal(def, &connector); err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]map[string]any{"served": served, "connector": connector} {
		for _, p := range openapitest.Problems(doc) {
			t.Errorf("%s document: %s", name, p)
		}
	}
}

func TestServedOpenAPIFollowsTheCaller(t *testing.T) {
	doc, raw := servedDocument(t, testHandler(), http.Header{
		"X-Forwarded-Host": {"reprocess-prod.azurewebsites.net"}, "X-Forwarded-Proto": {"https"},
	})
	if doc["host"] != "reprocess-prod.azurewebsites.net" || doc["basePath"] != "/" || strings.Join(toStrings(doc["schemes"]), ",") != "https" {
		t.Errorf("host %v, basePath %v, schemes %v; want the forwarded host over https", doc["host"], doc["basePath"], doc["schemes"])
	}
	if len(raw) >= 1<<20 {
		t.Errorf("document is %d bytes; Power Platform takes under 1 MB", len(raw))
	}
	// Power Platform uses the first security definition: the function key.
	secDefs := string(raw[bytes.Index(raw, []byte(`"securityDefinitions"`)):])
	if strings.Index(secDefs, `"api_key"`) > strings.Index(secDefs, `"oauth2_entra"`) {
		t.Errorf("the function key is not the first security definition")
	}
	entra := obj(obj(doc["securityDefinitions"])["oauth2_entra"])
	if entra["flow"] != "application" || entra["tokenUrl"] != "https://login.microsoftonline.com/5f2b7d9c-3e41-4a8b-9c6d-1e2f3a4b5c6d/oauth2/v2.0/token" {
		t.Errorf("oauth2_entra = %v, want the application flow with the tenant's token URL", entra)
	}
	withoutAuth := New(Deps{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), RequestTimeout: time.Second})
	doc, _ = servedDocument(t, withoutAuth, nil)
	if _, ok := obj(doc["securityDefinitions"])["oauth2_entra"]; ok || doc["host"] != "example.com" || toStrings(doc["schemes"])[0] != "http" {
		t.Errorf("without AUTH_AUDIENCE: securityDefinitions %v host %v schemes %v", doc["securityDefinitions"], doc["host"], doc["schemes"])
	}
}

// TestServedOpenAPIIsPinned compares the served document, byte for byte,
// with what it was for the same requests when the generator moved to its
// own package. Rewrite the files, after an intended change, with
//
//	go test ./shared/api -run TestServedOpenAPIIsPinned -update
func TestServedOpenAPIIsPinned(t *testing.T) {
	withoutAuth := New(Deps{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), RequestTimeout: time.Second})
	tests := []struct {
		golden  string
		handler http.Handler
		header  http.Header
	}{
		{"swagger-oauth-forwarded.json", testHandler(), http.Header{
			"X-Forwarded-Host": {"reprocess-prod.azurewebsites.net"}, "X-Forwarded-Proto": {"https"}, "X-Forwarded-Prefix": {"/prod/"},
		}},
		{"swagger-key-only.json", withoutAuth, nil},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			_, got := servedDocument(t, tc.handler, tc.header)
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("served document differs from %s (%d bytes, want %d); if intended: go test ./shared/api -run TestServedOpenAPIIsPinned -update",
					path, len(got), len(want))
			}
		})
	}
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

// TestPowerPlatformConnectorIsCurrent fails when the checked-in connector
// files are not what the route table generates. Rewrite them with
//
//	go test ./shared/api -run TestPowerPlatformConnectorIsCurrent -update
func TestPowerPlatformConnectorIsCurrent(t *testing.T) {
	def, props, err := openapi.PowerPlatformConnector(openAPIRoutes())
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{"apiDefinition.swagger.json": def, "apiProperties.json": props} {
		path := filepath.Join(connectorDir, name)
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale (%v); rewrite it: go test ./shared/api -run TestPowerPlatformConnectorIsCurrent -update", path, err)
		}
	}
}

// TestSwaggerCLIValidates checks both documents with swagger-cli (the
// swagger-parser validator), installed once with npm into the user cache.
// It is skipped without npm or with -short; the Go check above still runs.
func TestSwaggerCLIValidates(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: swagger-cli not run")
	}
	bin := swaggerCLI(t)
	served, _ := servedDocument(t, testHandler(), nil)
	def, _, err := openapi.PowerPlatformConnector(openAPIRoutes())
	if err != nil {
		t.Fatal(err)
	}
	servedJSON, _ := json.Marshal(served)
	for name, doc := range map[string][]byte{"served.json": servedJSON, "apiDefinition.swagger.json": def} {
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, bin, "validate", path).CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("swagger-cli validate %s: %v\n%s", name, err, out)
		}
	}
}

func swaggerCLI(t *testing.T) string {
	t.Helper()
	return testkit.NPMTool(t, "@apidevtools/swagger-cli@4", "swagger-cli", "SWAGGER_CLI")
}
