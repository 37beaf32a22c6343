package msgraph_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/msgraph"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// The client is what a job reads Graph through.
var _ jobs.Graph = (*msgraph.Client)(nil)

// sandboxClient is a Graph client of the sandbox's Graph app, over TLS
// through the sandbox's proxy, as the binary builds it.
func sandboxClient(tb testing.TB, tenant *sandbox.Tenant) *msgraph.Client {
	tb.Helper()
	secret, _ := tenant.SecretValue(sandbox.GraphSecretName)
	cred, err := azidentity.NewClientSecretCredential(sandbox.TenantID, sandbox.GraphAppClientID, secret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: azcore.ClientOptions{Transport: tenant.HTTPClient()}})
	if err != nil {
		tb.Fatalf("NewClientSecretCredential: %v", err)
	}
	return msgraph.New(msgraph.Options{
		BaseURL: "https://graph.microsoft.com/v1.0", Scope: "https://graph.microsoft.com/.default", Host: "graph.microsoft.com",
		Credential: cred, Transport: tenant.Transport(),
	})
}

func testContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

func graphStatus(err error) int {
	var ge *graph.Error
	if errors.As(err, &ge) {
		return ge.Status
	}
	return 0
}

func TestAccessPackage(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	c, ctx, s := sandboxClient(t, tenant), testContext(t), tenant.Seeds
	for _, tc := range []struct {
		name string
		id   string
		want graph.Package
	}{
		{"member groups", s.LargeAccessPackage.ID, graph.Package{ID: s.LargeAccessPackage.ID, MemberGroups: s.LargeAccessPackage.Groups}},
		{"one member group", s.AccessPackages[0].ID, graph.Package{ID: s.AccessPackages[0].ID, MemberGroups: []string{s.SalesGroup}}},
		{"owner and app roles", s.AccessPackages[1].ID, graph.Package{ID: s.AccessPackages[1].ID, Unverifiable: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.AccessPackage(ctx, tc.id)
			if err != nil {
				t.Fatalf("AccessPackage: %v", err)
			}
			if got.ID != tc.want.ID || !slices.Equal(got.MemberGroups, tc.want.MemberGroups) || got.Unverifiable != tc.want.Unverifiable {
				t.Errorf("AccessPackage = %+v, want %+v", got, tc.want)
			}
		})
	}
	if _, err := c.AccessPackage(ctx, sandbox.TenantID); graphStatus(err) != 404 {
		t.Errorf("AccessPackage(unknown) error = %v, want Graph's 404", err)
	}
}

