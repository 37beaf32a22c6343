// Package awsjobstest sets up what awsjobs needs in tests: a dynalite
// (testkit.Dynalite) with the jobs table as infra/aws/template.yaml declares
// it, and a look at the items as stored. It is imported by tests only.
package awsjobstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/awscreds"
	"github.com/entra-tools/reprocess/shared/sigv4"
)

// Region and Credentials are what the helpers sign with; dynalite accepts
// any signature.
const Region = "eu-west-1"

var Credentials = awscreds.Static(keys.AccessKeyID, keys.SecretAccessKey, "")

var keys = sigv4.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "dynalite-does-not-check"}

// Table starts dynalite for the rest of the test, creates table in it and
// returns the endpoint, for AWS_ENDPOINT_URL_DYNAMODB.
func Table(tb testing.TB, table string) string {
	tb.Helper()
	endpoint := testkit.Dynalite(tb)
	err := call(endpoint, "CreateTable", map[string]any{
		"TableName":   table,
		"BillingMode": "PAY_PER_REQUEST",
		"AttributeDefinitions": []map[string]string{
			{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
		},
		"KeySchema": []map[string]string{
			{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"},
		},
	}, nil)
	if err != nil {
		tb.Fatalf("CreateTable %s: %v", table, err)
	}
	return endpoint
}

// Items are a job's items as stored: attribute → {"S"|"N": value}.
func Items(tb testing.TB, endpoint, table, jobID string) []map[string]map[string]string {
	tb.Helper()
	var out struct {
		Items []map[string]map[string]string
	}
	err := call(endpoint, "Query", map[string]any{
		"TableName": table, "KeyConditionExpression": "pk = :id",
		"ExpressionAttributeValues": map[string]any{":id": map[string]string{"S": jobID}},
	}, &out)
	if err != nil {
		tb.Fatalf("Query %s: %v", jobID, err)
	}
	return out.Items
}

func call(endpoint, action string, in, out any) error {
	body, _ := json.Marshal(in)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810."+action)
	sigv4.Sign(r, body, keys, Region, "dynamodb", time.Now())
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
