//go:build !sandbox

package main

import (
	"context"
	"errors"
	"io"
)

// runJob in a binary built without the development tag (every binary make
// package ships): the terminal command, its sign-in and its progress bar
// stay out of what runs on Azure and Lambda.
func runJob(context.Context, []string, func(string) string, io.Writer, io.Writer) error {
	return usageError(errors.New("job: the terminal command is in the development build (make build: bin/handler), not in the packaged function"))
}
