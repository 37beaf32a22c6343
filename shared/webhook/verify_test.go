package webhook_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/webhook"
)

const testBody = `{"assignmentId":"0b6c2a5e-58f5-4f4b-8a35-3c5c1b0f3c11"}`

func newVerifier(tb testing.TB, source webhook.Source, secret string) *webhook.Verifier {
	tb.Helper()
	v, err := webhook.NewVerifier(source, secret)
	if err != nil {
		tb.Fatalf("NewVerifier(%s) = %v", source, err)
	}
	return v
}

func TestVerifyEverySource(t *testing.T) {
	now := time.Now()
	for _, source := range webhook.Sources() {
		secret := secrets[source]
		tests := []struct {
			name    string
			headers func() http.Header
			body    string
			verify  *webhook.Verifier
			wantErr error
		}{
			{
				name:    "valid",
				headers: func() http.Header { return signed(t, source, secret, "delivery-1", testBody, now) },
			},
			{
				name:    "tampered body",
				headers: func() http.Header { return signed(t, source, secret, "delivery-1", testBody, now) },
				body:    strings.Replace(testBody, "0b6c", "0b6d", 1),
				wantErr: webhook.ErrBadSignature,
			},
			{
				name:    "wrong secret",
				headers: func() http.Header { return signed(t, source, secret, "delivery-1", testBody, now) },
				verify:  newVerifier(t, source, otherSecret(source)),
				wantErr: webhook.ErrBadSignature,
			},
			{
				name: "missing signature header",
				headers: func() http.Header {
					h := signed(t, source, secret, "delivery-1", testBody, now)
					h.Del(signatureHeader(source))
					return h
				},
				wantErr: webhook.ErrMissingHeader,
			},
			{
				name: "empty signature header",
				headers: func() http.Header {
					h := signed(t, source, secret, "delivery-1", testBody, now)
					h.Set(signatureHeader(source), "")
					return h
				},
				wantErr: webhook.ErrMissingHeader,
			},
			{
				name: "repeated signature header",
				headers: func() http.Header {
					h := signed(t, source, secret, "delivery-1", testBody, now)
					h.Add(signatureHeader(source), h.Get(signatureHeader(source)))
					return h
				},
				wantErr: webhook.ErrMalformedHeader,
			},
			{
				name: "oversized signature header",
				headers: func() http.Header {
					h := signed(t, source, secret, "delivery-1", testBody, now)
					h.Set(signatureHeader(source), h.Get(signatureHeader(source))+strings.Repeat(" ", 4096))
					return h
				},
				wantErr: webhook.ErrMalformedHeader,
			},
			{
				name: "signature truncated",
				headers: func() http.Header {
					h := signed(t, source, secret, "delivery-1", testBody, now)
					sig := h.Get(signatureHeader(source))
					h.Set(signatureHeader(source), sig[:len(sig)-2])
					return h
				},
				wantErr: webhook.ErrMalformedHeader,
			},
			{
				name: "delivery id with control characters",
				headers: func() http.Header {
					return signed(t, source, secret, "a\x01b", testBody, now)
				},
				wantErr: webhook.ErrMalformedHeader,
			},
		}
		for _, tt := range tests {
			t.Run(string(source)+"/"+tt.name, func(t *testing.T) {
				v := tt.verify
				if v == nil {
					v = newVerifier(t, source, secret)
				}
				body := tt.body
				if body == "" {
					body = testBody
				}
				d, err := v.VerifyAt(tt.headers(), []byte(body), now)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("VerifyAt = %v, want %v", err, tt.wantErr)
				}
				if err != nil {
					assertErrorHidesSecrets(t, err, secret)
					return
				}
				if d.ID != "delivery-1" || d.Source != source {
					t.Errorf("delivery = %+v, want id delivery-1 from %s", d, source)
				}
				if d.IDSigned != (source == webhook.Standard) {
					t.Errorf("IDSigned = %v for %s", d.IDSigned, source)
				}
			})
		}
	}
}

// An error must not carry what would help forge a signature.
func assertErrorHidesSecrets(tb testing.TB, err error, secret string) {
	tb.Helper()
	msg := err.Error()
	if strings.Contains(msg, secret) || strings.Contains(msg, strings.TrimPrefix(secret, "whsec_")) {
		tb.Errorf("error %q contains the secret", msg)
	}
	for _, word := range strings.FieldsFunc(msg, func(r rune) bool { return r == ' ' || r == ',' || r == '=' }) {
		if len(word) >= 40 {
			tb.Errorf("error %q contains a long token %q (a signature?)", msg, word)
		}
	}
}

