package sandbox

import (
	"errors"
	"fmt"
	"strings"
)

// assignmentFilter is a parsed $filter over assignments: the conjunction
// ("and") of equality tests on the fields Graph documents for this list.
type assignmentFilter []filterTerm

type filterTerm struct {
	field string // "target/objectid", "accesspackage/id" or "state"
	value string
}

func (f assignmentFilter) matches(a *assignment) bool {
	for _, t := range f {
		var got string
		switch t.field {
		case "target/objectid":
			got = a.UserObjectID
		case "accesspackage/id":
			got = a.AccessPackageID
		case "state":
			got = a.State
		}
		if !strings.EqualFold(got, t.value) {
			return false
		}
	}
	return true
}

// parseAssignmentFilter parses the documented forms
//
//	target/objectId eq '<guid>'
//	accessPackage/id eq '<guid>'
//	state eq 'delivered'
//
// joined by "and". Field names and the state value are case-insensitive;
// string literals follow OData (” is one quote), so a value can never end
// its literal early and widen the filter. Anything else is an error.
func parseAssignmentFilter(s string) (assignmentFilter, error) {
	toks, err := filterTokens(s)
	if err != nil {
		return nil, err
	}
	var f assignmentFilter
	for i := 0; i < len(toks); {
		if i > 0 {
			if toks[i].literal || toks[i].text != "and" {
				return nil, invalidFilter(s, "expected 'and' before "+toks[i].String())
			}
			i++
		}
		if i+3 > len(toks) {
			return nil, invalidFilter(s, "expected '<property> eq '<value>''")
		}
		field, op, value := toks[i], toks[i+1], toks[i+2]
		i += 3
		name := strings.ToLower(field.text)
		if field.literal || (name != "target/objectid" && name != "accesspackage/id" && name != "state") {
			return nil, invalidFilter(s, "filtering on "+field.String()+" is not supported")
		}
		if op.literal || op.text != "eq" {
			return nil, invalidFilter(s, "only the 'eq' operator is supported, not "+op.String())
		}
		if !value.literal {
			return nil, invalidFilter(s, "expected a string literal after 'eq', not "+value.String())
		}
		if name == "state" {
			if _, ok := canonicalState(value.text); !ok {
				return nil, fmt.Errorf("The enum value '%s' is not a valid accessPackageAssignmentState.", truncate(value.text, 60))
			}
		}
		f = append(f, filterTerm{field: name, value: value.text})
	}
	return f, nil
}

func canonicalState(s string) (string, bool) {
	for state := range stateStatus {
		if strings.EqualFold(state, s) {
			return state, true
		}
	}
	return "", false
}

func invalidFilter(s, why string) error {
	return fmt.Errorf("Invalid filter clause: %s. The filter was: %s", why, truncate(s, 200))
}

type filterToken struct {
	text    string
	literal bool // a quoted string literal, already unescaped
}

func (t filterToken) String() string {
	if t.literal {
		return "a string literal"
	}
	return "'" + truncate(t.text, 40) + "'"
}

var errUnterminated = errors.New("Invalid filter clause: unterminated string literal.")

// filterTokens splits s into words (property paths and keywords) and OData
// string literals. Parentheses, numbers and other syntax are not accepted.
func filterTokens(s string) ([]filterToken, error) {
	var toks []filterToken
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '\'':
			var b strings.Builder
			i++
			for {
				if i >= len(s) {
					return nil, errUnterminated
				}
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			toks = append(toks, filterToken{text: b.String(), literal: true})
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			toks = append(toks, filterToken{text: s[i:j]})
			i = j
		default:
			return nil, invalidFilter(s, fmt.Sprintf("unexpected character %q", c))
		}
	}
	return toks, nil
}

func isWordByte(c byte) bool {
	return c == '/' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
