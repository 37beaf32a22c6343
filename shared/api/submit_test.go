package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/assignment"
)

func TestParseCallbackURL(t *testing.T) {
	allowed := []string{".logic.azure.com", "logic.azure.us"}
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://prod-27.westeurope.logic.azure.com:443/workflows/abc/runs/1/actions/A/run?api-version=2016-06-01&sp=%2Fruns&sv=1.0&sig=xyz", true},
		{"https://prod-27.westeurope.logic.azure.com/workflows/abc", true},
		{"https://PROD-27.WestEurope.Logic.Azure.Com/workflows/abc", true},
		{"https://prod-01.usgovvirginia.logic.azure.us/workflows/abc", true},
		{"https://logic.azure.com/workflows/abc", true},
		{"http://prod-27.westeurope.logic.azure.com/workflows/abc", false},
		{"https://prod-27.westeurope.logic.azure.com.evil.example/workflows/abc", false},
		{"https://evillogic.azure.com/workflows/abc", false},
		{"https://evil.example/?next=.logic.azure.com", false},
		{"https://a@prod-27.westeurope.logic.azure.com/workflows/abc", false},
		{"https://prod-27.westeurope.logic.azure.com:8443/workflows/abc", false},
		{"https://prod-27.westeurope.logic.azure.com/workflows/abc#x", false},
		{"https://prod-27.westeurope.logic.azure.com/workflows/abc#", false},
		{"prod-27.westeurope.logic.azure.com/workflows/abc", false},
		{"//prod-27.westeurope.logic.azure.com/workflows/abc", false},
		{"https://", false},
		{"https://10.0.0.1/workflows", false},
		{"https://prod-27.westeurope.logic.azure.com/" + strings.Repeat("a", 2100), false},
	}
	for _, tc := range tests {
		t.Run(truncate(tc.url, 70), func(t *testing.T) {
			u, err := parseCallbackURL(tc.url, allowed)
			if (err == nil) != tc.ok {
				t.Fatalf("parseCallbackURL(%q) = %v, %v; want ok %v", tc.url, u, err, tc.ok)
			}
			var p *Problem
			if err != nil && (!errors.As(err, &p) || p.Status != http.StatusBadRequest || p.Code != "InvalidCallbackUrl") {
				t.Errorf("error %v is not a 400 InvalidCallbackUrl", err)
			}
			if err != nil && strings.Contains(err.Error(), "sig=") {
				t.Errorf("error %q repeats the URL's signature", err)
			}
		})
	}
}

func TestCheckUPN(t *testing.T) {
	tests := []struct {
		upn string
		ok  bool
	}{
		{"adele.vance@contoso.com", true},
		{"o'brien@contoso.com", true},
		{"alex_contoso.com#EXT#@fabrikam.onmicrosoft.com", true},
		{"a!b#c^d~e-f_g@sub.contoso-1.com", true},
		{"x' or 1 eq 1 or 'a", false},
		{"x'or'1'eq'1", false},
		{"adele vance@contoso.com", false},
		{"adele@contoso.com@evil.com", false},
		{"@contoso.com", false},
		{"adele@", false},
		{".adele@contoso.com", false},
		{"adele.@contoso.com", false},
		{"ad..ele@contoso.com", false},
		{"adele@-contoso.com", false},
		{"adele@contoso..com", false},
		{"adele@contoso.com/..", false},
		{"../x@contoso.com", false},
		{"adele%40contoso.com", false},
		{"adele@contoso.com?$filter=x", false},
		{"adèle@contoso.com", false},
		{"adele@contoso.com\n", false},
		{"", false},
		{strings.Repeat("a", 250) + "@contoso.com", false},
	}
	for _, tc := range tests {
		t.Run(tc.upn, func(t *testing.T) {
			if err := checkUPN(tc.upn); (err == nil) != tc.ok {
				t.Errorf("checkUPN(%q) = %v, want ok %v", tc.upn, err, tc.ok)
			}
		})
	}
}

// FuzzParseSubmission: any body is either refused with a Problem or
// yields exactly one shape, with valid canonical ids only.
func FuzzParseSubmission(f *testing.F) {
	for _, seed := range []string{
		`{"assignmentId":"0f8fad5b-d9cb-469f-a165-70867728950e"}`,
		`{"assignmentIds":["0f8fad5b-d9cb-469f-a165-70867728950e","x",1,null]}`,
		`{"userPrincipalName":"o'brien@contoso.com","accessPackageId":"9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"}`,
		`{"userObjectId":"1f0e2d3c-4b5a-4697-8877-665544332211","accessPackageId":"9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"}`,
		`{"Assignment":{"Id":"0F8FAD5B-D9CB-469F-A165-70867728950E"},"Stage":"assignmentRequestGranted"}`,
		`{"assignment":{"id":"0f8fad5b-d9cb-469f-a165-70867728950e"}}`,
		`{"assignmentId":"0f8fad5b-d9cb-469f-a165-70867728950e","callbackUrl":"https://prod-1.westus.logic.azure.com/w?sig=s"}`,
		`{"assignmentIds":[]}`, `{}`, `[]`, `null`, `{"a":1}{}`, `{"assignmentId":"x","assignmentIds":[]}`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest(http.MethodPost, "/api/reprocess", strings.NewReader(body))
		sub, err := parseSubmission(r, []string{".logic.azure.com"})
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) && !errors.Is(err, assignment.ErrInvalidID) {
				t.Fatalf("error %v is neither a Problem nor an invalid id", err)
			}
			return
		}
		shapes := 0
		if sub.single != nil {
			shapes++
			if sub.single.String() != strings.ToLower(sub.single.String()) || len(sub.single.String()) != 36 {
				t.Fatalf("single id %q is not canonical", sub.single)
			}
		}
		if sub.batch != nil {
			shapes++
			if len(sub.batch) == 0 || len(sub.batch) > maxBatchIDs {
				t.Fatalf("batch of %d", len(sub.batch))
			}
			for _, it := range sub.batch {
				if (it.err == nil) == it.id.IsZero() {
					t.Fatalf("batch item %+v: an id exactly when valid", it)
				}
			}
		}
		if sub.lookup != nil {
			shapes++
			if len(sub.lookup.accessPackageID) != 36 || (sub.lookup.upn == "") == (sub.lookup.userObjectID == "") {
				t.Fatalf("lookup %+v", sub.lookup)
			}
		}
		if shapes != 1 {
			t.Fatalf("body %q parsed to %d shapes", body, shapes)
		}
		if sub.callback != nil && sub.callback.Scheme != "https" {
			t.Fatalf("callback %v", sub.callback)
		}
	})
}
