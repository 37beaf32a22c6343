package jobs_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/graph"
)

// fakeGraph answers a job's Graph calls per id, as msgraph.Client would:
// *graph.Error for Graph's errors, per-item answers inside a $batch.
type fakeGraph struct {
	mu          sync.Mutex
	packages    map[string]graph.Package
	catalogs    map[string][]string
	assignments map[string][]graph.Target // per access package, in list order
	pageSize    int
	members     map[string][]string // object → groups it is a member of
	checkStatus map[string]int      // object → the status its check answers (404: no such object)
	// reprocessStatus answers reprocess of an assignment; absent: 202.
	reprocessStatus map[string]int
	// throttleFirst: these assignments answer 429 (Retry-After 7 s) to their first reprocess.
	throttleFirst map[string]bool
	// checkThrottleFirst: these objects' first check answers 429.
	checkThrottleFirst map[string]bool
	// envelope, when set, fails every $batch of its kind ("reprocess", "check").
	envelope map[string]error

	calls      map[string]int
	reprocessN map[string]int // assignment → reprocess requests sent
	checkN     map[string]int // object → checks sent
}

func newFakeGraph() *fakeGraph {
	return &fakeGraph{
		packages: map[string]graph.Package{}, catalogs: map[string][]string{}, assignments: map[string][]graph.Target{},
		pageSize: 50, members: map[string][]string{}, checkStatus: map[string]int{}, reprocessStatus: map[string]int{},
		throttleFirst: map[string]bool{}, checkThrottleFirst: map[string]bool{}, envelope: map[string]error{},
		calls: map[string]int{}, reprocessN: map[string]int{}, checkN: map[string]int{},
	}
}

func notFound(what string) error {
	return &graph.Error{Status: http.StatusNotFound, Code: "ResourceNotFound", Message: what + " not found"}
}

func (g *fakeGraph) AccessPackage(_ context.Context, id string) (graph.Package, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls["AccessPackage"]++
	p, ok := g.packages[id]
	if !ok {
		return graph.Package{}, notFound("access package " + id)
	}
	return p, nil
}

func (g *fakeGraph) CatalogAccessPackages(_ context.Context, id string) ([]string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls["CatalogAccessPackages"]++
	ids, ok := g.catalogs[id]
	if !ok {
		return nil, notFound("catalog " + id)
	}
	return ids, nil
}

// DeliveredPage pages with a nextLink of the form "page:<pkg>:<offset>".
func (g *fakeGraph) DeliveredPage(_ context.Context, pkg, nextLink string) (graph.Page, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls["DeliveredPage"]++
	if _, ok := g.packages[pkg]; !ok {
		return graph.Page{}, notFound("access package " + pkg)
	}
	off := 0
	if nextLink != "" {
		parts := strings.Split(nextLink, ":")
		if len(parts) != 3 || parts[1] != pkg {
			return graph.Page{}, &graph.Error{Status: 400, Code: "BadRequest", Message: "bad nextLink " + nextLink}
		}
		off, _ = strconv.Atoi(parts[2])
	}
	all := g.assignments[pkg]
	end := min(off+g.pageSize, len(all))
	p := graph.Page{Items: append([]graph.Target(nil), all[off:end]...)}
	if end < len(all) {
		p.NextLink = fmt.Sprintf("page:%s:%d", pkg, end)
	}
	return p, nil
}

func (g *fakeGraph) CheckMemberGroups(_ context.Context, checks []graph.MemberCheck) ([]graph.MemberAnswer, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls["CheckMemberGroups"]++
	if len(checks) == 0 || len(checks) > graph.MaxBatch {
		panic(fmt.Sprintf("CheckMemberGroups with %d checks", len(checks)))
	}
	if err := g.envelope["check"]; err != nil {
		return nil, err
	}
	out := make([]graph.MemberAnswer, len(checks))
	for i, c := range checks {
		if len(c.GroupIDs) == 0 || len(c.GroupIDs) > graph.MaxCheckGroups {
			panic(fmt.Sprintf("check with %d groups", len(c.GroupIDs)))
		}
		g.checkN[c.ObjectID]++
		if g.checkThrottleFirst[c.ObjectID] && g.checkN[c.ObjectID] == 1 {
			out[i].Err = &graph.Error{Status: 429, Code: "TooManyRequests", RetryAfter: 3 * time.Second}
			continue
		}
		if s := g.checkStatus[c.ObjectID]; s != 0 {
			out[i].Err = &graph.Error{Status: s, Code: http.StatusText(s)}
			continue
		}
		for _, grp := range c.GroupIDs {
			for _, m := range g.members[c.ObjectID] {
				if m == grp {
					out[i].MemberOf = append(out[i].MemberOf, grp)
				}
			}
		}
	}
	return out, nil
}

func (g *fakeGraph) ReprocessBatch(_ context.Context, ids []assignment.ID) ([]graph.Answer, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls["ReprocessBatch"]++
	if len(ids) == 0 || len(ids) > graph.MaxBatch {
		panic(fmt.Sprintf("ReprocessBatch with %d ids", len(ids)))
	}
	if err := g.envelope["reprocess"]; err != nil {
		return nil, err
	}
	out := make([]graph.Answer, len(ids))
	for i, id := range ids {
		a := id.String()
		g.reprocessN[a]++
		switch s := g.reprocessStatus[a]; {
		case g.throttleFirst[a] && g.reprocessN[a] == 1:
			out[i].Err = &graph.Error{Status: 429, Code: "TooManyRequests", RetryAfter: 7 * time.Second}
		case s != 0:
			out[i].Err = &graph.Error{Status: s, Code: http.StatusText(s)}
		default:
			out[i].Result = graph.Result{Status: 202, RequestID: "r-" + a}
		}
	}
	return out, nil
}

func (g *fakeGraph) count(call string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[call]
}

// guid is a deterministic GUID for n in a namespace letter set (a..f).
func guid(ns byte, n int) string {
	return fmt.Sprintf("%c%07x-0000-4000-8000-%012x", ns, n>>24, n)
}

// seed gives package pkg n delivered assignments whose targets are members
// of groups, except every driftEvery-th target, which lacks the last group.
func (g *fakeGraph) seed(pkg string, n int, groups []string, driftEvery int) []graph.Target {
	g.packages[pkg] = graph.Package{ID: pkg, MemberGroups: groups}
	items := make([]graph.Target, n)
	for i := range items {
		items[i] = graph.Target{AssignmentID: guid('a', i+hash(pkg)), TargetObjectID: guid('b', i+hash(pkg))}
		mem := groups
		if driftEvery > 0 && i%driftEvery == 0 {
			mem = groups[:len(groups)-1]
		}
		g.members[items[i].TargetObjectID] = mem
	}
	g.assignments[pkg] = items
	return items
}

// hash spreads the assignments of different packages apart.
func hash(s string) int {
	h := 0
	for _, c := range s {
		h = h*31 + int(c)
	}
	return (h & 0xffff) << 16
}