func otherSecret(source webhook.Source) string {
	if source == webhook.Standard {
		return "whsec_" + base64.StdEncoding.EncodeToString([]byte("another-secret-of-24-byt"))
	}
	return "another-secret"
}

func TestVerifyDeliveryIDOptionalWhereUnsigned(t *testing.T) {
	now := time.Now()
	for _, source := range []webhook.Source{webhook.GitHub, webhook.Jira, webhook.PagerDuty, webhook.Zendesk} {
		t.Run(string(source), func(t *testing.T) {
			h := signed(t, source, secrets[source], "", testBody, now)
			d, err := newVerifier(t, source, secrets[source]).VerifyAt(h, []byte(testBody), now)
			if err != nil {
				t.Fatalf("VerifyAt = %v, want nil", err)
			}
			if d.ID != "" || len(d.ReplayKeys()) != 1 {
				t.Errorf("delivery = %+v, keys %q; want no id and one signature key", d, d.ReplayKeys())
			}
		})
	}
}

func TestVerifyTimestamps(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name    string
		at      time.Time
		wantErr error
	}{
		{"now", now, nil},
		{"just inside the past edge", now.Add(-webhook.Tolerance + time.Second), nil},
		{"just inside the future edge", now.Add(webhook.Tolerance - time.Second), nil},
		{"stale", now.Add(-webhook.Tolerance - 2*time.Second), webhook.ErrStaleTimestamp},
		{"future", now.Add(webhook.Tolerance + 2*time.Second), webhook.ErrFutureTimestamp},
		{"a day old", now.Add(-24 * time.Hour), webhook.ErrStaleTimestamp},
	}
	for _, source := range []webhook.Source{webhook.Standard, webhook.Zendesk} {
		for _, tt := range tests {
			t.Run(string(source)+"/"+tt.name, func(t *testing.T) {
				h := signed(t, source, secrets[source], "delivery-1", testBody, tt.at)
				_, err := newVerifier(t, source, secrets[source]).VerifyAt(h, []byte(testBody), now)
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("VerifyAt = %v, want %v", err, tt.wantErr)
				}
			})
		}
	}
}

func TestVerifyMalformedTimestamps(t *testing.T) {
	now := time.Now()
	tests := []struct {
		source webhook.Source
		header string
		value  string
		want   error
	}{
		{webhook.Standard, "Webhook-Timestamp", "", webhook.ErrMissingHeader},
		{webhook.Standard, "Webhook-Timestamp", "+" + strconv.FormatInt(now.Unix(), 10), webhook.ErrMalformedHeader},
		{webhook.Standard, "Webhook-Timestamp", "0" + strconv.FormatInt(now.Unix(), 10), webhook.ErrMalformedHeader},
		{webhook.Standard, "Webhook-Timestamp", strconv.FormatInt(now.Unix(), 10) + ".5", webhook.ErrMalformedHeader},
		{webhook.Standard, "Webhook-Timestamp", "99999999999999999999", webhook.ErrMalformedHeader},
		{webhook.Standard, "Webhook-Id", "", webhook.ErrMissingHeader},
		{webhook.Standard, "Webhook-Id", "msg.1", webhook.ErrMalformedHeader},
		{webhook.Zendesk, "X-Zendesk-Webhook-Signature-Timestamp", "", webhook.ErrMissingHeader},
		{webhook.Zendesk, "X-Zendesk-Webhook-Signature-Timestamp", strconv.FormatInt(now.Unix(), 10), webhook.ErrMalformedHeader},
		{webhook.Zendesk, "X-Zendesk-Webhook-Signature-Timestamp", now.Format(time.RFC1123), webhook.ErrMalformedHeader},
	}
	for _, tt := range tests {
		t.Run(string(tt.source)+"/"+tt.header+"="+tt.value, func(t *testing.T) {
			h := signed(t, tt.source, secrets[tt.source], "delivery-1", testBody, now)
			h.Set(tt.header, tt.value)
			_, err := newVerifier(t, tt.source, secrets[tt.source]).VerifyAt(h, []byte(testBody), now)
			if !errors.Is(err, tt.want) {
				t.Errorf("VerifyAt = %v, want %v", err, tt.want)
			}
		})
	}
}

