package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/webhook"
	"github.com/entra-tools/reprocess/shared/webhook/webhooktest"
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

// signDelivery returns the headers src's sender would send for body at time
// at with delivery id id, computed from each vendor's documented scheme,
// independently of package webhook.
func signDelivery(tb testing.TB, src webhook.Source, secret, id, body string, at time.Time) http.Header {
	tb.Helper()
	h, err := webhooktest.Sign(src, secret, id, body, at)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func signatureHeader(src webhook.Source) string { return webhooktest.SignatureHeader(src) }

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
