package jobs

import (
	"context"
	"fmt"
	"sync"
)

// MemoryStore is the in-process Store of `make run` and the terminal's
// `handler job`: the same semantics as the tables, for one process.
type MemoryStore struct {
	mu    sync.Mutex
	jobs  map[string]Job
	units map[string]map[string]bool
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{jobs: map[string]Job{}, units: map[string]map[string]bool{}}
}

func (s *MemoryStore) Create(_ context.Context, j Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.jobs[j.ID]; ok {
		return fmt.Errorf("create job %s: %w", j.ID, ErrExists)
	}
	s.jobs[j.ID] = clone(j)
	s.units[j.ID] = map[string]bool{}
	return nil
}

func (s *MemoryStore) Get(_ context.Context, id string) (Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok {
		return Job{}, fmt.Errorf("get job %s: %w", id, ErrNotFound)
	}
	return clone(j), nil
}

func (s *MemoryStore) Commit(_ context.Context, jobID, unit string, change func(*Job)) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[jobID]
	if !ok {
		return false, fmt.Errorf("commit %s of job %s: %w", unit, jobID, ErrNotFound)
	}
	if s.units[jobID][unit] {
		return false, nil
	}
	j = clone(j)
	change(&j)
	s.jobs[jobID] = j
	s.units[jobID][unit] = true
	return true, nil
}

// clone copies the slices, so no caller shares the stored record.
func clone(j Job) Job {
	j.Failures = append([]Failure(nil), j.Failures...)
	j.Drift = append([]Drift(nil), j.Drift...)
	if j.CompletedAt != nil {
		t := *j.CompletedAt
		j.CompletedAt = &t
	}
	return j
}
