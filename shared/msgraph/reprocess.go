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

// Reprocess asks Graph to re-evaluate and re-enforce the assignment. Graph
// answers 202 when it started; any answer of 400 and above is a *graph.Error.
func (c *Client) Reprocess(ctx context.Context, id assignment.ID) (graph.Result, error) {
	b, _, err := c.builder()
	if err != nil {
		return graph.Result{}, err
	}
	var res graph.Result
	handler := abs.NewRequestHandlerOption()
	handler.SetResponseHandler(func(resp any, _ abs.ErrorMappings) (any, error) {
		r, _, err := graph.ReadResponse(resp.(*http.Response))
		res = r
		return nil, err
	})
	err = b.ByAccessPackageAssignmentId(id.String()).Reprocess().Post(ctx,
		&identitygovernance.EntitlementManagementAssignmentsItemReprocessRequestBuilderPostRequestConfiguration{
			Options: []abs.RequestOption{handler},
		})
	if err != nil {
		return graph.Result{}, fmt.Errorf("reprocess assignment %s: %w", id, err)
	}
	return res, nil
}
