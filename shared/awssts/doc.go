// Package awssts gets keyless Azure credentials on AWS: it asks AWS STS for a
// web identity token (GetWebIdentityToken, IAM outbound identity federation)
// that Microsoft Entra accepts as a client assertion through a federated
// identity credential whose issuer is the account's STS issuer URL and whose
// subject is the execution role ARN.
//
//	ts, err := awssts.NewTokenSource(awssts.Config{Region: …, Credentials: awscreds.New(…), HTTPClient: …})
//	cred, err := azidentity.NewClientAssertionCredential(tenantID, clientID, ts.Token, nil)
//
// The token is an RS256 JWT (Entra accepts no other algorithm) for the
// audience api://AzureADTokenExchange. It is cached until a minute before it
// expires, so warm invocations do not call STS again.
//
// The call is one SigV4-signed request of the STS Query API, made with the
// standard library (shared/sigv4) instead of aws-sdk-go-v2's service/sts,
// which adds 155 KB to lambda.zip for this one call. The signing keys come
// from the process's credential chain (awscreds): the environment's, or
// the container credentials endpoint's that Lambda SnapStart provides.
//
//   - https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_outbound.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
//   - https://learn.microsoft.com/entra/workload-id/workload-identity-federation
package awssts
