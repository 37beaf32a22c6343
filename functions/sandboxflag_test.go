package main

import (
	"bytes"
	"errors"
	"os/exec"
	"testing"
	"time"
)

// The binary as make package ships it (handlerBinary: no sandbox tag)
// refuses --sandbox with one line and a non-zero exit, before it serves.
func TestShippedBinaryRefusesSandbox(t *testing.T) {
	cmd := handlerCommand(t, map[string]string{"PORT": freePort(t)})
	cmd.Args = append(cmd.Args, "--sandbox")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("the handler was still running 10s after --sandbox:\n%s%s", stdout.String(), stderr.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Errorf("exit = %v, want a non-zero exit status", err)
	}
	want := "handler: --sandbox: this binary was built without the emulated tenant (it is for development: `make run` builds it in)\n"
	if got := stderr.String(); got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing (no log line, no server)", stdout.String())
	}
}
