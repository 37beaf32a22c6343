package webhook

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// The schemes that sign only the body and send the MAC in hex: GitHub and
// Jira ("sha256=<hex>") and PagerDuty ("v1=<hex>,v1=<hex>…").

// verifyHex checks a single "sha256=<hex>" signature over the body.
func (v *Verifier) verifyHex(h http.Header, body []byte, sigHeader, idHeader string) (Delivery, error) {
	value, err := header(h, sigHeader, maxSignatureHeader, true)
	if err != nil {
		return Delivery{}, err
	}
	sig, err := parsePrefixedHex(value, "sha256=")
	if err != nil {
		return Delivery{}, fmt.Errorf("%w: %s", err, sigHeader)
	}
	id, err := deliveryID(h, idHeader)
	if err != nil {
		return Delivery{}, err
	}
	mac := v.mac(body)
	if !match([][]byte{sig}, mac) {
		return Delivery{}, ErrBadSignature
	}
	return v.delivered(id, false, mac), nil
}

// verifyPagerDuty accepts the delivery if any v1 entry matches.
func (v *Verifier) verifyPagerDuty(h http.Header, body []byte) (Delivery, error) {
	const sigHeader = "X-PagerDuty-Signature"
	value, err := header(h, sigHeader, maxSignatureHeader, true)
	if err != nil {
		return Delivery{}, err
	}
	sigs, err := parsePagerDutySignatures(value)
	if err != nil {
		return Delivery{}, fmt.Errorf("%w: %s", err, sigHeader)
	}
	id, err := deliveryID(h, "X-Webhook-Id")
	if err != nil {
		return Delivery{}, err
	}
	mac := v.mac(body)
	if !match(sigs, mac) {
		return Delivery{}, ErrBadSignature
	}
	return v.delivered(id, false, mac), nil
}

var errNotSHA256Hex = fmt.Errorf("%w: not %d hex digits", ErrMalformedHeader, 2*32)

// parsePrefixedHex decodes prefix followed by exactly 64 hex digits.
func parsePrefixedHex(value, prefix string) ([]byte, error) {
	digits, ok := strings.CutPrefix(value, prefix)
	if !ok {
		return nil, fmt.Errorf("%w: want prefix %q", ErrMalformedHeader, prefix)
	}
	return decodeSHA256Hex(digits)
}

func decodeSHA256Hex(digits string) ([]byte, error) {
	if len(digits) != 2*32 {
		return nil, errNotSHA256Hex
	}
	sig, err := hex.DecodeString(digits)
	if err != nil {
		return nil, errNotSHA256Hex
	}
	return sig, nil
}

// parsePagerDutySignatures splits "v1=<hex>,v1=<hex>" (spaces around entries
// tolerated), keeps the v1 entries and ignores other versions, as
// PagerDuty's verification steps say. No v1 entry at all is malformed.
func parsePagerDutySignatures(value string) ([][]byte, error) {
	entries := strings.Split(value, ",")
	if len(entries) > maxSignatures {
		return nil, fmt.Errorf("%w: more than %d signatures", ErrMalformedHeader, maxSignatures)
	}
	var sigs [][]byte
	for _, e := range entries {
		digits, ok := strings.CutPrefix(strings.TrimSpace(e), "v1=")
		if !ok {
			continue
		}
		sig, err := decodeSHA256Hex(digits)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, sig)
	}
	if len(sigs) == 0 {
		return nil, errors.Join(ErrMalformedHeader, errors.New("no v1 signature"))
	}
	return sigs, nil
}
