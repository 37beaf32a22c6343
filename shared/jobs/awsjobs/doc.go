// Package awsjobs keeps jobs on AWS: the job records in one DynamoDB table
// (jobs.Store) and the work units on an SQS queue (jobs.Queue).
//
// It calls them through aws-sdk-go-v2's service/dynamodb and service/sqs
// clients, made from an aws.Config built from Config alone: the region is
// the Lambda environment's (AWS_REGION) and the credentials are the
// process's one chain (awscreds: the environment's keys, else the
// container credentials endpoint), so config.LoadDefaultConfig's other
// credential sources (shared files, SSO, IMDS) would only add 0.55 MB to
// lambda.zip. AWS_ENDPOINT_URL_DYNAMODB
// and AWS_ENDPOINT_URL_SQS become the clients' BaseEndpoint, to reach
// emulators; the process's http.Client carries every call. Each client
// is built once per process, on first use; the SDK's standard retryer is
// bounded (3 attempts, backoff up to 250 ms), every operation to 8 s,
// and every failure wraps jobs.ErrUnavailable.
//
// The table (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.CoreComponents.html):
// partition key pk (S) = job id, sort key sk (S): "job" for the job record
// as Create wrote it (its JSON in d) plus the attributes Fail sets, and
// "u|"+unit for each committed work unit (its jobs.Delta JSON in d).
// Every item carries expiresAt (epoch seconds, jobs.TTL after the job's
// creation), the table's TimeToLiveSpecification attribute. Commit is one
// PutItem conditioned on attribute_not_exists(sk): a redelivered unit
// fails the condition and counts nothing twice.
//
// The same table records webhook deliveries for every instance
// (webhook.SharedReplays): pk "replay#" + the SHA-256 of the replay key,
// sk "replay", expiresAt at the end of the replay window. Claim is one
// PutItem conditioned on attribute_not_exists(pk) OR expiresAt < now (TTL
// deletes expired items up to days late); Release is a DeleteItem.
//
// The queue's messages are jobs.EncodeMessage bodies, sent with
// SendMessageBatch (at most 10 a call, DelaySeconds up to 900)
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html);
// the event source mapping delivers them to the function (awslambda).
//
// Tests run the store against dynalite (npm, in memory) and the queue
// against the sandbox's SQS emulation (shared/sandbox), since no SQS
// emulator runs on Node 20.
package awsjobs
