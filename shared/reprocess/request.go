package reprocess

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/entra-tools/reprocess/shared/assignment"
)

// The bodies every edge takes (POST /api/reprocess, Storage queue messages,
// SQS records, direct invokes), told apart by their exact keys:
//
//	{"assignmentId": "…", "callbackUrl"?: "…"}                        one assignment
//	{"assignmentIds": ["…", …], "callbackUrl"?: "…"}                  a batch of 1..MaxIDs
//	{"userPrincipalName"|"userObjectId": "…", "accessPackageId": "…"} a user's delivered assignments
//	an entitlement-management custom-extension payload                 Assignment.Id or assignment.id
//
// Unknown keys are refused in our own shapes; the custom-extension payload
// carries many fields of Entra's and only the assignment id is read. Keys
// are matched exactly (encoding/json would match struct fields
// case-insensitively and blur "assignment" and "Assignment").
const MaxIDs = 1000

const shapesHelp = `The body must be {"assignmentId":"<GUID>"}, {"assignmentIds":["<GUID>", ...]}, ` +
	`{"userPrincipalName":"<UPN>","accessPackageId":"<GUID>"} (or "userObjectId"), ` +
	`or an entitlement-management custom-extension payload with Assignment.Id.`

// Request is a parsed body: exactly one of Single, Items and Lookup is set.
type Request struct {
	Single      *assignment.ID // one assignment (also the custom-extension payload)
	Items       []Item         // assignmentIds, in input order
	Lookup      *Lookup        // a user's delivered assignments
	CallbackURL *string        // callbackUrl as sent (a Logic Apps HTTP Webhook action); nil when absent
}

// ParseBody reads one JSON object and tells its shape.
func ParseBody(b []byte) (Request, error) {
	obj, err := readObject(b)
	if err != nil {
		return Request{}, err
	}
	return parseObject(obj)
}

// ParseMessage reads a queue message or SQS record body: one of ParseBody's
// objects, or a bare id (also as a JSON string), and either of these
// base64-encoded as some senders do. A GUID is never taken for base64 (it
// holds hyphens), and text that decodes to neither an object nor a GUID
// stays a bare id, to be judged as one.
func ParseMessage(b []byte) (Request, error) {
	t := strings.TrimSpace(string(b))
	if len(t) > 0 && t[0] == '"' {
		var s string
		if err := json.Unmarshal([]byte(t), &s); err != nil {
			return Request{}, BadRequest("The message is not a valid JSON string.", err)
		}
		t = strings.TrimSpace(s)
	}
	switch {
	case t == "":
		return Request{}, BadRequest("The message is empty; "+messageHelp, nil)
	case t[0] == '{':
		return ParseBody([]byte(t))
	}
	if _, err := assignment.ParseID(t); err != nil {
		if decoded, ok := decodeBase64Text(t); ok {
			if decoded[0] == '{' {
				return ParseBody([]byte(decoded))
			}
			if _, err := assignment.ParseID(decoded); err == nil {
				t = decoded
			}
		}
	}
	id, err := assignment.ParseID(t)
	if err != nil {
		return Request{}, err
	}
	return Request{Single: &id}, nil
}

const messageHelp = `send {"assignmentId":"<GUID>"}, {"assignmentIds":["<GUID>", ...]} or a bare GUID.`

// decodeBase64Text decodes standard base64 into non-empty UTF-8 text,
// unwrapping a JSON string inside.
func decodeBase64Text(s string) (string, bool) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || !utf8.Valid(b) {
		return "", false
	}
	d := strings.TrimSpace(string(b))
	if len(d) > 0 && d[0] == '"' {
		var u string
		if json.Unmarshal([]byte(d), &u) == nil {
			d = strings.TrimSpace(u)
		}
	}
	return d, d != ""
}

// readObject reads one JSON object, keeping its members raw so the shape
// can be told by its exact keys.
func readObject(b []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, BadRequest("The request body is empty; send a JSON object.", err)
		}
		return nil, BadRequest("The request body is not a JSON object: "+err.Error()+".", err)
	}
	if obj == nil {
		return nil, BadRequest("The request body is null; send a JSON object.", nil)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, BadRequest("The request body has data after its JSON object.", err)
	}
	return obj, nil
}

