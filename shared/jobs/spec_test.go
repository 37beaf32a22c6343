package jobs_test

import (
	"testing"

	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

func TestParseSpec(t *testing.T) {
	ok := []struct {
		body string
		want jobs.Spec
	}{
		{`{"accessPackageId":"9BBE5F7D-F1E7-4EB1-A586-38CDF6F8B1EA"}`, jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}, Mode: jobs.All}},
		{`{"catalogId":"` + catalog + `","mode":"drifted","dryRun":true}`, jobs.Spec{Scope: jobs.Scope{CatalogID: catalog}, Mode: jobs.Drifted, DryRun: true}},
		{` {"accessPackageId":"` + pkgA + `","mode":"all","dryRun":false} `, jobs.Spec{Scope: jobs.Scope{AccessPackageID: pkgA}, Mode: jobs.All}},
	}
	for _, c := range ok {
		got, err := jobs.ParseSpec([]byte(c.body))
		if err != nil || got != c.want {
			t.Errorf("ParseSpec(%s) = %+v, %v; want %+v", c.body, got, err, c.want)
		}
	}
	bad := []string{
		``, `null`, `[]`, `"x"`, `{}`, `{"accessPackageId":"` + pkgA + `"} {}`,
		`{"accessPackageId":"` + pkgA + `","catalogId":"` + catalog + `"}`,
		`{"accessPackageId":"{` + pkgA + `}"}`, `{"accessPackageId":"00000000-0000-0000-0000-000000000000"}`,
		`{"accessPackageId":null}`, `{"accessPackageId":42}`, `{"catalogId":"not-a-guid"}`,
		`{"accessPackageId":"` + pkgA + `","mode":"some"}`, `{"accessPackageId":"` + pkgA + `","mode":"ALL"}`,
		`{"accessPackageId":"` + pkgA + `","dryRun":"true"}`, `{"accessPackageId":"` + pkgA + `","dryRun":null}`,
		`{"accessPackageId":"` + pkgA + `","extra":1}`, `{"AccessPackageId":"` + pkgA + `"}`,
	}
	for _, b := range bad {
		_, err := jobs.ParseSpec([]byte(b))
		if o := reprocess.OutcomeOf(err); o.Status != 400 || o.Message == "" {
			t.Errorf("ParseSpec(%s): outcome %+v", b, o)
		}
	}
}

func TestParseJobID(t *testing.T) {
	if id, err := jobs.ParseJobID("0F8FAD5B-D9CB-469F-A165-70867728950E"); err != nil || id != "0f8fad5b-d9cb-469f-a165-70867728950e" {
		t.Fatalf("ParseJobID = %q, %v", id, err)
	}
	for _, s := range []string{"", "x", "0f8fad5b-d9cb-469f-a165-70867728950", "../etc", "0f8fad5bd9cb469fa16570867728950e"} {
		_, err := jobs.ParseJobID(s)
		if o := reprocess.OutcomeOf(err); o.Status != 400 || o.Code != "InvalidJobId" {
			t.Errorf("ParseJobID(%q): outcome %+v", s, o)
		}
	}
}
