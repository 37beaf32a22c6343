package graph

// What a job reads of Graph besides reprocess: an access package's groups,
// a catalog's access packages, pages of delivered assignments, and group
// memberships. SDK-free, like the rest of this package; msgraph.Client
// fills them.

// MaxCheckGroups is checkMemberGroups' limit of group ids in one call.
const MaxCheckGroups = 20

// Package is what a drift check needs of an access package
// (accessPackages/{id}?$expand=resourceRoleScopes($expand=role,scope)).
type Package struct {
	ID string
	// MemberGroups are the Entra groups whose Member role the package
	// grants (scope originSystem AadGroup, role originId Member_<group>).
	MemberGroups []string
	// Unverifiable is true when the package grants any role a membership
	// check cannot verify: a group's Owner role, an application's app role,
	// a SharePoint site role.
	Unverifiable bool
}

// Target is one delivered assignment and the object it was given to.
type Target struct {
	AssignmentID   string `json:"a"`
	TargetObjectID string `json:"t,omitempty"`
}

// Page is one page of an access package's delivered assignments
// (assignments?$filter=accessPackage/id eq '…' and state eq 'delivered'
// &$expand=target). NextLink is Graph's @odata.nextLink, "" on the last page.
type Page struct {
	Items    []Target
	NextLink string
}

// MemberCheck asks which of GroupIDs (at most MaxCheckGroups) ObjectID is a
// member of: POST /directoryObjects/{ObjectID}/checkMemberGroups.
type MemberCheck struct {
	ObjectID string
	GroupIDs []string
}

// MemberAnswer is Graph's answer to one MemberCheck of a $batch: the group
// ids the object is a member of (transitively), or Err (*Error for a
// status of 400 and above).
type MemberAnswer struct {
	MemberOf []string
	Err      error
}
