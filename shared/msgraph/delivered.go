package msgraph

import (
	"context"
	"fmt"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"

	"github.com/entra-tools/reprocess/shared/graph"
)

// DeliveredPage reads one page of the access package's delivered
// assignments with their targets (assignments?$filter=accessPackage/id eq
// '…' and state eq 'delivered'&$expand=target): the first page when
// nextLink is "", else the page nextLink names, sent as Graph gave it
// (it arrives through the job queue, so it must be on Graph's host).
func (c *Client) DeliveredPage(ctx context.Context, accessPackageID, nextLink string) (graph.Page, error) {
	b, adapter, err := c.builder()
	if err != nil {
		return graph.Page{}, err
	}
	var ri *abs.RequestInformation
	if nextLink == "" {
		filter := graph.PackageDeliveredFilter(accessPackageID)
		ri, err = b.ToGetRequestInformation(ctx, &identitygovernance.EntitlementManagementAssignmentsRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.EntitlementManagementAssignmentsRequestBuilderGetQueryParameters{
				Filter: &filter, Expand: []string{"target"}, Select: []string{"id", "state"},
			},
		})
	} else {
		ri, err = c.nextPage(nextLink)
	}
	if err != nil {
		return graph.Page{}, fmt.Errorf("list delivered assignments of %s: %w", accessPackageID, err)
	}
	var wire struct {
		Value []struct {
			ID     string `json:"id"`
			State  string `json:"state"`
			Target *struct {
				ObjectID string `json:"objectId"`
			} `json:"target"`
		} `json:"value"`
		NextLink string `json:"@odata.nextLink"`
	}
	if err := c.getJSON(ctx, adapter, ri, &wire); err != nil {
		return graph.Page{}, fmt.Errorf("list delivered assignments of %s: %w", accessPackageID, err)
	}
	page := graph.Page{Items: make([]graph.Target, 0, len(wire.Value)), NextLink: wire.NextLink}
	for _, v := range wire.Value {
		if v.ID == "" || !strings.EqualFold(v.State, "delivered") {
			continue // Graph's filter already chose; this only guards what a job reprocesses
		}
		t := graph.Target{AssignmentID: v.ID}
		if v.Target != nil {
			t.TargetObjectID = v.Target.ObjectID
		}
		page.Items = append(page.Items, t)
	}
	return page, nil
}

// nextPage is the request for a next link Graph sent, refused when the
// link leaves Graph's host.
func (c *Client) nextPage(link string) (*abs.RequestInformation, error) {
	next, err := c.sameHost(link)
	if err != nil {
		return nil, err
	}
	ri := abs.NewRequestInformation()
	ri.Method = abs.GET
	ri.SetUri(*next)
	ri.Headers.TryAdd("Accept", "application/json")
	return ri, nil
}
