package reprocess

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/assignment"
)

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

// FuzzParseBody: any body is either refused with a Problem or
// yields exactly one shape, with valid canonical ids only.
func FuzzParseBody(f *testing.F) {
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
		sub, err := ParseBody([]byte(body))
		if err != nil {
			var p *Problem
			if !errors.As(err, &p) && !errors.Is(err, assignment.ErrInvalidID) {
				t.Fatalf("error %v is neither a Problem nor an invalid id", err)
			}
			return
		}
		shapes := 0
		if sub.Single != nil {
			shapes++
			if sub.Single.String() != strings.ToLower(sub.Single.String()) || len(sub.Single.String()) != 36 {
				t.Fatalf("single id %q is not canonical", sub.Single)
			}
		}
		if sub.Items != nil {
			shapes++
			if len(sub.Items) == 0 || len(sub.Items) > MaxIDs {
				t.Fatalf("batch of %d", len(sub.Items))
			}
			for _, it := range sub.Items {
				if (it.Err == nil) == it.ID.IsZero() {
					t.Fatalf("batch item %+v: an id exactly when valid", it)
				}
			}
		}
		if sub.Lookup != nil {
			shapes++
			if len(sub.Lookup.AccessPackageID) != 36 || (sub.Lookup.UPN == "") == (sub.Lookup.UserObjectID == "") {
				t.Fatalf("lookup %+v", sub.Lookup)
			}
		}
		if shapes != 1 {
			t.Fatalf("body %q parsed to %d shapes", body, shapes)
		}
	})
}

func TestParseMessage(t *testing.T) {
	const id = "0f8fad5b-d9cb-469f-a165-70867728950e"
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, msg string
		single    string // the one id, or
		items     int    // the number of ids, or
		wantErr   string // the error's code
	}{
		{"bare id", id, id, 0, ""},
		{"bare id in capitals", strings.ToUpper(id), id, 0, ""},
		{"bare id with spaces", "  " + id + "\n", id, 0, ""},
		{"JSON string", `"` + id + `"`, id, 0, ""},
		{"object", `{"assignmentId":"` + id + `"}`, id, 0, ""},
		{"object in a JSON string", `"{\"assignmentId\":\"` + id + `\"}"`, id, 0, ""},
		{"batch", `{"assignmentIds":["` + id + `","x"]}`, "", 2, ""},
		{"base64 id", b64(id), id, 0, ""},
		{"base64 object", b64(`{"assignmentId":"` + id + `"}`), id, 0, ""},
		{"base64 JSON string", b64(`"` + id + `"`), id, 0, ""},
		{"custom extension", `{"Assignment":{"Id":"` + id + `"}}`, id, 0, ""},
		{"empty", "  ", "", 0, "BadRequest"},
		{"not an id", "not-a-guid", "", 0, "InvalidAssignmentId"},
		{"base64 of text", b64("hello"), "", 0, "InvalidAssignmentId"},
		{"unknown key", `{"assignmentId":"` + id + `","x":1}`, "", 0, "BadRequest"},
		{"keys are exact", `{"AssignmentID":"` + id + `"}`, "", 0, "BadRequest"},
		{"broken JSON string", `"abc`, "", 0, "BadRequest"},
		{"array", `[1]`, "", 0, "InvalidAssignmentId"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := ParseMessage([]byte(tc.msg))
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseMessage(%q) = %+v, want error %s", tc.msg, req, tc.wantErr)
				}
				if got := OutcomeOf(err); got.Code != tc.wantErr || got.Status != 400 || got.Transient() {
					t.Errorf("ParseMessage(%q) error %v maps to %+v, want a permanent 400 %s", tc.msg, err, got, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMessage(%q): %v", tc.msg, err)
			}
			if tc.single != "" && (req.Single == nil || req.Single.String() != tc.single) {
				t.Errorf("ParseMessage(%q) = %+v, want the one id %s", tc.msg, req, tc.single)
			}
			if tc.items > 0 && len(req.Items) != tc.items {
				t.Errorf("ParseMessage(%q) = %+v, want %d items", tc.msg, req, tc.items)
			}
		})
	}
}

// FuzzParseMessage: any message is refused as a permanent 400 or names
// valid canonical ids.
func FuzzParseMessage(f *testing.F) {
	for _, seed := range []string{"0f8fad5b-d9cb-469f-a165-70867728950e", `"x"`, `{"assignmentIds":["a"]}`, "e30=", "", `"\u0000"`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		req, err := ParseMessage([]byte(msg))
		if err != nil {
			if o := OutcomeOf(err); o.Status != 400 || o.Transient() {
				t.Fatalf("ParseMessage(%q) error %v maps to %+v", msg, err, o)
			}
			return
		}
		if req.Single != nil && req.Single.String() != strings.ToLower(req.Single.String()) {
			t.Fatalf("id %q is not canonical", req.Single)
		}
	})
}
