package azurefunc

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/entra-tools/reprocess/shared/assignment"
)

// queueMeta is what the edge logs from a queue invocation's Metadata.
type queueMeta struct {
	messageID    string
	dequeueCount int
}

// queueMetaFrom reads Metadata.Id and Metadata.DequeueCount, which the host
// sends as a JSON-encoded string and as an int-in-a-string. Both are optional.
func queueMetaFrom(inv invocationRequest) queueMeta {
	var m queueMeta
	if raw := inv.metadata("Id"); raw != nil {
		if s, err := unwrapString(raw); err == nil && isIDShaped(strings.TrimSpace(s)) {
			m.messageID = strings.TrimSpace(s)
		}
	}
	if raw := inv.metadata("DequeueCount"); raw != nil {
		m.dequeueCount = intValue(raw)
	}
	return m
}

// intValue reads 4, "4" or "\"4\""; anything else is 0.
func intValue(raw json.RawMessage) int {
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && t[0] == '"' {
		s, err := unwrapString(t)
		if err != nil {
			return 0
		}
		t = []byte(strings.TrimSpace(s))
	}
	n, err := strconv.Atoi(string(t))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// assignmentIDFromInvocation finds the assignment id in Data.msg.
func assignmentIDFromInvocation(inv invocationRequest) (string, error) {
	raw, ok := inv.binding(queueTriggerBinding)
	if !ok {
		return "", errors.New("the invocation has no Data." + queueTriggerBinding)
	}
	return assignmentIDFromMessage(raw)
}

// assignmentIDFromMessage reads a message that is {"assignmentId":"…"} or a
// bare id. The host hands it over as a string, JSON-encoded once more (so
// single and double encoding both occur), or as the object itself; a
// producer may also have base64-encoded it (see the package doc).
func assignmentIDFromMessage(raw json.RawMessage) (string, error) {
	t := bytes.TrimSpace(raw)
	switch {
	case len(t) > 0 && t[0] == '{':
		return idFromObject(t)
	case len(t) > 0 && t[0] == '"':
		s, err := unwrapString(t)
		if err != nil {
			return "", errors.New("the message is not a valid JSON string")
		}
		return idFromText(s, true)
	default:
		return "", errors.New("the message is neither text nor a JSON object")
	}
}

// idFromText reads the message text. It is taken as a bare id unless it is
// an object, or it is base64 whose decoded text is an object or a GUID: a
// GUID itself is never base64 (it holds hyphens), and anything else that
// decodes to neither stays a bare id for the core to judge.
func idFromText(s string, tryBase64 bool) (string, error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return "", errors.New("the message is empty")
	case t[0] == '{':
		return idFromObject([]byte(t))
	case tryBase64 && !looksLikeID(t):
		if decoded, ok := decodeBase64Text(t); ok {
			if decoded[0] == '{' {
				return idFromObject([]byte(decoded))
			}
			if looksLikeID(decoded) {
				return decoded, nil
			}
		}
	}
	return t, nil
}

// decodeBase64Text decodes standard base64 into non-empty UTF-8 text,
// unwrapping a JSON string inside.
func decodeBase64Text(s string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || !utf8.Valid(b) {
		return "", false
	}
	d := strings.TrimSpace(string(b))
	if len(d) > 0 && d[0] == '"' {
		if u, err := unwrapString(json.RawMessage(d)); err == nil {
			d = strings.TrimSpace(u)
		}
	}
	return d, d != ""
}

// idFromObject reads assignmentId (any casing) from a JSON object.
func idFromObject(b []byte) (string, error) {
	var m struct {
		AssignmentID *string `json:"assignmentId"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return "", errors.New("the message is not a valid object: " + jsonProblem(err))
	}
	if m.AssignmentID == nil {
		return "", errors.New("the message has no assignmentId")
	}
	return *m.AssignmentID, nil
}

// looksLikeID reports an assignment id's shape. It only steers the base64
// guess; the core decides, with the same parser, what it does with the id.
func looksLikeID(s string) bool {
	_, err := assignment.ParseID(s)
	return err == nil
}
