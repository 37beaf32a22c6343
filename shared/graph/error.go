package graph

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds what is read of a Graph answer.
const maxBody = 1 << 20

// Result is a successful Graph answer.
type Result struct {
	Status    int    // 200, 202, ...
	RequestID string // Graph's request-id header
}

// Error is a Graph answer with status 400 or above.
type Error struct {
	Status     int
	Code       string // error.code of Graph's body, if any
	Message    string // error.message of Graph's body, if any
	RequestID  string
	RetryAfter time.Duration // from Retry-After; 0 when absent
	Body       []byte        // Graph's body when it was Graph's JSON error shape
}

func (e *Error) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("graph answered %d %s: %s", e.Status, e.Code, e.Message)
	}
	return fmt.Sprintf("graph answered %d", e.Status)
}

// ReadResponse turns an HTTP answer into a Result, or an *Error for
// status 400 and above. It reads and closes the body.
func ReadResponse(resp *http.Response) (Result, []byte, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Result{}, nil, fmt.Errorf("read graph answer %d: %w", resp.StatusCode, err)
	}
	rid := resp.Header.Get("Request-Id")
	if resp.StatusCode < 400 {
		return Result{Status: resp.StatusCode, RequestID: rid}, body, nil
	}
	return Result{}, nil, NewError(resp.StatusCode, resp.Header, body)
}

// NewError reads Graph's error answer: its status, request-id, Retry-After
// and, when the body is Graph's JSON error shape, its code, message and body.
func NewError(status int, h http.Header, body []byte) *Error {
	e := &Error{Status: status, RequestID: h.Get("Request-Id"), RetryAfter: ParseRetryAfter(h.Get("Retry-After"), time.Now())}
	var shape struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &shape) == nil && shape.Error != nil {
		e.Code, e.Message, e.Body = shape.Error.Code, shape.Error.Message, body
	}
	return e
}

// ParseRetryAfter reads delta-seconds or an HTTP date.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
