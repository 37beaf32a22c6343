package msgraph

import (
	"context"
	"fmt"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"

	"github.com/entra-tools/reprocess/shared/graph"
)

// Bounds of CatalogAccessPackages: pages followed. A catalog holds far
// fewer packages than a page of Graph's list times this.
const maxCatalogPages = 50

// wirePackage is what AccessPackage reads of Graph's accessPackage with its
// resourceRoleScopes expanded (role and scope each).
type wirePackage struct {
	ID                 string `json:"id"`
	ResourceRoleScopes []struct {
		Role *struct {
			OriginID     string `json:"originId"`
			OriginSystem string `json:"originSystem"`
		} `json:"role"`
		Scope *struct {
			OriginID     string `json:"originId"`
			OriginSystem string `json:"originSystem"`
		} `json:"scope"`
	} `json:"resourceRoleScopes"`
}

// AccessPackage reads the package's resource role scopes
// (accessPackages/{id}?$expand=resourceRoleScopes($expand=role,scope)):
// a group's Member role (origin system AadGroup, role origin id
// Member_<group id>) is a group a membership check can verify; any other
// role (a group's Owner, an application's role, a SharePoint site's) makes
// the package Unverifiable.
func (c *Client) AccessPackage(ctx context.Context, id string) (graph.Package, error) {
	_, adapter, err := c.builder()
	if err != nil {
		return graph.Package{}, err
	}
	b := identitygovernance.NewEntitlementManagementAccessPackagesAccessPackageItemRequestBuilderInternal(
		map[string]string{"baseurl": adapter.GetBaseUrl(), "accessPackage%2Did": id}, adapter)
	ri, err := b.ToGetRequestInformation(ctx, &identitygovernance.EntitlementManagementAccessPackagesAccessPackageItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &identitygovernance.EntitlementManagementAccessPackagesAccessPackageItemRequestBuilderGetQueryParameters{
			Expand: []string{"resourceRoleScopes($expand=role,scope)"},
		},
	})
	if err != nil {
		return graph.Package{}, fmt.Errorf("get access package %s: %w", id, err)
	}
	var wire wirePackage
	if err := c.getJSON(ctx, adapter, ri, &wire); err != nil {
		return graph.Package{}, fmt.Errorf("get access package %s: %w", id, err)
	}
	return packageOf(id, wire), nil
}

// packageOf sorts the package's roles into Member groups and the rest.
func packageOf(id string, wire wirePackage) graph.Package {
	p := graph.Package{ID: id}
	if wire.ID != "" {
		p.ID = wire.ID
	}
	seen := map[string]bool{}
	for _, rs := range wire.ResourceRoleScopes {
		group, ok := memberGroup(rs.Role, rs.Scope)
		if !ok {
			p.Unverifiable = true
			continue
		}
		if key := strings.ToLower(group); !seen[key] {
			seen[key] = true
			p.MemberGroups = append(p.MemberGroups, group)
		}
	}
	return p
}

// memberGroup is the group whose Member role a role scope grants. The
// group id is the role's origin id after "Member_"; the scope's origin id,
// when Graph sends it, must name the same group.
func memberGroup(role, scope *struct {
	OriginID     string `json:"originId"`
	OriginSystem string `json:"originSystem"`
}) (string, bool) {
	if role == nil || !strings.EqualFold(role.OriginSystem, "AadGroup") {
		return "", false
	}
	const prefix = "member_"
	if len(role.OriginID) <= len(prefix) || !strings.EqualFold(role.OriginID[:len(prefix)], prefix) {
		return "", false
	}
	group := role.OriginID[len(prefix):]
	if scope != nil && scope.OriginID != "" && !strings.EqualFold(scope.OriginID, group) {
		return "", false
	}
	return group, true
}

// CatalogAccessPackages lists the ids of a catalog's access packages
// (catalogs/{id}/accessPackages?$select=id), following @odata.nextLink.
// An unknown catalog is Graph's 404.
func (c *Client) CatalogAccessPackages(ctx context.Context, catalogID string) ([]string, error) {
	_, adapter, err := c.builder()
	if err != nil {
		return nil, err
	}
	b := identitygovernance.NewEntitlementManagementCatalogsItemAccessPackagesRequestBuilderInternal(
		map[string]string{"baseurl": adapter.GetBaseUrl(), "accessPackageCatalog%2Did": catalogID}, adapter)
	ri, err := b.ToGetRequestInformation(ctx, &identitygovernance.EntitlementManagementCatalogsItemAccessPackagesRequestBuilderGetRequestConfiguration{
		QueryParameters: &identitygovernance.EntitlementManagementCatalogsItemAccessPackagesRequestBuilderGetQueryParameters{
			Select: []string{"id"},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("list catalog %s: %w", catalogID, err)
	}
	var ids []string
	for page := 0; ; page++ {
		var wire struct {
			Value []struct {
				ID string `json:"id"`
			} `json:"value"`
			NextLink string `json:"@odata.nextLink"`
		}
		if err := c.getJSON(ctx, adapter, ri, &wire); err != nil {
			return nil, fmt.Errorf("list catalog %s: %w", catalogID, err)
		}
		for _, v := range wire.Value {
			if v.ID != "" {
				ids = append(ids, v.ID)
			}
		}
		if wire.NextLink == "" {
			return ids, nil
		}
		if page+1 == maxCatalogPages {
			return nil, fmt.Errorf("list catalog %s: more than %d pages", catalogID, maxCatalogPages)
		}
		if ri, err = c.nextPage(wire.NextLink); err != nil {
			return nil, fmt.Errorf("list catalog %s: %w", catalogID, err)
		}
	}
}
