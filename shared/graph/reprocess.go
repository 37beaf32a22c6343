package graph

import (
	"context"
	"fmt"
	"net/http"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"

	"github.com/entra-tools/reprocess/shared/assignment"
)

// Reprocess asks Graph to re-evaluate and re-enforce the assignment. Graph
// answers 202 when it started; any answer of 400 and above is an *Error.
func (c *Client) Reprocess(ctx context.Context, id assignment.ID) (Result, error) {
	b, _, err := c.builder()
	if err != nil {
		return Result{}, err
	}
	var res Result
	handler := abs.NewRequestHandlerOption()
	handler.SetResponseHandler(func(resp any, _ abs.ErrorMappings) (any, error) {
		r, _, err := readResponse(resp.(*http.Response))
		res = r
		return nil, err
	})
	err = b.ByAccessPackageAssignmentId(id.String()).Reprocess().Post(ctx,
		&identitygovernance.EntitlementManagementAssignmentsItemReprocessRequestBuilderPostRequestConfiguration{
			Options: []abs.RequestOption{handler},
		})
	if err != nil {
		return Result{}, fmt.Errorf("reprocess assignment %s: %w", id, err)
	}
	return res, nil
}
