package assignment

import (
	"errors"
	"testing"
)

func TestParseID(t *testing.T) {
	valid := []struct{ in, want string }{
		{"0f8fad5b-d9cb-469f-a165-70867728950e", "0f8fad5b-d9cb-469f-a165-70867728950e"},
		{"0F8FAD5B-D9CB-469F-A165-70867728950E", "0f8fad5b-d9cb-469f-a165-70867728950e"},
		{"0f8FaD5b-d9cb-469f-A165-70867728950e", "0f8fad5b-d9cb-469f-a165-70867728950e"},
		{"ffffffff-ffff-ffff-ffff-ffffffffffff", "ffffffff-ffff-ffff-ffff-ffffffffffff"},
	}
	for _, tc := range valid {
		t.Run(tc.in, func(t *testing.T) {
			id, err := ParseID(tc.in)
			if err != nil {
				t.Fatalf("ParseID(%q) error = %v, want nil", tc.in, err)
			}
			if got := id.String(); got != tc.want {
				t.Errorf("ParseID(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}

	invalidIDs := []string{
		"",
		"00000000-0000-0000-0000-000000000000",
		"{0f8fad5b-d9cb-469f-a165-70867728950e}",
		"urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
		"0f8fad5bd9cb469fa16570867728950e",
		"0f8fad5b-d9cb-469f-a165-70867728950",
		"0f8fad5b-d9cb-469f-a165-70867728950e0",
		" 0f8fad5b-d9cb-469f-a165-70867728950e",
		"0f8fad5b-d9cb-469f-a165-70867728950e ",
		"0f8fad5b-d9cb-469f-a165-70867728950g",
		"0f8fad5b_d9cb_469f_a165_70867728950e",
		"0f8fad5b-d9cb-469f-a165%2D70867728950e",
		"0f8fad5b%2Dd9cb-469f-a165-70867728950e",
		"０f8fad5b-d9cb-469f-a165-70867728950e", // fullwidth zero
		"٠f8fad5b-d9cb-469f-a165-7086772895e",  // Arabic-Indic zero
		"..",
		"../../users",
		"0f8fad5b-d9cb-469f-a165-7086772895/e",
		"0f8fad5b-d9cb-469f-a165-7086772895?e",
		"0f8fad5b-d9cb-469f-a165-7086772895#e",
		"0f8fad5b-d9cb-469f-a165-70867728950e/../x",
		"0f8fad5b-d9cb-469f-a165-70867728950e?$filter=x",
		"0f8fad5b-d9cb-469f-a165-70867728950\n",
		"0f8fad5b-d9cb-469f-a165-7086772895\x00e",
	}
	for _, in := range invalidIDs {
		t.Run(in, func(t *testing.T) {
			id, err := ParseID(in)
			if !errors.Is(err, ErrInvalidID) {
				t.Fatalf("ParseID(%q) = %q, %v; want ErrInvalidID", in, id, err)
			}
			if !id.IsZero() {
				t.Errorf("ParseID(%q) returned a non-zero ID %q with an error", in, id)
			}
		})
	}
}

func TestParseIDErrorIsEscapedAndShort(t *testing.T) {
	long := "\x1b[31m" + string(make([]byte, 500))
	_, err := ParseID(long)
	msg := err.Error()
	for _, r := range msg {
		if r < 0x20 {
			t.Fatalf("error message %q contains a control character", msg)
		}
	}
	if len(msg) > 200 {
		t.Errorf("error message is %d bytes, want it truncated", len(msg))
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"0f8fad5b-d9cb-469f-a165-70867728950e", "{0f8fad5b-d9cb-469f-a165-70867728950e}", "..", "", "00000000-0000-0000-0000-000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseID(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidID) || !id.IsZero() {
				t.Fatalf("ParseID(%q) = %q, %v", s, id, err)
			}
			return
		}
		c := id.String()
		if len(c) != 36 || c == nilGUID {
			t.Fatalf("ParseID(%q) = %q: not canonical", s, c)
		}
		for i, r := range c {
			ok := r == '-' && (i == 8 || i == 13 || i == 18 || i == 23) ||
				(i != 8 && i != 13 && i != 18 && i != 23) && ('0' <= r && r <= '9' || 'a' <= r && r <= 'f')
			if !ok {
				t.Fatalf("ParseID(%q) = %q: character %d not canonical", s, c, i)
			}
		}
		again, err := ParseID(c)
		if err != nil || again != id {
			t.Fatalf("canonical form %q does not round-trip: %q, %v", c, again, err)
		}
	})
}
