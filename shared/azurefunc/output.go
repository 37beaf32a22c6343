package azurefunc

import (
	"net/http"
	"strings"

	"github.com/entra-tools/reprocess/shared/recorder"
)

// isHopHeader reports headers that describe the transfer, which the host
// redoes on its side.
func isHopHeader(canonicalName string) bool {
	switch canonicalName {
	case "Connection", "Content-Length", "Keep-Alive", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}

// output converts the answer into Outputs.res. Repeated header values are
// joined with ", " (the host wants one string per header); the recorder
// sniffed a Content-Type the api left unset. Bodies are strings on this
// protocol, so they must be UTF-8 text; the api only answers JSON.
func output(res recorder.Response) httpOutput {
	headers := make(map[string]string, len(res.Header))
	for name, values := range res.Header {
		name = http.CanonicalHeaderKey(name)
		if isHopHeader(name) || len(values) == 0 {
			continue
		}
		joined := strings.Join(values, ", ")
		if prev, ok := headers[name]; ok { // the core set a non-canonical key too
			joined = prev + ", " + joined
		}
		headers[name] = joined
	}
	return httpOutput{StatusCode: res.Status, Headers: headers, Body: string(res.Body)}
}
