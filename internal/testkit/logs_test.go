package testkit

import "testing"

func TestStrictObject(t *testing.T) {
	for _, bad := range []string{
		`{"a":1,"a":2}`, `{"x":{"b":1,"b":1}}`, `{"x":[{"c":1,"c":2}]}`, `{"a":1} {}`, `[1]`, `"s"`, `{`,
	} {
		if _, err := StrictObject([]byte(bad)); err == nil {
			t.Errorf("StrictObject(%s) accepted it", bad)
		}
	}
	for _, good := range []string{`{"a":1,"b":{"a":1},"c":[{"a":1},{"a":2}]}`, `{}`} {
		if _, err := StrictObject([]byte(good)); err != nil {
			t.Errorf("StrictObject(%s): %v", good, err)
		}
	}
}
