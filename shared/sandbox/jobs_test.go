package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

const entitlement = graphBase + "/identityGovernance/entitlementManagement"

func TestAccessPackageExpand(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tok, hc, s := graphToken(t, tenant), tenant.HTTPClient(), tenant.Seeds
	type scope struct {
		Role *struct {
			OriginID, OriginSystem, DisplayName string
		} `json:"role"`
		Scope *struct {
			OriginID, OriginSystem string
		} `json:"scope"`
	}
	for _, tc := range []struct {
		name, id, expand string
		status, scopes   int
		roles            bool
	}{
		{"roles and scopes", s.AccessPackages[1].ID, "resourceRoleScopes($expand=role,scope)", 200, 2, true},
		{"scopes only", s.AccessPackages[0].ID, "resourceRoleScopes", 200, 1, false},
		{"no expand", s.AccessPackages[0].ID, "", 200, 0, false},
		{"unknown property", s.AccessPackages[0].ID, "resourceRoleScopes($expand=owner)", 400, 0, false},
		{"unknown package", s.Unknown, "", 404, 0, false},
		{"malformed id", "nope", "", 400, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, hc, "GET", entitlement+"/accessPackages/"+tc.id+"?$expand="+url.QueryEscape(tc.expand), tok, nil)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tc.status, r.body)
			}
			var body struct {
				ResourceRoleScopes []scope `json:"resourceRoleScopes"`
			}
			if err := json.Unmarshal(r.body, &body); err != nil || len(body.ResourceRoleScopes) != tc.scopes {
				t.Fatalf("resourceRoleScopes = %s, want %d", r.body, tc.scopes)
			}
			for _, rs := range body.ResourceRoleScopes {
				if (rs.Role != nil) != tc.roles || (rs.Scope != nil) != tc.roles {
					t.Errorf("role scope %s: role and scope expanded = %v, want %v", r.body, rs.Role != nil, tc.roles)
				}
			}
		})
	}
}

func TestCatalogPackagesPaged(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tenant.Graph.SetPageSize(1)
	tok, hc := graphToken(t, tenant), tenant.HTTPClient()
	var ids []string
	for link := entitlement + "/catalogs/" + tenant.Seeds.Catalog + "/accessPackages?$select=id"; link != ""; {
		r := do(t, hc, "GET", link, tok, nil)
		var page struct {
			Value []struct {
				ID string `json:"id"`
			} `json:"value"`
			NextLink string `json:"@odata.nextLink"`
		}
		if r.status != 200 || json.Unmarshal(r.body, &page) != nil || len(page.Value) != 1 {
			t.Fatalf("page = %d %s, want one package", r.status, r.body)
		}
		ids, link = append(ids, page.Value[0].ID), page.NextLink
	}
	if len(ids) != len(tenant.Seeds.AccessPackages) {
		t.Errorf("catalog lists %v, want the %d seeded packages", ids, len(tenant.Seeds.AccessPackages))
	}
	if r := do(t, hc, "GET", entitlement+"/catalogs/"+tenant.Seeds.Unknown+"/accessPackages", tok, nil); r.status != 404 {
		t.Errorf("unknown catalog = %d, want 404", r.status)
	}
}

