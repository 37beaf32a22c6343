package awsjobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Webhook deliveries seen by any instance are items of the jobs table:
// pk "replay#" + a hash of the key (no signature or sender id is stored),
// sk "replay", expiring (TTL) when the replay window ends.
const (
	replayPrefix = "replay#"
	replaySK     = "replay"
)

// Claim records a webhook delivery under k for window: true when this call
// recorded it first, false when some instance did within the window. One
// conditional put: a record whose window has passed is taken over, since
// DynamoDB's TTL deletion runs up to days late.
func (s *Store) Claim(ctx context.Context, k string, window time.Duration) (bool, error) {
	now := time.Now()
	it := key(replayPK(k), replaySK)
	it[attrExpires] = &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(window).Unix(), 10)}
	err := s.call(ctx, func(ctx context.Context, c *dynamodb.Client) error {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                 s.table,
			Item:                      it,
			ConditionExpression:       aws.String("attribute_not_exists(pk) OR #expires < :now"),
			ExpressionAttributeNames:  map[string]string{"#expires": attrExpires},
			ExpressionAttributeValues: item{":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)}},
		})
		return err
	})
	if conditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, wrap(err, "claim webhook delivery")
	}
	return true, nil
}

// Release forgets a delivery whose attempt did not settle it (a 429 or
// 5xx answer), so the sender's retry runs again on any instance.
func (s *Store) Release(ctx context.Context, k string) error {
	err := s.call(ctx, func(ctx context.Context, c *dynamodb.Client) error {
		_, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: s.table, Key: key(replayPK(k), replaySK)})
		return err
	})
	return wrap(err, "release webhook delivery")
}

func replayPK(k string) string {
	sum := sha256.Sum256([]byte(k))
	return replayPrefix + hex.EncodeToString(sum[:])
}
