package main

import "errors"

// exitCode is an error that asks main for an exit status other than 1:
// the terminal command `job` exits 2 for a usage error.
type exitCode struct {
	code int
	err  error
}

func (e *exitCode) Error() string { return e.err.Error() }
func (e *exitCode) Unwrap() error { return e.err }

// usageError is a command-line mistake: exit status 2.
func usageError(err error) error { return &exitCode{code: 2, err: err} }

// exitStatus is the status main exits with for err (nil: 0).
func exitStatus(err error) int {
	var ec *exitCode
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ec):
		return ec.code
	}
	return 1
}