func parseObject(obj map[string]json.RawMessage) (Request, error) {
	var req Request
	var err error
	has := func(k string) bool { _, ok := obj[k]; return ok }
	switch {
	case has("assignmentIds"):
		if err := onlyKeys(obj, "batch", "assignmentIds", "callbackUrl"); err != nil {
			return req, err
		}
		req.Items, err = parseItems(obj["assignmentIds"])
	case has("assignmentId"):
		if err := onlyKeys(obj, "single-assignment", "assignmentId", "callbackUrl"); err != nil {
			return req, err
		}
		req.Single, err = parseSingle(obj)
	case has("userPrincipalName") || has("userObjectId"):
		if err := onlyKeys(obj, "user lookup", "userPrincipalName", "userObjectId", "accessPackageId", "callbackUrl"); err != nil {
			return req, err
		}
		req.Lookup, err = parseLookup(obj)
	case has("Assignment") || has("assignment"):
		req.Single, err = parseCustomExtension(obj)
		return req, err // Entra's payload: its other fields, even one named callbackUrl, are not ours
	default:
		return req, BadRequest(shapesHelp, nil)
	}
	if err != nil {
		return req, err
	}
	if cb, ok, err := stringField(obj, "callbackUrl"); err != nil {
		return req, err
	} else if ok {
		req.CallbackURL = &cb
	}
	return req, nil
}

func parseSingle(obj map[string]json.RawMessage) (*assignment.ID, error) {
	s, _, err := stringField(obj, "assignmentId")
	if err != nil {
		return nil, err
	}
	id, err := assignment.ParseID(s)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// parseItems reads assignmentIds. An element that is not a valid id is
// answered in its position rather than failing the whole batch.
func parseItems(raw json.RawMessage) ([]Item, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil || elems == nil {
		return nil, BadRequest(`The field "assignmentIds" must be an array of assignment ids.`, err)
	}
	switch {
	case len(elems) == 0:
		return nil, BadRequest(`The field "assignmentIds" is empty; send 1 to 1000 assignment ids.`, nil)
	case len(elems) > MaxIDs:
		return nil, &Problem{Status: http.StatusBadRequest, Code: "TooManyAssignmentIds",
			Message: "The batch has more than 1000 assignment ids; split it into batches of at most 1000."}
	}
	items := make([]Item, len(elems))
	for i, e := range elems {
		var s string
		if err := json.Unmarshal(e, &s); err != nil || string(e) == "null" {
			items[i] = Item{Raw: Truncate(string(e), 80), Err: fmt.Errorf("%w %s: not a JSON string", assignment.ErrInvalidID, Truncate(string(e), 40))}
			continue
		}
		id, err := assignment.ParseID(s)
		items[i] = Item{Raw: Truncate(s, 80), ID: id, Err: err}
	}
	return items, nil
}

// parseCustomExtension reads the assignment id of the payload entitlement
// management sends a custom extension: Assignment.Id as a Logic App's trigger
// receives it, or assignment.id as Graph documents the callout data.
func parseCustomExtension(obj map[string]json.RawMessage) (*assignment.ID, error) {
	pascal, camel := obj["Assignment"], obj["assignment"]
	if pascal != nil && camel != nil {
		return nil, BadRequest(`The custom-extension payload has both "Assignment" and "assignment"; send one.`, nil)
	}
	outer, inner := "Assignment", "Id"
	raw := pascal
	if raw == nil {
		outer, inner, raw = "assignment", "id", camel
	}
	var a map[string]json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil || a == nil {
		return nil, BadRequest(`The custom-extension payload's "`+outer+`" must be an object with "`+inner+`".`, err)
	}
	s, ok, err := stringField(a, inner)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, BadRequest(`The custom-extension payload has no `+outer+`.`+inner+`.`, nil)
	}
	id, err := assignment.ParseID(s)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// onlyKeys refuses members other than allowed, naming them (sorted, so the
// message is stable).
func onlyKeys(obj map[string]json.RawMessage, shape string, allowed ...string) error {
	var unknown []string
	for k := range obj {
		if !slices.Contains(allowed, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return BadRequest("Unknown field "+quoteList(unknown)+" in the "+shape+" body; it takes "+quoteList(allowed)+".", nil)
}

// stringField reads obj[key] as a JSON string; ok is false when absent.
func stringField(obj map[string]json.RawMessage, key string) (s string, ok bool, err error) {
	raw, ok := obj[key]
	if !ok {
		return "", false, nil
	}
	if err := json.Unmarshal(raw, &s); err != nil || string(raw) == "null" {
		return "", true, BadRequest("The field \""+key+"\" must be a string.", err)
	}
	return s, true, nil
}

func quoteList(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = strconv.Quote(Truncate(k, 40))
	}
	return strings.Join(q, ", ")
}

// Truncate shortens s to at most n bytes, on a character boundary.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