// TestJobCallsInBatch sends the calls a job makes as $batch items: the
// list of a package's delivered assignments, its roles, and membership checks.
func TestJobCallsInBatch(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tok, s := graphToken(t, tenant), tenant.Seeds
	large := s.LargeAccessPackage
	user := func(i int) string {
		return strings.Replace(large.ID, "-0000-4000-8000-000000000000", "-0002-4000-8000-", 1) + padded(i)
	}
	check := func(id, object string, groups ...string) map[string]any {
		return map[string]any{"id": id, "method": "POST", "url": "/directoryObjects/" + object + "/checkMemberGroups",
			"headers": map[string]string{"Content-Type": "application/json"}, "body": map[string]any{"groupIds": groups}}
	}
	filter := url.QueryEscape("accessPackage/id eq '" + large.ID + "' and state eq 'delivered'")
	items := []map[string]any{
		{"id": "list", "method": "GET", "url": "/identityGovernance/entitlementManagement/assignments?$expand=target&$top=3&$filter=" + filter},
		{"id": "package", "method": "GET", "url": "/identityGovernance/entitlementManagement/accessPackages/" + large.ID + "?$expand=resourceRoleScopes($expand=role,scope)"},
		check("in-sync", user(1), large.Groups...),
		check("drifted", user(25), large.Groups...),         // the 1st multiple of 25 lacks the 1st group
		check("drifted-2", user(50), large.Groups...),       // the 2nd lacks the 2nd
		check("unknown", s.Unknown, large.Groups...),        // no such object
		check("too-many", user(1), make21(large.Groups)...), // over the limit of 20
	}
	r, res := postBatch(t, tenant, tok, items, false)
	if r.status != 200 {
		t.Fatalf("batch = %d %s", r.status, r.body)
	}
	want := map[string]struct {
		status int
		value  string
	}{
		"list": {200, ""}, "package": {200, ""},
		"in-sync":   {200, `["` + large.Groups[0] + `","` + large.Groups[1] + `"]`},
		"drifted":   {200, `["` + large.Groups[1] + `"]`},
		"drifted-2": {200, `["` + large.Groups[0] + `"]`},
		"unknown":   {404, ""}, "too-many": {400, ""},
	}
	for _, it := range res.Responses {
		w := want[it.ID]
		if it.Status != w.status {
			t.Errorf("%s = %d, want %d: %s", it.ID, it.Status, w.status, it.Body)
			continue
		}
		var body struct {
			Value    json.RawMessage `json:"value"`
			NextLink string          `json:"@odata.nextLink"`
		}
		_ = json.Unmarshal(it.Body, &body)
		if w.value != "" && string(body.Value) != w.value {
			t.Errorf("%s value = %s, want %s", it.ID, body.Value, w.value)
		}
		if it.ID == "list" && (!strings.Contains(string(body.Value), `"objectId":"`+user(1)+`"`) || !strings.Contains(body.NextLink, "skiptoken=")) {
			t.Errorf("list = %s, want the first three targets and a next link", it.Body)
		}
	}
}

func padded(i int) string { return fmt.Sprintf("%012d", i) }

func make21(groups []string) []string {
	out := make([]string, 21)
	for i := range out {
		out[i] = groups[i%len(groups)]
	}
	return out
}

func TestAddBulkAccessPackage(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	p := tenant.AddBulkAccessPackage(120, 10)
	if p.Drifted != 12 || len(p.Groups) != 2 || p.ID == tenant.Seeds.LargeAccessPackage.ID {
		t.Fatalf("AddBulkAccessPackage = %+v, want 12 drifted of 120, two groups, new ids", p)
	}
	tok, hc := graphToken(t, tenant), tenant.HTTPClient()
	filter := url.QueryEscape("accessPackage/id eq '" + p.ID + "' and state eq 'delivered'")
	r := do(t, hc, "GET", entitlement+"/assignments?$top=999&$filter="+filter, tok, nil)
	var page struct {
		Value    []struct{ ID string }
		NextLink string `json:"@odata.nextLink"`
	}
	if r.status != 200 || json.Unmarshal(r.body, &page) != nil || len(page.Value) != 120 || page.NextLink != "" {
		t.Fatalf("list = %d with %d assignments and next link %q, want all 120", r.status, len(page.Value), page.NextLink)
	}
	all := page.Value

	// Reprocessing the first page (its assignments are delivering for a
	// while, out of the filter) does not shift the next page.
	r = do(t, hc, "GET", entitlement+"/assignments?$top=10&$filter="+filter, tok, nil)
	if json.Unmarshal(r.body, &page) != nil || len(page.Value) != 10 || page.NextLink == "" {
		t.Fatalf("first page = %s, want 10 and a next link", r.body)
	}
	for _, a := range page.Value {
		if r := do(t, hc, "POST", assignmentURL(a.ID, "/reprocess"), tok, nil); r.status != 202 {
			t.Fatalf("reprocess %s = %d", a.ID, r.status)
		}
	}
	r = do(t, hc, "GET", page.NextLink, tok, nil)
	if json.Unmarshal(r.body, &page) != nil || len(page.Value) != 10 || page.Value[0].ID != all[10].ID {
		t.Errorf("second page = %s, want 10 from %s", r.body, all[10].ID)
	}
}
