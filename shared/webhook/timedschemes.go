package webhook

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The schemes that sign a timestamp with the body and send the MAC in
// base64: Standard Webhooks and Zendesk.

// verifyStandard checks a Standard Webhooks delivery: any v1 entry of the
// signature list must match HMAC(id "." timestamp "." body).
func (v *Verifier) verifyStandard(h http.Header, body []byte, now time.Time) (Delivery, error) {
	// One header family as a whole: Svix sends svix-* unless white-labelled.
	prefix := "Webhook-"
	if len(h.Values("Webhook-Id")) == 0 && len(h.Values("Webhook-Signature")) == 0 &&
		len(h.Values("Webhook-Timestamp")) == 0 && len(h.Values("Svix-Id")) > 0 {
		prefix = "Svix-"
	}
	id, err := header(h, prefix+"Id", maxIDHeader, true)
	if err != nil {
		return Delivery{}, err
	}
	// The id is part of the signed content, delimited by dots.
	if !visibleASCII(id) || strings.Contains(id, ".") {
		return Delivery{}, fmt.Errorf("%w: %sId", ErrMalformedHeader, prefix)
	}
	tsValue, err := header(h, prefix+"Timestamp", maxTimestampHeader, true)
	if err != nil {
		return Delivery{}, err
	}
	ts, err := parseUnixSeconds(tsValue)
	if err != nil {
		return Delivery{}, fmt.Errorf("%w: %sTimestamp", err, prefix)
	}
	sigValue, err := header(h, prefix+"Signature", maxSignatureHeader, true)
	if err != nil {
		return Delivery{}, err
	}
	sigs, err := parseStandardSignatures(sigValue)
	if err != nil {
		return Delivery{}, fmt.Errorf("%w: %sSignature", err, prefix)
	}
	mac := v.mac([]byte(id), []byte("."), []byte(tsValue), []byte("."), body)
	if !match(sigs, mac) {
		return Delivery{}, ErrBadSignature
	}
	// Freshness after the signature, so that a stale error in the logs
	// means a genuine delivery (clock skew or replay), not a forgery.
	if err := checkFresh(ts, now); err != nil {
		return Delivery{}, err
	}
	return v.delivered(id, true, mac), nil
}

// verifyZendesk checks base64(HMAC(timestamp + body)).
func (v *Verifier) verifyZendesk(h http.Header, body []byte, now time.Time) (Delivery, error) {
	const sigHeader, tsHeader = "X-Zendesk-Webhook-Signature", "X-Zendesk-Webhook-Signature-Timestamp"
	sigValue, err := header(h, sigHeader, maxSignatureHeader, true)
	if err != nil {
		return Delivery{}, err
	}
	sig, err := decodeSHA256Base64(sigValue)
	if err != nil {
		return Delivery{}, fmt.Errorf("%w: %s", err, sigHeader)
	}
	tsValue, err := header(h, tsHeader, maxTimestampHeader, true)
	if err != nil {
		return Delivery{}, err
	}
	ts, err := time.Parse(time.RFC3339, tsValue)
	if err != nil {
		return Delivery{}, fmt.Errorf("%w: %s is not RFC 3339", ErrMalformedHeader, tsHeader)
	}
	id, err := deliveryID(h, "X-Zendesk-Webhook-Invocation-Id")
	if err != nil {
		return Delivery{}, err
	}
	mac := v.mac([]byte(tsValue), body)
	if !match([][]byte{sig}, mac) {
		return Delivery{}, ErrBadSignature
	}
	if err := checkFresh(ts, now); err != nil {
		return Delivery{}, err
	}
	return v.delivered(id, false, mac), nil
}

var errNotSHA256Base64 = fmt.Errorf("%w: not a base64 SHA-256 MAC", ErrMalformedHeader)

func decodeSHA256Base64(s string) ([]byte, error) {
	if len(s) != base64.StdEncoding.EncodedLen(32) {
		return nil, errNotSHA256Base64
	}
	sig, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(sig) != 32 {
		return nil, errNotSHA256Base64
	}
	return sig, nil
}

// parseStandardSignatures splits the space-delimited "v1,<base64>" list,
// keeps v1 entries and ignores other versions (v1a is ed25519, which a
// symmetric secret cannot check). No v1 entry at all is malformed.
func parseStandardSignatures(value string) ([][]byte, error) {
	entries := strings.Fields(value)
	if len(entries) > maxSignatures {
		return nil, fmt.Errorf("%w: more than %d signatures", ErrMalformedHeader, maxSignatures)
	}
	var sigs [][]byte
	for _, e := range entries {
		version, sig, ok := strings.Cut(e, ",")
		if !ok || version != "v1" {
			continue
		}
		b, err := decodeSHA256Base64(sig)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, b)
	}
	if len(sigs) == 0 {
		return nil, errors.Join(ErrMalformedHeader, errors.New("no v1 signature"))
	}
	return sigs, nil
}

// parseUnixSeconds accepts only the canonical decimal form (no sign, no
// leading zeros), because the header text itself is what is signed.
func parseUnixSeconds(s string) (time.Time, error) {
	bad := fmt.Errorf("%w: not canonical Unix seconds", ErrMalformedHeader)
	if s == "" || len(s) > 18 || (len(s) > 1 && s[0] == '0') {
		return time.Time{}, bad
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, bad
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, bad
	}
	return time.Unix(n, 0), nil
}
