package jobs

import "time"

// Mode says which delivered assignments a job reprocesses.
type Mode string

const (
	All     Mode = "all"     // every delivered assignment
	Drifted Mode = "drifted" // only those whose target lacks a Member group of the package (and the unverifiable)
)

// State is a job's lifecycle.
type State string

const (
	Running   State = "running"
	Completed State = "completed"
	Failed    State = "failed"
)

// MaxListed bounds Job.Failures and Job.Drift: the first 100 of each.
const MaxListed = 100

// TTL is how long a job's records live in the table.
const TTL = 30 * 24 * time.Hour

// Scope is what a job covers: one access package or every access package of a catalog.
type Scope struct {
	AccessPackageID string `json:"accessPackageId,omitempty"`
	CatalogID       string `json:"catalogId,omitempty"`
}

// Counts are a job's tallies (SPEC "Jobs").
type Counts struct {
	Total        int `json:"total"`        // delivered assignments in scope
	Accepted     int `json:"accepted"`     // Graph answered 202
	Failed       int `json:"failed"`       // reprocess or check failed for good
	Drifted      int `json:"drifted"`      // target lacks a Member group
	InSync       int `json:"inSync"`       // target has every Member group
	Unverifiable int `json:"unverifiable"` // the package grants roles a membership check cannot verify
}

// Failure is one assignment that failed for good.
type Failure struct {
	AssignmentID string `json:"assignmentId"`
	Status       int    `json:"status"`
	Code         string `json:"code"`
}

// Drift is one drifted assignment.
type Drift struct {
	AssignmentID    string   `json:"assignmentId"`
	TargetObjectID  string   `json:"targetObjectId"`
	MissingGroupIDs []string `json:"missingGroupIds"`
}

// Job is the record a Store keeps. Outstanding counts the work units sent
// and not yet committed: the job completes when a commit brings it to 0.
type Job struct {
	ID          string     `json:"jobId"`
	State       State      `json:"state"`
	Scope       Scope      `json:"scope"`
	Mode        Mode       `json:"mode"`
	DryRun      bool       `json:"dryRun"`
	CreatedAt   time.Time  `json:"createdAt"`
	CompletedAt *time.Time `json:"completedAt,omitempty"`
	Counts      Counts     `json:"counts"`
	Failures    []Failure  `json:"failures"`
	Drift       []Drift    `json:"drift"`
	Outstanding int        `json:"outstanding"`
	Error       string     `json:"error,omitempty"` // why a job failed as a whole
}

// ExpiresAt is when the job's records may be removed (Store implementations
// set their TTL from it).
func (j Job) ExpiresAt() time.Time { return j.CreatedAt.Add(TTL) }
