package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// maxCheckGroups is checkMemberGroups' limit of group ids in one call.
const maxCheckGroups = 20

// AddGroup adds an Entra group (no members) if it is not there yet.
func (t *Tenant) AddGroup(groupID string) {
	g := t.Graph
	g.mu.Lock()
	defer g.mu.Unlock()
	g.group(groupID)
}

// AddMembers makes each object a direct member of the group, adding the
// group when needed. Memberships are not transitive in the sandbox.
func (t *Tenant) AddMembers(groupID string, objectIDs ...string) {
	g := t.Graph
	g.mu.Lock()
	defer g.mu.Unlock()
	members := g.group(groupID)
	for _, id := range objectIDs {
		members[strings.ToLower(id)] = struct{}{}
	}
}

// RemoveMember ends an object's membership of a group: it drifts.
func (t *Tenant) RemoveMember(groupID, objectID string) {
	g := t.Graph
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.groups[strings.ToLower(groupID)], strings.ToLower(objectID))
}

// group returns the group's member set, adding the group. Called with g.mu held.
func (g *GraphServer) group(groupID string) map[string]struct{} {
	key := strings.ToLower(groupID)
	members := g.groups[key]
	if members == nil {
		members = map[string]struct{}{}
		g.groups[key] = members
	}
	return members
}

// checkMemberGroups serves POST /directoryObjects/{id}/checkMemberGroups
// {"groupIds":[…]}: the given groups the object is a member of, in the
// order given. 404 for an object that is no user or group.
func (g *GraphServer) checkMemberGroups(w http.ResponseWriter, r *http.Request) {
	var body struct {
		GroupIDs []string `json:"groupIds"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&body); err != nil || body.GroupIDs == nil {
		graphError(w, http.StatusBadRequest, "Request_BadRequest", "Invalid request body: expected {\"groupIds\":[…]}.")
		return
	}
	if len(body.GroupIDs) > maxCheckGroups {
		graphError(w, http.StatusBadRequest, "Request_BadRequest",
			fmt.Sprintf("The number of group ids (%d) exceeds the limit of %d.", len(body.GroupIDs), maxCheckGroups))
		return
	}
	id := strings.ToLower(r.PathValue("id"))
	g.mu.Lock()
	_, isUser := g.users[id]
	_, isGroup := g.groups[id]
	memberOf := []string{}
	for _, gid := range body.GroupIDs {
		if _, ok := g.groups[strings.ToLower(gid)][id]; ok {
			memberOf = append(memberOf, gid)
		}
	}
	g.mu.Unlock()
	if !isGUID(id) || !isUser && !isGroup {
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf(
			"Resource '%s' does not exist or one of its queried reference-property objects are not present.", truncate(r.PathValue("id"), 120)))
		return
	}
	writeOData(w, http.StatusOK, map[string]any{
		"@odata.context": "https://" + hostOnly(r.Host) + "/v1.0/$metadata#Collection(Edm.String)",
		"value":          memberOf,
	})
}
