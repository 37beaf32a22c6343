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
	_, adapter, err := c.builder()
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
	err = identitygovernance.NewEntitlementManagementAssignmentsItemReprocessRequestBuilder(c.reprocessURL(id), adapter).Post(ctx,
		&identitygovernance.EntitlementManagementAssignmentsItemReprocessRequestBuilderPostRequestConfiguration{
			Options: []abs.RequestOption{handler},
		})
	if err != nil {
		return graph.Result{}, fmt.Errorf("reprocess assignment %s: %w", id, err)
	}
	return res, nil
}

// reprocessURL is what the SDK's template for this request,
// "{+baseurl}/identityGovernance/entitlementManagement/assignments/{accessPackageAssignment%2Did}/reprocess",
// expands to: a canonical id is hex digits and hyphens, which the expansion
// leaves as they are. The SDK's request builder takes it as its raw URL and
// parses it once, where from the template it expanded it twice per call (for
// the authentication provider's host check, then for the request).
func (c *Client) reprocessURL(id assignment.ID) string {
	return c.opts.BaseURL + "/identityGovernance/entitlementManagement/assignments/" + id.String() + "/reprocess"
}
