package testkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// Logs is a goroutine-safe buffer for a logger's output.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Logs) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Logs) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// NewLogger returns a JSON logger at debug level writing to a new buffer
// (and to also, when given).
func NewLogger(also ...io.Writer) (*slog.Logger, *Logs) {
	buf := &Logs{}
	w := io.MultiWriter(append([]io.Writer{buf}, also...)...)
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

// Lines decodes every line of b strictly (see StrictObject) and fails tb
// on the first that is not one JSON object with distinct keys.
func (b *Logs) Lines(tb testing.TB) []map[string]any {
	tb.Helper()
	return JSONLines(tb, b.String())
}

// Messages returns the lines whose msg is msg.
func (b *Logs) Messages(tb testing.TB, msg string) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for _, l := range b.Lines(tb) {
		if l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

// JSONLines decodes text, one strict JSON object a line; text that is not
// JSON (a process's plain start-up lines) fails only when strict is needed,
// so callers pass log output alone.
func JSONLines(tb testing.TB, text string) []map[string]any {
	tb.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		m, err := StrictObject([]byte(line))
		if err != nil {
			tb.Fatalf("log line %q: %v", line, err)
		}
		lines = append(lines, m)
	}
	return lines
}

// StrictObject decodes one JSON object and refuses a key that appears twice
// in any object within it: encoding/json keeps the last silently, and log
// pipelines reject or mangle such lines.
func StrictObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := checkValue(dec); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON object")
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	return m, nil
}

func checkValue(dec *json.Decoder) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	d, ok := t.(json.Delim)
	if !ok {
		return nil
	}
	switch d {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			key := k.(string)
			if seen[key] {
				return fmt.Errorf("key %q appears twice", key)
			}
			seen[key] = true
			if err := checkValue(dec); err != nil {
				return err
			}
		}
	case '[':
		for dec.More() {
			if err := checkValue(dec); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err
}
