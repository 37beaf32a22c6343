package assignment

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrInvalidID is wrapped by every error ParseID returns.
var ErrInvalidID = errors.New("invalid assignment id")

// ID is an assignment id in canonical form: 36 characters, lowercase hex
// digits, dashes after the 8th, 12th, 16th and 20th digit. The zero ID is
// not a valid id.
type ID struct{ s string }

// String returns the canonical lowercase form.
func (id ID) String() string { return id.s }

// IsZero reports whether id was never parsed.
func (id ID) IsZero() bool { return id.s == "" }

const nilGUID = "00000000-0000-0000-0000-000000000000"

// ParseID accepts only a GUID written 8-4-4-4-12 with ASCII hex digits of
// either case. Braces, "urn:uuid:", missing dashes, percent-encoding,
// non-ASCII look-alike digits, surrounding space and the all-zero GUID are
// refused. The error quotes the input (escaped, truncated) so a log line can
// show what was sent without letting it forge log structure.
func ParseID(s string) (ID, error) {
	if len(s) != 36 {
		return ID{}, invalid(s, "must be a GUID of the form 8-4-4-4-12 hex digits")
	}
	b := make([]byte, 36)
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return ID{}, invalid(s, "must be a GUID of the form 8-4-4-4-12 hex digits")
			}
		default:
			switch {
			case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
			case 'A' <= c && c <= 'F':
				c += 'a' - 'A'
			default:
				return ID{}, invalid(s, "must be a GUID of the form 8-4-4-4-12 hex digits")
			}
		}
		b[i] = c
	}
	if string(b) == nilGUID {
		return ID{}, invalid(s, "the all-zero GUID is not an assignment id")
	}
	return ID{s: string(b)}, nil
}

func invalid(s, why string) error {
	const max = 80 // enough for a GUID with some decoration
	q := strconv.QuoteToASCII(s)
	if len(q) > max {
		q = q[:max] + "..."
	}
	return fmt.Errorf("%w %s: %s", ErrInvalidID, q, why)
}
