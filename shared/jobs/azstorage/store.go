package azstorage

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"

	"github.com/entra-tools/reprocess/shared/jobs"
)

// Store is jobs.Store on Azure Table Storage (see the package doc for the
// layout).
type Store struct {
	table  *aztables.Client
	create ensure
	now    func() time.Time

	mu    sync.Mutex
	known map[string]bool // jobs seen to exist: a commit need not read their row again
}

// maxKnown bounds the cache of existing jobs.
const maxKnown = 4096

// NewStore returns the store over the table named table. Nothing is sent
// until the first call, which creates the table if it is missing.
func NewStore(o Options, table string) (*Store, error) {
	svc, err := newTableService(o)
	if err != nil {
		return nil, err
	}
	return &Store{table: svc.NewClient(table), now: time.Now, known: map[string]bool{}}, nil
}

// entity is a row as the table holds it.
type entity struct {
	PartitionKey string `json:"PartitionKey"`
	RowKey       string `json:"RowKey"`
	Job          string `json:"Job,omitempty"`
	Delta        string `json:"Delta,omitempty"`
	ExpiresAt    string `json:"ExpiresAt,omitempty"`
	ExpiresType  string `json:"ExpiresAt@odata.type,omitempty"`
}

func newEntity(pk, rk string, expires time.Time) entity {
	return entity{PartitionKey: key(pk), RowKey: rk, ExpiresAt: expires.UTC().Format(time.RFC3339Nano), ExpiresType: "Edm.DateTime"}
}

func (s *Store) ready(ctx context.Context) error {
	return s.create.do(ctx, func(ctx context.Context) error {
		_, err := s.table.CreateTable(ctx, nil)
		if status, code := statusOf(err); err != nil && !(status == http.StatusConflict && code == string(aztables.TableAlreadyExists)) {
			return unavailable("create table", err)
		}
		return nil
	})
}

// Create inserts the job row; ErrExists when the id is taken.
func (s *Store) Create(ctx context.Context, j jobs.Job) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	b, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("create job %s: %w", j.ID, err)
	}
	e := newEntity(j.ID, jobRow, j.ExpiresAt())
	e.Job = string(b)
	row, _ := json.Marshal(e)
	if _, err := s.table.AddEntity(ctx, row, nil); err != nil {
		if status, code := statusOf(err); status == http.StatusConflict && code == string(aztables.EntityAlreadyExists) {
			return fmt.Errorf("create job %s: %w", j.ID, jobs.ErrExists)
		}
		return unavailable("create job "+j.ID, err)
	}
	s.remember(j.ID)
	return nil
}

// Get reads the job's partition in one query and folds its units in.
func (s *Store) Get(ctx context.Context, id string) (jobs.Job, error) {
	if err := s.ready(ctx); err != nil {
		return jobs.Job{}, err
	}
	filter, sel := partitionFilter(id), "RowKey,Job,Delta"
	pager := s.table.NewListEntitiesPager(&aztables.ListEntitiesOptions{Filter: &filter, Select: &sel})
	var (
		job    *jobs.Job
		deltas []jobs.Delta
	)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return jobs.Job{}, unavailable("get job "+id, err)
		}
		for _, raw := range page.Entities {
			var e entity
			if err := json.Unmarshal(raw, &e); err != nil {
				return jobs.Job{}, fmt.Errorf("get job %s: %w: unreadable row: %v", id, jobs.ErrUnavailable, err)
			}
			switch {
			case e.RowKey == jobRow:
				var j jobs.Job
				if err := json.Unmarshal([]byte(e.Job), &j); err != nil {
					return jobs.Job{}, fmt.Errorf("get job %s: %w: unreadable job: %v", id, jobs.ErrUnavailable, err)
				}
				job = &j
			case strings.HasPrefix(e.RowKey, unitPrefix):
				var d jobs.Delta
				if err := json.Unmarshal([]byte(e.Delta), &d); err != nil {
					return jobs.Job{}, fmt.Errorf("get job %s: %w: unreadable unit %s: %v", id, jobs.ErrUnavailable, e.RowKey, err)
				}
				deltas = append(deltas, d)
			}
		}
	}
	if job == nil {
		return jobs.Job{}, fmt.Errorf("get job %s: %w", id, jobs.ErrNotFound)
	}
	s.remember(id)
	return jobs.Fold(*job, deltas), nil
}

// Commit inserts the unit's row: EntityAlreadyExists is a redelivery.
func (s *Store) Commit(ctx context.Context, jobID, unit string, d jobs.Delta) (bool, error) {
	if err := s.ready(ctx); err != nil {
		return false, err
	}
	if !s.exists(jobID) {
		if _, _, err := s.readJob(ctx, jobID); err != nil {
			return false, fmt.Errorf("commit %s: %w", unit, err)
		}
		s.remember(jobID)
	}
	b, err := json.Marshal(d)
	if err != nil {
		return false, fmt.Errorf("commit %s of job %s: %w", unit, jobID, err)
	}
	e := newEntity(jobID, unitPrefix+key(unit), s.now().Add(jobs.TTL))
	e.Delta = string(b)
	row, _ := json.Marshal(e)
	if _, err := s.table.AddEntity(ctx, row, nil); err != nil {
		if status, code := statusOf(err); status == http.StatusConflict && code == string(aztables.EntityAlreadyExists) {
			return false, nil
		}
		return false, unavailable(fmt.Sprintf("commit %s of job %s", unit, jobID), err)
	}
	return true, nil
}

// Fail replaces the job row on its ETag, reading it again when another
// writer came first.
func (s *Store) Fail(ctx context.Context, jobID, reason string) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		j, etag, err := s.readJob(ctx, jobID)
		if err != nil {
			return fmt.Errorf("fail: %w", err)
		}
		now := s.now().UTC()
		j.State, j.Error, j.CompletedAt = jobs.Failed, reason, &now
		b, _ := json.Marshal(j)
		e := newEntity(jobID, jobRow, j.ExpiresAt())
		e.Job = string(b)
		row, _ := json.Marshal(e)
		_, err = s.table.UpdateEntity(ctx, row, &aztables.UpdateEntityOptions{IfMatch: &etag, UpdateMode: aztables.UpdateModeReplace})
		status, code := statusOf(err)
		switch {
		case err == nil:
			return nil
		case status == http.StatusPreconditionFailed && code == string(aztables.UpdateConditionNotSatisfied) && attempt < 5:
			continue
		case status == http.StatusNotFound:
			return fmt.Errorf("fail job %s: %w", jobID, jobs.ErrNotFound)
		}
		return unavailable("fail job "+jobID, err)
	}
}

// readJob reads the job row alone, with its ETag.
func (s *Store) readJob(ctx context.Context, id string) (jobs.Job, azcore.ETag, error) {
	res, err := s.table.GetEntity(ctx, key(id), jobRow, nil)
	if err != nil {
		if status, _ := statusOf(err); status == http.StatusNotFound {
			return jobs.Job{}, "", fmt.Errorf("job %s: %w", id, jobs.ErrNotFound)
		}
		return jobs.Job{}, "", unavailable("read job "+id, err)
	}
	var e entity
	var j jobs.Job
	if err := json.Unmarshal(res.Value, &e); err != nil || json.Unmarshal([]byte(e.Job), &j) != nil {
		return jobs.Job{}, "", fmt.Errorf("read job %s: %w: unreadable row", id, jobs.ErrUnavailable)
	}
	return j, res.ETag, nil
}

func (s *Store) exists(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.known[id]
}

func (s *Store) remember(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.known) >= maxKnown {
		clear(s.known)
	}
	s.known[id] = true
}
