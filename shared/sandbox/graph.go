package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/entra-tools/reprocess/shared/sleep"
)

// GraphServer emulates the Microsoft Graph v1.0 routes the project calls:
// entitlement-management assignments (get, list, reprocess), access
// packages and catalogs, users, group membership checks and JSON batching, with Graph's headers, error bodies and throttling.
type GraphServer struct {
	t *Tenant

	mu          sync.Mutex
	assignments map[string]*assignment // by lowercase id
	order       []string               // ids in insertion order, for listing
	users       map[string]*User       // by lowercase object id and lowercase UPN
	packages    map[string]AccessPackage
	catalogs    map[string]Catalog
	groups      map[string]map[string]struct{} // lowercase group id → lowercase member object ids
	pageSize    int                            // of lists; 0: defaultPageSize
	reprocessed map[string]int
	faultState
	delayed atomic.Int64 // requests held by SetLatency right now
}

func newGraphServer(t *Tenant) *GraphServer {
	return &GraphServer{
		t: t, assignments: map[string]*assignment{}, users: map[string]*User{},
		packages: map[string]AccessPackage{}, catalogs: map[string]Catalog{}, groups: map[string]map[string]struct{}{},
		reprocessed: map[string]int{},
		faultState:  faultState{permission: true, clientPermission: map[string]bool{}},
	}
}

const odataJSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

func (g *GraphServer) handler() http.Handler {
	routes := http.NewServeMux()
	const assignments = "/v1.0/identityGovernance/entitlementManagement/assignments"
	routes.HandleFunc("POST "+assignments+"/{id}/reprocess", g.reprocess)
	routes.HandleFunc("GET "+assignments+"/{id}", g.getAssignment)
	routes.HandleFunc("GET "+assignments, g.listAssignments)
	const packages = "/v1.0/identityGovernance/entitlementManagement/accessPackages"
	routes.HandleFunc("GET "+packages+"/{id}", g.getAccessPackage)
	routes.HandleFunc("GET /v1.0/identityGovernance/entitlementManagement/catalogs/{id}/accessPackages", g.listCatalogPackages)
	routes.HandleFunc("POST /v1.0/directoryObjects/{id}/checkMemberGroups", g.checkMemberGroups)
	routes.HandleFunc("GET /v1.0/users/{id}", g.getUser)
	routes.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		segment := r.URL.Path
		if i := strings.LastIndex(strings.TrimRight(segment, "/"), "/"); i >= 0 {
			segment = segment[i+1:]
		}
		graphError(w, http.StatusBadRequest, "BadRequest",
			fmt.Sprintf("Resource not found for the segment '%s'.", truncate(segment, 80)))
	})
	item := g.guarded(routes)

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setGraphHeaders(w, r)
		if !g.sleep(r.Context()) {
			return
		}
		it, ok := g.authenticate(w, r)
		if !ok {
			return
		}
		setClient(w, it.clientID)
		r = r.WithContext(context.WithValue(r.Context(), clientKey{}, it.clientID))
		if r.Method == http.MethodPost && r.URL.Path == "/v1.0/$batch" {
			g.batch(w, r, item)
			return
		}
		item.ServeHTTP(w, r)
	})
}

// guarded adds what applies to each request, including each batch item:
// the permission check and injected faults.
func (g *GraphServer) guarded(routes http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.allowed(clientOf(r)) {
			graphError(w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
			return
		}
		if f, ok := g.takeFault(r.URL.Path); ok {
			f.write(w)
			return
		}
		routes.ServeHTTP(w, r)
	})
}

// authenticate checks for a sandbox-issued token for this host's Graph resource.
func (g *GraphServer) authenticate(w http.ResponseWriter, r *http.Request) (issuedToken, bool) {
	c, _ := cloudByGraph(hostOnly(r.Host))
	it, check := g.t.tokens.check(r.Header.Get("Authorization"), c.graphResource())
	if check == tokenOK {
		return it, true
	}
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(
		`Bearer realm="", authorization_uri="https://%s/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`, c.login))
	msg := map[tokenCheck]string{
		tokenMissing:       "Access token is empty.",
		tokenUnknown:       "Access token validation failure. The token was not issued by the sandbox tenant.",
		tokenExpired:       "Lifetime validation failed, the token is expired.",
		tokenWrongAudience: "Access token validation failure. Invalid audience.",
	}[check]
	graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", msg)
	return it, false
}

// clientKey carries the authenticated client id in the request context to
// route handlers and batch items.
type clientKey struct{}

func clientOf(r *http.Request) string {
	id, _ := r.Context().Value(clientKey{}).(string)
	return id
}

// setGraphHeaders sets the headers every Graph response carries.
func setGraphHeaders(w http.ResponseWriter, r *http.Request) {
	id := newGUID()
	client := r.Header.Get("client-request-id")
	if client == "" {
		client = id
	}
	h := w.Header()
	h.Set("request-id", id)
	h.Set("client-request-id", client)
	h.Set("x-ms-ags-diagnostic", `{"ServerInfo":{"DataCenter":"Sandbox","Slice":"E","Ring":"5","ScaleUnit":"000","RoleInstance":"SANDBOX01"}}`)
	h.Set("Strict-Transport-Security", "max-age=31536000")
	h.Set("Cache-Control", "no-cache")
}

// graphError writes Graph's OData error body. innerError.date is the
// 19-character form Graph sends (the SDK fails to parse other forms).
func graphError(w http.ResponseWriter, status int, code, message string) {
	h := w.Header()
	body := map[string]any{"error": map[string]any{
		"code": code, "message": message,
		"innerError": map[string]string{
			"date":              time.Now().UTC().Format("2006-01-02T15:04:05"),
			"request-id":        h.Get("request-id"),
			"client-request-id": h.Get("client-request-id"),
		},
	}}
	writeBody(w, status, "application/json", body)
}

// writeOData writes a successful Graph JSON body.
func writeOData(w http.ResponseWriter, status int, v any) {
	w.Header().Set("OData-Version", "4.0")
	writeBody(w, status, odataJSON, v)
}

func (g *GraphServer) sleep(ctx context.Context) bool {
	if d := g.getLatency(); d > 0 {
		g.delayed.Add(1)
		defer g.delayed.Add(-1)
		return sleep.For(ctx, d)
	}
	return true
}
