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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/entra-tools/reprocess/shared/jobs"
)

// Store is jobs.Store on a DynamoDB table (see the package doc for its
// layout). It is safe for concurrent use.
type Store struct {
	table  *string
	client func() (*dynamodb.Client, error)
}

var _ jobs.Store = (*Store)(nil)

// NewStore returns the store of cfg.Table; its client is built on first use.
func NewStore(cfg Config) *Store {
	return &Store{table: aws.String(cfg.Table), client: sync.OnceValues(func() (*dynamodb.Client, error) {
		if err := cfg.check(); err != nil {
			return nil, err
		}
		return dynamodb.NewFromConfig(cfg.sdkConfig(), func(o *dynamodb.Options) {
			o.BaseEndpoint = endpoint(cfg.DynamoDBEndpoint)
		}), nil
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

// item is a DynamoDB item; this table holds strings and numbers only.
type item = map[string]types.AttributeValue

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// text is attribute name of it as a string ("" when absent or not one).
func text(it item, name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// number is attribute name of it as a number (0 when absent or not one).
func number(it item, name string) int64 {
	if v, ok := it[name].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.ParseInt(v.Value, 10, 64)
		return n
	}
	return 0
}

func (s *Store) Create(ctx context.Context, j jobs.Job) error {
	doc, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("create job %s: %w", j.ID, err)
	}
	err = s.call(ctx, func(ctx context.Context, c *dynamodb.Client) error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:           s.table,
			Item:                newItem(j.ID, jobSK, doc, j.ExpiresAt()),
			ConditionExpression: aws.String("attribute_not_exists(pk)"),
		})
		return err
	})
	if conditionFailed(err) {
		return fmt.Errorf("create job %s: %w", j.ID, jobs.ErrExists)
	}
	return wrap(err, "create job %s", j.ID)
}

func (s *Store) Get(ctx context.Context, id string) (jobs.Job, error) {
	var items []item
	in := &dynamodb.QueryInput{
		TableName:                 s.table,
		KeyConditionExpression:    aws.String("pk = :id"),
		ExpressionAttributeValues: item{":id": str(id)},
		ConsistentRead:            aws.Bool(true), // a status read right after a commit sees it
	}
	for {
		var page *dynamodb.QueryOutput
		err := s.call(ctx, func(ctx context.Context, c *dynamodb.Client) (err error) {
			page, err = c.Query(ctx, in)
			return err
		})
		if err != nil {
			return jobs.Job{}, wrap(err, "get job %s", id)
		}
		items = append(items, page.Items...)
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	var (
		job   jobs.Job
		found bool
		units []jobs.Delta
	)
	for _, it := range items { // in sk order: "job", then the units by key
		switch sk := text(it, attrSK); {
		case sk == jobSK:
			var err error
			if job, err = decodeJob(it); err != nil {
				return jobs.Job{}, fmt.Errorf("get job %s: %w", id, err)
			}
			found = true
		case strings.HasPrefix(sk, unitPrefix):
			var d jobs.Delta
			if err := json.Unmarshal([]byte(text(it, attrDoc)), &d); err != nil {
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
	if err := json.Unmarshal([]byte(text(it, attrDoc)), &j); err != nil {
		return jobs.Job{}, err
	}
	if state := text(it, attrState); state != "" {
		j.State, j.Error = jobs.State(state), text(it, attrError)
		if at, err := time.Parse(time.RFC3339Nano, text(it, attrEnded)); err == nil {
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
	var got *dynamodb.GetItemOutput
	err = s.call(ctx, func(ctx context.Context, c *dynamodb.Client) (err error) {
		got, err = c.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: s.table, Key: key(jobID, jobSK),
			ProjectionExpression: aws.String(attrExpires), ConsistentRead: aws.Bool(true),
		})
		return err
	})
	if err != nil {
		return false, wrap(err, "commit %s of job %s", unit, jobID)
	}
	if got.Item == nil {
		return false, fmt.Errorf("commit %s of job %s: %w", unit, jobID, jobs.ErrNotFound)
	}
	err = s.call(ctx, func(ctx context.Context, c *dynamodb.Client) error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:           s.table,
			Item:                newItem(jobID, unitPrefix+unit, doc, time.Unix(number(got.Item, attrExpires), 0)),
			ConditionExpression: aws.String("attribute_not_exists(sk)"),
		})
		return err
	})
	if conditionFailed(err) {
		return false, nil // committed before: a redelivery
	}
	if err != nil {
		return false, wrap(err, "commit %s of job %s", unit, jobID)
	}
	return true, nil
}

func (s *Store) Fail(ctx context.Context, jobID, reason string) error {
	err := s.call(ctx, func(ctx context.Context, c *dynamodb.Client) error {
		_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                s.table,
			Key:                      key(jobID, jobSK),
			UpdateExpression:         aws.String("SET #state = :failed, #error = :reason, #ended = :now"),
			ConditionExpression:      aws.String("attribute_exists(pk)"),
			ExpressionAttributeNames: map[string]string{"#state": attrState, "#error": attrError, "#ended": attrEnded},
			ExpressionAttributeValues: item{
				":failed": str(string(jobs.Failed)), ":reason": str(reason),
				":now": str(time.Now().UTC().Format(time.RFC3339Nano)),
			},
		})
		return err
	})
	if conditionFailed(err) {
		return fmt.Errorf("fail job %s: %w", jobID, jobs.ErrNotFound)
	}
	return wrap(err, "fail job %s", jobID)
}

// call runs one DynamoDB operation, retries included, within callTimeout.
func (s *Store) call(ctx context.Context, op func(context.Context, *dynamodb.Client) error) error {
	c, err := s.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return op(ctx, c)
}

func newItem(pk, sk string, doc []byte, expires time.Time) item {
	it := key(pk, sk)
	it[attrDoc] = str(string(doc))
	it[attrExpires] = &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)}
	return it
}

func key(pk, sk string) item { return item{attrPK: str(pk), attrSK: str(sk)} }

func conditionFailed(err error) bool {
	var e *types.ConditionalCheckFailedException
	return errors.As(err, &e)
}

// wrap makes every failure to reach or use the table jobs.ErrUnavailable.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w: %w", fmt.Sprintf(format, args...), jobs.ErrUnavailable, err)
}
