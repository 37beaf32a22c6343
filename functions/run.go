package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/entra-tools/reprocess/shared/api"
	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/credential"
	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/sandbox"
	"github.com/entra-tools/reprocess/shared/secrets"
)

// run starts the runtime the environment names and serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("handler", flag.ContinueOnError)
	fs.SetOutput(stderr)
	useSandbox := fs.Bool("sandbox", false, "serve against an embedded emulated tenant (no Azure account needed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stdout, nil))

	hc := &http.Client{Transport: newTransport()}
	var tenant *sandbox.Tenant
	if *useSandbox {
		if name := realSetting(getenv); name != "" {
			logger.Info("--sandbox ignored: real settings are present", "setting", name)
		} else {
			t, err := sandbox.Start(ctx, sandbox.Options{})
			if err != nil {
				return fmt.Errorf("start sandbox: %w", err)
			}
			defer t.Close()
			tenant, hc = t, t.HTTPClient()
			getenv = overlay(t.Env(), getenv)
		}
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	core := newCore(cfg, hc, logger)
	if tenant != nil {
		printSandboxGuide(stderr, tenant, cfg.Addr)
	}

	switch cfg.Runtime {
	case config.Local:
		return serveLocal(ctx, cfg.Addr, core, logger)
	}
	return fmt.Errorf("runtime %s is not available in this build", cfg.Runtime)
}

// newCore wires the handler. Nothing here makes a request: credentials,
// clients and secrets come to life on the first call that needs them.
func newCore(cfg config.Config, hc *http.Client, logger *slog.Logger) http.Handler {
	platform := credential.Platform(cfg.Identity, cfg.Cloud, hc, nil)
	var store *secrets.Store
	if cfg.NeedsKeyVault() {
		store = secrets.New(cfg.KeyVaultURL, platform, hc, secrets.DefaultTTL)
	}
	g := graph.New(graph.Options{
		BaseURL: cfg.Cloud.GraphBaseURL, Scope: cfg.Cloud.GraphScope(), Host: cfg.Cloud.GraphHost(),
		Credential: credential.Graph(cfg, platform, store, hc), Transport: hc.Transport,
	})
	return api.New(api.Deps{Graph: g, Logger: logger, RequestTimeout: cfg.RequestTimeout})
}

// newTransport is the one transport for Entra, Key Vault and Graph, so
// connections are reused across them. Proxy settings come from the
// standard HTTPS_PROXY and NO_PROXY variables.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	t.TLSHandshakeTimeout = 10 * time.Second
	return t
}

// serveLocal is the local server: loopback only.
func serveLocal(ctx context.Context, addr string, h http.Handler, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	logger.Info("listening", "addr", ln.Addr().String(), "runtime", string(config.Local))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
