package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Origin systems of the resources an access package grants roles in.
const (
	OriginGroup      = "AadGroup"
	OriginApp        = "AadApplication"
	OriginSharePoint = "SharePointOnline"
)

// Role is one resource role an access package grants (a resourceRoleScope:
// the role and the resource it applies to).
type Role struct {
	OriginSystem string // OriginGroup, OriginApp or OriginSharePoint
	RoleOriginID string // role.originId: Member_<group id>, Owner_<group id>, an app role id
	DisplayName  string // role.displayName: Member, Owner, the app role's name
	ResourceID   string // scope.originId: the group id, application id or site URL
}

// MemberOf is a group's Member role: the one role a membership check verifies.
func MemberOf(groupID string) Role {
	return Role{OriginSystem: OriginGroup, RoleOriginID: "Member_" + groupID, DisplayName: "Member", ResourceID: groupID}
}

// OwnerOf is a group's Owner role.
func OwnerOf(groupID string) Role {
	return Role{OriginSystem: OriginGroup, RoleOriginID: "Owner_" + groupID, DisplayName: "Owner", ResourceID: groupID}
}

// AppRole is an application's role.
func AppRole(appID, roleID, name string) Role {
	return Role{OriginSystem: OriginApp, RoleOriginID: roleID, DisplayName: name, ResourceID: appID}
}

// Catalog is an entitlement-management catalog.
type Catalog struct {
	ID          string
	DisplayName string
}

// AddCatalog adds (or replaces) a catalog; access packages join it by CatalogID.
func (t *Tenant) AddCatalog(c Catalog) {
	t.Graph.mu.Lock()
	defer t.Graph.mu.Unlock()
	t.Graph.catalogs[strings.ToLower(c.ID)] = c
}

type roleJSON struct {
	ID           string `json:"id"`
	DisplayName  string `json:"displayName"`
	Description  string `json:"description"`
	OriginSystem string `json:"originSystem"`
	OriginID     string `json:"originId"`
}

type scopeJSON struct {
	ID           string `json:"id"`
	DisplayName  string `json:"displayName"`
	Description  string `json:"description"`
	OriginID     string `json:"originId"`
	OriginSystem string `json:"originSystem"`
	IsRootScope  bool   `json:"isRootScope"`
}

type roleScopeJSON struct {
	ID              string     `json:"id"`
	CreatedDateTime string     `json:"createdDateTime"`
	Role            *roleJSON  `json:"role,omitempty"`
	Scope           *scopeJSON `json:"scope,omitempty"`
}

// packageExpansion is $expand on an access package: resourceRoleScopes,
// with role and scope expanded inside it or not.
type packageExpansion struct{ scopes, role, scope bool }

func parsePackageExpand(s string) (packageExpansion, error) {
	var e packageExpansion
	for _, p := range splitTopLevel(s) {
		name, inner, nested := strings.Cut(p, "(")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "":
			continue
		case "resourcerolescopes":
			e.scopes = true
		case "catalog", "accesspackagesincompatiblewith", "incompatibleaccesspackages", "incompatiblegroups", "assignmentpolicies":
			continue // navigation properties Graph knows; the sandbox renders none
		default:
			return e, fmt.Errorf("Parsing OData Select and Expand failed: Could not find a property named '%s' on type 'microsoft.graph.accessPackage'.", truncate(strings.TrimSpace(name), 60))
		}
		if !nested {
			continue
		}
		inner = strings.TrimSuffix(strings.TrimSpace(inner), ")")
		opt, list, ok := strings.Cut(inner, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(opt), "$expand") {
			return e, fmt.Errorf("Parsing OData Select and Expand failed: the sandbox supports only $expand inside resourceRoleScopes, not '%s'.", truncate(inner, 60))
		}
		for _, q := range strings.Split(list, ",") {
			switch strings.ToLower(strings.TrimSpace(q)) {
			case "role":
				e.role = true
			case "scope":
				e.scope = true
			default:
				return e, fmt.Errorf("Parsing OData Select and Expand failed: Could not find a property named '%s' on type 'microsoft.graph.accessPackageResourceRoleScope'.", truncate(strings.TrimSpace(q), 60))
			}
		}
	}
	return e, nil
}

