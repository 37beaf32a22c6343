package azstorage

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
)

// Purge deletes what expired before now: the partitions of jobs past
// jobs.TTL and the replay records past their window. Table Storage has no
// TTL of its own; the sweep calls this. It answers how many jobs it removed.
// A job's own row goes last, so an interrupted purge is finished next time.
func (s *Store) Purge(ctx context.Context, now time.Time) (int, error) {
	if err := s.ready(ctx); err != nil {
		return 0, err
	}
	at := "datetime'" + now.UTC().Format(time.RFC3339) + "'"
	expiredJobs, err := s.keys(ctx, "RowKey eq '"+jobRow+"' and ExpiresAt lt "+at)
	if err != nil {
		return 0, err
	}
	for _, job := range expiredJobs {
		rows, err := s.keys(ctx, "PartitionKey eq '"+job.PartitionKey+"'")
		if err != nil {
			return 0, err
		}
		for _, r := range rows {
			if r.RowKey != jobRow {
				if err := s.delete(ctx, r); err != nil {
					return 0, err
				}
			}
		}
		if err := s.delete(ctx, job); err != nil {
			return 0, err
		}
	}
	replays, err := s.keys(ctx, "PartitionKey eq '"+replayPartition+"' and ExpiresAt lt "+at)
	if err != nil {
		return 0, err
	}
	for _, r := range replays {
		if err := s.delete(ctx, r); err != nil {
			return 0, err
		}
	}
	return len(expiredJobs), nil
}

// keys lists the keys of the rows filter selects.
func (s *Store) keys(ctx context.Context, filter string) ([]entity, error) {
	sel := "PartitionKey,RowKey"
	pager := s.table.NewListEntitiesPager(&aztables.ListEntitiesOptions{Filter: &filter, Select: &sel})
	var out []entity
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, unavailable("purge: list", err)
		}
		for _, raw := range page.Entities {
			var e entity
			if err := json.Unmarshal(raw, &e); err == nil {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

func (s *Store) delete(ctx context.Context, e entity) error {
	_, err := s.table.DeleteEntity(ctx, e.PartitionKey, e.RowKey, nil)
	if status, _ := statusOf(err); err != nil && status != http.StatusNotFound {
		return unavailable(fmt.Sprintf("purge: delete %s/%s", e.PartitionKey, e.RowKey), err)
	}
	return nil
}
