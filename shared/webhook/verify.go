package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Tolerance is how far a signed timestamp may lie from now, in either
// direction (the Standard Webhooks reference libraries use the same).
const Tolerance = 5 * time.Minute

// Bounds on what a sender may put in a header before we look further.
const (
	maxSignatureHeader = 2048 // ten v1a entries of Standard Webhooks are ~920 bytes
	maxSignatures      = 10
	maxIDHeader        = 256
	maxTimestampHeader = 40
)

// Verifier checks deliveries of one source against one signing secret.
// It is cheap to build, so callers may make one per loaded secret version.
type Verifier struct {
	source Source
	key    []byte
}

// NewVerifier returns a verifier for source keyed with secret as the sender
// shows it: the raw string for github, jira, zendesk and pagerduty, and
// "whsec_<base64>" (or the bare base64) for standard.
func NewVerifier(source Source, secret string) (*Verifier, error) {
	if _, err := ParseSource(string(source)); err != nil {
		return nil, err
	}
	if secret == "" {
		return nil, fmt.Errorf("%w: empty secret for %s", ErrBadSecret, source)
	}
	key := []byte(secret)
	if source == Standard {
		var err error
		key, err = base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		if err != nil || len(key) == 0 {
			// The decoding error could quote the secret; say only what is wrong.
			return nil, fmt.Errorf("%w: standard secret is not whsec_ followed by base64", ErrBadSecret)
		}
	}
	return &Verifier{source: source, key: key}, nil
}

// Source is the source this verifier checks.
func (v *Verifier) Source() Source { return v.source }

// Delivery is what a verified request tells about itself.
type Delivery struct {
	Source Source
	// ID is the sender's delivery id, "" if it sent none. Only for standard
	// is it covered by the signature (IDSigned); elsewhere anyone replaying
	// the request can change it, so use ReplayKeys for deduplication.
	ID       string
	IDSigned bool
	digest   string // identifies the verified signature, never the signature itself
}

// ReplayKeys are the keys under which to remember this delivery: its id, if
// any, and a digest of its verified signature. A redelivery by the sender
// repeats the id; a replay by an attacker repeats the signature.
func (d Delivery) ReplayKeys() []string {
	keys := make([]string, 0, 2)
	if d.ID != "" {
		keys = append(keys, string(d.Source)+"/id/"+d.ID)
	}
	if d.digest != "" {
		keys = append(keys, string(d.Source)+"/sig/"+d.digest)
	}
	return keys
}

// Verify checks the request headers and raw body against the secret, using
// the current time for signed timestamps.
func (v *Verifier) Verify(h http.Header, body []byte) (Delivery, error) {
	return v.VerifyAt(h, body, time.Now())
}

// VerifyAt is Verify with an explicit current time.
func (v *Verifier) VerifyAt(h http.Header, body []byte, now time.Time) (Delivery, error) {
	switch v.source {
	case GitHub:
		return v.verifyHex(h, body, "X-Hub-Signature-256", "X-GitHub-Delivery")
	case Jira:
		return v.verifyHex(h, body, "X-Hub-Signature", "X-Atlassian-Webhook-Identifier")
	case PagerDuty:
		return v.verifyPagerDuty(h, body)
	case Standard:
		return v.verifyStandard(h, body, now)
	case Zendesk:
		return v.verifyZendesk(h, body, now)
	}
	return Delivery{}, fmt.Errorf("%w: %.32q", ErrUnknownSource, v.source)
}

// mac is HMAC-SHA256 over the concatenated parts.
func (v *Verifier) mac(parts ...[]byte) []byte {
	m := hmac.New(sha256.New, v.key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// match reports whether any presented signature equals want, comparing in
// constant time.
func match(presented [][]byte, want []byte) bool {
	ok := false
	for _, p := range presented {
		if hmac.Equal(p, want) {
			ok = true
		}
	}
	return ok
}

// delivered builds the Delivery for a verified signature.
func (v *Verifier) delivered(id string, idSigned bool, mac []byte) Delivery {
	d := sha256.Sum256(append([]byte(v.source+"\x00"), mac...))
	return Delivery{Source: v.source, ID: id, IDSigned: idSigned, digest: hex.EncodeToString(d[:16])}
}

// header returns the single value of header name, at most max bytes.
// An absent or empty header is ErrMissingHeader when required and "" when
// not; a repeated or oversized one is ErrMalformedHeader.
func header(h http.Header, name string, max int, required bool) (string, error) {
	vals := h.Values(name)
	switch {
	case len(vals) > 1:
		return "", fmt.Errorf("%w: %s repeated", ErrMalformedHeader, name)
	case len(vals) == 0 || vals[0] == "":
		if required {
			return "", fmt.Errorf("%w: %s", ErrMissingHeader, name)
		}
		return "", nil
	case len(vals[0]) > max:
		return "", fmt.Errorf("%w: %s longer than %d bytes", ErrMalformedHeader, name, max)
	}
	return vals[0], nil
}

// deliveryID reads an optional delivery id header: visible ASCII only, so
// that it is safe as a map key and in logs.
func deliveryID(h http.Header, name string) (string, error) {
	id, err := header(h, name, maxIDHeader, false)
	if err != nil {
		return "", err
	}
	if !visibleASCII(id) {
		return "", fmt.Errorf("%w: %s has characters outside visible ASCII", ErrMalformedHeader, name)
	}
	return id, nil
}

func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// checkFresh rejects a signed timestamp outside now ± Tolerance.
func checkFresh(ts, now time.Time) error {
	switch {
	case now.Sub(ts) > Tolerance:
		return ErrStaleTimestamp
	case ts.Sub(now) > Tolerance:
		return ErrFutureTimestamp
	}
	return nil
}
