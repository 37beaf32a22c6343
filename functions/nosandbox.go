//go:build !sandbox

package main

import (
	"context"
	"errors"
)

// errNoSandbox is the answer to --sandbox in a binary built without the tag,
// which is every binary make package ships.
var errNoSandbox = errors.New("--sandbox: this binary was built without the emulated tenant (it is for development: `make run` builds it in)")

func startSandbox(context.Context, func(string) string, bool) (*devTenant, error) {
	return nil, errNoSandbox
}
