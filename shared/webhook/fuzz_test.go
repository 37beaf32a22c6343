package webhook

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzParseSignatureHeader feeds arbitrary header values to every scheme's
// parser and to the full verifiers: nothing panics, parsed signatures are
// always 32 bytes and few, errors are the package's own, and no forged
// header verifies.
func FuzzParseSignatureHeader(f *testing.F) {
	seeds := []string{
		"sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
		"sha256=",
		"v1=f03de6f61df6e454f3620c4d6aca17ad072d3f8bbb2760eac3b2ad391b5e8073,v1=130dcacb53a94d983a37cf2acba98e805a1c37185309ba56fdcccbcf00d6dd8b",
		"v1=,v1=zz, ,,",
		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1a,c2ln",
		"v1,==== v1, v1",
		"tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw=",
		strings.Repeat("v1,x ", 50),
		"1614265330",
		"2021-07-25T10:00:00Z",
		"",
	}
	for _, s := range seeds {
		f.Add(s, []byte(`{"assignmentId":"x"}`))
	}
	verifiers := map[Source]*Verifier{}
	for _, src := range Sources() {
		secret := "fuzz-secret"
		if src == Standard {
			secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		}
		v, err := NewVerifier(src, secret)
		if err != nil {
			f.Fatal(err)
		}
		verifiers[src] = v
	}
	now := time.Unix(1614265330, 0)
	f.Fuzz(func(t *testing.T, value string, body []byte) {
		check := func(name string) func([][]byte, error) {
			return func(sigs [][]byte, err error) { checkSignatures(t, name, value, sigs, err) }
		}
		one := func(b []byte, err error) ([][]byte, error) {
			if err != nil {
				return nil, err
			}
			return [][]byte{b}, nil
		}
		check("parsePrefixedHex")(one(parsePrefixedHex(value, "sha256=")))
		check("parsePagerDutySignatures")(parsePagerDutySignatures(value))
		check("parseStandardSignatures")(parseStandardSignatures(value))
		check("decodeSHA256Base64")(one(decodeSHA256Base64(value)))
		if _, err := parseUnixSeconds(value); err != nil && !errors.Is(err, ErrMalformedHeader) {
			t.Errorf("parseUnixSeconds(%q) = %v", value, err)
		}

		for src, v := range verifiers {
			h := http.Header{}
			for _, name := range []string{"X-Hub-Signature-256", "X-Hub-Signature", "X-PagerDuty-Signature",
				"Webhook-Signature", "X-Zendesk-Webhook-Signature"} {
				h.Set(name, value)
			}
			h.Set("Webhook-Id", "msg_1")
			h.Set("Webhook-Timestamp", "1614265330")
			h.Set("X-Zendesk-Webhook-Signature-Timestamp", "2021-02-25T15:02:10Z")
			if _, err := v.VerifyAt(h, body, now); err == nil {
				t.Errorf("%s accepted forged header %q", src, value)
			}
		}
	})
}

// checkSignatures asserts what every signature parser promises.
func checkSignatures(t *testing.T, name, value string, sigs [][]byte, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrMalformedHeader) {
			t.Errorf("%s(%q) error %v is not ErrMalformedHeader", name, value, err)
		}
		return
	}
	if len(sigs) == 0 || len(sigs) > maxSignatures {
		t.Errorf("%s(%q) returned %d signatures", name, value, len(sigs))
	}
	for _, s := range sigs {
		if len(s) != 32 {
			t.Errorf("%s(%q) returned a %d-byte signature", name, value, len(s))
		}
	}
}

// FuzzJSONPointer parses arbitrary pointers and looks them up in arbitrary
// documents: nothing panics, a parsed pointer prints as written and
// re-escapes to itself, and whatever Lookup returns is valid JSON.
func FuzzJSONPointer(f *testing.F) {
	doc := `{"foo":["bar","baz"],"":0,"a/b":1,"m~n":8,"assignment":{"id":"x"},"arr":[[1],[2,[3]]]}`
	for _, p := range []string{"", "/", "/foo/0", "/a~1b", "/m~0n", "/assignment/id", "/arr/1/1/0",
		"/foo/-", "/foo/01", "/~", "/~2", "x", "/foo/99999999999999999999"} {
		f.Add(p, []byte(doc))
	}
	f.Add("/a", []byte(`{"a":`))
	f.Add("/0", []byte(`[["x"]]`))
	f.Fuzz(func(t *testing.T, pointer string, doc []byte) {
		p, err := ParsePointer(pointer)
		if err != nil {
			if !errors.Is(err, ErrBadPointer) {
				t.Errorf("ParsePointer(%q) = %v", pointer, err)
			}
			return
		}
		if p.String() != pointer {
			t.Errorf("String() = %q, want %q", p.String(), pointer)
		}
		var rebuilt strings.Builder
		for _, tok := range p.tokens {
			rebuilt.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
		}
		if rebuilt.String() != pointer {
			t.Errorf("tokens %q re-escape to %q, want %q", p.tokens, rebuilt.String(), pointer)
		}
		raw, err := p.Lookup(doc)
		if err == nil && !json.Valid(raw) {
			t.Errorf("Lookup(%q) returned invalid JSON %q", pointer, raw)
		}
		if _, err := p.LookupString(doc); err != nil &&
			!errors.Is(err, ErrInvalidJSON) && !errors.Is(err, ErrPointerNotFound) && !errors.Is(err, ErrNotString) {
			t.Errorf("LookupString(%q) = %v", pointer, err)
		}
	})
}
