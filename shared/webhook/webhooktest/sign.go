// Package webhooktest signs webhook deliveries the way each sender documents
// it. It is written independently of package webhook, so tests can use it as
// an oracle for the verifiers, and the sandbox guide prints deliveries signed
// with it.
package webhooktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/entra-tools/reprocess/shared/webhook"
)

// Sign returns the headers src's sender sends for body at time at, with
// delivery id id, signed with secret (for Standard Webhooks, "whsec_" and
// the base64 key).
func Sign(src webhook.Source, secret, id, body string, at time.Time) (http.Header, error) {
	h := http.Header{}
	switch src {
	case webhook.GitHub:
		h.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac([]byte(secret), body)))
		h.Set("X-GitHub-Delivery", id)
	case webhook.Jira:
		h.Set("X-Hub-Signature", "sha256="+hex.EncodeToString(mac([]byte(secret), body)))
		h.Set("X-Atlassian-Webhook-Identifier", id)
	case webhook.PagerDuty:
		h.Set("X-PagerDuty-Signature", "v1="+hex.EncodeToString(mac([]byte(secret), body)))
		h.Set("X-Webhook-Id", id)
	case webhook.Zendesk:
		ts := at.UTC().Format(time.RFC3339)
		h.Set("X-Zendesk-Webhook-Signature", base64.StdEncoding.EncodeToString(mac([]byte(secret), ts, body)))
		h.Set("X-Zendesk-Webhook-Signature-Timestamp", ts)
		h.Set("X-Zendesk-Webhook-Invocation-Id", id)
	case webhook.Standard:
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		if err != nil {
			return nil, fmt.Errorf("standard webhook secret: %w", err)
		}
		ts := strconv.FormatInt(at.Unix(), 10)
		h.Set("Webhook-Id", id)
		h.Set("Webhook-Timestamp", ts)
		h.Set("Webhook-Signature", "v1,"+base64.StdEncoding.EncodeToString(mac(key, id, ".", ts, ".", body)))
	default:
		return nil, fmt.Errorf("no signer for source %q", src)
	}
	return h, nil
}

// SignatureHeader names the header that carries src's signature.
func SignatureHeader(src webhook.Source) string {
	return map[webhook.Source]string{
		webhook.GitHub:    "X-Hub-Signature-256",
		webhook.Jira:      "X-Hub-Signature",
		webhook.PagerDuty: "X-PagerDuty-Signature",
		webhook.Zendesk:   "X-Zendesk-Webhook-Signature",
		webhook.Standard:  "Webhook-Signature",
	}[src]
}

func mac(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}
