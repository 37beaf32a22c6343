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
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "handler:", err)
		os.Exit(1)
	}
}
