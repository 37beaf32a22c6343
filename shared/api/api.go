package api

import (
	"iter"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/callback"
	"github.com/entra-tools/reprocess/shared/reprocess"
	"github.com/entra-tools/reprocess/shared/webhook"
)

// Deps are the handler's dependencies.
type Deps struct {
	Core           *reprocess.Service
	Logger         *slog.Logger
	RequestTimeout time.Duration
	Auth           Authenticator              // nil: no bearer token is required
	Secrets        SecretReader               // the webhooks' signing secrets
	Webhooks       map[webhook.Source]Webhook // configured sources only
	Replays        webhook.SharedReplays      // deliveries seen by any instance (the jobs table); nil: per instance
	Callbacks      *callback.Sender           // Logic Apps webhook callbacks; nil refuses callbackUrl
	Detached       *sync.WaitGroup            // counts callbacks still running after their call was answered, for shutdown to wait for; may be nil
	OpenAPI        OpenAPIOptions
	Tracer         trace.TracerProvider // each request's server span; nil records none
	Jobs           Jobs                 // the jobs engine; nil: the job routes answer 503
}

// Body limits: a single-assignment call is tiny; a 1,000-id batch fits in 64 KiB.
const (
	smallBody = 16 << 10
	batchBody = 64 << 10
)

// Route is one operation of the HTTP API.
type Route struct {
	Method, Path string // Path as a ServeMux pattern, e.g. /api/assignments/{id}
	OperationID  string
	Summary      string
	// Public routes take no bearer token even when AUTH_AUDIENCE is set, and
	// no key (security: [] in the OpenAPI document, authLevel anonymous in
	// their function.json): readiness, which the platform polls; the
	// webhooks, whose signature is the proof; and the OpenAPI document,
	// which connector wizards fetch without one.
	Public  bool
	handler http.Handler
}

// New returns the handler that serves every route on every runtime.
func New(d Deps) http.Handler {
	// One pattern per path, whose handler picks the route by method: half
	// the patterns of one per route plus one per path for the 405, and
	// each registration costs ServeMux a runtime.Caller and a conflict check
	// at start-up.
	table := routes(d)
	mux := http.NewServeMux()
	for path, rts := range byPath(table) {
		mux.Handle(path, byMethod(path, rts))
	}
	mux.Handle("/", named("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, &reprocess.Problem{Status: http.StatusNotFound, Code: "NotFound", Message: "No such route."})
	})))
	return serve(authenticate(d.Auth, mux, table), d.Logger, d.RequestTimeout, d.Tracer)
}

// Routes lists the operations: the one statement of what is served and
// what is public, for the bearer check, the OpenAPI document and tests.
func Routes() []Route { return routes(Deps{}) }

func routes(d Deps) []Route {
	return []Route{
		{Method: http.MethodGet, Path: "/{$}", OperationID: "Ready", Summary: "Readiness", Public: true, handler: ready()},
		{Method: http.MethodPost, Path: "/api/assignments/{id}/reprocess", OperationID: "ReprocessAssignment",
			Summary: "Reprocess an access package assignment", handler: limitBody(smallBody, reprocessByPath(d))},
		{Method: http.MethodGet, Path: "/api/assignments/{id}", OperationID: "GetAssignmentStatus",
			Summary: "Get an assignment's state", handler: assignmentStatus(d)},
		{Method: http.MethodPost, Path: "/api/reprocess", OperationID: "SubmitReprocess",
			Summary: "Reprocess the assignments named in the body", handler: limitBody(batchBody, reprocessByBody(d))},
		{Method: http.MethodPost, Path: "/api/jobs", OperationID: "StartJob",
			Summary: "Reprocess a whole access package or catalog", handler: limitBody(smallBody, startJob(d))},
		{Method: http.MethodGet, Path: "/api/jobs/{jobId}", OperationID: "GetJobStatus",
			Summary: "Get a job's progress and result", handler: jobStatus(d)},
		{Method: http.MethodGet, Path: "/api/swagger.json", OperationID: "GetOpenApiDocument",
			Summary: "Get this API's OpenAPI 2.0 document", Public: true, handler: openAPIDocument(d)},
		{Method: http.MethodPost, Path: "/api/webhooks/{source}", OperationID: "ReceiveWebhook",
			Summary: "Reprocess the assignment named in a signed webhook", Public: true, handler: limitBody(webhookBody, receiveWebhook(d))},
	}
}

// byPath groups the routes by path, in the table's order.
func byPath(routes []Route) iter.Seq2[string, []Route] {
	return func(yield func(string, []Route) bool) {
		var paths []string
		group := map[string][]Route{}
		for _, rt := range routes {
			if group[rt.Path] == nil {
				paths = append(paths, rt.Path)
			}
			group[rt.Path] = append(group[rt.Path], rt)
		}
		for _, p := range paths {
			if !yield(p, group[p]) {
				return
			}
		}
	}
}

// byMethod serves one path: the route of the request's method (a GET route
// also answers HEAD, as ServeMux's method patterns do), or a 405 naming the
// path's methods.
func byMethod(path string, rts []Route) http.Handler {
	handlers := make(map[string]http.Handler, len(rts))
	methods := make([]string, 0, len(rts))
	for _, rt := range rts {
		handlers[rt.Method] = named(path, rt.handler)
		methods = append(methods, rt.Method)
	}
	notAllowed := named(path, methodNotAllowed(methods))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, ok := handlers[r.Method]
		if !ok && r.Method == http.MethodHead {
			h, ok = handlers[http.MethodGet]
		}
		if !ok {
			h = notAllowed
		}
		h.ServeHTTP(w, r)
	})
}

func named(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		recordOf(r).route = route
		h.ServeHTTP(w, r)
	})
}

func ready() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

func methodNotAllowed(methods []string) http.Handler {
	allow := strings.Join(methods, ", ")
	if strings.Contains(allow, http.MethodGet) {
		allow += ", " + http.MethodHead
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		writeError(w, r, &reprocess.Problem{Status: http.StatusMethodNotAllowed, Code: "MethodNotAllowed",
			Message: "Use " + allow + " on this route."})
	})
}

// limitBody refuses bodies over n bytes with a 413 before the handler reads them.
func limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			writeError(w, r, tooLarge(n))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}

func tooLarge(n int64) *reprocess.Problem {
	return &reprocess.Problem{Status: http.StatusRequestEntityTooLarge, Code: "RequestBodyTooLarge",
		Message: "The request body is larger than " + strconv.FormatInt(n>>10, 10) + " KiB."}
}
