package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// DefaultIDPointer is where the assignment id is unless a source's
// WEBHOOK_<SOURCE>_ID_POINTER says otherwise.
const DefaultIDPointer = "/assignmentId"

// Pointer is a parsed RFC 6901 JSON pointer. Parse it when configuration is
// loaded, so that a bad pointer stops the start and not a delivery.
// https://www.rfc-editor.org/rfc/rfc6901
type Pointer struct {
	text   string
	tokens []string // unescaped reference tokens
}

// ParsePointer parses s strictly: "" (the whole document) or "/"-separated
// reference tokens in which "~" appears only as "~0" (a "~") or "~1" (a "/").
func ParsePointer(s string) (Pointer, error) {
	if s == "" {
		return Pointer{}, nil
	}
	if s[0] != '/' {
		return Pointer{}, fmt.Errorf("%w: %.64q does not start with /", ErrBadPointer, s)
	}
	parts := strings.Split(s[1:], "/")
	tokens := make([]string, len(parts))
	for i, p := range parts {
		t, ok := unescapeToken(p)
		if !ok {
			return Pointer{}, fmt.Errorf("%w: %.64q has ~ not followed by 0 or 1", ErrBadPointer, s)
		}
		tokens[i] = t
	}
	return Pointer{text: s, tokens: tokens}, nil
}

func unescapeToken(p string) (string, bool) {
	if !strings.Contains(p, "~") {
		return p, true
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '~' {
			b.WriteByte(p[i])
			continue
		}
		if i+1 == len(p) {
			return "", false
		}
		switch p[i+1] {
		case '0':
			b.WriteByte('~')
		case '1':
			b.WriteByte('/')
		default:
			return "", false
		}
		i++
	}
	return b.String(), true
}

// String is the pointer as written.
func (p Pointer) String() string { return p.text }

// Lookup returns the JSON value p refers to in doc. The whole doc must be
// valid JSON. Array indexes are decimal without leading zeros; "-" (past
// the end) refers to nothing.
func (p Pointer) Lookup(doc []byte) (json.RawMessage, error) {
	if !json.Valid(doc) {
		return nil, ErrInvalidJSON
	}
	cur := json.RawMessage(bytes.TrimSpace(doc))
	for _, tok := range p.tokens {
		next, ok := child(cur, tok)
		if !ok {
			return nil, fmt.Errorf("%w: %.64q", ErrPointerNotFound, p.text)
		}
		cur = next
	}
	return cur, nil
}

// LookupString returns the JSON string p refers to in doc.
func (p Pointer) LookupString(doc []byte) (string, error) {
	raw, err := p.Lookup(doc)
	if err != nil {
		return "", err
	}
	if len(raw) == 0 || raw[0] != '"' {
		return "", fmt.Errorf("%w: %.64q", ErrNotString, p.text)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%w: %.64q", ErrNotString, p.text)
	}
	return s, nil
}

// child steps from a valid JSON value to its member or element tok.
func child(v json.RawMessage, tok string) (json.RawMessage, bool) {
	switch {
	case len(v) > 0 && v[0] == '{':
		var obj map[string]json.RawMessage
		if json.Unmarshal(v, &obj) != nil {
			return nil, false
		}
		m, ok := obj[tok]
		return bytes.TrimSpace(m), ok
	case len(v) > 0 && v[0] == '[':
		i, ok := arrayIndex(tok)
		if !ok {
			return nil, false
		}
		var arr []json.RawMessage
		if json.Unmarshal(v, &arr) != nil || i >= len(arr) {
			return nil, false
		}
		return bytes.TrimSpace(arr[i]), true
	}
	return nil, false // a scalar has no children
}

// arrayIndex parses RFC 6901's array-index: "0" or a digit 1-9 followed by
// digits.
func arrayIndex(tok string) (int, bool) {
	if tok == "" || len(tok) > 9 || (len(tok) > 1 && tok[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(tok)
	return n, err == nil
}