// During secret rotation senders put several signatures in one header; one
// valid entry is enough, entries of unknown versions are skipped, and an
// absurdly long list is refused.
func TestVerifySignatureLists(t *testing.T) {
	now := time.Now()
	wrongHex := "v1=" + strings.Repeat("ab", 32)
	wrongB64 := "v1," + base64.StdEncoding.EncodeToString(make([]byte, 32))
	tests := []struct {
		source webhook.Source
		name   string
		value  func(valid string) string
		want   error
	}{
		{webhook.PagerDuty, "valid second", func(v string) string { return wrongHex + "," + v }, nil},
		{webhook.PagerDuty, "valid first with spaces", func(v string) string { return v + ", " + wrongHex }, nil},
		{webhook.PagerDuty, "unknown version skipped", func(v string) string { return "v2=zz," + v }, nil},
		{webhook.PagerDuty, "none valid", func(string) string { return wrongHex + "," + wrongHex }, webhook.ErrBadSignature},
		{webhook.PagerDuty, "no v1 entry", func(string) string { return "v2=" + strings.Repeat("ab", 32) }, webhook.ErrMalformedHeader},
		{webhook.PagerDuty, "too many", func(v string) string { return strings.Repeat(wrongHex+",", 10) + v }, webhook.ErrMalformedHeader},
		{webhook.Standard, "valid second", func(v string) string { return wrongB64 + " " + v }, nil},
		{webhook.Standard, "asymmetric entry skipped", func(v string) string { return "v1a,c2lnbmF0dXJl " + v }, nil},
		{webhook.Standard, "none valid", func(string) string { return wrongB64 + " " + wrongB64 }, webhook.ErrBadSignature},
		{webhook.Standard, "only v1a", func(string) string { return "v1a,c2lnbmF0dXJl" }, webhook.ErrMalformedHeader},
		{webhook.Standard, "too many", func(v string) string { return strings.Repeat(wrongB64+" ", 10) + v }, webhook.ErrMalformedHeader},
	}
	for _, tt := range tests {
		t.Run(string(tt.source)+"/"+tt.name, func(t *testing.T) {
			h := signed(t, tt.source, secrets[tt.source], "delivery-1", testBody, now)
			name := signatureHeader(tt.source)
			h.Set(name, tt.value(h.Get(name)))
			_, err := newVerifier(t, tt.source, secrets[tt.source]).VerifyAt(h, []byte(testBody), now)
			if !errors.Is(err, tt.want) {
				t.Errorf("VerifyAt = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyWrongPrefix(t *testing.T) {
	now := time.Now()
	for _, source := range []webhook.Source{webhook.GitHub, webhook.Jira} {
		for _, prefix := range []string{"sha1=", "SHA256=", "sha512=", ""} {
			t.Run(string(source)+"/"+prefix, func(t *testing.T) {
				h := signed(t, source, secrets[source], "d", testBody, now)
				name := signatureHeader(source)
				h.Set(name, prefix+strings.TrimPrefix(h.Get(name), "sha256="))
				_, err := newVerifier(t, source, secrets[source]).VerifyAt(h, []byte(testBody), now)
				if !errors.Is(err, webhook.ErrMalformedHeader) {
					t.Errorf("VerifyAt = %v, want %v", err, webhook.ErrMalformedHeader)
				}
			})
		}
	}
}

// GitHub's legacy SHA-1 header alone is not enough.
func TestVerifyGitHubIgnoresLegacySHA1(t *testing.T) {
	h := http.Header{}
	h.Set("X-Hub-Signature", "sha1="+strings.Repeat("0", 40))
	_, err := newVerifier(t, webhook.GitHub, secrets[webhook.GitHub]).Verify(h, []byte(testBody))
	if !errors.Is(err, webhook.ErrMissingHeader) {
		t.Errorf("Verify = %v, want %v", err, webhook.ErrMissingHeader)
	}
}

func TestVerifyStandardSvixHeaders(t *testing.T) {
	now := time.Now()
	secret := secrets[webhook.Standard]
	h := signed(t, webhook.Standard, secret, "msg_1", testBody, now)
	svix := http.Header{}
	for k, v := range h {
		svix[strings.Replace(k, "Webhook-", "Svix-", 1)] = v
	}
	v := newVerifier(t, webhook.Standard, secret)
	if d, err := v.VerifyAt(svix, []byte(testBody), now); err != nil || d.ID != "msg_1" {
		t.Errorf("VerifyAt(svix-*) = %+v, %v; want id msg_1", d, err)
	}
	// Families are not mixed: a webhook-* header present means webhook-* only.
	svix.Set("Webhook-Id", "msg_1")
	if _, err := v.VerifyAt(svix, []byte(testBody), now); !errors.Is(err, webhook.ErrMissingHeader) {
		t.Errorf("VerifyAt(mixed) = %v, want %v", err, webhook.ErrMissingHeader)
	}
}

// The id is part of what Standard Webhooks sign.
func TestVerifyStandardIDIsSigned(t *testing.T) {
	now := time.Now()
	h := signed(t, webhook.Standard, secrets[webhook.Standard], "msg_1", testBody, now)
	h.Set("Webhook-Id", "msg_2")
	_, err := newVerifier(t, webhook.Standard, secrets[webhook.Standard]).VerifyAt(h, []byte(testBody), now)
	if !errors.Is(err, webhook.ErrBadSignature) {
		t.Errorf("VerifyAt = %v, want %v", err, webhook.ErrBadSignature)
	}
}

// Changing the unsigned delivery id keeps the signature key, so a replay
// under a fresh id is still recognised.
func TestReplayKeysSurviveChangedUnsignedID(t *testing.T) {
	now := time.Now()
	v := newVerifier(t, webhook.GitHub, secrets[webhook.GitHub])
	h := signed(t, webhook.GitHub, secrets[webhook.GitHub], "delivery-1", testBody, now)
	first, err := v.VerifyAt(h, []byte(testBody), now)
	if err != nil {
		t.Fatal(err)
	}
	h.Set("X-GitHub-Delivery", "delivery-2")
	replay, err := v.VerifyAt(h, []byte(testBody), now)
	if err != nil {
		t.Fatal(err)
	}
	shared := 0
	for _, k := range replay.ReplayKeys() {
		if slices.Contains(first.ReplayKeys(), k) {
			shared++
		}
	}
	if shared != 1 {
		t.Errorf("keys %q and %q share %d keys, want 1 (the signature)", first.ReplayKeys(), replay.ReplayKeys(), shared)
	}
	for _, k := range first.ReplayKeys() {
		if strings.Contains(k, h.Get("X-Hub-Signature-256")[7:]) {
			t.Errorf("replay key %q contains the signature", k)
		}
	}
}

func TestNewVerifierRejects(t *testing.T) {
	tests := []struct {
		source webhook.Source
		secret string
		want   error
	}{
		{webhook.GitHub, "", webhook.ErrBadSecret},
		{webhook.Standard, "whsec_not*base64", webhook.ErrBadSecret},
		{webhook.Standard, "whsec_", webhook.ErrBadSecret},
		{"gitlab", "x", webhook.ErrUnknownSource},
	}
	for _, tt := range tests {
		t.Run(string(tt.source)+"/"+tt.secret, func(t *testing.T) {
			_, err := webhook.NewVerifier(tt.source, tt.secret)
			if !errors.Is(err, tt.want) {
				t.Fatalf("NewVerifier = %v, want %v", err, tt.want)
			}
			if body := strings.TrimPrefix(tt.secret, "whsec_"); body != "" && strings.Contains(err.Error(), body) {
				t.Errorf("error %q quotes the secret", err)
			}
		})
	}
	// The bare base64 form (without whsec_) is what some senders display.
	if _, err := webhook.NewVerifier(webhook.Standard, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"); err != nil {
		t.Errorf("NewVerifier(bare base64) = %v", err)
	}
}

func TestSources(t *testing.T) {
	for _, s := range webhook.Sources() {
		got, err := webhook.ParseSource(string(s))
		if err != nil || got != s {
			t.Errorf("ParseSource(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := webhook.ParseSource("GitHub"); !errors.Is(err, webhook.ErrUnknownSource) {
		t.Errorf("ParseSource(GitHub) = %v, want %v", err, webhook.ErrUnknownSource)
	}
	if got := webhook.PagerDuty.SecretNameSetting(); got != "WEBHOOK_PAGERDUTY_SECRET_NAME" {
		t.Errorf("SecretNameSetting = %q", got)
	}
	if got := webhook.Standard.IDPointerSetting(); got != "WEBHOOK_STANDARD_ID_POINTER" {
		t.Errorf("IDPointerSetting = %q", got)
	}
}
