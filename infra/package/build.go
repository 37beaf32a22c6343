package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// target is one platform build of the binary.
type target struct {
	GOOS, GOARCH string
	Tags         string // go build -tags; "" for none
}

// builder compiles the main package Pkg (a path relative to Root) with the go command.
type builder struct {
	Root string   // module directory the go command runs in
	Pkg  string   // e.g. ./functions
	Go   string   // the go command
	Env  []string // base environment; GOOS, GOARCH and CGO_ENABLED are set on top
}

// build compiles the binary for t and returns its bytes.
func (b builder) build(ctx context.Context, t target) ([]byte, error) {
	dir, err := os.MkdirTemp("", "reprocess-package-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "binary")

	// -trimpath and an empty build id keep local paths and per-build ids out of the
	// binary (reproducible); -s -w drop the symbol table and DWARF (smaller).
	args := []string{"build", "-trimpath", "-ldflags=-s -w -buildid="}
	args = append(args, coldGCFlags()...)
	if t.Tags != "" {
		args = append(args, "-tags", t.Tags)
	}
	args = append(args, "-o", out, b.Pkg)
	cmd := exec.CommandContext(ctx, b.Go, args...)
	cmd.Dir = b.Root
	// Later entries win in exec.Cmd.Env, so these override whatever the caller had.
	// CGO_ENABLED=0 gives a static binary that needs nothing from the host's libc.
	cmd.Env = append(b.Env, "GOOS="+t.GOOS, "GOARCH="+t.GOARCH, "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go build %s for %s/%s: %w\n%s", b.Pkg, t.GOOS, t.GOARCH, err, stderr.Bytes())
	}
	return os.ReadFile(out)
}

// coldPackages run only when the binary acquires a token or a secret, parses a
// certificate or fetches signing keys (at start, and then about hourly), or, for
// the AWS SDK, makes the few DynamoDB and SQS calls of a job work unit. They are
// compiled without inlining (-l), which their callers cannot notice but which
// makes the handler's deflated size about 50 KB smaller (azure-functions.zip had
// to fit in 4 MiB). The list leaves out every package a reprocess request runs
// through (net/http, TLS, Kiota, the Graph SDK, encoding/json, otel, ours), and
// standard-library packages that most others import, whose change would
// recompile half the build.
var coldPackages = []string{
	"github.com/Azure/...",             // azcore, azidentity, azsecrets: tokens and Key Vault
	"github.com/AzureAD/...",           // MSAL, under azidentity
	"github.com/kylelemons/...",        // MSAL's error pretty-printer
	"github.com/MicahParks/...",        // JWKS fetch and parse (keyfunc, jwkset)
	"golang.org/x/crypto/...",          // PKCS#12 certificates
	"encoding/xml",                     // azcore's and MSAL's XML, never used against Entra or Graph
	"golang.org/x/net/...",             // the Azure SDK default transport's HTTP/2: only its init runs, ours replaces it
	"golang.org/x/text/...",            // under x/net's idna
	"github.com/aws/aws-sdk-go-v2/...", // DynamoDB and SQS: a few calls per job work unit, never on a reprocess request
	"github.com/aws/smithy-go/...",     // under aws-sdk-go-v2
}

// coldGCFlags are the go build flags that compile coldPackages without inlining.
func coldGCFlags() []string {
	flags := make([]string, len(coldPackages))
	for i, p := range coldPackages {
		flags[i] = "-gcflags=" + p + "=-l"
	}
	return flags
}
