package azurefunc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// invocationRequest is the body of a JSON invocation
// (HttpScriptInvocationContext in the host, written by Newtonsoft with
// PascalCase names; encoding/json matches them case-insensitively).
type invocationRequest struct {
	Data     map[string]json.RawMessage `json:"Data"`
	Metadata json.RawMessage            `json:"Metadata"`
}

// invocationResult is our answer (HttpScriptInvocationResult). Logs is
// always an array: the host accepts string[] or null, never a missing type.
type invocationResult struct {
	Outputs     map[string]any `json:"Outputs"`
	Logs        []string       `json:"Logs"`
	ReturnValue any            `json:"ReturnValue"`
}

// httpOutput is Outputs.res. statusCode is a number (the host coerces it to
// the string it wants), header values are scalar strings (the host writes
// value.ToString()), and body is a pre-serialized string (an object body
// would come out indented).
type httpOutput struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

var errPayloadTooLarge = errors.New("the invocation payload is too large")

// readPayload reads at most max bytes of an invocation body.
func readPayload(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading the invocation payload: %w", err)
	}
	if int64(len(b)) > max {
		return nil, errPayloadTooLarge
	}
	return b, nil
}

// decodeInvocation parses the envelope; the bindings stay raw.
func decodeInvocation(payload []byte) (invocationRequest, error) {
	var inv invocationRequest
	if err := json.Unmarshal(payload, &inv); err != nil {
		return inv, fmt.Errorf("the payload is not an invocation object: %s", jsonProblem(err))
	}
	return inv, nil
}

// binding returns Data[name], matching the name case-insensitively.
func (inv invocationRequest) binding(name string) (json.RawMessage, bool) {
	if v, ok := inv.Data[name]; ok && !isNull(v) {
		return v, true
	}
	for k, v := range inv.Data {
		if strings.EqualFold(k, name) && !isNull(v) {
			return v, true
		}
	}
	return nil, false
}

// metadata returns Metadata[name] case-insensitively, or nil. Metadata is
// optional and never needed to serve a request, so a malformed one is ignored.
func (inv invocationRequest) metadata(name string) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(inv.Metadata, &m) != nil {
		return nil
	}
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// jsonProblem describes a decoding error without Go type names or payload text.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return "field " + safeToken(typeErr.Field, 64) + " has the wrong type"
	}
	if errors.As(err, &typeErr) {
		return "wrong JSON type"
	}
	return "malformed JSON"
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// maxStringLayers bounds unwrapString: the host adds one layer of JSON string
// encoding to string values, and a producer that JSON-encodes its message
// adds another.
const maxStringLayers = 3

// unwrapString decodes a JSON string and then any further JSON string
// literals it contains, so single- and double-encoded values read the same
// (the host serializes string values once more, see the package doc).
func unwrapString(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errors.New("not a string")
	}
	for i := 1; i < maxStringLayers; i++ {
		t := strings.TrimSpace(s)
		if len(t) < 2 || t[0] != '"' {
			break
		}
		var inner string
		if json.Unmarshal([]byte(t), &inner) != nil {
			break
		}
		s = inner
	}
	return s, nil
}

// unwrapObject returns the JSON object in raw, which is either the object
// itself or a string (possibly encoded twice) holding it, as in the legacy
// string-encoded Query.
func unwrapObject(raw json.RawMessage) ([]byte, error) {
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && t[0] == '{' {
		return t, nil
	}
	s, err := unwrapString(t)
	if err != nil {
		return nil, errors.New("not an object")
	}
	if o := strings.TrimSpace(s); len(o) > 0 && o[0] == '{' {
		return []byte(o), nil
	}
	return nil, errors.New("not an object")
}

// writeResult sends an invocation result. The content type must be
// application/json: the host's JsonMediaTypeFormatter refuses anything else.
func writeResult(w http.ResponseWriter, status int, result invocationResult) {
	if result.Logs == nil {
		result.Logs = []string{}
	}
	if result.Outputs == nil {
		result.Outputs = map[string]any{}
	}
	b, err := json.Marshal(result)
	if err != nil {
		// Unreachable with the types above; still never answer without JSON.
		b = []byte(`{"Outputs":{},"Logs":["the handler could not encode its result"],"ReturnValue":null}`)
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
