package azurefunc

import (
	"bytes"
	"net/http"
	"strings"
)

// responseBuffer collects the core's answer to a rebuilt request so the edge
// can wrap it into Outputs.res or classify it for the queue.
type responseBuffer struct {
	header      http.Header
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func newResponseBuffer() *responseBuffer {
	return &responseBuffer{header: http.Header{}, status: http.StatusOK}
}

func (b *responseBuffer) Header() http.Header { return b.header }

func (b *responseBuffer) WriteHeader(code int) {
	if b.wroteHeader || code < 200 {
		return // informational answers and repeated calls are dropped, as net/http does
	}
	b.status, b.wroteHeader = code, true
}

func (b *responseBuffer) Write(p []byte) (int, error) {
	b.wroteHeader = true
	return b.body.Write(p)
}

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
// joined with ", " (the host wants one string per header), and a body
// without a Content-Type gets the sniffed one net/http would have sent.
// Bodies are strings on this protocol, so they must be UTF-8 text; the core
// only answers JSON.
func (b *responseBuffer) output() httpOutput {
	headers := make(map[string]string, len(b.header)+1)
	for name, values := range b.header {
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
	if _, ok := headers["Content-Type"]; !ok && b.body.Len() > 0 {
		headers["Content-Type"] = http.DetectContentType(b.body.Bytes())
	}
	return httpOutput{StatusCode: b.status, Headers: headers, Body: b.body.String()}
}
