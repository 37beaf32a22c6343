package testkit

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"testing"
	"time"
)

// Dynalite starts dynalite (npm dynalite@4, a DynamoDB emulator keeping its
// tables in memory) on a free loopback port for the rest of the test and
// returns its endpoint URL, for AWS_ENDPOINT_URL_DYNAMODB. Tables become
// ACTIVE as soon as they are created. DYNALITE names the command instead
// of installing it; the test is skipped when npm cannot install it.
func Dynalite(tb testing.TB) string {
	tb.Helper()
	bin := NPMTool(tb, "dynalite@4", "dynalite", "DYNALITE")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("free port: %v", err)
	}
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	ln.Close()

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--host", "127.0.0.1", "--port", port,
		"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("start dynalite: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		cancel()
		<-exited
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		select {
		case <-exited:
			tb.Fatalf("dynalite exited: %s", out.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			<-exited // out is the process's no more
			tb.Fatalf("dynalite did not listen on %s: %s", addr, out.String())
		}
	}
}
