package azurefunc

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/entra-tools/reprocess/shared/graph"
)

// Lengths beyond which caller-supplied values are cut before they are logged.
const (
	maxLoggedPath  = 256
	maxLoggedValue = 128
)

// logServed notes, at debug level, a request the core answered: the core
// already wrote the request's line, with the same invocation id.
func (e *edge) logServed(r *http.Request, id, function string, status int, start time.Time) {
	if e.logger.Enabled(r.Context(), slog.LevelDebug) {
		e.logHTTP(r, id, function, status, start, slog.Bool("servedByCore", true))
	}
}

// logHTTP writes the one line for a forwarded, proxied or rebuilt HTTP
// request. Only the method and path are logged: the query carries ?code= and
// the headers carry x-functions-key and Authorization.
func (e *edge) logHTTP(r *http.Request, id, function string, status int, start time.Time, extra ...slog.Attr) {
	level := slog.LevelInfo
	switch {
	case len(extra) > 0 && extra[0].Key == "servedByCore":
		level = slog.LevelDebug
	case status >= 500:
		level = slog.LevelError
	case function == "" && hostMode(r.Header) == "direct" && r.URL.Path == "/":
		level = slog.LevelDebug // the host's readiness and health pings
	}
	mode := "json"
	if function == "" {
		mode = hostMode(r.Header)
	}
	attrs := []slog.Attr{
		slog.String("invocationId", id),
		slog.String("trigger", "http"),
		slog.String("mode", mode),
	}
	if function != "" {
		attrs = append(attrs, slog.String("function", function))
	}
	attrs = append(attrs,
		slog.String("method", truncate(r.Method, 16)),
		slog.String("path", truncate(r.URL.Path, maxLoggedPath)),
		slog.Int("status", status),
		slog.Int64("durationMs", time.Since(start).Milliseconds()),
	)
	e.logger.LogAttrs(r.Context(), level, "invocation", append(attrs, extra...)...)
}

// hostMode names how a non-JSON request reached us, for operators: proxy mode
// adds x-ms-invocation-id, forwarding mode only X-Azure-Functions-InvocationId,
// and the host's own pings carry neither.
func hostMode(h http.Header) string {
	switch {
	case h.Get("X-Ms-Invocation-Id") != "":
		return "proxied"
	case h.Get("X-Azure-Functions-Invocationid") != "":
		return "forwarded"
	default:
		return "direct"
	}
}

// logPanic records a recovered panic with its stack; callers only ever see a
// generic message.
func (e *edge) logPanic(r *http.Request, id string, p any) {
	e.logger.LogAttrs(r.Context(), slog.LevelError, "panic in core handler",
		slog.String("invocationId", id),
		slog.String("panic", truncate(fmt.Sprint(p), 512)),
		slog.String("stack", string(debug.Stack())),
	)
}

// logQueue writes the one line for a queue invocation.
func (e *edge) logQueue(ctx context.Context, level slog.Level, id string, m queueMeta, assignmentID string, items, status int, outcome, detail string, start time.Time) {
	attrs := []slog.Attr{
		slog.String("invocationId", id),
		slog.String("trigger", "queue"),
		slog.String("mode", "json"),
		slog.String("function", FunctionReprocessQueue),
		slog.String("messageId", m.messageID),
	}
	if m.dequeueCount > 0 {
		attrs = append(attrs, slog.Int("dequeueCount", m.dequeueCount))
	}
	attrs = append(attrs,
		slog.String("assignmentId", truncate(assignmentID, maxLoggedValue)),
		slog.Int("items", items),
		slog.Int("status", status),
		slog.String("outcome", outcome),
		slog.String("detail", detail),
		slog.Int64("durationMs", time.Since(start).Milliseconds()),
	)
	if calls := graph.CallsFrom(ctx); calls != nil {
		if list, n := calls.List(); n > 0 {
			attrs = append(attrs, slog.Any("graphCalls", list), slog.Int("graphCallCount", n))
		}
	}
	e.logger.LogAttrs(ctx, level, "invocation", attrs...)
}

// truncate cuts s to at most n bytes on a rune boundary and replaces invalid
// UTF-8, so a logged value is bounded and printable after escaping.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// safeToken keeps the characters of an identifier-like value (an error code,
// a JSON field name) and drops the rest, so it can go into a log unquoted.
func safeToken(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < n; i++ {
		if c := s[i]; c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-' || c == '.' {
			b.WriteByte(c)
		}
	}
	return b.String()
}
