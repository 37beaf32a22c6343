// Package awsjobs keeps jobs on AWS: the job records in one DynamoDB table
// (jobs.Store) and the work units on an SQS queue (jobs.Queue), through
// aws-sdk-go-v2's service clients.
//
// The clients take their region and credentials from the Lambda
// environment (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, as config reads them) rather than the SDK's whole
// credential chain: on provided.al2023 Lambda always sets them, and the
// chain's SSO, STS and IMDS code would not fit lambda.zip's size budget.
// AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SQS point them at
// emulators. Each client is built once per process, on first use.
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
// against the sandbox's SQS emulation (shared/sandbox, AWS JSON 1.0
// protocol), since no SQS emulator runs on Node 20.
package awsjobs
