package sandbox_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

func TestReprocess(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: 50 * time.Millisecond})
	tok := graphToken(t, tenant)
	hc := tenant.HTTPClient()
	tests := []struct {
		name   string
		id     string
		status int
		code   string
	}{
		{"delivered", tenant.Seeds.Delivered[0], 202, ""},
		{"not a guid", "not-a-guid", 400, "BadRequest"},
		{"unknown", tenant.Seeds.Unknown, 404, "ResourceNotFound"},
		{"delivering", tenant.Seeds.Delivering, 400, "InvalidAssignmentState"},
		{"partially delivered", tenant.Seeds.PartiallyDelivered, 400, "InvalidAssignmentState"},
		{"expired", tenant.Seeds.Expired, 400, "InvalidAssignmentState"},
		{"delivery failed", tenant.Seeds.DeliveryFailed, 400, "InvalidAssignmentState"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, hc, "POST", assignmentURL(tc.id, "/reprocess"), tok, nil, "client-request-id", "abc-123")
			if r.status != tc.status || r.errorCode() != tc.code {
				t.Fatalf("reprocess(%s) = %d %q, want %d %q (%s)", tc.id, r.status, r.errorCode(), tc.status, tc.code, r.body)
			}
			if got := r.header.Get("client-request-id"); got != "abc-123" {
				t.Errorf("client-request-id = %q, want the echo abc-123", got)
			}
			if r.header.Get("request-id") == "" || r.header.Get("x-ms-ags-diagnostic") == "" {
				t.Errorf("missing request-id or x-ms-ags-diagnostic: %v", r.header)
			}
			if tc.status == 202 && len(r.body) != 0 {
				t.Errorf("202 body = %q, want empty", r.body)
			}
			if tc.status >= 400 {
				if ct := r.header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("error Content-Type = %q, want application/json", ct)
				}
				var e struct {
					Error struct {
						Message    string `json:"message"`
						InnerError struct {
							Date      string `json:"date"`
							RequestID string `json:"request-id"`
						} `json:"innerError"`
					} `json:"error"`
				}
				_ = json.Unmarshal(r.body, &e)
				if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$`).MatchString(e.Error.InnerError.Date) {
					t.Errorf("innerError.date = %q, want 19 characters", e.Error.InnerError.Date)
				}
				if e.Error.Message == "" || e.Error.InnerError.RequestID != r.header.Get("request-id") {
					t.Errorf("error body = %s", r.body)
				}
			}
		})
	}
	if got := tenant.Graph.Reprocessed(tenant.Seeds.Delivered[0]); got != 1 {
		t.Errorf("Reprocessed = %d, want 1", got)
	}
}

func TestReprocessDeliveringThenDelivered(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: 500 * time.Millisecond})
	tok, hc, id := graphToken(t, tenant), tenant.HTTPClient(), tenant.Seeds.Delivered[1]
	if r := do(t, hc, "POST", assignmentURL(id, "/reprocess"), tok, nil); r.status != 202 {
		t.Fatalf("reprocess = %d", r.status)
	}
	state := func() string {
		var a struct{ State string }
		r := do(t, hc, "GET", assignmentURL(id), tok, nil)
		if err := json.Unmarshal(r.body, &a); err != nil || r.status != 200 {
			t.Fatalf("GET = %d %s", r.status, r.body)
		}
		return a.State
	}
	if got := state(); got != "delivering" {
		t.Errorf("state right after reprocess = %q, want delivering", got)
	}
	if r := do(t, hc, "POST", assignmentURL(id, "/reprocess"), tok, nil); r.status != 400 {
		t.Errorf("second reprocess while delivering = %d, want 400", r.status)
	}
	for deadline := time.Now().Add(5 * time.Second); state() != "delivered"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("still delivering 5s after a 500ms reprocess")
		}
	}
}

func TestReprocessStayDelivered(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	tok, hc, id := graphToken(t, tenant), tenant.HTTPClient(), tenant.Seeds.Delivered[0]
	for range 2 {
		if r := do(t, hc, "POST", assignmentURL(id, "/reprocess"), tok, nil); r.status != 202 {
			t.Fatalf("reprocess = %d", r.status)
		}
	}
	if a, _ := tenant.Graph.Assignment(id); a.State != sandbox.StateDelivered {
		t.Errorf("state = %q, want delivered", a.State)
	}
}

func TestGetAssignmentExpanded(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tok, hc := graphToken(t, tenant), tenant.HTTPClient()
	id := tenant.Seeds.Delivered[1] // the o'brien user
	r := do(t, hc, "GET", assignmentURL(id, "?$expand=target,accessPackage&$select=id,state"), tok, nil)
	if r.status != 200 {
		t.Fatalf("GET = %d %s", r.status, r.body)
	}
	var a struct {
		ID, State, Status string
		ExpiredDateTime   *string
		Schedule          struct{ StartDateTime string }
		Target            struct{ ObjectID, PrincipalName, SubjectType string }
		AccessPackage     struct{ ID, DisplayName string }
	}
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatal(err)
	}
	u := tenant.Seeds.QuotedUser
	if a.ID != id || a.State != "delivered" || a.Status != "Delivered" || a.Target.ObjectID != u.ObjectID ||
		a.Target.PrincipalName != u.UserPrincipalName || a.Target.SubjectType != "user" ||
		a.AccessPackage.ID != tenant.Seeds.AccessPackages[0].ID || a.AccessPackage.DisplayName == "" {
		t.Errorf("GET assignment = %s", r.body)
	}
	if _, err := time.Parse(time.RFC3339, a.Schedule.StartDateTime); err != nil {
		t.Errorf("startDateTime %q: %v", a.Schedule.StartDateTime, err)
	}
	if ct := r.header.Get("Content-Type"); ct[:16] != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}

	plain := do(t, hc, "GET", assignmentURL(id), tok, nil)
	var bare map[string]any
	_ = json.Unmarshal(plain.body, &bare)
	if _, has := bare["target"]; has {
		t.Errorf("GET without $expand has target: %s", plain.body)
	}
}

func TestGraphAuth(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	hc := tenant.HTTPClient()
	vaultToken := tokenFor(t, tenant, sandbox.KeyVaultReaderClientID, tenant.KeyVaultReaderSecret(), "https://vault.azure.net")
	readerGraphToken := tokenFor(t, tenant, sandbox.KeyVaultReaderClientID, tenant.KeyVaultReaderSecret(), "https://graph.microsoft.com")
	id := tenant.Seeds.Delivered[0]
	tests := []struct {
		name, token string
		status      int
		code        string
	}{
		{"no token", "", 401, "InvalidAuthenticationToken"},
		{"made-up token", "eyJhbGciOi.x.y", 401, "InvalidAuthenticationToken"},
		{"token for Key Vault", vaultToken, 401, "InvalidAuthenticationToken"},
		{"client without Graph permission", readerGraphToken, 403, "Authorization_RequestDenied"},
		{"Graph app", graphToken(t, tenant), 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, hc, "GET", assignmentURL(id), tc.token, nil)
			if r.status != tc.status || r.errorCode() != tc.code {
				t.Errorf("GET = %d %q, want %d %q", r.status, r.errorCode(), tc.status, tc.code)
			}
		})
	}
}

func TestGraphPermissionRevoked(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tok, hc := graphToken(t, tenant), tenant.HTTPClient()
	url := assignmentURL(tenant.Seeds.Delivered[0], "/reprocess")
	for _, tc := range []struct {
		name   string
		set    func()
		status int
	}{
		{"revoked for all", func() { tenant.Graph.SetPermission(false) }, 403},
		{"granted again", func() { tenant.Graph.SetPermission(true) }, 202},
		{"revoked for the Graph app", func() { tenant.Graph.SetClientPermission(sandbox.GraphAppClientID, false) }, 403},
	} {
		tc.set()
		r := do(t, hc, "POST", url, tok, nil)
		if r.status != tc.status {
			t.Errorf("%s: reprocess = %d, want %d", tc.name, r.status, tc.status)
		}
		if r.status == 403 && r.errorCode() != "Authorization_RequestDenied" {
			t.Errorf("%s: code %q", tc.name, r.errorCode())
		}
		tenant.Graph.Assignment(tenant.Seeds.Delivered[0])
	}
}

func TestGraphUnknownRoute(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	r := do(t, tenant.HTTPClient(), "GET", graphBase+"/nothing/here", graphToken(t, tenant), nil)
	if r.status != http.StatusBadRequest || r.errorCode() != "BadRequest" {
		t.Errorf("unknown route = %d %s", r.status, r.body)
	}
}

// Tokens are verified without server state, so a token one tenant issued
// works at another in the same process (MSAL hands managed-identity tokens
// across instances), until RevokeTokens.
func TestTokensAcrossTenantsAndRevocation(t *testing.T) {
	t.Parallel()
	first := sandbox.NewForTest(t, sandbox.Options{})
	second := sandbox.NewForTest(t, sandbox.Options{})
	tok := graphToken(t, first)
	url := assignmentURL(second.Seeds.Expired)
	if r := do(t, second.HTTPClient(), "GET", url, tok, nil); r.status != 200 {
		t.Fatalf("second tenant refused the first's token: %d %s", r.status, r.body)
	}
	second.Entra.RevokeTokens()
	if r := do(t, second.HTTPClient(), "GET", url, tok, nil); r.status != 401 {
		t.Errorf("after RevokeTokens GET = %d, want 401", r.status)
	}
	if r := do(t, second.HTTPClient(), "GET", url, graphToken(t, second), nil); r.status != 200 {
		t.Errorf("a new token after RevokeTokens: GET = %d, want 200", r.status)
	}
}
