// Package credential chooses the azidentity credentials the function uses:
// the platform identity (managed identity on Azure, an app secret or AWS
// federation elsewhere), which reads Key Vault, and the Graph app's own
// credential, built from the client secret or certificate held in Key Vault.
//
// Credentials are built once, on first use, and reused, so MSAL's token cache
// serves every later request of the process. When Entra refuses the Graph
// app's secret or certificate (AADSTS7000215, 7000222, 700027: it was
// rotated), the latest version is read from Key Vault and the token request
// is tried once more.
//
// https://learn.microsoft.com/azure/developer/go/sdk/authentication/credential-chains
// https://learn.microsoft.com/entra/identity-platform/reference-error-codes
package credential
