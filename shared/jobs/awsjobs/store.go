package awsjobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
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
	cfg    Config
	client func() (*dynamodb.Client, error)
}

var _ jobs.Store = (*Store)(nil)

// NewStore returns the store of cfg.Table; its client is built on first use.
func NewStore(cfg Config) *Store {
	return &Store{cfg: cfg, client: sync.OnceValues(func() (*dynamodb.Client, error) {
		if err := cfg.check(); err != nil {
			return nil, err
		}
		return dynamodb.New(dynamodb.Options{
			Region: cfg.Region, Credentials: cfg.credentials(), HTTPClient: cfg.httpClient(),
			BaseEndpoint: endpoint(cfg.DynamoDBEndpoint), Retryer: cfg.retryer(),
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

func (s *Store) Create(ctx context.Context, j jobs.Job) error {
	doc, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("create job %s: %w", j.ID, err)
	}
	err = s.call(ctx, func(ctx context.Context, c *dynamodb.Client) error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:           aws.String(s.cfg.Table),
			Item:                s.item(j.ID, jobSK, doc, j.ExpiresAt()),
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
	var items []map[string]types.AttributeValue
	err := s.call(ctx, func(ctx context.Context, c *dynamodb.Client) error {
		p := dynamodb.NewQueryPaginator(c, &dynamodb.QueryInput{
			TableName:                 aws.String(s.cfg.Table),
			KeyConditionExpression:    aws.String("pk = :id"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": str(id)},
			ConsistentRead:            aws.Bool(true), // a status read right after a commit sees it
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return err
			}
			items = append(items, page.Items...)
		}
		return nil
	})
	if err != nil {
		return jobs.Job{}, wrap(err, "get job %s", id)
	}
	var (
		job   jobs.Job
		found bool
		units []jobs.Delta
	)
	for _, it := range items { // in sk order: "job", then the units by key
		switch sk := text(it[attrSK]); {
		case sk == jobSK:
			if job, err = decodeJob(it); err != nil {
				return jobs.Job{}, fmt.Errorf("get job %s: %w", id, err)
			}
			found = true
		case len(sk) > len(unitPrefix) && sk[:len(unitPrefix)] == unitPrefix:
			var d jobs.Delta
			if err := json.Unmarshal([]byte(text(it[attrDoc])), &d); err != nil {
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
func decodeJob(it map[string]types.AttributeValue) (jobs.Job, error) {
	var j jobs.Job
	if err := json.Unmarshal([]byte(text(it[attrDoc])), &j); err != nil {
		return jobs.Job{}, err
	}
	if state := text(it[attrState]); state != "" {
		j.State, j.Error = jobs.State(state), text(it[attrError])
		if at, err := time.Parse(time.RFC3339Nano, text(it[attrEnded])); err == nil {
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
	var expires time.Time
	err = s.call(ctx, func(ctx context.Context, c *dynamodb.Client) error {
		// The unit's expiry is its job's: read the job record's (which
		// also says whether the job exists) rather than trusting a clock.
		out, err := c.GetItem(ctx, &dynamodb.GetItemInput{
			TableName:            aws.String(s.cfg.Table),
			Key:                  key(jobID, jobSK),
			ProjectionExpression: aws.String(attrExpires),
			ConsistentRead:       aws.Bool(true),
		})
		if err != nil {
			return err
		}
		if out.Item == nil {
			return jobs.ErrNotFound
		}
		n, _ := strconv.ParseInt(number(out.Item[attrExpires]), 10, 64)
		expires = time.Unix(n, 0)
		_, err = c.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:           aws.String(s.cfg.Table),
			Item:                s.item(jobID, unitPrefix+unit, doc, expires),
			ConditionExpression: aws.String("attribute_not_exists(sk)"),
		})
		return err
	})
	switch {
	case err == nil:
		return true, nil
	case conditionFailed(err):
		return false, nil // committed before: a redelivery
	case errors.Is(err, jobs.ErrNotFound):
		return false, fmt.Errorf("commit %s of job %s: %w", unit, jobID, jobs.ErrNotFound)
	}
	return false, wrap(err, "commit %s of job %s", unit, jobID)
}

func (s *Store) Fail(ctx context.Context, jobID, reason string) error {
	err := s.call(ctx, func(ctx context.Context, c *dynamodb.Client) error {
		_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                aws.String(s.cfg.Table),
			Key:                      key(jobID, jobSK),
			UpdateExpression:         aws.String("SET #state = :failed, #error = :reason, #ended = :now"),
			ConditionExpression:      aws.String("attribute_exists(pk)"),
			ExpressionAttributeNames: map[string]string{"#state": attrState, "#error": attrError, "#ended": attrEnded},
			ExpressionAttributeValues: map[string]types.AttributeValue{
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

// call runs f with the client and the per-call time bound.
func (s *Store) call(ctx context.Context, f func(context.Context, *dynamodb.Client) error) error {
	c, err := s.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return f(ctx, c)
}

func (s *Store) item(pk, sk string, doc []byte, expires time.Time) map[string]types.AttributeValue {
	it := key(pk, sk)
	it[attrDoc] = str(string(doc))
	it[attrExpires] = &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)}
	return it
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: str(pk), attrSK: str(sk)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func text(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

func number(v types.AttributeValue) string {
	if n, ok := v.(*types.AttributeValueMemberN); ok {
		return n.Value
	}
	return ""
}

func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// wrap makes every failure to reach or use the table jobs.ErrUnavailable.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w: %w", fmt.Sprintf(format, args...), jobs.ErrUnavailable, err)
}
