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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "handler:", err)
		os.Exit(exitStatus(err))
	}
}
