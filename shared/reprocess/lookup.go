package reprocess

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/entra-tools/reprocess/shared/assignment"
)

// Lookup is {"userPrincipalName"|"userObjectId": "…", "accessPackageId": "…"}.
type Lookup struct {
	UPN             string // set when the caller named the user by UPN
	UserObjectID    string // canonical GUID, or resolved from UPN
	AccessPackageID string // canonical GUID
}

var errInvalidUPN = errors.New("invalid user principal name")

func parseLookup(obj map[string]json.RawMessage) (*Lookup, error) {
	upn, byUPN, err := stringField(obj, "userPrincipalName")
	if err != nil {
		return nil, err
	}
	oid, byOID, err := stringField(obj, "userObjectId")
	if err != nil {
		return nil, err
	}
	pkg, hasPkg, err := stringField(obj, "accessPackageId")
	if err != nil {
		return nil, err
	}
	if byUPN && byOID {
		return nil, BadRequest(`Name the user once: "userPrincipalName" or "userObjectId", not both.`, nil)
	}
	if !hasPkg {
		return nil, BadRequest(`The user lookup needs "accessPackageId", the access package's GUID.`, nil)
	}
	l := &Lookup{}
	if l.AccessPackageID, err = canonicalGUID("accessPackageId", pkg); err != nil {
		return nil, err
	}
	if byOID {
		if l.UserObjectID, err = canonicalGUID("userObjectId", oid); err != nil {
			return nil, err
		}
		return l, nil
	}
	if err := checkUPN(upn); err != nil {
		return nil, &Problem{Status: http.StatusBadRequest, Code: "InvalidUserPrincipalName", Err: err,
			Message: `The "userPrincipalName" must be a user principal name such as adele.vance@contoso.com (` + err.Error() + `).`}
	}
	l.UPN = upn
	return l, nil
}

// canonicalGUID validates a GUID field with the assignment id's strict rules
// (8-4-4-4-12 hex digits, nothing around it) and returns it lowercase.
func canonicalGUID(field, s string) (string, error) {
	id, err := assignment.ParseID(s)
	if err != nil {
		return "", &Problem{Status: http.StatusBadRequest, Code: "BadRequest", Err: err,
			Message: `The field "` + field + `" must be a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e.`}
	}
	return id.String(), nil
}

// checkUPN accepts what Entra accepts in a user principal name: a user name
// of letters, digits and ' . - _ ! # ^ ~ (guests' names carry #EXT#), one @,
// and a DNS domain. It is a syntax check before the name goes into a Graph
// URL, not a directory lookup.
func checkUPN(s string) error {
	at := strings.LastIndexByte(s, '@')
	switch {
	case s == "":
		return fmt.Errorf("%w: empty", errInvalidUPN)
	case len(s) > 256:
		return fmt.Errorf("%w: longer than 256 characters", errInvalidUPN)
	case at <= 0 || at == len(s)-1 || strings.Count(s, "@") != 1:
		return fmt.Errorf("%w: it must have one @ between a user name and a domain", errInvalidUPN)
	}
	local, domain := s[:at], s[at+1:]
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !isAlnum(c) && !strings.ContainsRune("'.-_!#^~", rune(c)) {
			return fmt.Errorf("%w: the user name may hold only letters, digits and ' . - _ ! # ^ ~", errInvalidUPN)
		}
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return fmt.Errorf("%w: a dot cannot start or end the user name or follow another", errInvalidUPN)
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("%w: the domain is not a DNS name", errInvalidUPN)
		}
		for i := 0; i < len(label); i++ {
			if !isAlnum(label[i]) && label[i] != '-' {
				return fmt.Errorf("%w: the domain is not a DNS name", errInvalidUPN)
			}
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
