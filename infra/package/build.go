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
