package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// readObject reads one JSON object, keeping its members raw so the caller
// can tell the body's shape by its exact keys (encoding/json matches struct
// fields case-insensitively, which would blur "assignment" and "Assignment").
func readObject(r *http.Request) (map[string]json.RawMessage, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
		return nil, &Problem{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType", Message: "Send the body as application/json."}
	}
	dec := json.NewDecoder(r.Body)
	var obj map[string]json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, tooLarge(tooBig.Limit)
		}
		if errors.Is(err, io.EOF) {
			return nil, badRequest("The request body is empty; send a JSON object.", err)
		}
		return nil, badRequest("The request body is not a JSON object: "+err.Error()+".", err)
	}
	if obj == nil {
		return nil, badRequest("The request body is null; send a JSON object.", nil)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, tooLarge(tooBig.Limit)
		}
		return nil, badRequest("The request body has data after its JSON object.", err)
	}
	return obj, nil
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
	return badRequest("Unknown field "+quoteList(unknown)+" in the "+shape+" body; it takes "+quoteList(allowed)+".", nil)
}

// stringField reads obj[key] as a JSON string; ok is false when absent.
func stringField(obj map[string]json.RawMessage, key string) (s string, ok bool, err error) {
	raw, ok := obj[key]
	if !ok {
		return "", false, nil
	}
	if err := json.Unmarshal(raw, &s); err != nil || string(raw) == "null" {
		return "", true, badRequest("The field \""+key+"\" must be a string.", err)
	}
	return s, true, nil
}

func quoteList(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = strconv.Quote(truncate(k, 40))
	}
	return strings.Join(q, ", ")
}
