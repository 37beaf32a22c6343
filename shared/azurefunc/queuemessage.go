package azurefunc

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
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

// messageFromInvocation returns the message text of Data.msg. The host
// hands it over as a string, JSON-encoded once more (so single and double
// encoding both occur), or as the object itself; what the text says is the
// core's to read (reprocess.ParseMessage).
func messageFromInvocation(inv invocationRequest) ([]byte, error) {
	raw, ok := inv.binding(queueTriggerBinding)
	if !ok {
		return nil, errors.New("the invocation has no Data." + queueTriggerBinding)
	}
	t := bytes.TrimSpace(raw)
	switch {
	case len(t) > 0 && t[0] == '{':
		return t, nil
	case len(t) > 0 && t[0] == '"':
		s, err := unwrapString(t)
		if err != nil {
			return nil, errors.New("the message is not a valid JSON string")
		}
		return []byte(s), nil
	}
	return nil, errors.New("the message is neither text nor a JSON object")
}
