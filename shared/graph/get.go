package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"

	"github.com/entra-tools/reprocess/shared/assignment"
)

// Assignment is what Graph says of an assignment.
type Assignment struct {
	ID              string `json:"id"`
	State           string `json:"state"`            // delivering, partiallyDelivered, delivered, expired, deliveryFailed
	Status          string `json:"status,omitempty"` // e.g. Delivered, Delivering
	TargetObjectID  string `json:"targetObjectId,omitempty"`
	TargetName      string `json:"targetDisplayName,omitempty"`
	TargetPrincipal string `json:"targetPrincipalName,omitempty"`
	AccessPackageID string `json:"accessPackageId,omitempty"`
	AccessPackage   string `json:"accessPackageDisplayName,omitempty"`
	RequestID       string `json:"-"`
}

// Get reads the assignment with its target and access package.
//
// The request is built by the SDK, but the answer is decoded here: the SDK's
// model factories reference every Graph type and would triple the binary.
func (c *Client) Get(ctx context.Context, id assignment.ID) (Assignment, error) {
	b, adapter, err := c.builder()
	if err != nil {
		return Assignment{}, err
	}
	ri, err := b.ByAccessPackageAssignmentId(id.String()).ToGetRequestInformation(ctx,
		&identitygovernance.EntitlementManagementAssignmentsAccessPackageAssignmentItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &identitygovernance.EntitlementManagementAssignmentsAccessPackageAssignmentItemRequestBuilderGetQueryParameters{
				Expand: []string{"target", "accessPackage"},
			},
		})
	if err != nil {
		return Assignment{}, fmt.Errorf("get assignment %s: %w", id, err)
	}
	var out Assignment
	handler := abs.NewRequestHandlerOption()
	handler.SetResponseHandler(func(resp any, _ abs.ErrorMappings) (any, error) {
		r, body, err := readResponse(resp.(*http.Response))
		if err != nil {
			return nil, err
		}
		out, err = parseAssignment(body)
		out.RequestID = r.RequestID
		return nil, err
	})
	ri.AddRequestOptions([]abs.RequestOption{handler})
	if err := adapter.SendNoContent(ctx, ri, nil); err != nil {
		return Assignment{}, fmt.Errorf("get assignment %s: %w", id, err)
	}
	return out, nil
}

// wireAssignment is Graph's accessPackageAssignment JSON, as much as we use.
type wireAssignment struct {
	ID     string `json:"id"`
	State  string `json:"state"`
	Status string `json:"status"`
	Target *struct {
		ObjectID      string `json:"objectId"`
		DisplayName   string `json:"displayName"`
		PrincipalName string `json:"principalName"`
	} `json:"target"`
	AccessPackage *struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	} `json:"accessPackage"`
}

func parseAssignment(body []byte) (Assignment, error) {
	var w wireAssignment
	if err := json.Unmarshal(body, &w); err != nil {
		return Assignment{}, fmt.Errorf("parse assignment: %w", err)
	}
	a := Assignment{ID: w.ID, State: w.State, Status: w.Status}
	if w.Target != nil {
		a.TargetObjectID, a.TargetName, a.TargetPrincipal = w.Target.ObjectID, w.Target.DisplayName, w.Target.PrincipalName
	}
	if w.AccessPackage != nil {
		a.AccessPackageID, a.AccessPackage = w.AccessPackage.ID, w.AccessPackage.DisplayName
	}
	return a, nil
}
