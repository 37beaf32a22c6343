// Package secrets reads secrets and certificate-backed secrets from Azure Key
// Vault through azsecrets, and keeps them in memory.
//
// Key Vault's guidance is to cache what you read and re-read only when the
// cached copy stops working; so a value is kept for a TTL, served stale if
// Key Vault fails after the TTL, and Refresh reads the latest version at once
// (used when Entra refuses a rotated client secret). Concurrent first reads
// of one name make one Key Vault request.
//
// https://learn.microsoft.com/azure/key-vault/general/overview-throttling
// https://learn.microsoft.com/azure/key-vault/certificates/about-certificates#composition-of-a-certificate
package secrets
