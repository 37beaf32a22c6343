package jobs

import (
	"context"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/graph"
)

// Graph is what a job needs of Microsoft Graph (msgraph.Client). Errors
// are *graph.Error for Graph's answers of 400 and above (404 for an
// unknown access package or catalog).
type Graph interface {
	// AccessPackage reads the package's resource role scopes.
	AccessPackage(ctx context.Context, id string) (graph.Package, error)
	// CatalogAccessPackages lists the ids of a catalog's access packages.
	CatalogAccessPackages(ctx context.Context, catalogID string) ([]string, error)
	// DeliveredPage reads one page of the package's delivered assignments:
	// the first when nextLink is "", else the page nextLink names.
	DeliveredPage(ctx context.Context, accessPackageID, nextLink string) (graph.Page, error)
	// CheckMemberGroups sends one $batch of 1..graph.MaxBatch checks and
	// answers each, in order. The error is the envelope's.
	CheckMemberGroups(ctx context.Context, checks []graph.MemberCheck) ([]graph.MemberAnswer, error)
	// ReprocessBatch sends one $batch of 1..graph.MaxBatch reprocess requests.
	ReprocessBatch(ctx context.Context, ids []assignment.ID) ([]graph.Answer, error)
}
