// Package sandbox is an emulated Microsoft Entra tenant that runs inside the
// process: the Entra token endpoint (with instance discovery, OpenID metadata
// and signing keys), an App Service managed-identity endpoint, Azure Key
// Vault secrets and the Microsoft Graph entitlement-management routes. It
// speaks the real wire protocols, so azidentity, azsecrets and
// msgraph-sdk-go run against it unmodified. Binaries built with the sandbox
// tag (make build, make run) embed it behind --sandbox; the binaries make
// package ships do not. Tests use it as a library.
//
// # Design
//
// Clients keep the production hostnames (login.microsoftonline.com,
// sandbox.vault.azure.net, graph.microsoft.com and the national-cloud
// hosts), so no SDK option (authority host, instance discovery, challenge
// resource verification, allowed Graph hosts) has to be relaxed:
//
//   - Start generates a certificate authority and a leaf certificate whose
//     names cover those hosts, and serves all services on one TLS listener on
//     127.0.0.1, routing by the Host header.
//   - A second listener is an HTTP CONNECT proxy that tunnels any CONNECT to
//     one of those hosts (any port) to the TLS listener, and refuses every
//     other host with 403 (logged, so a test can assert nothing leaked).
//   - The managed-identity endpoint is plain HTTP on a third loopback
//     listener, as on App Service.
//
// Nothing on the machine trusts the generated CA, so only clients configured
// for the sandbox can reach it, and no request can reach the real services.
//
// # Use
//
// In the same process, give an SDK the tenant's client:
//
//	tenant := sandbox.NewForTest(t, sandbox.Options{})
//	opts := azcore.ClientOptions{Transport: tenant.HTTPClient()}
//	cred, _ := azidentity.NewClientSecretCredential(sandbox.TenantID,
//		sandbox.KeyVaultReaderClientID, tenant.KeyVaultReaderSecret(),
//		&azidentity.ClientSecretCredentialOptions{ClientOptions: opts})
//
// For a subprocess (the built binary), add tenant.ProcessEnv() to its
// environment: HTTPS_PROXY points Go's default transport at the proxy, and
// SSL_CERT_FILE/SSL_CERT_DIR make the sandbox CA its only trusted root.
// ManagedIdentityEnv gives IDENTITY_ENDPOINT and IDENTITY_HEADER.
//
// AWS Lambda's keyless path is emulated too: STS answers SigV4-signed
// GetWebIdentityToken calls at the regional endpoints
// (sts.<region>.amazonaws.com) with RS256 tokens of the account's outbound
// federation issuer (AWSIssuer, which serves OpenID metadata and a JWKS),
// and Entra accepts such a token as the client assertion of
// AWSFederatedClientID, whose federated identity credential names that
// issuer, AWSRoleARN as subject and api://AzureADTokenExchange as audience.
// AWSEnv and AWSProcessEnv give a function that path; Entra's refusals carry
// the real AADSTS codes (700211, 700213, 70021, 700024, 5002738).
//
// Tests observe and steer the tenant through Requests and Count (every
// request each service received), Graph.Fail (throttling and outages, per
// assignment id, batch items included), Graph.SetLatency and Graph.Delayed
// (how many requests the latency holds), Graph.SetPermission,
// KeyVault.SetDown, Entra.SetDown, Entra.FailTokens, RotateGraphSecret, MintCallerToken,
// STS.SetFederationEnabled, Entra.SetFederatedCredentials and
// MintWebIdentityToken.
//
// For jobs, Graph also serves access packages with their resource role
// scopes, catalogs' access packages, paged assignment lists
// (Graph.SetPageSize) and checkMemberGroups over groups and memberships
// (AddGroup, AddMembers, RemoveMember), each inside $batch as well.
// Seeds.LargeAccessPackage is a package of 2,500 delivered assignments with
// 100 drifted targets; AddBulkAccessPackage makes more of any size.
// Graph.Fail("/checkMemberGroups", 429, n, d) throttles the next n checks.
//
// The platform documents it follows:
//   - https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
//   - https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference
//   - https://learn.microsoft.com/azure/key-vault/general/authentication-requests-and-responses
//   - https://learn.microsoft.com/graph/api/accesspackageassignment-reprocess
//   - https://learn.microsoft.com/graph/json-batching
//   - https://learn.microsoft.com/graph/api/accesspackage-get
//   - https://learn.microsoft.com/graph/api/directoryobject-checkmembergroups
//   - https://docs.aws.amazon.com/STS/latest/APIReference/API_GetWebIdentityToken.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
//   - https://learn.microsoft.com/entra/workload-id/workload-identity-federation
package sandbox
