package webhook

import "errors"

// Errors from verifying a delivery. Callers answer all of them with 401 and
// one stable message; the wrapped detail (a header name, never a signature or
// secret) is for logs only.
var (
	ErrMissingHeader   = errors.New("webhook: required header missing")
	ErrMalformedHeader = errors.New("webhook: header malformed")
	ErrBadSignature    = errors.New("webhook: signature does not match")
	ErrStaleTimestamp  = errors.New("webhook: signed timestamp too old")
	ErrFutureTimestamp = errors.New("webhook: signed timestamp in the future")
)

// Configuration errors: reported at start-up or when a secret is loaded.
var (
	ErrUnknownSource = errors.New("webhook: unknown source")
	ErrBadSecret     = errors.New("webhook: unusable signing secret")
	ErrBadPointer    = errors.New("webhook: invalid JSON pointer")
)

// Errors from finding the assignment id in a verified body; callers answer
// them with 400.
var (
	ErrInvalidJSON     = errors.New("webhook: body is not valid JSON")
	ErrPointerNotFound = errors.New("webhook: nothing at the JSON pointer")
	ErrNotString       = errors.New("webhook: value at the JSON pointer is not a string")
)