// splitTopLevel splits an OData option list on the commas outside parentheses.
func splitTopLevel(s string) []string {
	var out []string
	depth, from := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[from:i])
				from = i + 1
			}
		}
	}
	return append(out, s[from:])
}

// getAccessPackage serves GET .../accessPackages/{id}, with
// $expand=resourceRoleScopes($expand=role,scope).
func (g *GraphServer) getAccessPackage(w http.ResponseWriter, r *http.Request) {
	expand, err := parsePackageExpand(r.URL.Query().Get("$expand"))
	if err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	id := r.PathValue("id")
	if !isGUID(id) {
		graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid id '%s': an accessPackage id must be a GUID.", truncate(id, 80)))
		return
	}
	g.mu.Lock()
	p, ok := g.packages[strings.ToLower(id)]
	g.mu.Unlock()
	if !ok {
		graphError(w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The accessPackage with id '%s' was not found.", id))
		return
	}
	body := map[string]any{
		"@odata.context": "https://" + hostOnly(r.Host) + "/v1.0/$metadata#identityGovernance/entitlementManagement/accessPackages/$entity",
		"id":             p.ID, "displayName": p.DisplayName, "description": p.Description, "isHidden": false,
		"createdDateTime": "2025-01-06T09:30:00Z", "modifiedDateTime": "2025-01-06T09:30:00Z",
	}
	if expand.scopes {
		scopes := make([]roleScopeJSON, 0, len(p.Roles))
		for _, role := range p.Roles {
			rs := roleScopeJSON{ID: newGUID(), CreatedDateTime: "2025-01-06T09:30:00Z"}
			if expand.role {
				rs.Role = &roleJSON{ID: newGUID(), DisplayName: role.DisplayName, OriginSystem: role.OriginSystem, OriginID: role.RoleOriginID}
			}
			if expand.scope {
				rs.Scope = &scopeJSON{ID: newGUID(), DisplayName: "Root", Description: "Root Scope", OriginID: role.ResourceID, OriginSystem: role.OriginSystem, IsRootScope: true}
			}
			scopes = append(scopes, rs)
		}
		body["resourceRoleScopes"] = scopes
	}
	writeOData(w, http.StatusOK, body)
}

// listCatalogPackages serves GET .../catalogs/{id}/accessPackages, paged.
func (g *GraphServer) listCatalogPackages(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	g.mu.Lock()
	_, known := g.catalogs[strings.ToLower(id)]
	var ids []string
	for _, p := range g.packages {
		if strings.EqualFold(p.CatalogID, id) {
			ids = append(ids, p.ID)
		}
	}
	g.mu.Unlock()
	if !isGUID(id) || !known {
		graphError(w, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The accessPackageCatalog with id '%s' was not found.", truncate(id, 80)))
		return
	}
	slices.Sort(ids)
	top, from, ok := g.pageOptions(w, r)
	if !ok {
		return
	}
	from = min(from, len(ids))
	to, next := min(from+top, len(ids)), ""
	if to < len(ids) {
		next = nextPageLink(r, to)
	}
	value := make([]map[string]string, 0, to-from)
	for _, pid := range ids[from:to] {
		value = append(value, map[string]string{"id": pid})
	}
	body := map[string]any{
		"@odata.context": "https://" + hostOnly(r.Host) + "/v1.0/$metadata#identityGovernance/entitlementManagement/catalogs('" + id + "')/accessPackages(id)",
		"value":          value,
	}
	if next != "" {
		body["@odata.nextLink"] = next
	}
	writeOData(w, http.StatusOK, body)
}
