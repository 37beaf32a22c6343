package jobs

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Errors every Store returns (wrapped), so callers match them with errors.Is.
var (
	ErrNotFound = errors.New("no such job")
	ErrExists   = errors.New("job already exists")
	// ErrUnavailable: the store could not be reached or refused (HTTP 503
	// JobStoreUnavailable). Queue implementations use it too.
	ErrUnavailable = errors.New("job store unavailable")
)

// Delta is what one work unit adds to its job.
type Delta struct {
	// Unit is the unit's key (Engine.commit sets it). Fold completes a job
	// only once every committed unit's parent has committed too: children
	// are sent, and may commit, before their parent does.
	Unit        string    `json:"unit,omitempty"`
	Counts      Counts    `json:"counts"`
	Outstanding int       `json:"outstanding"` // the units it sent minus itself: len(children) - 1
	Failures    []Failure `json:"failures,omitempty"`
	Drift       []Drift   `json:"drift,omitempty"`
	At          time.Time `json:"at"` // when it finished: the last unit's is the job's completedAt
}

// Store keeps job records: Azure Table Storage, DynamoDB, or memory.
//
// A job is its record, written once by Create, plus one record per
// committed work unit holding that unit's Delta, in the job's partition.
// Commit is a conditional insert of the unit's record (it fails when the
// unit exists), so a redelivered message never counts twice and
// concurrent workers never contend on one row; Get folds the units into
// the job (Fold).
type Store interface {
	// Create writes a new job; ErrExists when its ID is taken.
	Create(ctx context.Context, j Job) error
	// Get reads a job with every committed unit folded in; ErrNotFound
	// when there is none.
	Get(ctx context.Context, id string) (Job, error)
	// Commit records unit's delta once: false, nil when unit was
	// committed before (a redelivery). ErrNotFound when the job does not exist.
	Commit(ctx context.Context, jobID, unit string, d Delta) (applied bool, err error)
	// Fail marks a job failed as a whole (its fan-out could not start),
	// with the reason shown in its status.
	Fail(ctx context.Context, jobID, reason string) error
}

// Fold applies the committed units' deltas, in the order given, to the job
// as created: counts add up, the first MaxListed failures and drifts are
// kept, and a running job whose outstanding units reach 0 is completed at
// its last unit's time.
func Fold(j Job, units []Delta) Job {
	var last time.Time
	for _, d := range units {
		j.Counts.Total += d.Counts.Total
		j.Counts.Accepted += d.Counts.Accepted
		j.Counts.Failed += d.Counts.Failed
		j.Counts.Drifted += d.Counts.Drifted
		j.Counts.InSync += d.Counts.InSync
		j.Counts.Unverifiable += d.Counts.Unverifiable
		j.Outstanding += d.Outstanding
		j.Failures = appendMax(j.Failures, d.Failures)
		j.Drift = appendMax(j.Drift, d.Drift)
		if d.At.After(last) {
			last = d.At
		}
	}
	if j.State == Running && j.Outstanding <= 0 && len(units) > 0 && settled(units) {
		j.State = Completed
		at := last
		j.CompletedAt = &at
	}
	return j
}

// settled reports whether every committed unit's parent has committed.
// Until then the sum of Outstanding undercounts: a chunk that commits
// before the page that sent it takes off its -1 while the page's +children
// is not there yet, and the sum can reach 0 mid-job.
func settled(units []Delta) bool {
	committed := make(map[string]bool, len(units))
	for _, d := range units {
		if d.Unit != "" {
			committed[d.Unit] = true
		}
	}
	for _, d := range units {
		if p := parentUnit(d.Unit); p != "" && !committed[p] {
			return false
		}
	}
	return true
}

// parentUnit is the unit that sent unit, by the key scheme of the engine's
// unit keys: a chunk's or a retry's parent is its key up to the last "/"
// (<page>/c<i>, <unit>/r1); page n+1's is page n (<package>/p<n>); a first
// page, and a key outside the scheme, has none ("").
func parentUnit(unit string) string {
	i := strings.LastIndex(unit, "/")
	if i < 0 {
		return ""
	}
	base, last := unit[:i], unit[i+1:]
	if strings.Contains(base, "/") || !strings.HasPrefix(last, "p") {
		return base // a chunk or a retry
	}
	n, err := strconv.Atoi(last[1:])
	if err != nil || n <= 0 {
		return "" // a first page (or no page at all)
	}
	return base + "/p" + strconv.Itoa(n-1)
}

func appendMax[T any](list, more []T) []T {
	if room := MaxListed - len(list); room < len(more) {
		more = more[:max(room, 0)]
	}
	return append(list, more...)
}
