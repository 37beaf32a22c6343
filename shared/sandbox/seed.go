package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
)

// Seeds names the data every new tenant starts with. The ids are fixed, so
// `make run` prints the same sample ids each time.
type Seeds struct {
	Delivered          []string // assignments in state delivered (several)
	Delivering         string   // stays delivering
	PartiallyDelivered string
	Expired            string
	DeliveryFailed     string
	Unknown            string // a valid GUID that is no assignment

	Users      []User // Users[1] has an apostrophe in its UPN
	QuotedUser User   // that user: o'brien@contoso.example
	// AccessPackages are in Catalog. [0] grants the Member role of
	// SalesGroup (Users[0] is a member, Users[1] is not: one drifted
	// delivered assignment); [1] grants a group's Owner role and an app
	// role, so its assignments are unverifiable.
	AccessPackages []AccessPackage
	Catalog        string
	SalesGroup     string
	// LargeAccessPackage has 2,500 delivered assignments to 2,500 users;
	// every 25th user lacks one of its two groups: 100 drifted.
	LargeAccessPackage BulkAccessPackage
}

// Fixed ids of the seeded catalog, groups and large access package.
const (
	seedCatalog      = "c47a1090-5e3d-4b2a-9f1e-0d2c3b4a5968"
	seedSalesGroup   = "5a1e5000-6b7c-4d8e-9f0a-1b2c3d4e5f60"
	seedOwnersGroup  = "0e4e0000-6b7c-4d8e-9f0a-1b2c3d4e5f61"
	seedToolsApp     = "a990a990-6b7c-4d8e-9f0a-1b2c3d4e5f62"
	seedToolsAppRole = "b0b0b0b0-6b7c-4d8e-9f0a-1b2c3d4e5f63"
	seedLargePrefix  = "5eed2500"
)

var seedUsers = []User{
	{ObjectID: "1f0e2d3c-4b5a-4697-8877-665544332211", UserPrincipalName: "adele.vance@contoso.example", DisplayName: "Adele Vance", Mail: "adele.vance@contoso.example", subjectID: "a1b2c3d4-0001-4000-8000-000000000001"},
	{ObjectID: "2e1d3c4b-5a69-4788-9766-554433221100", UserPrincipalName: "o'brien@contoso.example", DisplayName: "Seamus O'Brien", Mail: "o'brien@contoso.example", subjectID: "a1b2c3d4-0002-4000-8000-000000000002"},
	{ObjectID: "3d2c4b5a-6978-4899-a655-443322110099", UserPrincipalName: "alex.wilber@contoso.example", DisplayName: "Alex Wilber", Mail: "alex.wilber@contoso.example", subjectID: "a1b2c3d4-0003-4000-8000-000000000003"},
	{ObjectID: "4c3b5a69-7887-49aa-b544-332211009988", UserPrincipalName: "megan.bowen@contoso.example", DisplayName: "Megan Bowen", Mail: "megan.bowen@contoso.example", subjectID: "a1b2c3d4-0004-4000-8000-000000000004"},
}

var seedPackages = []AccessPackage{
	{ID: "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea", DisplayName: "Sales onboarding", Description: "Sales team groups and apps",
		CatalogID: seedCatalog, Roles: []Role{MemberOf(seedSalesGroup)}},
	{ID: "8ca95b77-2c1d-4c56-9a2e-5f3b1d7e9c40", DisplayName: "Engineering tools", Description: "Repositories and build systems",
		CatalogID: seedCatalog, Roles: []Role{OwnerOf(seedOwnersGroup), AppRole(seedToolsApp, seedToolsAppRole, "Developer")}},
}

func (t *Tenant) seed() {
	for _, u := range seedUsers {
		t.AddUser(u)
	}
	t.AddCatalog(Catalog{ID: seedCatalog, DisplayName: "General"})
	for _, p := range seedPackages {
		t.AddAccessPackage(p)
	}
	t.AddMembers(seedSalesGroup, seedUsers[0].ObjectID)
	t.AddGroup(seedOwnersGroup)
	t.Seeds = Seeds{
		Catalog:        seedCatalog,
		SalesGroup:     seedSalesGroup,
		Unknown:        "00000000-0000-4000-8000-00000000dead",
		Users:          append([]User(nil), seedUsers...),
		QuotedUser:     seedUsers[1],
		AccessPackages: append([]AccessPackage(nil), seedPackages...),
	}
	start := time.Date(2025, 1, 6, 9, 30, 0, 0, time.UTC)
	add := func(n int, state string, user, pkg int) string {
		return t.AddAssignment(Assignment{
			ID:    fmt.Sprintf("6f1c2d3e-4a5b-4c6d-8e7f-%012d", n),
			State: state, UserObjectID: seedUsers[user].ObjectID, AccessPackageID: seedPackages[pkg].ID,
			Start: start.Add(time.Duration(n) * time.Hour),
		})
	}
	t.Seeds.Delivered = []string{
		add(1, StateDelivered, 0, 0),
		add(2, StateDelivered, 1, 0),
		add(3, StateDelivered, 2, 1),
		add(4, StateDelivered, 0, 1),
	}
	t.Seeds.Delivering = add(5, StateDelivering, 3, 1)
	t.Seeds.PartiallyDelivered = add(6, StatePartiallyDelivered, 2, 0)
	t.Seeds.Expired = add(7, StateExpired, 3, 0)
	t.Seeds.DeliveryFailed = add(8, StateDeliveryFailed, 1, 1)
	t.Seeds.LargeAccessPackage = t.addBulk(seedLargePrefix, 2500, 25)

	t.SetSecret(GraphSecretName, t.graphSecret)
	t.KeyVault.add(&secretVersion{name: GraphCertificateName, cert: &t.graphCert})
	t.SetSecret("webhook-github", randomHex(20))
	t.SetSecret("webhook-jira", randomHex(24))
	t.SetSecret("webhook-standard", "whsec_"+base64.StdEncoding.EncodeToString(randomBytes(24)))
	t.SetSecret("webhook-zendesk", base64.StdEncoding.EncodeToString(randomBytes(32)))
	t.SetSecret("webhook-pagerduty", randomHex(16))
}

func randomHex(n int) string { return fmt.Sprintf("%x", randomBytes(n)) }

// newGUID returns a random (version 4) GUID in canonical lowercase form.
func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
