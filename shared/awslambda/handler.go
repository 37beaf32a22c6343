package awslambda

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

// DefaultDeadlineMargin is Options.DeadlineMargin's default.
const DefaultDeadlineMargin = 500 * time.Millisecond

// Options tune the Handler. The zero value is ready to use.
type Options struct {
	// DeadlineMargin is how long before the invocation deadline the core's
	// request context ends, leaving time to answer. Zero means
	// DefaultDeadlineMargin.
	DeadlineMargin time.Duration
	// Tracer makes each SQS batch and direct invocation a span (HTTP events
	// get theirs from the HTTP API); nil records none.
	Tracer trace.TracerProvider
	// FlushTraces, when set, runs at the end of each invocation, before its
	// answer: Lambda freezes the process between invocations, so spans
	// left for a background export might never leave.
	FlushTraces func(context.Context) error
	// Jobs routes the jobs queue's records and EventBridge scheduled
	// events to the jobs engine; the zero value has none.
	Jobs Jobs
}

// Core is what SQS records and direct invokes need of the domain core
// (reprocess.Service).
type Core interface {
	ReprocessMessages(ctx context.Context, reqs []reprocess.Request) [][]reprocess.ItemResult
}

// Handler serves Lambda invocations: HTTP events through the HTTP API (an
// http.Handler), SQS records and direct invokes through the core. It
// implements lambda.Handler and is safe for concurrent use.
type Handler struct {
	core     http.Handler // the HTTP API
	messages Core
	logger   *slog.Logger
	margin   time.Duration
	tracer   trace.TracerProvider
	flush    func(context.Context) error
	jobs     Jobs
	idle     chan *coreCall // taken by a worker waiting for work (serve)
}

var _ lambda.Handler = (*Handler)(nil)

// NewHandler returns a Handler that passes HTTP events to api and the rest
// to core. A nil logger discards the edge's own log lines.
func NewHandler(api http.Handler, core Core, logger *slog.Logger, opts Options) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{core: api, messages: core, logger: logger, margin: opts.DeadlineMargin, tracer: opts.Tracer, flush: opts.FlushTraces, jobs: opts.Jobs,
		idle: make(chan *coreCall)}
	if h.margin <= 0 {
		h.margin = DefaultDeadlineMargin
	}
	return h
}

// Invoke handles one invocation. It returns an error only for an SQS batch
// it cannot decode, so that Lambda retries the whole batch; every other
// event gets an answer in its own shape.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-h.margin))
		defer cancel()
	}
	id := awsRequestID(ctx)
	if h.flush != nil {
		defer h.flushTraces(ctx)
	}
	var ev httpEvent
	lent := entPool.Get().(*[]headerEntry)
	ev.ents = *lent
	defer func() { returnEntries(lent, ev.ents) }()
	if decodeHTTPEvent(payload, &ev) {
		if out, ok := h.serveDecoded(ctx, id, &ev); ok {
			return out, nil
		}
	}
	switch src := classify(payload); src {
	case sourceREST:
		return h.serveREST(ctx, id, payload), nil
	case sourceHTTPAPI, sourceFunctionURL:
		return h.serveV2(ctx, id, src, payload), nil
	case sourceALB:
		return h.serveALB(ctx, id, payload), nil
	case sourceSQS:
		return h.serveSQS(ctx, id, payload)
	case sourceInvoke:
		return h.serveInvoke(ctx, id, payload), nil
	case sourceSchedule:
		return h.serveSchedule(ctx, id)
	default:
		h.logger.WarnContext(ctx, "unrecognised invocation payload", "aws_request_id", id, "bytes", len(payload))
		return unknownPayloadResult(), nil
	}
}

// serveHTTP runs the core for an HTTP event and returns its response, or the
// edge's own error response when the event cannot become a request.
func (h *Handler) serveHTTP(ctx context.Context, id string, src source, e *httpRequest) response {
	ctx = invocation.NewContext(ctx, invocation.Info{ID: id, Trigger: invocation.HTTP, XRay: xrayRoot(ctx)})
	r, err := e.build(ctx)
	if err != nil {
		h.logger.WarnContext(ctx, "cannot convert HTTP event", "aws_request_id", id, "source", src.String(), "error", err)
		return errorResponse(http.StatusBadRequest, codeBadRequest, "The request could not be read.")
	}
	return h.serve(r).response
}

// badEvent is the answer to an HTTP event that does not decode.
func (h *Handler) badEvent(ctx context.Context, id string, src source, err error) response {
	h.logger.WarnContext(ctx, "cannot decode HTTP event", "aws_request_id", id, "source", src.String(), "error", err)
	return errorResponse(http.StatusBadRequest, codeBadRequest, "The request could not be read.")
}

// flushTraces sends the invocation's spans, for at most flushTimeout, even
// when ctx has ended.
func (h *Handler) flushTraces(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flushTimeout)
	defer cancel()
	if err := h.flush(ctx); err != nil {
		h.logger.WarnContext(ctx, "telemetry flush failed", "error", err.Error())
	}
}

const flushTimeout = 2 * time.Second

// xrayRoot is the Root of the invocation's X-Ray trace header, which
// aws-lambda-go puts in the context (Lambda-Runtime-Trace-Id:
// "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0"),
// or "" when there is none or it is not of that shape.
func xrayRoot(ctx context.Context) string {
	header, _ := ctx.Value("x-amzn-trace-id").(string)
	for more := true; more; {
		var part string
		part, header, more = strings.Cut(header, ";")
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Root="); ok && len(v) == 35 && strings.Count(v, "-") == 2 {
			return v
		}
	}
	return ""
}

// awsRequestID is the invocation's request id, which aws-lambda-go puts in
// the context.
func awsRequestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}
