package webhook_test

import (
	"errors"
	"os"
	"testing"

	"github.com/entra-tools/reprocess/shared/webhook"
)

// RFC 6901 section 5: every pointer of the specification's example.
func TestPointerRFC6901Example(t *testing.T) {
	doc, err := os.ReadFile("testdata/rfc6901-example.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ pointer, want string }{
		{"/foo", `["bar", "baz"]`},
		{"/foo/0", `"bar"`},
		{"/foo/1", `"baz"`},
		{"/", `0`},
		{"/a~1b", `1`},
		{"/c%d", `2`},
		{"/e^f", `3`},
		{"/g|h", `4`},
		{`/i\j`, `5`},
		{`/k"l`, `6`},
		{"/ ", `7`},
		{"/m~0n", `8`},
	}
	for _, tt := range tests {
		t.Run(tt.pointer, func(t *testing.T) {
			p, err := webhook.ParsePointer(tt.pointer)
			if err != nil {
				t.Fatalf("ParsePointer(%q) = %v", tt.pointer, err)
			}
			got, err := p.Lookup(doc)
			if err != nil || string(got) != tt.want {
				t.Errorf("Lookup(%q) = %s, %v; want %s", tt.pointer, got, err, tt.want)
			}
			if p.String() != tt.pointer {
				t.Errorf("String() = %q, want %q", p.String(), tt.pointer)
			}
		})
	}
	whole, err := webhook.ParsePointer("")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := whole.Lookup(doc); err != nil || len(got) == 0 || got[0] != '{' {
		t.Errorf(`Lookup("") = %.20s…, %v; want the whole document`, got, err)
	}
}

func TestParsePointerRejects(t *testing.T) {
	for _, s := range []string{"assignmentId", "#/assignmentId", "/a~", "/a~2", "/~x/b", "/ok/~"} {
		if _, err := webhook.ParsePointer(s); !errors.Is(err, webhook.ErrBadPointer) {
			t.Errorf("ParsePointer(%q) = %v, want %v", s, err, webhook.ErrBadPointer)
		}
	}
}

func TestLookupString(t *testing.T) {
	const id = "0b6c2a5e-58f5-4f4b-8a35-3c5c1b0f3c11"
	tests := []struct {
		name, pointer, doc string
		want               string
		wantErr            error
	}{
		{"default", webhook.DefaultIDPointer, `{"assignmentId":"` + id + `"}`, id, nil},
		{"nested", "/issue/fields/customfield_10042", `{"issue":{"fields":{"customfield_10042":"` + id + `"}}}`, id, nil},
		{"in array", "/event/data/assignments/1/id", `{"event":{"data":{"assignments":[{"id":"x"},{"id":"` + id + `"}]}}}`, id, nil},
		{"escaped key", "/a~1b~0c", `{"a/b~c":"` + id + `"}`, id, nil},
		{"json escapes unescaped", "/id", `{"id":"\u0030b6c"}`, "0b6c", nil},
		{"whitespace around", "/id", " \n{ \"id\" : \"x\" }\n", "x", nil},
		{"missing key", webhook.DefaultIDPointer, `{"assignmentID":"` + id + `"}`, "", webhook.ErrPointerNotFound},
		{"number", "/id", `{"id":42}`, "", webhook.ErrNotString},
		{"null", "/id", `{"id":null}`, "", webhook.ErrNotString},
		{"object", "/id", `{"id":{"v":"x"}}`, "", webhook.ErrNotString},
		{"index out of range", "/a/2", `{"a":["x","y"]}`, "", webhook.ErrPointerNotFound},
		{"past the end", "/a/-", `{"a":["x"]}`, "", webhook.ErrPointerNotFound},
		{"leading zero index", "/a/01", `{"a":["x","y"]}`, "", webhook.ErrPointerNotFound},
		{"negative index", "/a/-1", `{"a":["x","y"]}`, "", webhook.ErrPointerNotFound},
		{"index into object needs the key", "/a/0", `{"a":{"0":"x"}}`, "x", nil},
		{"into a scalar", "/a/b", `{"a":"x"}`, "", webhook.ErrPointerNotFound},
		{"invalid json", "/id", `{"id":"x"`, "", webhook.ErrInvalidJSON},
		{"invalid json elsewhere", "/id", `{"id":"x","y":}`, "", webhook.ErrInvalidJSON},
		{"trailing garbage", "/id", `{"id":"x"} {}`, "", webhook.ErrInvalidJSON},
		{"empty body", "/id", ``, "", webhook.ErrInvalidJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := webhook.ParsePointer(tt.pointer)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.LookupString([]byte(tt.doc))
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("LookupString(%q) = %q, %v; want %q, %v", tt.pointer, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
