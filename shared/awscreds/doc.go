// Package awscreds is the process's one AWS credential chain, which signs
// every AWS call: STS (awssts, for keyless federation to Entra), SQS and
// DynamoDB (jobs/awsjobs).
//
// The chain is what Lambda can give a provided.al2023 function, in the
// order the SDKs' default chain tries them:
//
//  1. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
//     AWS_SESSION_TOKEN (the execution role's session, as Lambda sets it);
//  2. the container credentials endpoint: AWS_CONTAINER_CREDENTIALS_FULL_URI
//     with AWS_CONTAINER_AUTHORIZATION_TOKEN or, read on each refresh,
//     AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (Lambda SnapStart, which puts
//     no keys in the environment; also ECS and EKS Pod Identity), through
//     aws-sdk-go-v2's credentials/endpointcreds.
//
// It is wrapped in aws.NewCredentialsCache, so the endpoint is asked again
// only when its credentials near their expiry. config.LoadDefaultConfig is
// not used: its shared-file, SSO and IMDS providers, which never apply on
// Lambda, add 0.55 MB to lambda.zip.
//
//   - https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
//   - https://docs.aws.amazon.com/lambda/latest/dg/snapstart-activate.html
package awscreds
