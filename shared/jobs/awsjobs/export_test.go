package awsjobs

import "context"

// CreateTable creates cfg.Table as infra/aws/template.yaml declares it.
func CreateTable(ctx context.Context, cfg Config) error {
	s := NewStore(cfg)
	return s.call(ctx, "CreateTable", map[string]any{
		"TableName":   cfg.Table,
		"BillingMode": "PAY_PER_REQUEST",
		"AttributeDefinitions": []map[string]string{
			{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
		},
		"KeySchema": []map[string]string{
			{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"},
		},
	}, nil)
}

// Items reads every item of a job's partition as stored.
func Items(ctx context.Context, cfg Config, jobID string) ([]map[string]map[string]string, error) {
	var out struct {
		Items []map[string]map[string]string
	}
	err := NewStore(cfg).call(ctx, "Query", map[string]any{
		"TableName": cfg.Table, "KeyConditionExpression": "pk = :id",
		"ExpressionAttributeValues": item{":id": str(jobID)},
	}, &out)
	return out.Items, err
}
