package azurefunc

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/invocation"
)

// The function names: the folders under functions/ holding their function.json.
// In JSON invocation mode the host POSTs to /{name}.
const (
	FunctionReprocess      = "reprocess"
	FunctionStatus         = "status"
	FunctionSubmit         = "submit"
	FunctionWebhook        = "webhook"
	FunctionOpenAPI        = "openapi"
	FunctionReprocessQueue = "reprocess-queue"
	FunctionJobs           = "jobs"       // POST /api/jobs
	FunctionJobStatus      = "job-status" // GET /api/jobs/{jobId}
)

// httpFunctions lists the HTTP-triggered functions, whose JSON invocations are
// rebuilt into the caller's request.
func httpFunctions() []string {
	return []string{FunctionReprocess, FunctionStatus, FunctionSubmit, FunctionWebhook, FunctionOpenAPI, FunctionJobs, FunctionJobStatus}
}

// MaxInvocationBytes caps a JSON invocation payload. It sits above the core's
// own body limit (a base64 body grows by a third, and the payload repeats
// headers and identities), so the core's 413 decides for caller bodies.
const MaxInvocationBytes = 4 << 20

// The binding names the function.json files use.
const (
	httpTriggerBinding  = "req"
	httpOutputBinding   = "res"
	queueTriggerBinding = "msg"
)

// edge routes the host's requests; see the package documentation.
type edge struct {
	core      http.Handler // the HTTP API
	queueCore Core         // the queue function's operations
	timeout   time.Duration
	logger    *slog.Logger
	maxBytes  int64
	// kinds maps "/"+function name to its JSON invocation handler.
	kinds  map[string]func(http.ResponseWriter, *http.Request, string)
	tracer trace.TracerProvider // the queue invocations' spans; nil records none
	jobs   JobWorker            // the job-worker and sweep functions' core; nil: no job backend
	sweep  SweepPlan
}

// Option tunes the handler NewHandler returns.
type Option func(*edge)

// WithTracer makes each queue invocation a span of tp. (HTTP invocations
// get theirs from the HTTP API.)
func WithTracer(tp trace.TracerProvider) Option {
	return func(e *edge) { e.tracer = tp }
}

// NewHandler returns the edge in front of the HTTP API: POST /{function}
// for the function names speaks the JSON invocation protocol (HTTP functions
// are rebuilt into the caller's request for api; the queue function calls
// core directly, within timeout), everything else (GET /, forwarded and
// proxied /api/... requests) goes to api unchanged, with the invocation id
// from the host's headers in its context.
func NewHandler(api http.Handler, core Core, logger *slog.Logger, timeout time.Duration, opts ...Option) http.Handler {
	e := newEdge(api, core, logger, timeout, MaxInvocationBytes)
	for _, o := range opts {
		o(e)
	}
	return e
}

func newEdge(api http.Handler, core Core, logger *slog.Logger, timeout time.Duration, maxBytes int64) *edge {
	e := &edge{core: api, queueCore: core, timeout: timeout, logger: logger, maxBytes: maxBytes,
		kinds: map[string]func(http.ResponseWriter, *http.Request, string){}}
	for _, name := range httpFunctions() {
		e.kinds["/"+name] = e.serveHTTPInvocation
	}
	e.kinds["/"+FunctionReprocessQueue] = e.serveQueueInvocation
	e.kinds["/"+FunctionJobWorker] = e.serveJobWorker
	e.kinds["/"+FunctionSweep] = e.serveSweep
	return e
}

// ServeHTTP dispatches by exact path rather than through a ServeMux, so that
// forwarded requests reach the core byte for byte (a ServeMux would redirect
// unclean paths and answer 405s of its own).
func (e *edge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if serve, ok := e.kinds[r.URL.Path]; ok {
			serve(w, r, strings.TrimPrefix(r.URL.Path, "/"))
			return
		}
	}
	e.servePassthrough(w, r)
}

// servePassthrough hands a forwarded or proxied request (or the readiness
// ping) to the core as it is.
func (e *edge) servePassthrough(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := invocation.Info{ID: invocationID(r.Header), Trigger: invocation.HTTP}
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		p := recover()
		if p == nil {
			e.logServed(r, info.ID, "", sw.statusOr200(), start)
			return
		}
		if p == http.ErrAbortHandler {
			e.logHTTP(r, info.ID, "", sw.statusOr200(), start, slog.Bool("aborted", true))
			panic(p) // the core chose to abort the response; net/http handles it quietly
		}
		e.logPanic(r, info.ID, p)
		if sw.wroteHeader {
			// Part of the answer is out; aborting makes the host see a broken
			// response instead of a truncated one that looks complete.
			e.logHTTP(r, info.ID, "", sw.status, start, slog.Bool("aborted", true))
			panic(http.ErrAbortHandler)
		}
		clear(sw.Header()) // whatever the core meant to send no longer applies
		writeErrorResponse(sw, http.StatusInternalServerError, codeInternalError, "The request failed unexpectedly.")
		e.logHTTP(r, info.ID, "", http.StatusInternalServerError, start)
	}()
	e.core.ServeHTTP(sw, r.WithContext(invocation.NewContext(r.Context(), info)))
}

// invocationID returns the host's id for this invocation. Forwarding mode
// copies the caller's headers and then appends the host's
// X-Azure-Functions-InvocationId, so the last value is the host's; proxy mode
// overwrites both headers. Anything that is not id-shaped is dropped.
func invocationID(h http.Header) string {
	for _, name := range []string{"X-Azure-Functions-Invocationid", "X-Ms-Invocation-Id"} {
		values := h.Values(name)
		if len(values) == 0 {
			continue
		}
		last := values[len(values)-1]
		if i := strings.LastIndexByte(last, ','); i >= 0 {
			last = last[i+1:]
		}
		if id := strings.TrimSpace(last); isIDShaped(id) {
			return id
		}
	}
	return ""
}

// isIDShaped accepts what the host sends (a GUID) and similar short tokens.
func isIDShaped(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// statusWriter remembers the status the core sent.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader && code >= 200 {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) statusOr200() int {
	if !w.wroteHeader {
		return http.StatusOK
	}
	return w.status
}

// Flush keeps streaming working for handlers that assert http.Flusher.
func (w *statusWriter) Flush() {
	if !w.wroteHeader {
		w.status, w.wroteHeader = http.StatusOK, true
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
