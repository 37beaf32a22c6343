package azurefunc

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
)

func TestListenBindsLoopbackOnly(t *testing.T) {
	ln, err := Listen("0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().(*net.TCPAddr)
	if !addr.IP.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Fatalf("Listen bound %v, want 127.0.0.1", addr)
	}
	// Bound to all interfaces the port would answer on every loopback
	// address too; bound to 127.0.0.1 it must not.
	for _, other := range []string{"127.0.0.2", "::1"} {
		if !reachable(t, other) {
			t.Logf("%s is not usable here; skipping that probe", other)
			continue
		}
		if conn, err := net.Dial("tcp", net.JoinHostPort(other, addrPort(addr))); err == nil {
			conn.Close()
			t.Errorf("port %d answers on %s; want 127.0.0.1 only", addr.Port, other)
		}
	}
}

// reachable reports whether a listener on ip can be dialled, so a refused
// probe above means something.
func reachable(tb testing.TB, ip string) bool {
	tb.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		return false
	}
	defer ln.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

func addrPort(a *net.TCPAddr) string { return strings.TrimPrefix(a.String(), a.IP.String()+":") }

func TestListenRejectsBadPorts(t *testing.T) {
	for _, port := range []string{"", "http", "65536", "-1", " 7071", "7071 ", "0x1f", "127.0.0.1:7071"} {
		if ln, err := Listen(port); err == nil {
			ln.Close()
			t.Errorf("Listen(%q) succeeded, want an error", port)
		}
	}
}

// serveInBackground runs ServeListener; cancel ends it and done yields its error.
func serveInBackground(tb testing.TB, ln net.Listener, h http.Handler) (cancel func(), done <-chan error) {
	tb.Helper()
	logger, _ := newTestLogger(tb)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- ServeListener(ctx, ln, h, logger) }()
	return cancel, errc
}

func TestServeListenerAnswersAtOnceAndStops(t *testing.T) {
	ln, err := Listen("0")
	if err != nil {
		t.Fatal(err)
	}
	core := &testkit.RecordingHandler{Reply: testkit.Answer(http.StatusOK, nil, "ready")}
	logger, _ := newTestLogger(t)
	cancel, done := serveInBackground(t, ln, NewHandler(core, nil, logger, time.Minute))
	url := "http://" + ln.Addr().String() + "/"

	// The socket is bound before Serve starts, so the host's very first ping succeeds.
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("first GET / failed: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ready" {
		t.Errorf("GET / = %d %q", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ServeListener after cancel = %v, want nil", err)
	}
	http.DefaultClient.CloseIdleConnections()
	if conn, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		conn.Close()
		t.Errorf("the port still accepts connections after shutdown")
	}
}

// Shutdown lets an in-flight request finish, with its context intact.
func TestServeListenerShutsDownGracefully(t *testing.T) {
	ln, err := Listen("0")
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	var ctxErr error
	core := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		ctxErr = r.Context().Err()
		_, _ = io.WriteString(w, "finished")
	})
	logger, _ := newTestLogger(t)
	cancel, done := serveInBackground(t, ln, NewHandler(core, nil, logger, time.Minute))

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/api/assignments/" + testID)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{string(b), err}
	}()
	<-entered
	cancel()
	// Shutdown closes the listener first; once new connections are refused
	// it is under way, with our request still in flight.
	refused := false
	for range 1000 {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			refused = true
			break
		}
		conn.Close()
		time.Sleep(5 * time.Millisecond)
	}
	if !refused {
		t.Fatal("the listener still accepts connections after cancel")
	}
	select {
	case err := <-done:
		t.Fatalf("ServeListener returned %v with a request in flight", err)
	default:
	}
	close(release)
	if r := <-got; r.err != nil || r.body != "finished" {
		t.Errorf("in-flight request got %q, %v; want it to finish", r.body, r.err)
	}
	if ctxErr != nil {
		t.Errorf("in-flight request context = %v, want it not cancelled by shutdown", ctxErr)
	}
	if err := <-done; err != nil {
		t.Errorf("ServeListener = %v, want nil", err)
	}
}

// Serve binds the port it is given, the way the host starts us.
func TestServeBindsThePort(t *testing.T) {
	probe, err := Listen("0")
	if err != nil {
		t.Fatal(err)
	}
	port := addrPort(probe.Addr().(*net.TCPAddr))
	probe.Close()

	core := &testkit.RecordingHandler{Reply: testkit.Answer(http.StatusOK, nil, "ready")}
	logger, _ := newTestLogger(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, port, NewHandler(core, nil, logger, time.Minute), logger) }()

	// Poll GET / every 25 ms like the host, up to its 30 s limit.
	var resp *http.Response
	for range 1200 {
		if resp, err = http.Get("http://127.0.0.1:" + port + "/"); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("Serve returned early: %v", err)
		case <-time.After(25 * time.Millisecond):
		}
	}
	if err != nil {
		t.Fatalf("GET / never succeeded: %v", err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve after cancel = %v, want nil", err)
	}
}

func TestServeReportsABusyPort(t *testing.T) {
	ln, err := Listen("0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	logger, _ := newTestLogger(t)
	err = Serve(context.Background(), addrPort(ln.Addr().(*net.TCPAddr)), http.NotFoundHandler(), logger)
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("Serve on a busy port = %v, want an address-in-use error", err)
	}
}

// A request still running when the grace period is nearly spent is
// cancelled, answers, and the server still stops cleanly.
func TestServeListenerCancelsWhatOutlivesTheGracePeriod(t *testing.T) {
	ln, err := Listen("0")
	if err != nil {
		t.Fatal(err)
	}
	entered := make(chan struct{})
	core := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-r.Context().Done()
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	logger, _ := newTestLogger(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveListener(ctx, ln, NewHandler(core, nil, logger, time.Minute), logger, 1500*time.Millisecond)
	}()

	got := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/api/assignments/" + testID)
		if err != nil {
			got <- 0
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	<-entered
	cancel()
	if status := <-got; status != http.StatusServiceUnavailable {
		t.Errorf("the request outliving the grace period got %d, want its own 503", status)
	}
	if err := <-done; err != nil {
		t.Errorf("serveListener = %v, want nil", err)
	}
}

// Shutdown waits for detached work (a Logic Apps callback) within the grace
// period, and cuts it off, still cleanly, when it outlives it.
func TestServeListenerWaitsForDetachedWork(t *testing.T) {
	for _, finishes := range []bool{true, false} {
		ln, err := Listen("0")
		if err != nil {
			t.Fatal(err)
		}
		logger, logs := newTestLogger(t)
		var detached sync.WaitGroup
		detached.Add(1)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- serveListener(ctx, ln, http.NotFoundHandler(), logger, 300*time.Millisecond, &detached)
		}()
		cancel()
		select {
		case err := <-done:
			t.Fatalf("serveListener returned %v with detached work running", err)
		case <-time.After(100 * time.Millisecond):
		}
		if finishes {
			detached.Done()
		}
		if err := <-done; err != nil {
			t.Errorf("serveListener = %v, want nil", err)
		}
		if cut := strings.Contains(logs.String(), "cut off"); cut == finishes {
			t.Errorf("finishes=%v: logged a cut-off = %v", finishes, cut)
		}
	}
}
