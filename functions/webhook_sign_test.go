package main

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/webhook"
)

// webhookEnv configures every source with the secret the sandbox seeded
// for it, plus extra settings.
func webhookEnv(extra map[string]string) map[string]string {
	env := map[string]string{}
	for _, src := range webhook.Sources() {
		env[src.SecretNameSetting()] = "webhook-" + string(src)
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// seededSecret is the signing secret the sandbox's Key Vault holds for src.
func (s *stack) seededSecret(tb testing.TB, src webhook.Source) string {
	tb.Helper()
	v, ok := s.tenant.SecretValue("webhook-" + string(src))
	if !ok {
		tb.Fatalf("the sandbox holds no secret webhook-%s", src)
	}
	return v
}

// otherSecret is a secret of the right form for src that the sandbox does
// not hold.
func otherSecret(src webhook.Source) string {
	b := make([]byte, 24)
	rand.Read(b)
	if src == webhook.Standard {
		return "whsec_" + base64.StdEncoding.EncodeToString(b)
	}
	return hex.EncodeToString(b)
}

func mac(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

// signDelivery returns the headers src's sender would send for body at time
// at with delivery id id, computed here from each vendor's documented
// scheme, independently of package webhook.
func signDelivery(tb testing.TB, src webhook.Source, secret, id, body string, at time.Time) http.Header {
	tb.Helper()
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
			tb.Fatalf("standard secret: %v", err)
		}
		ts := strconv.FormatInt(at.Unix(), 10)
		h.Set("Webhook-Id", id)
		h.Set("Webhook-Timestamp", ts)
		h.Set("Webhook-Signature", "v1,"+base64.StdEncoding.EncodeToString(mac(key, id, ".", ts, ".", body)))
	default:
		tb.Fatalf("no signer for %q", src)
	}
	return h
}

// signatureHeader names the header that carries src's signature.
func signatureHeader(src webhook.Source) string {
	return map[webhook.Source]string{
		webhook.GitHub:    "X-Hub-Signature-256",
		webhook.Jira:      "X-Hub-Signature",
		webhook.PagerDuty: "X-PagerDuty-Signature",
		webhook.Zendesk:   "X-Zendesk-Webhook-Signature",
		webhook.Standard:  "Webhook-Signature",
	}[src]
}

// deliver posts body with headers h to the source's webhook route and
// remembers the signatures it sent, which the logs must never show.
func (s *stack) deliver(tb testing.TB, source string, h http.Header, body string) *http.Response {
	tb.Helper()
	for _, src := range webhook.Sources() {
		if v := h.Get(signatureHeader(src)); v != "" {
			s.sensitive.add(signatureParts(v)...)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/api/webhooks/"+source, strings.NewReader(body))
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	return s.send(tb, req)
}

// signatureParts splits a signature header into its MACs.
func signatureParts(v string) []string {
	parts := []string{v}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '=' }) {
		parts = append(parts, f)
	}
	return parts
}
