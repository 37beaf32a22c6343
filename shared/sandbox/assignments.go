package sandbox

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Assignment states, as Graph sends them (lowercase: the SDK's enum parser
// is case-sensitive).
const (
	StateDelivering         = "delivering"
	StatePartiallyDelivered = "partiallyDelivered"
	StateDelivered          = "delivered"
	StateExpired            = "expired"
	StateDeliveryFailed     = "deliveryFailed"
)

var stateStatus = map[string]string{
	StateDelivering: "Delivering", StatePartiallyDelivered: "PartiallyDelivered", StateDelivered: "Delivered",
	StateExpired: "ExpiredNotificationTriggered", StateDeliveryFailed: "DeliveryFailed",
}

// Assignment is an access package assignment in the sandbox.
type Assignment struct {
	ID              string // a GUID; AddAssignment makes one when empty
	State           string // one of the State constants; default StateDelivered
	UserObjectID    string // the target user; default the first seeded user
	AccessPackageID string // default the first seeded access package
	Start           time.Time
}

// User is a directory user that assignments target.
type User struct {
	ObjectID          string
	UserPrincipalName string
	DisplayName       string
	Mail              string
	subjectID         string // the accessPackageSubject id
}

// AccessPackage is an entitlement-management access package.
type AccessPackage struct {
	ID          string
	DisplayName string
	Description string
	CatalogID   string // the catalog listing it; "" for none
	Roles       []Role // what it grants: its resourceRoleScopes
}

type assignment struct {
	Assignment
	deliveringUntil time.Time // when a reprocess ends; zero: stays delivering
}

// AddAssignment stores a and returns its id, filling in the defaults above.
func (t *Tenant) AddAssignment(a Assignment) string {
	g := t.Graph
	if a.ID == "" {
		a.ID = newGUID()
	}
	if a.State == "" {
		a.State = StateDelivered
	}
	if a.UserObjectID == "" {
		a.UserObjectID = t.Seeds.Users[0].ObjectID
	}
	if a.AccessPackageID == "" {
		a.AccessPackageID = t.Seeds.AccessPackages[0].ID
	}
	if a.Start.IsZero() {
		a.Start = time.Now().Add(-24 * time.Hour).UTC().Truncate(time.Millisecond)
	}
	key := strings.ToLower(a.ID)
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, exists := g.assignments[key]; !exists {
		g.order = append(g.order, key)
	}
	g.assignments[key] = &assignment{Assignment: a}
	return a.ID
}

// AddUser adds (or replaces) a directory user.
func (t *Tenant) AddUser(u User) {
	g := t.Graph
	if u.subjectID == "" {
		u.subjectID = newGUID()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.users[strings.ToLower(u.ObjectID)] = &u
	g.users[strings.ToLower(u.UserPrincipalName)] = &u
}

// AddAccessPackage adds (or replaces) an access package.
func (t *Tenant) AddAccessPackage(p AccessPackage) {
	t.Graph.mu.Lock()
	defer t.Graph.mu.Unlock()
	t.Graph.packages[strings.ToLower(p.ID)] = p
}

// Assignment returns the assignment's current state.
func (g *GraphServer) Assignment(id string) (Assignment, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	a := g.assignments[strings.ToLower(id)]
	if a == nil {
		return Assignment{}, false
	}
	g.settle(a)
	return a.Assignment, true
}

// Reprocessed returns how many reprocess calls Graph accepted (202) for id.
func (g *GraphServer) Reprocessed(id string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.reprocessed[strings.ToLower(id)]
}

// settle ends a finished reprocess. Called with g.mu held.
func (g *GraphServer) settle(a *assignment) {
	if a.State == StateDelivering && !a.deliveringUntil.IsZero() && !time.Now().Before(a.deliveringUntil) {
		a.State, a.deliveringUntil = StateDelivered, time.Time{}
	}
}

var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func isGUID(s string) bool { return guidPattern.MatchString(s) }

// lookupAssignment writes Graph's 400 or 404 and returns nil when id is
// malformed or unknown. Called with g.mu held.
func (g *GraphServer) lookupAssignment(w http.ResponseWriter, id string) *assignment {
	if !isGUID(id) {
		graphError(w, http.StatusBadRequest, "BadRequest",
			fmt.Sprintf("Invalid id '%s': an accessPackageAssignment id must be a GUID.", truncate(id, 80)))
		return nil
	}
	a := g.assignments[strings.ToLower(id)]
	if a == nil {
		graphError(w, http.StatusNotFound, "ResourceNotFound",
			fmt.Sprintf("The accessPackageAssignment with id '%s' was not found.", id))
		return nil
	}
	g.settle(a)
	return a
}

func (g *GraphServer) reprocess(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	a := g.lookupAssignment(w, r.PathValue("id"))
	if a == nil {
		return
	}
	if a.State != StateDelivered {
		// ASSUMPTION: Graph documents only that the state must be Delivered;
		// its real answer for other states is unknown. The sandbox picks 400
		// with an OData error so callers exercise their pass-through path.
		graphError(w, http.StatusBadRequest, "InvalidAssignmentState", fmt.Sprintf(
			"The access package assignment '%s' is in state '%s'; only a delivered assignment can be reprocessed.", a.ID, a.State))
		return
	}
	if d := g.t.opts.DeliveringFor; d > 0 {
		a.State, a.deliveringUntil = StateDelivering, time.Now().Add(d)
	}
	g.reprocessed[strings.ToLower(a.ID)]++
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusAccepted)
}

func (g *GraphServer) getAssignment(w http.ResponseWriter, r *http.Request) {
	expand, err := parseExpand(r.URL.Query().Get("$expand"))
	if err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	a := g.lookupAssignment(w, r.PathValue("id"))
	if a == nil {
		return
	}
	body := g.render(a, expand)
	body.Context = "https://" + hostOnly(r.Host) + "/v1.0/$metadata#identityGovernance/entitlementManagement/assignments/$entity"
	writeOData(w, http.StatusOK, body)
}

func (g *GraphServer) listAssignments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	expand, err := parseExpand(q.Get("$expand"))
	if err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	filter, err := parseAssignmentFilter(q.Get("$filter"))
	if err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	top, from, ok := g.pageOptions(w, r)
	if !ok {
		return
	}
	// The skiptoken is a cursor into the insertion order, as Graph's are
	// opaque cursors: an assignment that leaves the filter (reprocessed,
	// so delivering for a while) does not shift the pages after it.
	g.mu.Lock()
	page := []assignmentJSON{}
	next := ""
	for i := min(from, len(g.order)); i < len(g.order); i++ {
		a := g.assignments[g.order[i]]
		g.settle(a)
		if !filter.matches(a) {
			continue
		}
		if len(page) == top {
			next = nextPageLink(r, i)
			break
		}
		page = append(page, g.render(a, expand))
	}
	g.mu.Unlock()
	body := map[string]any{
		"@odata.context": "https://" + hostOnly(r.Host) + "/v1.0/$metadata#identityGovernance/entitlementManagement/assignments",
		"value":          page,
	}
	if next != "" {
		body["@odata.nextLink"] = next
	}
	writeOData(w, http.StatusOK, body)
}
