package jobs

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// MemoryStore is the in-process Store of `make run` and the terminal's
// `handler job`: the same semantics as the tables, for one process.
type MemoryStore struct {
	mu    sync.Mutex
	jobs  map[string]Job
	units map[string][]string         // job → unit keys in commit order
	delta map[string]map[string]Delta // job → unit → delta
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{jobs: map[string]Job{}, units: map[string][]string{}, delta: map[string]map[string]Delta{}}
}

func (s *MemoryStore) Create(_ context.Context, j Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.jobs[j.ID]; ok {
		return fmt.Errorf("create job %s: %w", j.ID, ErrExists)
	}
	s.jobs[j.ID] = clone(j)
	s.delta[j.ID] = map[string]Delta{}
	return nil
}

func (s *MemoryStore) Get(_ context.Context, id string) (Job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[id]
	if !ok {
		return Job{}, fmt.Errorf("get job %s: %w", id, ErrNotFound)
	}
	units := make([]Delta, 0, len(s.units[id]))
	for _, u := range s.units[id] {
		units = append(units, s.delta[id][u])
	}
	return Fold(clone(j), units), nil
}

func (s *MemoryStore) Commit(_ context.Context, jobID, unit string, d Delta) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.jobs[jobID]; !ok {
		return false, fmt.Errorf("commit %s of job %s: %w", unit, jobID, ErrNotFound)
	}
	if _, done := s.delta[jobID][unit]; done {
		return false, nil
	}
	s.delta[jobID][unit] = d
	s.units[jobID] = append(s.units[jobID], unit)
	return true, nil
}

func (s *MemoryStore) Fail(_ context.Context, jobID, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.jobs[jobID]
	if !ok {
		return fmt.Errorf("fail job %s: %w", jobID, ErrNotFound)
	}
	now := time.Now().UTC()
	j.State, j.Error, j.CompletedAt = Failed, reason, &now
	s.jobs[jobID] = j
	return nil
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
