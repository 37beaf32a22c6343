package reprocess

import (
	"context"
	"fmt"
	"net/http"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/graph"
)

// Graph is what the operations need of Microsoft Graph (msgraph.Client).
type Graph interface {
	Reprocess(ctx context.Context, id assignment.ID) (graph.Result, error)
	ReprocessBatch(ctx context.Context, ids []assignment.ID) ([]graph.Answer, error) // one $batch, 1..graph.MaxBatch ids
	Get(ctx context.Context, id assignment.ID) (graph.Assignment, error)
	UserObjectID(ctx context.Context, user string) (string, error)
	DeliveredAssignments(ctx context.Context, userObjectID, accessPackageID string) ([]assignment.ID, error)
}

// Service holds the operations every edge calls: HTTP routes, queue
// messages, SQS records and direct invokes alike.
type Service struct {
	graph    Graph
	throttle *Throttle
}

// New returns the operations over g. Graph calls wait on throttle, which
// g's 429s should Hold (nil: no throttle).
func New(g Graph, throttle *Throttle) *Service { return &Service{graph: g, throttle: throttle} }

// held returns the error for a call the throttle keeps from Graph, if any.
func (s *Service) held() error {
	if r := s.throttle.Remaining(); r > 0 {
		return heldBack(r)
	}
	return nil
}

// Reprocess asks Graph to reprocess one assignment: 202 Accepted, or why not.
func (s *Service) Reprocess(ctx context.Context, id assignment.ID) Outcome {
	if err := s.held(); err != nil {
		return OutcomeOf(err)
	}
	res, err := s.graph.Reprocess(ctx, id)
	if err != nil {
		return OutcomeOf(err)
	}
	return Accepted(res)
}

// Status reads the assignment's current state from Graph.
func (s *Service) Status(ctx context.Context, id assignment.ID) (graph.Assignment, error) {
	if err := s.held(); err != nil {
		return graph.Assignment{}, err
	}
	return s.graph.Get(ctx, id)
}

// Items lists what a request names: its ids as given, or a user's
// delivered assignments, found in Graph. A lookup that finds nothing is a
// 404 NoDeliveredAssignment.
func (s *Service) Items(ctx context.Context, req Request) ([]Item, error) {
	switch {
	case req.Single != nil:
		return []Item{{Raw: req.Single.String(), ID: *req.Single}}, nil
	case req.Lookup != nil:
		return s.resolve(ctx, *req.Lookup)
	}
	return req.Items, nil
}

func (s *Service) resolve(ctx context.Context, l Lookup) ([]Item, error) {
	if err := s.held(); err != nil {
		return nil, err
	}
	if l.UPN != "" {
		oid, err := s.graph.UserObjectID(ctx, l.UPN)
		if err != nil {
			return nil, err
		}
		id, err := assignment.ParseID(oid)
		if err != nil {
			return nil, &Problem{Status: http.StatusBadGateway, Code: "GraphError", Err: err,
				Message: "Graph answered a user id that is not a GUID."}
		}
		l.UserObjectID = id.String()
	}
	ids, err := s.graph.DeliveredAssignments(ctx, l.UserObjectID, l.AccessPackageID)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, &Problem{Status: http.StatusNotFound, Code: "NoDeliveredAssignment",
			Message: fmt.Sprintf("The user %s has no delivered assignment to access package %s; there is nothing to reprocess.", l.UserObjectID, l.AccessPackageID)}
	}
	items := make([]Item, len(ids))
	for i, id := range ids {
		items[i] = Item{Raw: id.String(), ID: id}
	}
	return items, nil
}
