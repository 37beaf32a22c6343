package main

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// The binary, pointed at an OpenTelemetry receiver by the standard
// variables, continues the caller's trace: the first request's server span
// has the Key Vault read, the token requests and the Graph call below it,
// the second only its Graph call (the secret and token are cached), and
// every span reaches the receiver by the time the process has stopped.
func TestTracesOverOTLP(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	rcv := testkit.NewOTLPReceiver(t)
	p := startBinary(t, tenant, map[string]string{
		"FUNCTIONS_CUSTOMHANDLER_PORT": "", "PORT": freePort(t), // the local server
		"OTEL_EXPORTER_OTLP_ENDPOINT": rcv.URL, "OTEL_SERVICE_NAME": "reprocess-test",
	})
	const traceID, callerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	for i, id := range []string{tenant.Seeds.Delivered[0], tenant.Seeds.Delivered[1]} {
		h := http.Header{"Traceparent": {"00-" + traceID + "-" + callerSpan + "-01"}}
		resp := p.send(t, http.MethodPost, "/api/assignments/"+id+"/reprocess", h, "")
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
	batch := `{"assignmentIds":["` + tenant.Seeds.Delivered[2] + `","` + tenant.Seeds.Delivered[3] + `","not-a-guid"]}`
	h := http.Header{"Traceparent": {"00-" + traceID + "-" + callerSpan + "-01"}, "Content-Type": {"application/json"}}
	if resp := p.send(t, http.MethodPost, "/api/reprocess", h, batch); resp.StatusCode != http.StatusOK {
		t.Fatalf("batch: status %d", resp.StatusCode)
	}
	stopBinary(t, p) // the spans leave on shutdown, if not before

	spans, _, problems := rcv.Spans()
	if len(problems) > 0 {
		t.Fatalf("malformed exports: %q", problems)
	}
	exported, _ := json.Marshal(spans)
	checkNoSecrets(t, tenant, string(exported)) // spans, like log lines, never carry one
	var servers []testkit.Span
	children := map[string][]testkit.Span{} // by parent span id
	for _, s := range spans {
		if s.TraceID != traceID {
			t.Errorf("span %q has trace id %s, want the inbound %s", s.Name, s.TraceID, traceID)
		}
		if s.Service != "reprocess-test" {
			t.Errorf("span %q: service.name %q", s.Name, s.Service)
		}
		if s.Kind == 2 && s.Name != "POST /api/reprocess" {
			servers = append(servers, s)
		}
		children[s.ParentSpanID] = append(children[s.ParentSpanID], s)
	}
	if len(servers) != 2 {
		t.Fatalf("%d server spans, want 2; spans: %s", len(servers), names(spans))
	}
	for i, srv := range servers {
		if srv.ParentSpanID != callerSpan || srv.Name != "POST /api/assignments/{id}/reprocess" ||
			srv.Attr("http.response.status_code") != "202" || srv.Attr("entra.assignment_id") == "" {
			t.Errorf("server span %d: %+v", i, srv)
		}
		below := descendants(children, srv.SpanID)
		var graphCalls, vaultReads, tokens int
		for _, s := range below {
			switch {
			case strings.HasPrefix(s.Name, "Graph POST "):
				graphCalls++
				if s.Kind != 3 || s.Attr("http.response.status_code") != "202" || s.Attr("graph.request_id") == "" ||
					s.Attr("graph.client_request_id") == "" || s.Attr("http.request.resend_count") != "0" {
					t.Errorf("Graph span: %+v", s)
				}
				if s.ParentSpanID != srv.SpanID {
					t.Errorf("the Graph span is not a child of the server span")
				}
			case s.Name == "Key Vault GetSecret":
				vaultReads++
				if s.Attr("keyvault.secret.name") != sandbox.GraphSecretName || s.Status.Code == 2 {
					t.Errorf("Key Vault span: %+v", s)
				}
			case strings.HasPrefix(s.Name, "identity POST ") && strings.HasSuffix(s.Name, "/oauth2/v2.0/token"):
				tokens++
				if s.Kind != 3 || s.Attr("http.response.status_code") != "200" {
					t.Errorf("token span: %+v", s)
				}
			}
		}
		// The first request reads the Graph app's secret (with a token for
		// Key Vault) and gets a Graph token; the second is served from the
		// caches.
		wantVault, wantTokens := 1, 2
		if srv.Attr("entra.assignment_id") == tenant.Seeds.Delivered[1] {
			wantVault, wantTokens = 0, 0
		}
		if graphCalls != 1 || vaultReads != wantVault || tokens != wantTokens {
			t.Errorf("below the server span of %s: %d Graph, %d Key Vault, %d token spans, want 1, %d, %d; spans: %s",
				srv.Attr("entra.assignment_id"), graphCalls, vaultReads, tokens, wantVault, wantTokens, names(below))
		}
	}

	// The batch: its server span, the batch span with its counts, and the
	// JSON batching call to Graph below that.
	var batchSpan, batchCall *testkit.Span
	for _, srv := range spans {
		if srv.Name != "POST /api/reprocess" {
			continue
		}
		for _, s := range descendants(children, srv.SpanID) {
			switch s.Name {
			case "reprocess batch":
				batchSpan = &s
			case "Graph POST /v1.0/$batch":
				batchCall = &s
			}
		}
	}
	switch {
	case batchSpan == nil || batchCall == nil:
		t.Errorf("no batch span or $batch call below the batch request; spans: %s", names(spans))
	case batchSpan.Attr("reprocess.batch.items") != "3" || batchSpan.Attr("reprocess.batch.distinct") != "2" ||
		batchSpan.Attr("reprocess.batch.invalid") != "1" || batchSpan.Attr("reprocess.batch.accepted") != "2":
		t.Errorf("batch span counts: %+v", batchSpan.Attributes)
	case batchCall.ParentSpanID != batchSpan.SpanID || batchCall.Attr("http.response.status_code") != "200":
		t.Errorf("$batch call span: %+v", batchCall)
	}
}

// Without OTEL_EXPORTER_OTLP_ENDPOINT nothing is exported, not even to
// OTLP's default local port: OTEL_SERVICE_NAME alone turns nothing on.
func TestNoTracesWithoutEndpoint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:4318")
	if err != nil {
		t.Skipf("OTLP's default port is taken: %v", err)
	}
	defer ln.Close()
	connected := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
			connected <- struct{}{}
		}
	}()
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	p := startBinary(t, tenant, map[string]string{"OTEL_SERVICE_NAME": "reprocess-test"})
	h := http.Header{"Traceparent": {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}
	if resp := p.send(t, http.MethodPost, "/api/assignments/"+tenant.Seeds.Delivered[0]+"/reprocess", h, ""); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d", resp.StatusCode)
	}
	stopBinary(t, p)
	select {
	case <-connected:
		t.Errorf("the handler connected to localhost:4318 without an OTLP endpoint set")
	default:
	}
}

