package main

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// graphQueries returns the query of each Graph request whose path ends with suffix.
func (s *stack) graphQueries(suffix string) []url.Values {
	var out []url.Values
	for _, r := range s.tenant.Requests() {
		if r.Service == sandbox.Graph && strings.HasSuffix(r.Path, suffix) {
			q, _ := url.ParseQuery(r.Query)
			out = append(out, q)
		}
	}
	return out
}

func TestLookupReprocessesTheUsersDeliveredAssignments(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, nil)
	seeds := s.tenant.Seeds
	user, pkg := seeds.QuotedUser, seeds.AccessPackages[0] // o'brien@contoso.example
	// Two more delivered assignments of the user to the package, one
	// expired, and one of another user: only the delivered ones count.
	extra := []string{
		s.tenant.AddAssignment(sandbox.Assignment{UserObjectID: user.ObjectID, AccessPackageID: pkg.ID}),
		s.tenant.AddAssignment(sandbox.Assignment{UserObjectID: user.ObjectID, AccessPackageID: pkg.ID}),
	}
	expired := s.tenant.AddAssignment(sandbox.Assignment{UserObjectID: user.ObjectID, AccessPackageID: pkg.ID, State: sandbox.StateExpired})
	other := s.tenant.AddAssignment(sandbox.Assignment{UserObjectID: seeds.Users[2].ObjectID, AccessPackageID: pkg.ID})
	want := append([]string{seeds.Delivered[1]}, extra...) // seeds.Delivered[1] is o'brien's to package 0

	wantFilter := "target/objectId eq '" + user.ObjectID + "' and accessPackage/id eq '" + pkg.ID + "' and state eq 'delivered'"
	for _, body := range []string{
		`{"userPrincipalName":"o'brien@contoso.example","accessPackageId":"` + pkg.ID + `"}`,
		`{"userObjectId":"` + strings.ToUpper(user.ObjectID) + `","accessPackageId":"` + strings.ToUpper(pkg.ID) + `"}`,
	} {
		t.Run(body, func(t *testing.T) {
			s.tenant.Reset()
			a := readBatch(t, s.do(t, http.MethodPost, "/api/reprocess", body))
			var got []string
			for _, r := range a.Results {
				if r.Status != http.StatusAccepted {
					t.Errorf("result %+v, want 202", r)
				}
				got = append(got, r.AssignmentID)
			}
			slices.Sort(got)
			sorted := slices.Sorted(slices.Values(want))
			if !slices.Equal(got, sorted) {
				t.Errorf("reprocessed %v, want %v (not %s expired nor %s of another user)", got, sorted, expired, other)
			}
			lists := s.graphQueries("/entitlementManagement/assignments")
			if len(lists) != 1 || lists[0].Get("$filter") != wantFilter {
				t.Errorf("Graph list queries = %v, want one with $filter %q", lists, wantFilter)
			}
			wantLookups := 0
			if strings.Contains(body, "userPrincipalName") {
				wantLookups = 1
			}
			if users := s.graphQueries("/users/" + user.UserPrincipalName); len(users) != wantLookups || wantLookups == 1 && users[0].Get("$select") != "id" {
				t.Errorf("user lookups = %v, want %d GET /users/{upn}?$select=id", users, wantLookups)
			}
		})
	}
}

func TestLookupCannotWidenTheFilter(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, nil)
	pkg := s.tenant.Seeds.AccessPackages[0].ID
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
		wantGraph  int // Graph requests made
	}{
		{"filter injection in the UPN", `{"userPrincipalName":"x' or 1 eq 1 or 'a","accessPackageId":"` + pkg + `"}`, 400, "InvalidUserPrincipalName", 0},
		{"quotes in a well-formed UPN", `{"userPrincipalName":"x'or'1'eq'1@contoso.example","accessPackageId":"` + pkg + `"}`, 404, "Request_ResourceNotFound", 1},
		{"a path in the UPN", `{"userPrincipalName":"../../identityGovernance@contoso.example","accessPackageId":"` + pkg + `"}`, 400, "InvalidUserPrincipalName", 0},
		{"a query in the UPN", `{"userPrincipalName":"adele.vance@contoso.example?$filter=x","accessPackageId":"` + pkg + `"}`, 400, "InvalidUserPrincipalName", 0},
		{"filter injection in the object id", `{"userObjectId":"1f0e2d3c-4b5a-4697-8877-665544332211' or '1' eq '1","accessPackageId":"` + pkg + `"}`, 400, "BadRequest", 0},
		{"filter injection in the package id", `{"userObjectId":"1f0e2d3c-4b5a-4697-8877-665544332211","accessPackageId":"` + pkg + `' or state eq 'expired"}`, 400, "BadRequest", 0},
		{"both UPN and object id", `{"userPrincipalName":"adele.vance@contoso.example","userObjectId":"1f0e2d3c-4b5a-4697-8877-665544332211","accessPackageId":"` + pkg + `"}`, 400, "BadRequest", 0},
		{"no package", `{"userPrincipalName":"adele.vance@contoso.example"}`, 400, "BadRequest", 0},
		{"unknown key", `{"userPrincipalName":"adele.vance@contoso.example","accessPackageId":"` + pkg + `","state":"expired"}`, 400, "BadRequest", 0},
		{"no delivered assignment", `{"userPrincipalName":"megan.bowen@contoso.example","accessPackageId":"` + pkg + `"}`, 404, "NoDeliveredAssignment", 2},
		{"guest UPN syntax is accepted", `{"userPrincipalName":"megan_fabrikam.com#EXT#@contoso.example","accessPackageId":"` + pkg + `"}`, 404, "Request_ResourceNotFound", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.tenant.Reset()
			resp := s.do(t, http.MethodPost, "/api/reprocess", tc.body)
			if resp.StatusCode != tc.wantStatus {
				body, _ := io.ReadAll(resp.Body)
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tc.wantStatus, body)
			}
			if e := readError(t, resp); e.Error.Code != tc.wantCode {
				t.Errorf("code = %q, want %q (%s)", e.Error.Code, tc.wantCode, e.Error.Message)
			}
			if n := s.tenant.Count(sandbox.Graph); n != tc.wantGraph {
				t.Errorf("Graph requests = %d, want %d", n, tc.wantGraph)
			}
			if n := s.tenant.CountFunc(func(r sandbox.Request) bool {
				return r.Service == sandbox.Graph && strings.HasSuffix(r.Path, "/reprocess")
			}); n != 0 {
				t.Errorf("reprocess requests = %d, want 0", n)
			}
		})
	}
	// The escaped UPN reached Graph as one path segment.
	paths := s.tenant.CountFunc(func(r sandbox.Request) bool {
		return r.Service == sandbox.Graph && r.Path == "/v1.0/users/megan_fabrikam.com#EXT#@contoso.example"
	})
	if paths != 1 {
		t.Errorf("the guest UPN did not reach Graph as one /users/{upn} segment")
	}
}
