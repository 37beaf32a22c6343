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
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/entra-tools/reprocess/shared/api"
	"github.com/entra-tools/reprocess/shared/azurefunc"
	"github.com/entra-tools/reprocess/shared/callback"
	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/credential"
	"github.com/entra-tools/reprocess/shared/jobs"
	"github.com/entra-tools/reprocess/shared/msgraph"
	"github.com/entra-tools/reprocess/shared/reprocess"
	"github.com/entra-tools/reprocess/shared/secrets"
	"github.com/entra-tools/reprocess/shared/telemetry/otlp"
	"github.com/entra-tools/reprocess/shared/webhook"
)

// run starts the runtime the environment names and serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "job" { // the terminal command (jobcmd.go)
		return runJob(ctx, args[1:], getenv, stdout, stderr)
	}
	fs := flag.NewFlagSet("handler", flag.ContinueOnError)
	fs.SetOutput(stderr)
	useSandbox := fs.Bool("sandbox", false, "serve against an embedded emulated tenant (no Azure account needed)")
	sandboxAuth := fs.Bool("sandbox-auth", false, "with --sandbox: require Entra bearer tokens on /api routes (the guide prints one)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stdout, nil))

	hc := &http.Client{Transport: newTransport()}
	var dev *devTenant
	if *useSandbox {
		d, err := startSandbox(ctx, getenv, *sandboxAuth)
		if err != nil {
			return err
		}
		defer d.stop()
		dev, hc, getenv = d, d.client, d.getenv
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	if err := fitsBuild(cfg); err != nil {
		return err
	}
	// The port is bound before the core is built: the host's readiness poll
	// (GET / every 25 ms) then connects at once and is answered as soon as
	// the server starts, where a refused connection waits for the next poll.
	var ln net.Listener
	if cfg.Runtime == config.AzureFunctions || cfg.Runtime == config.Local {
		if ln, err = azurefunc.Listen(cfg.Port); err != nil {
			return err
		}
		defer ln.Close() // for the returns before serving; closing again after a shutdown does nothing
	}
	tracing := otlp.Start(cfg.Telemetry, newTransport(), logger)
	defer flushTraces(tracing, logger, 500*time.Millisecond) // after the 10 s shutdown window: keep the whole stop near SPEC's bound
	detached := &sync.WaitGroup{}                            // Logic Apps callbacks, which shutdown waits for
	ed, err := newTracedCore(cfg, hc, logger, tracing.Provider(), detached)
	if err != nil {
		return fmt.Errorf("configuration:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	ed.logger, ed.tracing, ed.jobsConfig = logger, tracing, cfg.Jobs
	httpAPI, core := ed.httpAPI, ed.core
	if dev != nil {
		dev.guide(stderr, cfg.Addr, cfg.Auth != nil)
	}

	switch cfg.Runtime {
	case config.Lambda:
		return startLambda(ctx, ed)
	case config.AzureFunctions:
		return azurefunc.ServeListener(ctx, ln, azurefunc.NewHandler(httpAPI, core, logger, cfg.RequestTimeout, append(azureJobOptions(cfg, ed), azurefunc.WithTracer(tracing.Provider()))...), logger, detached)
	case config.Local:
		// The same loopback server, without the host's invocation protocol.
		logger.Info("local server", "url", "http://"+cfg.Addr)
		defer runJobs(ctx, ed.runJobs, logger)() // the in-process jobs queue, stopped with the server
		return azurefunc.ServeListener(ctx, ln, httpAPI, logger, detached)
	}
	return fmt.Errorf("unknown runtime %q", cfg.Runtime)
}

// edges is what the platform edges are given: the HTTP API and the cores
// they call directly (queue messages, SQS records, invokes, schedules).
type edges struct {
	httpAPI http.Handler
	core    *reprocess.Service
	jobs    *jobs.Engine // nil: this process has no job backend
	logger  *slog.Logger
	tracing *otlp.Tracing
	// runJobs consumes the in-process jobs queue (local runtime without
	// storage); nil where the platform delivers job messages.
	runJobs func(context.Context)
	purge   azurefunc.Purger // expired jobs' records, where the table has no TTL; nil elsewhere

	jobsConfig config.Jobs // the jobs queue (on Lambda, its records are job messages) and the sweep
}

// newCore wires the domain core and the HTTP API over it. Nothing here
// makes a request: credentials, clients, secrets and signing keys come to
// life on the first call that needs them.
func newCore(cfg config.Config, hc *http.Client, logger *slog.Logger) (*reprocess.Service, http.Handler, error) {
	ed, err := newTracedCore(cfg, hc, logger, nil, nil)
	return ed.core, ed.httpAPI, err
}

// newTracedCore is newCore with each HTTP request a server span of tp, and
// the Logic Apps callbacks counted in detached (may be nil); it answers
// the edges (without their logger and tracing) with the jobs engine.
func newTracedCore(cfg config.Config, hc *http.Client, logger *slog.Logger, tp trace.TracerProvider, detached *sync.WaitGroup) (edges, error) {
	awsCreds := newAWSChain(cfg, hc)
	platform := credential.Platform(cfg.Identity, cfg.Cloud, hc, awsAssertion(cfg.Identity, awsCreds, hc))
	var store *secrets.Store
	if cfg.NeedsKeyVault() {
		store = secrets.New(cfg.KeyVaultURL, platform, hc, secrets.DefaultTTL)
	}
	throttle := &reprocess.Throttle{}
	graph := msgraph.New(msgraph.Options{
		BaseURL: cfg.Cloud.GraphBaseURL, Scope: cfg.Cloud.GraphScope(), Host: cfg.Cloud.GraphHost(),
		Credential: credential.Graph(cfg, platform, store, hc), Transport: hc.Transport,
		OnThrottle: throttle.Hold,
	})
	core := reprocess.New(graph, throttle)
	// One backend per process: its store holds the jobs and, on the
	// platforms, what every instance shares (replay records, the purge).
	q, s, ok, err := jobBackend(cfg, platform, awsCreds, hc)
	if err != nil {
		return edges{}, err
	}
	engine, runJobs := newJobs(cfg.Runtime, q, s, ok, graph, throttle, logger)
	d := api.Deps{Core: core, Logger: logger, RequestTimeout: cfg.RequestTimeout,
		Callbacks: callback.NewSender(hc.Transport, cfg.CallbackAllowedHosts),
		OpenAPI:   api.OpenAPIOptions{TenantID: cfg.TenantID, AuthorityHost: cfg.Cloud.AuthorityHost},
		Tracer:    tp,
		Detached:  detached,
	}
	if engine != nil { // a nil *jobs.Engine in the interface would not read as nil
		d.Jobs = engine
	}
	if cfg.Auth != nil {
		d.OpenAPI.Audience = cfg.Auth.Audience
	}
	if err := wireSecurity(&d, cfg, store, hc); err != nil {
		return edges{}, err
	}
	if shared, ok := s.(webhook.SharedReplays); ok { // Table Storage, DynamoDB: a replay to another instance is caught too
		d.Replays = shared
	}
	purge, _ := s.(azurefunc.Purger) // Table Storage, which has no TTL
	return edges{httpAPI: api.New(d), core: core, jobs: engine, runJobs: runJobs, purge: purge}, nil
}

// flushTraces sends the spans not yet exported, for at most d: the last
// step of a shutdown.
func flushTraces(t *otlp.Tracing, logger *slog.Logger, d time.Duration) {
	if t == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := t.Shutdown(ctx); err != nil {
		logger.Warn("telemetry flush failed", "error", err.Error())
	}
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
