package jobs

import (
	"context"
	"errors"
)

// Errors every Store returns (wrapped), so callers match them with errors.Is.
var (
	ErrNotFound = errors.New("no such job")
	ErrExists   = errors.New("job already exists")
	// ErrUnavailable: the store could not be reached or refused (HTTP 503
	// JobStoreUnavailable). Queue implementations use it too.
	ErrUnavailable = errors.New("job store unavailable")
)

// Store keeps job records: Azure Table Storage, DynamoDB, or memory.
type Store interface {
	// Create writes a new job; ErrExists when its ID is taken.
	Create(ctx context.Context, j Job) error
	// Get reads a job; ErrNotFound when there is none.
	Get(ctx context.Context, id string) (Job, error)
	// Commit applies change to the job once per unit key: atomically it
	// records unit as done and writes the changed job, with optimistic
	// concurrency (on a conflict it reads the job again and calls change
	// again, so change must only depend on its argument). It returns false
	// and applies nothing when unit was committed before (a redelivered
	// message). ErrNotFound when the job does not exist.
	Commit(ctx context.Context, jobID, unit string, change func(*Job)) (applied bool, err error)
}
