package awsjobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs"
)

// Store is jobs.Store on a DynamoDB table (see the package doc for its
// layout). It is safe for concurrent use.
type Store struct {
	table  string
	client func() (*jsonClient, error)
}

var _ jobs.Store = (*Store)(nil)

// NewStore returns the store of cfg.Table; its client is built on first use.
func NewStore(cfg Config) *Store {
	return &Store{table: cfg.Table, client: sync.OnceValues(func() (*jsonClient, error) {
		if err := cfg.check(); err != nil {
			return nil, err
		}
		return cfg.client("dynamodb", "DynamoDB_20120810", cfg.DynamoDBEndpoint), nil
	})}
}

// Item attribute names.
const (
	attrPK      = "pk"
	attrSK      = "sk"
	attrDoc     = "d"         // the job as created, or a unit's delta (JSON)
	attrExpires = "expiresAt" // the table's TTL attribute
	attrState   = "state"     // set by Fail
	attrError   = "error"     // set by Fail
	attrEnded   = "endedAt"   // set by Fail (RFC 3339)

	jobSK      = "job"
	unitPrefix = "u|"
)

// item is a DynamoDB item in the JSON protocol's form: attribute name →
// {"S": "…"} or {"N": "…"}, the only types this table holds.
type item map[string]map[string]string

func str(v string) map[string]string { return map[string]string{"S": v} }

func (s *Store) Create(ctx context.Context, j jobs.Job) error {
	doc, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("create job %s: %w", j.ID, err)
	}
	err = s.call(ctx, "PutItem", map[string]any{
		"TableName":           s.table,
		"Item":                newItem(j.ID, jobSK, doc, j.ExpiresAt()),
		"ConditionExpression": "attribute_not_exists(pk)",
	}, nil)
	if conditionFailed(err) {
		return fmt.Errorf("create job %s: %w", j.ID, jobs.ErrExists)
	}
	return wrap(err, "create job %s", j.ID)
}

func (s *Store) Get(ctx context.Context, id string) (jobs.Job, error) {
	var items []item
	in := map[string]any{
		"TableName":                 s.table,
		"KeyConditionExpression":    "pk = :id",
		"ExpressionAttributeValues": item{":id": str(id)},
		"ConsistentRead":            true, // a status read right after a commit sees it
	}
	for {
		var page struct {
			Items            []item
			LastEvaluatedKey item
		}
		if err := s.call(ctx, "Query", in, &page); err != nil {
			return jobs.Job{}, wrap(err, "get job %s", id)
		}
		items = append(items, page.Items...)
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in["ExclusiveStartKey"] = page.LastEvaluatedKey
	}
	var (
		job   jobs.Job
		found bool
		units []jobs.Delta
	)
	for _, it := range items { // in sk order: "job", then the units by key
		switch sk := it[attrSK]["S"]; {
		case sk == jobSK:
			var err error
			if job, err = decodeJob(it); err != nil {
				return jobs.Job{}, fmt.Errorf("get job %s: %w", id, err)
			}
			found = true
		case strings.HasPrefix(sk, unitPrefix):
			var d jobs.Delta
			if err := json.Unmarshal([]byte(it[attrDoc]["S"]), &d); err != nil {
				return jobs.Job{}, fmt.Errorf("get job %s: unit %s: %w", id, sk, err)
			}
			units = append(units, d)
		}
	}
	if !found {
		return jobs.Job{}, fmt.Errorf("get job %s: %w", id, jobs.ErrNotFound)
	}
	return jobs.Fold(job, units), nil
}

// decodeJob reads the job record: the job as created, then what Fail set.
func decodeJob(it item) (jobs.Job, error) {
	var j jobs.Job
	if err := json.Unmarshal([]byte(it[attrDoc]["S"]), &j); err != nil {
		return jobs.Job{}, err
	}
	if state := it[attrState]["S"]; state != "" {
		j.State, j.Error = jobs.State(state), it[attrError]["S"]
		if at, err := time.Parse(time.RFC3339Nano, it[attrEnded]["S"]); err == nil {
			j.CompletedAt = &at
		}
	}
	return j, nil
}

func (s *Store) Commit(ctx context.Context, jobID, unit string, d jobs.Delta) (bool, error) {
	doc, err := json.Marshal(d)
	if err != nil {
		return false, fmt.Errorf("commit %s of job %s: %w", unit, jobID, err)
	}
	// The unit expires with its job: read the job record's expiry (which
	// also says whether the job exists) rather than trusting a clock.
	var got struct{ Item item }
	err = s.call(ctx, "GetItem", map[string]any{
		"TableName": s.table, "Key": key(jobID, jobSK),
		"ProjectionExpression": attrExpires, "ConsistentRead": true,
	}, &got)
	if err != nil {
		return false, wrap(err, "commit %s of job %s", unit, jobID)
	}
	if got.Item == nil {
		return false, fmt.Errorf("commit %s of job %s: %w", unit, jobID, jobs.ErrNotFound)
	}
	n, _ := strconv.ParseInt(got.Item[attrExpires]["N"], 10, 64)
	err = s.call(ctx, "PutItem", map[string]any{
		"TableName":           s.table,
		"Item":                newItem(jobID, unitPrefix+unit, doc, time.Unix(n, 0)),
		"ConditionExpression": "attribute_not_exists(sk)",
	}, nil)
	if conditionFailed(err) {
		return false, nil // committed before: a redelivery
	}
	if err != nil {
		return false, wrap(err, "commit %s of job %s", unit, jobID)
	}
	return true, nil
}

func (s *Store) Fail(ctx context.Context, jobID, reason string) error {
	err := s.call(ctx, "UpdateItem", map[string]any{
		"TableName":                s.table,
		"Key":                      key(jobID, jobSK),
		"UpdateExpression":         "SET #state = :failed, #error = :reason, #ended = :now",
		"ConditionExpression":      "attribute_exists(pk)",
		"ExpressionAttributeNames": map[string]string{"#state": attrState, "#error": attrError, "#ended": attrEnded},
		"ExpressionAttributeValues": item{
			":failed": str(string(jobs.Failed)), ":reason": str(reason),
			":now": str(time.Now().UTC().Format(time.RFC3339Nano)),
		},
	}, nil)
	if conditionFailed(err) {
		return fmt.Errorf("fail job %s: %w", jobID, jobs.ErrNotFound)
	}
	return wrap(err, "fail job %s", jobID)
}

// call runs one DynamoDB action within callTimeout.
func (s *Store) call(ctx context.Context, action string, in, out any) error {
	c, err := s.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return c.call(ctx, action, in, out)
}

func newItem(pk, sk string, doc []byte, expires time.Time) item {
	it := key(pk, sk)
	it[attrDoc] = str(string(doc))
	it[attrExpires] = map[string]string{"N": strconv.FormatInt(expires.Unix(), 10)}
	return it
}

func key(pk, sk string) item { return item{attrPK: str(pk), attrSK: str(sk)} }

func conditionFailed(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == "ConditionalCheckFailedException"
}

// wrap makes every failure to reach or use the table jobs.ErrUnavailable.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w: %w", fmt.Sprintf(format, args...), jobs.ErrUnavailable, err)
}
