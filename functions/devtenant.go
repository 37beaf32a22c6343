package main

import (
	"io"
	"net/http"
)

// devTenant is what --sandbox puts in place of the real world: the client
// every request goes through, the settings run reads, the guide printed once
// the configuration is known, and how to stop it.
//
// Only a binary built with -tags sandbox (make build, make run) can start
// one (sandbox.go); any other refuses the flag (nosandbox.go), so the
// binaries make package ships hold no emulator code.
type devTenant struct {
	client *http.Client
	getenv func(string) string
	guide  func(w io.Writer, addr string, auth bool)
	stop   func()
	// addBulk adds an access package of n delivered assignments (every 25th
	// target drifted) and returns its id: `job --sandbox-assignments n`.
	addBulk func(n int) string
	// graphRequests counts what the emulated Graph answered: HTTP requests
	// and the $batch items inside them.
	graphRequests func() (requests, items int)
}
