// Package sigv4 signs AWS requests with Signature Version 4 (header form,
// AWS4-HMAC-SHA256), as the AWS General Reference specifies it
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html).
// It signs the keyless path's one STS call (awssts), for which
// aws-sdk-go-v2's service/sts would add 155 KB to lambda.zip (measured),
// with keys from the process's credential chain (awscreds), and the
// sandbox checks signatures with it (sigv4test). SQS and DynamoDB go through
// aws-sdk-go-v2's own clients (jobs/awsjobs), which sign for themselves.
// Tested against AWS's published SigV4 test suite.
package sigv4
