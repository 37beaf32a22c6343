package azurefunc

import (
	"net/http"

	"github.com/entra-tools/reprocess/shared/api"
)

// Error codes of the answers the edge makes itself, in the api's Graph-shaped
// error body.
const (
	codeInvalidInvocation = "InvalidInvocation"
	codePayloadTooLarge   = "PayloadTooLarge"
	codeInternalError     = "InternalServerError"
)

// errorOutput is an Outputs.res carrying an error of the edge's own.
func errorOutput(status int, code, message string) httpOutput {
	return httpOutput{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(api.ErrorBody(code, message)),
	}
}

// writeErrorResponse answers a plain HTTP request with an error of our own.
func writeErrorResponse(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(api.ErrorBody(code, message))
}
