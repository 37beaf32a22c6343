// Package runtimeapitest is a fake AWS Lambda Runtime API for tests: it
// hands invocations to a runtime loop (aws-lambda-go's, in this process or
// in a bootstrap binary) and collects what the loop posts back.
//
// It implements the calls aws-lambda-go makes, as documented in
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html: GET
// …/invocation/next, POST …/invocation/{id}/response and …/{id}/error, and the
// extension registration behind lambda.WithEnableSIGTERM.
package runtimeapitest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Invocation is one event to hand to the runtime.
type Invocation struct {
	RequestID string
	Deadline  time.Time
	Payload   []byte
}

// Result is what the runtime posted for an invocation.
type Result struct {
	RequestID   string
	Kind        string // "response" or "error"
	ContentType string
	Body        []byte
}

// Server is a fake Runtime API. Its address is what AWS_LAMBDA_RUNTIME_API
// must hold.
type Server struct {
	srv        *httptest.Server
	pending    chan Invocation
	posted     chan Result
	registered chan string
	stopOnce   sync.Once
	stopped    chan struct{}
}

// FunctionARN is the ARN the fake gives every invocation.
const FunctionARN = "arn:aws:lambda:eu-west-1:123456789012:function:reprocess"

// NewServer starts a fake Runtime API on loopback.
func NewServer() *Server {
	s := &Server{
		pending:    make(chan Invocation),
		posted:     make(chan Result, 1),
		registered: make(chan string, 1),
		stopped:    make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", s.next)
	for _, kind := range []string{"response", "error"} {
		mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/"+kind, func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			w.WriteHeader(http.StatusAccepted)
			s.posted <- Result{RequestID: r.PathValue("id"), Kind: kind, ContentType: r.Header.Get("Content-Type"), Body: body}
		})
	}
	mux.HandleFunc("POST /2020-01-01/extension/register", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Lambda-Extension-Identifier", "extension-1")
		select {
		case s.registered <- r.Header.Get("Lambda-Extension-Name"):
		default:
		}
	})
	mux.HandleFunc("GET /2020-01-01/extension/event/next", func(w http.ResponseWriter, r *http.Request) {
		<-s.stopped // an extension registered for no events gets none
	})
	s.srv = httptest.NewServer(mux)
	return s
}

// Addr is the host:port for AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return strings.TrimPrefix(s.srv.URL, "http://") }

func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	select {
	case inv := <-s.pending:
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.RequestID)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.Deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", FunctionARN)
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-6749a1b2-0123456789abcdef01234567;Sampled=0")
		w.Write(inv.Payload)
	case <-s.stopped:
		// What Lambda answers when the environment is shutting down; the
		// aws-lambda-go loop then exits its process.
		w.WriteHeader(http.StatusGone)
	}
}

// Invoke hands inv to the next GET …/next of the runtime and returns what
// the runtime posts back.
func (s *Server) Invoke(ctx context.Context, inv Invocation) (Result, error) {
	select {
	case s.pending <- inv:
	case <-ctx.Done():
		return Result{}, errors.New("runtimeapitest: the runtime did not ask for the next invocation: " + ctx.Err().Error())
	}
	select {
	case r := <-s.posted:
		if r.RequestID != inv.RequestID {
			return r, errors.New("runtimeapitest: result posted for " + r.RequestID + ", want " + inv.RequestID)
		}
		return r, nil
	case <-ctx.Done():
		return Result{}, errors.New("runtimeapitest: the runtime posted no result: " + ctx.Err().Error())
	}
}

// Registered waits for an extension registration and returns its name.
func (s *Server) Registered(ctx context.Context) (string, error) {
	select {
	case name := <-s.registered:
		return name, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Stop answers the runtime's waiting and future GET …/next with 410 Gone.
// The aws-lambda-go loop then exits its process: call Stop only for a
// runtime in another process (a bootstrap binary), never for a loop started
// in the test binary.
func (s *Server) Stop() { s.stopOnce.Do(func() { close(s.stopped) }) }

// Close stops the server; requests still waiting end with it.
func (s *Server) Close() {
	s.Stop()
	s.srv.Close()
}
