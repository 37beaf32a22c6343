//go:build azureonly || lambdaonly

package main

import (
	"context"
	"errors"
	"io"
)

// runJob in a packaged binary: the terminal command, its sign-in and its
// progress bar are left out of what runs on Azure and Lambda.
func runJob(context.Context, []string, func(string) string, io.Writer, io.Writer) error {
	return usageError(errors.New("job: the terminal command is in the development build (make build), not in the packaged function"))
}
