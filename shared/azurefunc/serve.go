package azurefunc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Server limits. The host talks to us over loopback with pooled
// connections; the core bounds each request with its own deadline, so there
// is no WriteTimeout that could cut a slow Graph call short.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = time.Minute
	idleTimeout       = 2 * time.Minute
	// shutdownTimeout is SPEC's bound on a graceful stop. Requests still
	// running cancelBeforeEnd before it ends are cancelled (they answer
	// 503, a queue message fails and is redelivered), so that each still
	// gets its answer and the process exits 0 instead of cutting them off.
	shutdownTimeout = 10 * time.Second
	cancelBeforeEnd = time.Second
)

// Listen binds 127.0.0.1:port, and only that: the host always connects to
// 127.0.0.1, and any wider address would let callers reach the handler
// without passing the host's function-key check. port is
// FUNCTIONS_CUSTOMHANDLER_PORT; "0" picks a free port (for tests).
func Listen(port string) (net.Listener, error) {
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return nil, fmt.Errorf("azurefunc: port %q is not a TCP port number", port)
	}
	ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return nil, fmt.Errorf("azurefunc: %w", err)
	}
	return ln, nil
}

// Serve binds 127.0.0.1:port at once (the host polls GET / every 25 ms and
// gives up after 30 s) and serves h until ctx ends, then shuts down
// gracefully. Call it before any slow initialisation.
func Serve(ctx context.Context, port string, h http.Handler, logger *slog.Logger, detached ...*sync.WaitGroup) error {
	ln, err := Listen(port)
	if err != nil {
		return err
	}
	return ServeListener(ctx, ln, h, logger, detached...)
}

// ServeListener serves h on ln until ctx ends, then stops accepting and lets
// in-flight requests, and the work counted in detached that outlives its
// request (a Logic Apps callback), finish within shutdownTimeout. It returns
// nil after a clean shutdown.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger, detached ...*sync.WaitGroup) error {
	return serveListener(ctx, ln, h, logger, shutdownTimeout, detached...)
}

func serveListener(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger, grace time.Duration, detached ...*sync.WaitGroup) error {
	// Requests keep ctx's values but not its cancellation, so shutting down
	// lets them finish instead of cancelling them; base is cancelled only
	// when the grace period is nearly spent.
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.LogAttrs(ctx, slog.LevelInfo, "custom handler listening", slog.String("addr", ln.Addr().String()))

	select {
	case err := <-served:
		return fmt.Errorf("azurefunc: serving: %w", err)
	case <-ctx.Done():
	}
	logger.LogAttrs(ctx, slog.LevelInfo, "custom handler shutting down", slog.Int64("graceMs", grace.Milliseconds()))
	late := time.AfterFunc(max(grace-cancelBeforeEnd, grace/2), cancelBase)
	defer late.Stop()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	if err != nil {
		_ = srv.Close()
		return fmt.Errorf("azurefunc: shutting down: %w", err)
	}
	for _, wg := range detached {
		if waitGroup(shutdownCtx, wg) != nil {
			// Their callers were answered; what is cut is a callback, whose
			// action then times out in Logic Apps.
			logger.LogAttrs(shutdownCtx, slog.LevelError, "callbacks still running at the end of the grace period are cut off")
			break
		}
	}
	logger.LogAttrs(shutdownCtx, slog.LevelInfo, "custom handler stopped")
	return nil
}

// waitGroup waits for wg until ctx ends.
func waitGroup(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
