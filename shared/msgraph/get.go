package msgraph

import (
	"context"
	"fmt"
	"net/http"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/graph"
)

// Get reads the assignment with its target and access package.
//
// The request is built by the SDK, but the answer is decoded here: the SDK's
// model factories reference every Graph type and would triple the binary.
func (c *Client) Get(ctx context.Context, id assignment.ID) (graph.Assignment, error) {
	b, adapter, err := c.builder()
	if err != nil {
		return graph.Assignment{}, err
	}
	ri, err := b.ByAccessPackageAssignmentId(id.String()).ToGetRequestInformation(ctx,
		&identitygovernance.EntitlementManagementAssignmentsAccessPackageAssignmentItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.EntitlementManagementAssignmentsAccessPackageAssignmentItemRequestBuilderGetQueryParameters{
				Expand: []string{"target", "accessPackage"},
			},
		})
	if err != nil {
		return graph.Assignment{}, fmt.Errorf("get assignment %s: %w", id, err)
	}
	var out graph.Assignment
	handler := abs.NewRequestHandlerOption()
	handler.SetResponseHandler(func(resp any, _ abs.ErrorMappings) (any, error) {
		r, body, err := graph.ReadResponse(resp.(*http.Response))
		if err != nil {
			return nil, err
		}
		out, err = graph.ParseAssignment(body)
		out.RequestID = r.RequestID
		return nil, err
	})
	ri.AddRequestOptions([]abs.RequestOption{handler})
	if err := adapter.SendNoContent(ctx, ri, nil); err != nil {
		return graph.Assignment{}, fmt.Errorf("get assignment %s: %w", id, err)
	}
	return out, nil
}
