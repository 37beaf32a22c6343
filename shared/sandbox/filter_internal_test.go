package sandbox

import (
	"strings"
	"testing"
)

// FuzzAssignmentFilter checks that no filter, however crafted, widens past
// its literal values: every parsed term's value, re-quoted, parses back to
// the same filter.
func FuzzAssignmentFilter(f *testing.F) {
	for _, seed := range []string{
		"state eq 'delivered'",
		"target/objectId eq 'o''brien' and state eq 'Delivered'",
		"accessPackage/id eq 'x'' or state eq ''delivered'",
		"state eq 'delivered' or 1 eq 1",
		"'",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parsed, err := parseAssignmentFilter(s)
		if err != nil {
			return
		}
		var parts []string
		for _, term := range parsed {
			parts = append(parts, term.field+" eq '"+strings.ReplaceAll(term.value, "'", "''")+"'")
		}
		again, err := parseAssignmentFilter(strings.Join(parts, " and "))
		if err != nil || len(again) != len(parsed) {
			t.Fatalf("round trip of %q: %v, %d terms, want %d", s, err, len(again), len(parsed))
		}
		for i := range parsed {
			if again[i] != parsed[i] {
				t.Fatalf("round trip of %q: term %d = %+v, want %+v", s, i, again[i], parsed[i])
			}
		}
	})
}
