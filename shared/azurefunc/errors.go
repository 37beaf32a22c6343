package azurefunc

import (
	"encoding/json"
	"net/http"
)

// Error codes of the answers the edge makes itself, in the core's Graph-shaped
// error body.
const (
	codeInvalidInvocation = "InvalidInvocation"
	codePayloadTooLarge   = "PayloadTooLarge"
	codeInternalError     = "InternalServerError"
)

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// errorJSON renders {"error":{"code":…,"message":…}}.
func errorJSON(code, message string) string {
	b, _ := json.Marshal(errorBody{Error: errorDetail{Code: code, Message: message}})
	return string(b)
}

// errorOutput is an Outputs.res carrying an error of the edge's own.
func errorOutput(status int, code, message string) httpOutput {
	return httpOutput{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       errorJSON(code, message),
	}
}

// writeErrorResponse answers a plain HTTP request with an error of our own.
func writeErrorResponse(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(errorJSON(code, message)))
}