// stopBinary interrupts the process and waits for it to exit.
func stopBinary(tb testing.TB, p *process) {
	tb.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			tb.Errorf("the handler exited with %v", err)
		}
	case <-time.After(10 * time.Second):
		tb.Fatalf("the handler did not stop within 10s of SIGINT")
	}
}

func descendants(children map[string][]testkit.Span, id string) []testkit.Span {
	var out []testkit.Span
	for _, c := range children[id] {
		out = append(out, c)
		out = append(out, descendants(children, c.SpanID)...)
	}
	return out
}

func names(spans []testkit.Span) string {
	var n []string
	for _, s := range spans {
		n = append(n, s.Name+"("+s.SpanID+"<"+s.ParentSpanID+")")
	}
	return strings.Join(n, ", ")
}

// A Collector that is down costs the requests nothing: they are answered,
// the process stops cleanly, and the failed export is one JSON warning.
func TestTracesWithCollectorDown(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	p := startBinary(t, tenant, map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:" + freePort(t) + "/v1/traces"})
	h := http.Header{"Traceparent": {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}
	if resp := p.send(t, http.MethodPost, "/api/assignments/"+tenant.Seeds.Delivered[0]+"/reprocess", h, ""); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d", resp.StatusCode)
	}
	stopBinary(t, p)
	if !strings.Contains(p.logs.String(), `"msg":"telemetry export failed"`) {
		t.Errorf("the failed export is not logged")
	}
}
