package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/webhook"
)

// Test secrets, one per source, in the form each sender hands out.
var secrets = map[webhook.Source]string{
	webhook.GitHub:    "gh-test-secret",
	webhook.Jira:      "jira-test-secret",
	webhook.PagerDuty: "pd-test-secret",
	webhook.Zendesk:   "zd-test-secret",
	webhook.Standard:  "whsec_" + base64.StdEncoding.EncodeToString([]byte("standard-test-secret-24b")),
}

// hmacSHA256 is computed here independently of the package under test.
func hmacSHA256(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

func standardKey(tb testing.TB, secret string) []byte {
	tb.Helper()
	key, err := base64.StdEncoding.DecodeString(secret[len("whsec_"):])
	if err != nil {
		tb.Fatal(err)
	}
	return key
}

// signed returns the headers a sender with secret would send for body at
// time at, with delivery id id.
func signed(tb testing.TB, source webhook.Source, secret, id, body string, at time.Time) http.Header {
	tb.Helper()
	h := http.Header{}
	switch source {
	case webhook.GitHub:
		h.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(hmacSHA256([]byte(secret), body)))
		h.Set("X-GitHub-Delivery", id)
	case webhook.Jira:
		h.Set("X-Hub-Signature", "sha256="+hex.EncodeToString(hmacSHA256([]byte(secret), body)))
		h.Set("X-Atlassian-Webhook-Identifier", id)
	case webhook.PagerDuty:
		h.Set("X-PagerDuty-Signature", "v1="+hex.EncodeToString(hmacSHA256([]byte(secret), body)))
		h.Set("X-Webhook-Id", id)
	case webhook.Zendesk:
		ts := at.UTC().Format(time.RFC3339)
		h.Set("X-Zendesk-Webhook-Signature", base64.StdEncoding.EncodeToString(hmacSHA256([]byte(secret), ts, body)))
		h.Set("X-Zendesk-Webhook-Signature-Timestamp", ts)
		h.Set("X-Zendesk-Webhook-Invocation-Id", id)
	case webhook.Standard:
		ts := strconv.FormatInt(at.Unix(), 10)
		mac := hmacSHA256(standardKey(tb, secret), id, ".", ts, ".", body)
		h.Set("Webhook-Id", id)
		h.Set("Webhook-Timestamp", ts)
		h.Set("Webhook-Signature", "v1,"+base64.StdEncoding.EncodeToString(mac))
	default:
		tb.Fatalf("no signer for %q", source)
	}
	return h
}

// signatureHeader names the header that carries the signature.
func signatureHeader(source webhook.Source) string {
	return map[webhook.Source]string{
		webhook.GitHub:    "X-Hub-Signature-256",
		webhook.Jira:      "X-Hub-Signature",
		webhook.PagerDuty: "X-PagerDuty-Signature",
		webhook.Zendesk:   "X-Zendesk-Webhook-Signature",
		webhook.Standard:  "Webhook-Signature",
	}[source]
}
