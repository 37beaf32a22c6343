// Package fakecore stands in for the domain core under the queue edges'
// unit tests. It is apart from testkit, which the tests of the core's own
// dependencies import, so that nothing there imports the core back.
package fakecore

import (
	"context"
	"net/http"
	"slices"
	"sync"

	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

// Messages stands in for the core under a queue edge: it records the
// requests of every call and answers each with Answer (every id accepted
// when nil). It is safe for concurrent use.
type Messages struct {
	Answer func(reprocess.Request) []reprocess.ItemResult

	mu    sync.Mutex
	calls [][]reprocess.Request
	infos []invocation.Info
}

func (c *Messages) ReprocessMessages(ctx context.Context, reqs []reprocess.Request) [][]reprocess.ItemResult {
	info, _ := invocation.FromContext(ctx)
	c.mu.Lock()
	c.calls = append(c.calls, slices.Clone(reqs))
	c.infos = append(c.infos, info)
	c.mu.Unlock()
	out := make([][]reprocess.ItemResult, len(reqs))
	for i, req := range reqs {
		if c.Answer != nil {
			out[i] = c.Answer(req)
		} else {
			out[i] = AcceptAll(req)
		}
	}
	return out
}

// Calls returns the requests of each call, in order, and the invocation
// each call carried.
func (c *Messages) Calls() ([][]reprocess.Request, []invocation.Info) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.calls), slices.Clone(c.infos)
}

// AcceptAll answers 202 for each id a request names.
func AcceptAll(req reprocess.Request) []reprocess.ItemResult {
	return AnswerAll(http.StatusAccepted)(req)
}

// AnswerAll answers status for each id a request names, through the core's
// mapping of a Graph error with that status.
func AnswerAll(status int) func(reprocess.Request) []reprocess.ItemResult {
	return func(req reprocess.Request) []reprocess.ItemResult {
		var ids []string
		switch {
		case req.Single != nil:
			ids = []string{req.Single.String()}
		default:
			for _, it := range req.Items {
				ids = append(ids, it.Raw)
			}
		}
		out := make([]reprocess.ItemResult, len(ids))
		for i, id := range ids {
			out[i] = reprocess.ItemResult{AssignmentID: id, Status: status}
		}
		return out
	}
}
