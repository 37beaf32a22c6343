package api

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/entra-tools/reprocess/shared/reprocess"
)

// readJSON reads the request body, which must be JSON (or unlabelled) and
// within the route's limit (limitBody), for the core's parser.
func readJSON(r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.Contains(strings.ToLower(ct), "json") {
		return nil, &reprocess.Problem{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType", Message: "Send the body as application/json."}
	}
	return readBody(r)
}

// readBody reads the whole body, answering 413 past the route's limit.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, tooLarge(tooBig.Limit)
		}
		return nil, reprocess.BadRequest("The request body could not be read.", err)
	}
	return b, nil
}
