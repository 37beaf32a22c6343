package azstorage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
)

// replayPartition holds the webhook deliveries seen by any instance.
const replayPartition = "replay"

// Claim records a webhook delivery under key for window: true when this
// call recorded it first, false when some instance did within the window
// (an expired record is taken over on its ETag). The row key is a hash of
// key, so no signature or sender id is stored.
func (s *Store) Claim(ctx context.Context, k string, window time.Duration) (bool, error) {
	if err := s.ready(ctx); err != nil {
		return false, err
	}
	rk := replayRow(k)
	e := newEntity(replayPartition, rk, s.now().Add(window))
	row, _ := json.Marshal(e)
	_, err := s.table.AddEntity(ctx, row, nil)
	if status, code := statusOf(err); err == nil {
		return true, nil
	} else if status != http.StatusConflict || code != string(aztables.EntityAlreadyExists) {
		return false, unavailable("claim webhook delivery", err)
	}
	// Taken: still inside its window, or an expired record the purge has not reached.
	res, err := s.table.GetEntity(ctx, replayPartition, rk, nil)
	if err != nil {
		return false, unavailable("claim webhook delivery", err)
	}
	var old entity
	if json.Unmarshal(res.Value, &old) != nil {
		return false, nil
	}
	if t, perr := time.Parse(time.RFC3339Nano, old.ExpiresAt); perr != nil || s.now().Before(t) {
		return false, nil
	}
	_, err = s.table.UpdateEntity(ctx, row, &aztables.UpdateEntityOptions{IfMatch: &res.ETag, UpdateMode: aztables.UpdateModeReplace})
	return err == nil, nil // losing the race to another instance means it is theirs
}

// Release forgets a delivery whose attempt did not settle it (a 429 or
// 5xx answer), so the sender's retry runs again on any instance.
func (s *Store) Release(ctx context.Context, k string) error {
	_, err := s.table.DeleteEntity(ctx, replayPartition, replayRow(k), nil)
	if status, _ := statusOf(err); err != nil && status != http.StatusNotFound {
		return unavailable("release webhook delivery", err)
	}
	return nil
}

func replayRow(k string) string {
	sum := sha256.Sum256([]byte(k))
	return hex.EncodeToString(sum[:])
}
