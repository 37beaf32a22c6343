package sandbox_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

type listBody struct {
	Value []struct {
		ID, State string
		Target    *struct{ ObjectID, PrincipalName string }
	}
	NextLink string `json:"@odata.nextLink"`
}

func list(tb testing.TB, tenant *sandbox.Tenant, token string, query url.Values) (response, listBody) {
	tb.Helper()
	r := do(tb, tenant.HTTPClient(), "GET", graphBase+"/identityGovernance/entitlementManagement/assignments?"+
		strings.ReplaceAll(query.Encode(), "+", "%20"), token, nil)
	var b listBody
	if r.status == 200 {
		if err := json.Unmarshal(r.body, &b); err != nil {
			tb.Fatalf("list body: %v", err)
		}
	}
	return r, b
}

func TestListAssignmentsFilter(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tok := graphToken(t, tenant)
	s := tenant.Seeds
	adele, obrien := s.Users[0].ObjectID, s.QuotedUser.ObjectID
	sales := s.AccessPackages[0].ID
	tests := []struct {
		name   string
		filter string
		want   []string // ids, in order; nil with status 400
	}{
		// The first page of everything: the assignments above, then the large package's.
		{"everything", "", []string{s.Delivered[0], s.Delivered[1], s.Delivered[2], s.Delivered[3], s.Delivering, s.PartiallyDelivered, s.Expired, s.DeliveryFailed}},
		{"by user", "target/objectId eq '" + adele + "'", []string{s.Delivered[0], s.Delivered[3]}},
		{"field names any case", "TARGET/OBJECTID eq '" + adele + "'", []string{s.Delivered[0], s.Delivered[3]}},
		{"by package and state", "accessPackage/id eq '" + sales + "' and state eq 'Delivered'", []string{s.Delivered[0], s.Delivered[1]}},
		{"entra docs form", "accessPackage/Id eq '" + sales + "' and state eq 'delivered' and target/objectId eq '" + obrien + "'", []string{s.Delivered[1]}},
		{"state any case", "state eq 'DELIVERYFAILED'", []string{s.DeliveryFailed}},
		{"contradiction", "state eq 'delivered' and state eq 'expired'", []string{}},
		{"unknown user", "target/objectId eq '" + s.Unknown + "'", []string{}},
		// Injection: the quote is data inside the literal, and ' or ' does not end it.
		{"escaped quote", "target/objectId eq 'o''brien@contoso.example'", []string{}},
		{"or inside the literal", "target/objectId eq '" + adele + "'' or state eq ''delivered'", []string{}},
		{"unescaped quote", "target/objectId eq '" + adele + "' or state eq 'delivered'", nil},
		{"or", "state eq 'delivered' or state eq 'expired'", nil},
		{"ne", "state ne 'delivered'", nil},
		{"parentheses", "(state eq 'delivered')", nil},
		{"unknown field", "target/principalName eq 'o''brien@contoso.example'", nil},
		{"unknown state", "state eq 'nope'", nil},
		{"unterminated", "state eq 'delivered", nil},
		{"no value", "state eq", nil},
		{"unquoted value", "state eq delivered", nil},
		{"trailing and", "state eq 'delivered' and", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{}
			if tc.filter != "" {
				q.Set("$filter", tc.filter)
			}
			r, b := list(t, tenant, tok, q)
			if tc.want == nil {
				if r.status != 400 || r.errorCode() != "BadRequest" {
					t.Errorf("$filter=%s: %d %s, want 400 BadRequest", tc.filter, r.status, r.body)
				}
				return
			}
			if r.status != 200 {
				t.Fatalf("$filter=%s: %d %s", tc.filter, r.status, r.body)
			}
			var got []string
			for _, v := range b.Value {
				got = append(got, v.ID)
			}
			if tc.filter == "" && len(got) > len(tc.want) {
				got = got[:len(tc.want)]
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("$filter=%s: ids %v, want %v", tc.filter, got, tc.want)
			}
		})
	}
}

func TestListAssignmentsExpandAndPaging(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tok := graphToken(t, tenant)
	for range 1000 {
		tenant.AddAssignment(sandbox.Assignment{UserObjectID: tenant.Seeds.Users[2].ObjectID})
	}
	q := url.Values{"$filter": {"target/objectId eq '" + tenant.Seeds.Users[2].ObjectID + "' and state eq 'delivered'"}, "$expand": {"target"}}
	seen := map[string]bool{}
	pages := 0
	r, b := list(t, tenant, tok, q)
	for {
		if r.status != 200 {
			t.Fatalf("page %d: %d %s", pages, r.status, r.body)
		}
		pages++
		for _, v := range b.Value {
			if v.Target == nil || v.Target.ObjectID != tenant.Seeds.Users[2].ObjectID || v.State != "delivered" {
				t.Fatalf("item %+v does not match the filter or lacks the expanded target", v)
			}
			seen[v.ID] = true
		}
		if b.NextLink == "" {
			break
		}
		next, err := url.Parse(b.NextLink)
		if err != nil || next.Host != "graph.microsoft.com" {
			t.Fatalf("nextLink %q", b.NextLink)
		}
		r = do(t, tenant.HTTPClient(), "GET", b.NextLink, tok, nil)
		b = listBody{}
		_ = json.Unmarshal(r.body, &b)
	}
	if len(seen) != 1001 || pages != 11 { // 1000 added + 1 seeded; 100 per page
		t.Errorf("saw %d assignments in %d pages, want 1001 in 11", len(seen), pages)
	}
}

func TestUsers(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tok := graphToken(t, tenant)
	u := tenant.Seeds.QuotedUser
	tests := []struct {
		name, path string
		status     int
	}{
		{"by object id", u.ObjectID, 200},
		{"by UPN", url.PathEscape(u.UserPrincipalName), 200},
		{"by UPN, @ and ' encoded", strings.NewReplacer("@", "%40", "'", "%27").Replace(u.UserPrincipalName), 200},
		{"by UPN, upper case", strings.ToUpper(u.UserPrincipalName), 200},
		{"unknown", "nobody%40contoso.example", 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := do(t, tenant.HTTPClient(), "GET", graphBase+"/users/"+tc.path+"?$select=id,userPrincipalName,displayName", tok, nil)
			if r.status != tc.status {
				t.Fatalf("GET /users/%s = %d %s", tc.path, r.status, r.body)
			}
			if tc.status != 200 {
				if r.errorCode() != "Request_ResourceNotFound" {
					t.Errorf("code = %q", r.errorCode())
				}
				return
			}
			var got map[string]string
			_ = json.Unmarshal(r.body, &got)
			if got["id"] != u.ObjectID || got["userPrincipalName"] != u.UserPrincipalName || got["displayName"] != u.DisplayName {
				t.Errorf("user = %s", r.body)
			}
			if _, has := got["mail"]; has {
				t.Errorf("$select ignored: %s", r.body)
			}
		})
	}
}
