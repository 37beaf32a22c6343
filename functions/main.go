// Command functions is the one binary of the project: an Azure Functions
// custom handler, an AWS Lambda function (provided.al2023) and a local
// server, chosen at start from the environment. It asks Microsoft Graph to
// reprocess Entra access package assignments.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace/noop"
)

// gcPercent is the default GOGC. The live heap is a few MiB, so the
// collector ran often under load; at 150 it runs a third less often, for
// CPU that the 64-way load shows and no peak RSS it shows. GOGC in the
// environment still wins.
const gcPercent = 150

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	// The Graph SDK's HTTP layer starts its own spans (one per middleware
	// and one per request) from OpenTelemetry's global provider, which we
	// never give an SDK: our spans go to the provider telemetry is built
	// with. Left as it is, the global provider takes a mutex and a map
	// lookup per Tracer call and allocates each span it will never record;
	// the no-op provider does none of that. Nothing is recorded either way.
	otel.SetTracerProvider(noop.NewTracerProvider())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "handler:", err)
		os.Exit(exitStatus(err))
	}
}
