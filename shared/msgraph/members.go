package msgraph

import (
	"context"
	"encoding/json"
	"fmt"

	abs "github.com/microsoft/kiota-abstractions-go"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"

	"github.com/entra-tools/reprocess/shared/graph"
)

// CheckMemberGroups sends one $batch of POST
// /directoryObjects/{id}/checkMemberGroups {"groupIds":[…]} steps and
// answers each check, in order: the given groups the object is a
// (transitive) member of, or the item's *graph.Error (a 429 carries
// Graph's Retry-After). The error is the envelope's.
//
// The steps are built on the SDK's request information, like UserObjectID,
// so the SDK's directoryObjects package (a large compile for one URL) stays
// out of the build.
func (c *Client) CheckMemberGroups(ctx context.Context, checks []graph.MemberCheck) ([]graph.MemberAnswer, error) {
	if len(checks) == 0 || len(checks) > graph.MaxBatch {
		return nil, fmt.Errorf("graph batch of %d checks: want 1 to %d", len(checks), graph.MaxBatch)
	}
	_, adapter, err := c.builder()
	if err != nil {
		return nil, err
	}
	batch := msgraphgocore.NewBatchRequest(adapter)
	steps := make([]string, len(checks))
	for i, check := range checks {
		if len(check.GroupIDs) == 0 || len(check.GroupIDs) > graph.MaxCheckGroups {
			return nil, fmt.Errorf("check of %s against %d groups: want 1 to %d", check.ObjectID, len(check.GroupIDs), graph.MaxCheckGroups)
		}
		ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.POST,
			"{+baseurl}/directoryObjects/{directoryObject%2Did}/checkMemberGroups",
			map[string]string{"baseurl": adapter.GetBaseUrl(), "directoryObject%2Did": check.ObjectID})
		body, err := json.Marshal(struct {
			GroupIDs []string `json:"groupIds"`
		}{check.GroupIDs})
		if err != nil {
			return nil, fmt.Errorf("check of %s: %w", check.ObjectID, err)
		}
		ri.Content = body
		ri.Headers.TryAdd("Content-Type", "application/json")
		step, err := batch.AddBatchRequestStep(*ri)
		if err != nil {
			return nil, fmt.Errorf("graph batch step %s: %w", check.ObjectID, err)
		}
		steps[i] = *step.GetId()
	}
	answers, err := c.sendBatch(ctx, adapter, batch, steps)
	if err != nil {
		return nil, fmt.Errorf("graph batch of %d checks: %w", len(checks), err)
	}
	out := make([]graph.MemberAnswer, len(answers))
	for i, a := range answers {
		if a.Err != nil {
			out[i].Err = a.Err
			continue
		}
		var wire struct {
			Value []string `json:"value"`
		}
		if err := json.Unmarshal(a.Body, &wire); err != nil {
			out[i].Err = fmt.Errorf("parse checkMemberGroups answer for %s: %w", checks[i].ObjectID, err)
			continue
		}
		out[i].MemberOf = wire.Value
		if out[i].MemberOf == nil {
			out[i].MemberOf = []string{}
		}
	}
	return out, nil
}
