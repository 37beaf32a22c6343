package main

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// The binary as make package ships it (no sandbox tag) has no terminal
// command: `job` is a usage error (exit 2) in one line, before anything starts.
func TestShippedBinaryHasNoJobCommand(t *testing.T) {
	cmd := handlerCommand(t, map[string]string{"PORT": freePort(t)})
	cmd.Args = append(cmd.Args, "job", "--access-package", "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Errorf("exit = %v, want exit status 2", err)
	}
	if got := stderr.String(); !strings.HasPrefix(got, "handler: job: the terminal command is in the development build") || strings.Count(got, "\n") != 1 {
		t.Errorf("stderr = %q, want one line naming the development build", got)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
}
