package sandbox

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// BulkAccessPackage is an access package with many delivered assignments,
// each to its own user, granting the Member role of two groups: what a job
// over a whole package reads, checks and reprocesses.
type BulkAccessPackage struct {
	ID          string
	Groups      []string // the two groups whose Member role it grants
	Assignments int      // delivered assignments, one per user
	// Drifted is how many users lack one of the groups: every DriftEvery-th
	// user (the 1st group missing for odd multiples, the 2nd for even).
	Drifted    int
	DriftEvery int
}

// AddBulkAccessPackage adds an access package of n delivered assignments
// to n new users, every driftEvery-th of whom lacks one of its two groups
// (driftEvery < 1: none). Its ids are new on each call.
func (t *Tenant) AddBulkAccessPackage(n, driftEvery int) BulkAccessPackage {
	return t.addBulk(newGUID()[:8], n, driftEvery)
}

// addBulk adds the package with ids made from an 8-hex-digit prefix, so the
// seeded one has the same ids on every start:
//
//	package     <prefix>-0000-4000-8000-000000000000
//	group k     <prefix>-0001-4000-8000-00000000000k (k = 1, 2)
//	user i      <prefix>-0002-4000-8000-<i, 12 digits> (i = 1..n)
//	assignment  <prefix>-0004-4000-8000-<i, 12 digits>
func (t *Tenant) addBulk(prefix string, n, driftEvery int) BulkAccessPackage {
	id := func(kind, i int) string { return bulkID(prefix, kind, i) }
	p := BulkAccessPackage{ID: id(0, 0), Groups: []string{id(1, 1), id(1, 2)}, Assignments: n, DriftEvery: driftEvery}
	if driftEvery > 0 {
		p.Drifted = n / driftEvery
	}
	start := time.Date(2025, 2, 3, 8, 0, 0, 0, time.UTC)
	g := t.Graph
	g.mu.Lock()
	defer g.mu.Unlock()
	g.packages[strings.ToLower(p.ID)] = AccessPackage{
		ID: p.ID, DisplayName: fmt.Sprintf("Bulk %s (%d assignments)", prefix, n),
		Description: "Many delivered assignments, for jobs", Roles: []Role{MemberOf(p.Groups[0]), MemberOf(p.Groups[1])},
	}
	first, second := g.group(p.Groups[0]), g.group(p.Groups[1])
	g.order = slices.Grow(g.order, n)
	for i := 1; i <= n; i++ {
		n := strconv.Itoa(i)
		u := &User{ObjectID: id(2, i), UserPrincipalName: "user" + n + "." + prefix + "@contoso.example",
			DisplayName: "Bulk user " + n, subjectID: id(3, i)}
		g.users[u.ObjectID] = u
		g.users[u.UserPrincipalName] = u
		a := &assignment{Assignment: Assignment{ID: id(4, i), State: StateDelivered, UserObjectID: u.ObjectID,
			AccessPackageID: p.ID, Start: start.Add(time.Duration(i) * time.Minute)}}
		g.assignments[a.ID] = a
		g.order = append(g.order, a.ID)
		drifted := driftEvery > 0 && i%driftEvery == 0
		if !drifted || (i/driftEvery)%2 == 0 {
			first[u.ObjectID] = struct{}{}
		}
		if !drifted || (i/driftEvery)%2 == 1 {
			second[u.ObjectID] = struct{}{}
		}
	}
	return p
}

// bulkID is <prefix>-<kind, 4 digits>-4000-8000-<i, 12 digits>, built
// without fmt: seeding makes thousands at every sandbox start.
func bulkID(prefix string, kind, i int) string {
	b := make([]byte, 0, 36)
	b = append(b, prefix...)
	b = append(b, '-')
	b = appendPadded(b, kind, 4)
	b = append(b, "-4000-8000-"...)
	b = appendPadded(b, i, 12)
	return string(b)
}

func appendPadded(b []byte, n, width int) []byte {
	digits := strconv.Itoa(n)
	for range width - len(digits) {
		b = append(b, '0')
	}
	return append(b, digits...)
}
