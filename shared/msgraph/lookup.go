package msgraph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/graph"
)

// Bounds of DeliveredAssignments: pages followed, and ids kept (the batch limit).
const (
	maxPages    = 10
	maxAssigned = 1000
)

// UserObjectID resolves a user (object id or user principal name) to its
// object id with GET /users/{id | userPrincipalName}?$select=id.
//
// The request is built on the SDK's request information and sent through
// its adapter without importing the SDK's users package (a large compile for
// one URL). The URI template's simple expansion percent-encodes every
// reserved character of the name (@ ' # / ?), so a name can
// only ever be one path segment.
func (c *Client) UserObjectID(ctx context.Context, user string) (string, error) {
	_, adapter, err := c.builder()
	if err != nil {
		return "", err
	}
	ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.GET, "{+baseurl}/users/{user%2Did}{?%24select}",
		map[string]string{"baseurl": adapter.GetBaseUrl(), "user%2Did": user})
	ri.QueryParameters["%24select"] = "id"
	ri.Headers.TryAdd("Accept", "application/json")
	var wire struct {
		ID string `json:"id"`
	}
	if err := c.getJSON(ctx, adapter, ri, &wire); err != nil {
		return "", fmt.Errorf("get user: %w", err)
	}
	if wire.ID == "" {
		return "", fmt.Errorf("get user: graph's answer has no id")
	}
	return wire.ID, nil
}

// DeliveredAssignments lists the ids of the user's assignments to the access
// package that are in state delivered (the ones reprocess accepts),
// following @odata.nextLink up to maxPages pages and maxAssigned ids.
func (c *Client) DeliveredAssignments(ctx context.Context, userObjectID, accessPackageID string) ([]assignment.ID, error) {
	b, adapter, err := c.builder()
	if err != nil {
		return nil, err
	}
	filter := graph.DeliveredFilter(userObjectID, accessPackageID)
	ri, err := b.ToGetRequestInformation(ctx, &identitygovernance.EntitlementManagementAssignmentsRequestBuilderGetRequestConfiguration{
		QueryParameters: &identitygovernance.EntitlementManagementAssignmentsRequestBuilderGetQueryParameters{
			Filter: &filter, Select: []string{"id", "state"},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("list assignments: %w", err)
	}
	var ids []assignment.ID
	for page := 0; ; page++ {
		var wire struct {
			Value []struct {
				ID    string `json:"id"`
				State string `json:"state"`
			} `json:"value"`
			NextLink string `json:"@odata.nextLink"`
		}
		if err := c.getJSON(ctx, adapter, ri, &wire); err != nil {
			return nil, fmt.Errorf("list assignments: %w", err)
		}
		for _, v := range wire.Value {
			id, err := assignment.ParseID(v.ID)
			if err != nil || !strings.EqualFold(v.State, "delivered") {
				continue // Graph's filter already chose; this only guards what we send back
			}
			if len(ids) == maxAssigned {
				return ids, nil
			}
			ids = append(ids, id)
		}
		if wire.NextLink == "" || page+1 == maxPages {
			return ids, nil
		}
		if ri, err = c.nextPage(wire.NextLink); err != nil {
			return nil, fmt.Errorf("list assignments: %w", err)
		}
	}
}

// sameHost parses a next link and refuses one that leaves Graph.
func (c *Client) sameHost(link string) (*url.URL, error) {
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "https" || !strings.EqualFold(u.Hostname(), c.opts.Host) {
		return nil, fmt.Errorf("graph sent a next link outside %s", c.opts.Host)
	}
	return u, nil
}

// getJSON sends ri and decodes Graph's JSON answer into v.
func (c *Client) getJSON(ctx context.Context, adapter abs.RequestAdapter, ri *abs.RequestInformation, v any) error {
	handler := abs.NewRequestHandlerOption()
	handler.SetResponseHandler(func(resp any, _ abs.ErrorMappings) (any, error) {
		_, body, err := graph.ReadResponse(resp.(*http.Response))
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(body, v); err != nil {
			return nil, fmt.Errorf("parse graph answer: %w", err)
		}
		return nil, nil
	})
	ri.AddRequestOptions([]abs.RequestOption{handler})
	return adapter.SendNoContent(ctx, ri, nil)
}
