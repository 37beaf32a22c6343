// Package awsjobs keeps jobs on AWS: the job records in one DynamoDB table
// (jobs.Store) and the work units on an SQS queue (jobs.Queue).
//
// Both services speak the AWS JSON 1.0 protocol, and this package needs six
// of their actions, so it calls them itself (awsjson.go), signed by
// shared/sigv4, rather than through aws-sdk-go-v2: its DynamoDB and SQS
// clients add 0.5 MB to lambda.zip and would take it over its 4 MiB
// budget. Region and credentials are the Lambda environment's
// (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, as config reads them): on provided.al2023 Lambda
// always sets them. AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SQS
// point the clients at emulators. Each client is built once per process,
// on first use; every call is bounded (3 attempts, 8 s) and its failures
// wrap jobs.ErrUnavailable.
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
// The queue's messages are jobs.EncodeMessage bodies, sent with
// SendMessageBatch (at most 10 a call, DelaySeconds up to 900)
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html);
// the event source mapping delivers them to the function (awslambda).
//
// Tests run the store against dynalite (npm, in memory) and the queue
// against the sandbox's SQS emulation (shared/sandbox), since no SQS
// emulator runs on Node 20; aws-sdk-go-v2's SQS client (in tests only)
// checks that emulation speaks what AWS's own client speaks.
package awsjobs
