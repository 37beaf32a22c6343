package jobs

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

const specHelp = `The body must be {"accessPackageId":"<GUID>"} or {"catalogId":"<GUID>"}, ` +
	`with optional "mode" ("all" or "drifted") and "dryRun" (true or false).`

var specKeys = []string{"accessPackageId", "catalogId", "mode", "dryRun"}

// ParseSpec reads the body of POST /api/jobs: one JSON object naming
// exactly one of an access package or a catalog by canonical GUID, with an
// optional mode (all by default) and dryRun. Anything else is a 400
// *reprocess.Problem in Graph's error shape, before any Graph or storage call.
func ParseSpec(body []byte) (Spec, error) {
	obj, err := readObject(body)
	if err != nil {
		return Spec{}, err
	}
	var unknown []string
	for k := range obj {
		if !slices.Contains(specKeys, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return Spec{}, reprocess.BadRequest("Unknown field "+quote(unknown)+" in the job body. "+specHelp, nil)
	}
	spec := Spec{Mode: All}
	_, hasPackage := obj["accessPackageId"]
	_, hasCatalog := obj["catalogId"]
	switch {
	case hasPackage && hasCatalog:
		return Spec{}, reprocess.BadRequest(`Send either "accessPackageId" or "catalogId", not both. `+specHelp, nil)
	case hasPackage:
		spec.Scope.AccessPackageID, err = guidField(obj, "accessPackageId")
	case hasCatalog:
		spec.Scope.CatalogID, err = guidField(obj, "catalogId")
	default:
		return Spec{}, reprocess.BadRequest(specHelp, nil)
	}
	if err != nil {
		return Spec{}, err
	}
	if raw, ok := obj["mode"]; ok {
		var m string
		if json.Unmarshal(raw, &m) != nil || (Mode(m) != All && Mode(m) != Drifted) {
			return Spec{}, reprocess.BadRequest(`The field "mode" must be "all" or "drifted".`, nil)
		}
		spec.Mode = Mode(m)
	}
	if raw, ok := obj["dryRun"]; ok {
		if json.Unmarshal(raw, &spec.DryRun) != nil || string(raw) == "null" {
			return Spec{}, reprocess.BadRequest(`The field "dryRun" must be true or false.`, nil)
		}
	}
	return spec, nil
}

// ParseJobID reads a job id from a status URL: a GUID, answered in
// canonical lowercase form; anything else is a 400 *reprocess.Problem.
func ParseJobID(s string) (string, error) {
	id, err := assignment.ParseID(s)
	if err != nil {
		return "", &reprocess.Problem{Status: 400, Code: "InvalidJobId",
			Message: "The job id must be a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e, as in the statusUrl POST /api/jobs answered.", Err: err}
	}
	return id.String(), nil
}

// guidField reads obj[key] as a GUID with shared/assignment's strict rules
// (8-4-4-4-12 hex digits, no decoration, not all zeros), lowercased.
func guidField(obj map[string]json.RawMessage, key string) (string, error) {
	var s string
	if err := json.Unmarshal(obj[key], &s); err != nil || string(obj[key]) == "null" {
		return "", reprocess.BadRequest(`The field "`+key+`" must be a string.`, err)
	}
	id, err := assignment.ParseID(s)
	if err != nil {
		return "", reprocess.BadRequest(`The field "`+key+`" must be a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e.`, err)
	}
	return id.String(), nil
}

// readObject reads exactly one JSON object, keeping members raw so keys are
// matched exactly (encoding/json would match struct fields case-insensitively).
func readObject(b []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, reprocess.BadRequest("The request body is empty; send a JSON object. "+specHelp, err)
		}
		return nil, reprocess.BadRequest("The request body is not a JSON object: "+err.Error()+".", err)
	}
	if obj == nil {
		return nil, reprocess.BadRequest("The request body is null; send a JSON object. "+specHelp, nil)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, reprocess.BadRequest("The request body has data after its JSON object.", err)
	}
	return obj, nil
}

func quote(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		b, _ := json.Marshal(reprocess.Truncate(k, 40))
		q[i] = string(b)
	}
	return strings.Join(q, ", ")
}
