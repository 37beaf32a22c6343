// Package sigv4 signs AWS requests with Signature Version 4 (header form,
// AWS4-HMAC-SHA256), as the AWS General Reference specifies it
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html).
// It is the whole of the AWS SDK this project ships: STS (awssts), SQS and
// DynamoDB (jobs/awsjobs) are each one or a few JSON or query calls, and
// aws-sdk-go-v2's service clients would not fit lambda.zip's size budget.
// Tested against AWS's published SigV4 test suite.
package sigv4
