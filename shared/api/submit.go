package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/entra-tools/reprocess/shared/assignment"
)

// The bodies POST /api/reprocess takes, told apart by their keys:
//
//	{"assignmentId": "…", "callbackUrl"?: "…"}                        one assignment
//	{"assignmentIds": ["…", …], "callbackUrl"?: "…"}                  a batch of 1..maxBatchIDs
//	{"userPrincipalName"|"userObjectId": "…", "accessPackageId": "…"} a user's delivered assignments
//	an entitlement-management custom-extension payload                 Assignment.Id or assignment.id
//
// Unknown keys are refused in our own shapes; the custom-extension payload
// carries many fields of Entra's and only the assignment id is read.
const maxBatchIDs = 1000

const shapesHelp = `The body must be {"assignmentId":"<GUID>"}, {"assignmentIds":["<GUID>", ...]}, ` +
	`{"userPrincipalName":"<UPN>","accessPackageId":"<GUID>"} (or "userObjectId"), ` +
	`or an entitlement-management custom-extension payload with Assignment.Id.`

// submission is a parsed body.
type submission struct {
	single   *assignment.ID // one assignment (also the custom-extension payload)
	batch    []batchInput   // assignmentIds, in input order
	lookup   *userLookup    // a user's delivered assignments
	callback *url.URL       // callbackUrl, when the caller is a Logic Apps HTTP Webhook action
}

// batchInput is one position of assignmentIds.
type batchInput struct {
	raw string        // as sent, for an invalid id's answer
	id  assignment.ID // zero when invalid
	err error         // why it is invalid
}

func reprocessByBody(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sub, err := parseSubmission(r, d.CallbackHosts)
		if err != nil {
			writeError(w, r, err)
			return
		}
		work := func(w http.ResponseWriter, r *http.Request) {
			switch {
			case sub.single != nil:
				reprocessOne(d, w, r, *sub.single)
			case sub.lookup != nil:
				reprocessUser(d, w, r, *sub.lookup)
			default:
				reprocessItems(d, w, r, sub.batch)
			}
		}
		if sub.callback != nil {
			subscribe(d, w, r, sub, work)
			return
		}
		work(w, r)
	})
}

func parseSubmission(r *http.Request, callbackHosts []string) (submission, error) {
	obj, err := readObject(r)
	if err != nil {
		return submission{}, err
	}
	var sub submission
	has := func(k string) bool { _, ok := obj[k]; return ok }
	switch {
	case has("assignmentIds"):
		if err := onlyKeys(obj, "batch", "assignmentIds", "callbackUrl"); err != nil {
			return sub, err
		}
		sub.batch, err = parseBatch(obj["assignmentIds"])
	case has("assignmentId"):
		if err := onlyKeys(obj, "single-assignment", "assignmentId", "callbackUrl"); err != nil {
			return sub, err
		}
		sub.single, err = parseSingle(obj)
	case has("userPrincipalName") || has("userObjectId"):
		if err := onlyKeys(obj, "user lookup", "userPrincipalName", "userObjectId", "accessPackageId", "callbackUrl"); err != nil {
			return sub, err
		}
		sub.lookup, err = parseLookup(obj)
	case has("Assignment") || has("assignment"):
		sub.single, err = parseCustomExtension(obj)
		return sub, err // Entra's payload: its other fields, even one named callbackUrl, are not ours
	default:
		return sub, badRequest(shapesHelp, nil)
	}
	if err != nil {
		return sub, err
	}
	if raw, ok, err := stringField(obj, "callbackUrl"); err != nil {
		return sub, err
	} else if ok {
		if sub.callback, err = parseCallbackURL(raw, callbackHosts); err != nil {
			return sub, err
		}
	}
	return sub, nil
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

// parseBatch reads assignmentIds. An element that is not a valid id is
// answered in its position rather than failing the whole batch.
func parseBatch(raw json.RawMessage) ([]batchInput, error) {
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil || elems == nil {
		return nil, badRequest(`The field "assignmentIds" must be an array of assignment ids.`, err)
	}
	switch {
	case len(elems) == 0:
		return nil, badRequest(`The field "assignmentIds" is empty; send 1 to 1000 assignment ids.`, nil)
	case len(elems) > maxBatchIDs:
		return nil, &Problem{Status: http.StatusBadRequest, Code: "TooManyAssignmentIds",
			Message: "The batch has more than 1000 assignment ids; split it into batches of at most 1000."}
	}
	items := make([]batchInput, len(elems))
	for i, e := range elems {
		var s string
		if err := json.Unmarshal(e, &s); err != nil || string(e) == "null" {
			items[i] = batchInput{raw: truncate(string(e), 80), err: fmt.Errorf("%w %s: not a JSON string", assignment.ErrInvalidID, truncate(string(e), 40))}
			continue
		}
		id, err := assignment.ParseID(s)
		items[i] = batchInput{raw: truncate(s, 80), id: id, err: err}
	}
	return items, nil
}

// parseCustomExtension reads the assignment id of the payload entitlement
// management sends a custom extension: Assignment.Id as a Logic App's trigger
// receives it, or assignment.id as Graph documents the callout data.
func parseCustomExtension(obj map[string]json.RawMessage) (*assignment.ID, error) {
	pascal, camel := obj["Assignment"], obj["assignment"]
	if pascal != nil && camel != nil {
		return nil, badRequest(`The custom-extension payload has both "Assignment" and "assignment"; send one.`, nil)
	}
	outer, inner := "Assignment", "Id"
	raw := pascal
	if raw == nil {
		outer, inner, raw = "assignment", "id", camel
	}
	var a map[string]json.RawMessage
	if err := json.Unmarshal(raw, &a); err != nil || a == nil {
		return nil, badRequest(`The custom-extension payload's "`+outer+`" must be an object with "`+inner+`".`, err)
	}
	s, ok, err := stringField(a, inner)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, badRequest(`The custom-extension payload has no `+outer+`.`+inner+`.`, nil)
	}
	id, err := assignment.ParseID(s)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// truncate shortens s to at most n bytes, on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}
