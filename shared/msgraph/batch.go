package msgraph

import (
	"context"
	"fmt"
	"net/http"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/graph"
)

// ReprocessBatch sends one $batch of up to MaxBatch reprocess requests and
// returns Graph's answer for each id, in the order of ids. The error is the
// envelope's: when it is not nil no item has an answer.
//
// The steps are built by the SDK (NewBatchRequest, AddBatchRequestStep with
// the reprocess builder's request information), so the item URLs are the
// SDK's own. The envelope is sent through the same adapter but with our
// response handler instead of BatchRequest.Send: Send maps an envelope error
// only through the SDK's process-wide error registry (empty by default, so
// the status, request-id and Retry-After would be lost) and parses items into
// a model that cannot hold the empty body of a 202.
func (c *Client) ReprocessBatch(ctx context.Context, ids []assignment.ID) ([]graph.Answer, error) {
	if len(ids) == 0 || len(ids) > graph.MaxBatch {
		return nil, fmt.Errorf("graph batch of %d requests: want 1 to %d", len(ids), graph.MaxBatch)
	}
	b, adapter, err := c.builder()
	if err != nil {
		return nil, err
	}
	batch := msgraphgocore.NewBatchRequest(adapter)
	steps := make([]string, len(ids))
	for i, id := range ids {
		ri, err := b.ByAccessPackageAssignmentId(id.String()).Reprocess().ToPostRequestInformation(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("graph batch step %s: %w", id, err)
		}
		step, err := batch.AddBatchRequestStep(*ri)
		if err != nil {
			return nil, fmt.Errorf("graph batch step %s: %w", id, err)
		}
		steps[i] = *step.GetId()
	}

	answers, err := c.sendBatch(ctx, adapter, batch, steps)
	if err != nil {
		return nil, fmt.Errorf("graph batch of %d: %w", len(ids), err)
	}
	return answers, nil
}

// sendBatch sends the envelope of batch and maps Graph's answers back to
// steps (the batch's step ids, in order).
func (c *Client) sendBatch(ctx context.Context, adapter abs.RequestAdapter, batch msgraphgocore.BatchRequest, steps []string) ([]graph.Answer, error) {
	ri := abs.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abs.POST, "{+baseurl}/$batch",
		map[string]string{"baseurl": adapter.GetBaseUrl()})
	if err := ri.SetContentFromParsable(ctx, adapter, "application/json", batch); err != nil {
		return nil, fmt.Errorf("graph batch body: %w", err)
	}
	ri.Headers.TryAdd("Accept", "application/json")
	var envelope graph.Result
	var body []byte
	handler := abs.NewRequestHandlerOption()
	handler.SetResponseHandler(func(resp any, _ abs.ErrorMappings) (any, error) {
		var err error
		envelope, body, err = graph.ReadResponse(resp.(*http.Response))
		return nil, err
	})
	// No SDK retry for the envelope: its retry handler resends the same
	// body reader, which the transport may still be reading
	// (microsoft/kiota-http-go#183).
	// The core retries a throttled envelope as a new request instead.
	noRetry := &khttp.RetryHandlerOptions{ShouldRetry: func(time.Duration, int, *http.Request, *http.Response) bool { return false }}
	ri.AddRequestOptions([]abs.RequestOption{handler, noRetry})
	if err := adapter.SendNoContent(ctx, ri, nil); err != nil {
		return nil, err
	}
	return graph.ParseBatch(body, steps, envelope.RequestID)
}
