package sandbox

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Service names a part of the sandbox in the request log.
type Service string

// The services, as recorded in Request.Service.
const (
	Entra           Service = "entra"
	ManagedIdentity Service = "managed-identity"
	KeyVault        Service = "keyvault"
	Graph           Service = "graph"
	Proxy           Service = "proxy"
	STS             Service = "aws-sts"        // regional AWS STS endpoints
	STSIssuer       Service = "aws-sts-issuer" // the AWS account's outbound federation issuer
	SQS             Service = "aws-sqs"        // regional Amazon SQS endpoints
)

// Request is one request a service received. A Graph $batch is logged once
// for the envelope and once per item (InBatch set on the items).
type Request struct {
	Service Service
	Method  string
	Host    string // without port
	Path    string // for Proxy: the CONNECT target, host:port
	Query   string // raw query with credential-like parameters removed
	Status  int
	Client  string // client id: of the bearer token, or the one asking for a token
	InBatch bool
	Time    time.Time
}

// requestLog is the concurrency-safe log behind Requests, Count and Reset.
type requestLog struct {
	mu   sync.Mutex
	list []Request
}

// maxLogged bounds the log of a long-running sandbox (`make run`); the
// oldest half is dropped when it is reached.
const maxLogged = 100_000

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	if len(l.list) >= maxLogged {
		l.list = append(l.list[:0:0], l.list[maxLogged/2:]...)
	}
	l.list = append(l.list, r)
	l.mu.Unlock()
}

func (l *requestLog) snapshot() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Request(nil), l.list...)
}

func (l *requestLog) reset() {
	l.mu.Lock()
	l.list = nil
	l.mu.Unlock()
}

// Requests returns a copy of the log, oldest first.
func (t *Tenant) Requests() []Request { return t.log.snapshot() }

// Count returns how many HTTP requests service received since start or the
// last Reset. Graph $batch items are not counted (the envelope is); use
// CountFunc to count them.
func (t *Tenant) Count(service Service) int {
	return t.CountFunc(func(r Request) bool { return r.Service == service && !r.InBatch })
}

// CountFunc returns how many logged requests satisfy keep.
func (t *Tenant) CountFunc(keep func(Request) bool) int {
	n := 0
	for _, r := range t.log.snapshot() {
		if keep(r) {
			n++
		}
	}
	return n
}

// Reset clears the request log.
func (t *Tenant) Reset() { t.log.reset() }

// secretParams are query parameters never written to the log.
var secretParams = []string{"code", "sig", "client_secret", "client_assertion", "access_token", "token",
	"X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-Credential"} // a presigned AWS query

func safeQuery(q string) string {
	if q == "" {
		return ""
	}
	v, err := url.ParseQuery(q)
	if err != nil {
		return ""
	}
	for k := range v {
		for _, s := range secretParams {
			if strings.EqualFold(k, s) {
				v.Set(k, "REDACTED")
			}
		}
	}
	return v.Encode()
}

// statusWriter remembers the status a handler wrote, for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
	client string // set by handlers that authenticate a caller
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// setClient records the authenticated client on the log entry of this request.
func setClient(w http.ResponseWriter, client string) {
	for {
		switch x := w.(type) {
		case *statusWriter:
			x.client = client
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return
		}
	}
}

// logged wraps h so that each request is added to the log with its status.
func (t *Tenant) logged(service Service, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		start := time.Now()
		h.ServeHTTP(sw, r)
		entry := Request{
			Service: service, Method: r.Method, Host: hostOnly(r.Host), Path: r.URL.Path,
			Query: safeQuery(r.URL.RawQuery), Status: sw.status, Client: sw.client, Time: start,
		}
		t.log.add(entry)
		t.logger.Debug("sandbox request", "service", string(service), "method", r.Method,
			"host", entry.Host, "path", entry.Path, "status", entry.Status)
	})
}