func TestCatalogAccessPackages(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tenant.Graph.SetPageSize(1) // one package a page: the next link is followed
	c, ctx := sandboxClient(t, tenant), testContext(t)
	got, err := c.CatalogAccessPackages(ctx, tenant.Seeds.Catalog)
	if err != nil {
		t.Fatalf("CatalogAccessPackages: %v", err)
	}
	var want []string
	for _, p := range tenant.Seeds.AccessPackages {
		want = append(want, p.ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("CatalogAccessPackages = %v, want %v", got, want)
	}
	if _, err := c.CatalogAccessPackages(ctx, sandbox.TenantID); graphStatus(err) != 404 {
		t.Errorf("CatalogAccessPackages(unknown) error = %v, want Graph's 404", err)
	}
}

// TestDeliveredPageAndChecks walks every page of the large seeded package
// and checks each target's groups in $batches of 20: the drift it finds is
// the seeded drift.
func TestDeliveredPageAndChecks(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	tenant.Graph.SetPageSize(500)
	c, ctx, large := sandboxClient(t, tenant), testContext(t), tenant.Seeds.LargeAccessPackage
	var targets []graph.Target
	pages, next := 0, ""
	for {
		page, err := c.DeliveredPage(ctx, large.ID, next)
		if err != nil {
			t.Fatalf("DeliveredPage %d: %v", pages, err)
		}
		pages++
		targets = append(targets, page.Items...)
		if next = page.NextLink; next == "" {
			break
		}
	}
	if pages != 5 || len(targets) != large.Assignments {
		t.Fatalf("read %d targets in %d pages, want %d in 5", len(targets), pages, large.Assignments)
	}
	seen := map[string]bool{}
	for _, tg := range targets {
		if tg.AssignmentID == "" || tg.TargetObjectID == "" || seen[tg.AssignmentID] {
			t.Fatalf("target %+v: want a new assignment id and its target", tg)
		}
		seen[tg.AssignmentID] = true
	}

	drifted := 0
	for chunk := range slices.Chunk(targets, graph.MaxBatch) {
		checks := make([]graph.MemberCheck, len(chunk))
		for i, tg := range chunk {
			checks[i] = graph.MemberCheck{ObjectID: tg.TargetObjectID, GroupIDs: large.Groups}
		}
		answers, err := c.CheckMemberGroups(ctx, checks)
		if err != nil {
			t.Fatalf("CheckMemberGroups: %v", err)
		}
		for i, a := range answers {
			if a.Err != nil {
				t.Fatalf("check %s: %v", checks[i].ObjectID, a.Err)
			}
			if len(a.MemberOf) < len(large.Groups) {
				drifted++
			}
		}
	}
	if drifted != large.Drifted || drifted != 100 {
		t.Errorf("drifted = %d, want the seeded %d (100)", drifted, large.Drifted)
	}
}

func TestDeliveredPageRefusesForeignNextLink(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	c := sandboxClient(t, tenant)
	for _, link := range []string{"https://evil.example/v1.0/identityGovernance/entitlementManagement/assignments", "http://graph.microsoft.com/v1.0/x"} {
		if _, err := c.DeliveredPage(testContext(t), tenant.Seeds.LargeAccessPackage.ID, link); err == nil {
			t.Errorf("DeliveredPage(%s) succeeded, want a refusal", link)
		}
	}
	if n := tenant.Count(sandbox.Graph); n != 0 {
		t.Errorf("Graph saw %d requests, want none", n)
	}
}

func TestCheckMemberGroupsItemAnswers(t *testing.T) {
	t.Parallel()
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	c, ctx, s := sandboxClient(t, tenant), testContext(t), tenant.Seeds
	tenant.Graph.Fail("/checkMemberGroups", 429, 1, 7*time.Second)
	answers, err := c.CheckMemberGroups(ctx, []graph.MemberCheck{
		{ObjectID: s.Users[0].ObjectID, GroupIDs: []string{s.SalesGroup}}, // throttled: the first check
		{ObjectID: s.Users[0].ObjectID, GroupIDs: []string{s.SalesGroup, s.LargeAccessPackage.Groups[0]}},
		{ObjectID: s.Users[1].ObjectID, GroupIDs: []string{s.SalesGroup}},
		{ObjectID: s.Unknown, GroupIDs: []string{s.SalesGroup}},
	})
	if err != nil {
		t.Fatalf("CheckMemberGroups: %v", err)
	}
	var ge *graph.Error
	if !errors.As(answers[0].Err, &ge) || ge.Status != 429 || ge.RetryAfter != 7*time.Second {
		t.Errorf("answer 0 = %+v, want 429 with Retry-After 7s", answers[0])
	}
	if !slices.Equal(answers[1].MemberOf, []string{s.SalesGroup}) || answers[1].Err != nil {
		t.Errorf("answer 1 = %+v, want member of the sales group only", answers[1])
	}
	if answers[2].MemberOf == nil || len(answers[2].MemberOf) != 0 || answers[2].Err != nil {
		t.Errorf("answer 2 = %+v, want member of none", answers[2])
	}
	if graphStatus(answers[3].Err) != 404 {
		t.Errorf("answer 3 = %+v, want 404 for an unknown object", answers[3])
	}
	if _, err := c.CheckMemberGroups(ctx, nil); err == nil {
		t.Error("CheckMemberGroups(none) succeeded, want an error")
	}
}
