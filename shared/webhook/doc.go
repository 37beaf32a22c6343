// Package webhook authenticates signed webhook deliveries from ticketing and
// alerting systems, guards against their replay, and finds the assignment id
// in their bodies.
//
// Each source has one scheme, bound to its own route; a delivery is never
// tried against several schemes and never accepted unsigned. Signatures are
// checked over the raw body bytes before anything parses them, with
// constant-time comparisons.
//
//   - github: X-Hub-Signature-256 "sha256=<hex>", HMAC-SHA256 of the body;
//     delivery id X-GitHub-Delivery.
//     https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries
//   - jira: X-Hub-Signature "sha256=<hex>" (the WebSub form; only sha256 is
//     documented by Atlassian); delivery id X-Atlassian-Webhook-Identifier.
//     https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
//   - standard: Standard Webhooks (Svix and others): webhook-id,
//     webhook-timestamp and webhook-signature ("v1,<base64>" entries separated
//     by spaces), HMAC-SHA256 of "id.timestamp.body" keyed with the base64
//     secret after "whsec_"; the svix-* header family is accepted as a whole
//     when the webhook-* family is absent. The id is signed.
//     https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
//   - zendesk: X-Zendesk-Webhook-Signature, base64 HMAC-SHA256 of
//     X-Zendesk-Webhook-Signature-Timestamp followed by the body, keyed with
//     the signing secret's bytes as they are; delivery id
//     X-Zendesk-Webhook-Invocation-Id.
//     https://developer.zendesk.com/documentation/webhooks/verifying/
//   - pagerduty: X-PagerDuty-Signature "v1=<hex>" entries separated by commas
//     (several during secret rotation); delivery id X-Webhook-Id.
//     https://developer.pagerduty.com/docs/webhooks/04-Signatures
//
// Signed timestamps (standard, zendesk) must lie within five minutes of now,
// either way. The other schemes sign no time, so their replay protection is
// the [ReplayGuard], keyed on both the delivery id (which catches honest
// redeliveries) and the verified signature (which catches an attacker who
// resends a captured delivery under a new, unsigned, id).
//
// The package reads no environment: the caller passes the secret and the
// id pointer (settings WEBHOOK_<SOURCE>_SECRET_NAME and
// WEBHOOK_<SOURCE>_ID_POINTER, see [Source.SecretNameSetting]).
package webhook
