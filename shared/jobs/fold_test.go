package jobs

import (
	"testing"
	"time"
)

func TestParentUnit(t *testing.T) {
	const pkg = "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"
	for _, tc := range []struct{ unit, want string }{
		{pkg + "/p0", ""},
		{pkg + "/p1", pkg + "/p0"},
		{pkg + "/p12", pkg + "/p11"},
		{pkg + "/p3/c4", pkg + "/p3"},
		{pkg + "/p3/r1", pkg + "/p3"},
		{pkg + "/p3/c4/r2", pkg + "/p3/c4"},
		{pkg + "/p3/r1/c0", pkg + "/p3/r1"},
		{"c00", ""},
		{"", ""},
	} {
		if got := parentUnit(tc.unit); got != tc.want {
			t.Errorf("parentUnit(%q) = %q, want %q", tc.unit, got, tc.want)
		}
	}
}

// TestFoldWaitsForParents: a chunk may commit before the page that sent
// it; the job is not complete until that page has committed too.
func TestFoldWaitsForParents(t *testing.T) {
	const p0, p1 = "pkg/p0", "pkg/p1"
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	job := Job{ID: "j", State: Running, Outstanding: 1, CreatedAt: at}
	page0 := Delta{Unit: p0, Counts: Counts{Total: 20}, Outstanding: 1, At: at} // sent c0 and p1
	chunk := Delta{Unit: p0 + "/c0", Counts: Counts{Accepted: 20}, Outstanding: -1, At: at}
	page1 := Delta{Unit: p1, Outstanding: -1, At: at} // the last page: empty
	for _, tc := range []struct {
		name  string
		units []Delta
		want  State
	}{
		{"first page only", []Delta{page0}, Running},
		{"a chunk before its page", []Delta{chunk}, Running},                // the sum is 0, but p0 has not committed
		{"the next page before its parent", []Delta{page1, chunk}, Running}, // the sum is -1
		{"all", []Delta{chunk, page1, page0}, Completed},
		{"units without keys (older records)", []Delta{{Outstanding: -1, At: at}}, Completed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Fold(job, tc.units); got.State != tc.want {
				t.Errorf("Fold(%s) state = %s, want %s", tc.name, got.State, tc.want)
			}
		})
	}
}
