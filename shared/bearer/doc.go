// Package bearer authenticates callers by a Microsoft Entra access token:
// RS256 only, the exact v2 issuer of one tenant, an exact audience, exp and
// nbf with at most a minute of skew, and a required app role in "roles".
// It never authorises on names or e-mail addresses, and it ignores the
// X-MS-CLIENT-PRINCIPAL* headers of App Service authentication, which are
// attacker-controlled wherever the platform front end did not set them.
//
// Microsoft's validation rules:
// https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens
// and https://learn.microsoft.com/entra/identity-platform/claims-validation
//
// Decisions, and why:
//
//   - Only v2 tokens (iss https://login.microsoftonline.com/<tenant>/v2.0).
//     The API's app registration must set accessTokenAcceptedVersion to 2;
//     then there is one issuer and the audience is always the API's client
//     id. A v1 token (iss https://sts.windows.net/<tenant>/) is refused with
//     an error that names the manifest setting, for the logs.
//   - Audiences are compared exactly with the configured list. With v2
//     tokens that list is the API's client id; an App ID URI
//     (api://<client-id>) is accepted only if it is configured too.
//   - The signing keys come from <authority>/<tenant>/discovery/v2.0/keys
//     through golang-jwt/jwt/v5 and MicahParks/keyfunc/v3 (jwkset storage),
//     fetched lazily on the first request, never at start-up. An unknown
//     "kid" refreshes them at most once per five minutes; they are reloaded
//     after an hour on the request path, keeping the old set if that fails.
//     No background goroutine runs, which suits Lambda's frozen instances.
//   - An Authorization header over 8 KiB is refused with 401 invalid_token
//     before parsing (the JWT split-on-dots DoS class); 431 would blame the
//     whole header block, and callers such as Logic Apps treat 401 plainly.
//   - Signing keys that cannot be fetched when none are cached give
//     ErrKeysUnavailable, which maps to 503: the caller's token may well be
//     valid, our dependency is down. Once keys are cached, an outage of the
//     key endpoint only affects tokens signed by keys we have not seen (401).
//
// The package writes no response body itself except through the replaceable
// onError of [Verifier.Middleware], and it never logs.
package bearer
