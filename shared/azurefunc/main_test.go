package azurefunc

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/internal/testkit"
)

// The secrets the fixtures carry, as the host would hand them over: a
// function key in ?code= and in x-functions-key, a caller's bearer token and
// a webhook signature. No log line or Logs[] entry may ever contain them.
var fixtureSecrets = map[string]string{
	"code query value":        testCode,
	"x-functions-key":         testKey,
	"Authorization bearer":    testToken,
	"webhook signature value": testSignature,
}

const (
	testCode      = "qK7vR2mX9pL4tW8nZ3cB6yH1jF5sD0gAuE1iO2kMxQ"
	testKey       = "hT4wN8bV1cX6zL3qP9rM2kJ7fG5dS0aYeU3oI8nBvC"
	testToken     = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJmaXh0dXJlIjoiYmVhcmVyIn0.c2lnbmVkLWZpeHR1cmUtdG9rZW4"
	testSignature = "9c4b1e0f7a2d5c8e3b6a9f0d1c4e7b2a5d8f1e4c7b0a3d6f9e2c5b8a1d4e7f0c"
	testID        = "3f2504e0-4f89-41d3-9a0c-0305e82c3301" // the assignment in the HTTP fixtures
)

// allLogs receives every log line and Logs[] entry of the whole test run.
var allLogs testkit.Logs

func TestMain(m *testing.M) {
	code := m.Run()
	if leaks := leakedSecrets(allLogs.String()); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the test run's logs contain fixture secrets: %s\n", strings.Join(leaks, ", "))
		code = 1
	}
	os.Exit(code)
}

// leakedSecrets names the fixture secrets found in text.
func leakedSecrets(text string) []string { return testkit.Leaked(text, fixtureSecrets) }

func assertNoSecrets(tb testing.TB, what, text string) {
	tb.Helper()
	testkit.AssertNoSecrets(tb, what, text, fixtureSecrets)
}

// newTestLogger returns a JSON logger writing to the returned buffer and to allLogs.
func newTestLogger(tb testing.TB) (*slog.Logger, *testkit.Logs) {
	tb.Helper()
	return testkit.NewLogger(&allLogs)
}

// invocationLines returns the "invocation" log lines.
func invocationLines(tb testing.TB, buf *testkit.Logs) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for _, l := range buf.Lines(tb) {
		if l["msg"] == "invocation" {
			out = append(out, l)
		}
	}
	return out
}

// newDiscardingLogger logs to buf only, for fuzzing, where allLogs would grow without bound.
func newDiscardingLogger(buf *testkit.Logs) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// The secret sweep means something only if the fixtures carry the secrets,
// and the core really receives them (the edge does not strip, it only never logs).
func TestFixturesCarrySecrets(t *testing.T) {
	var all strings.Builder
	paths, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	for name, secret := range fixtureSecrets {
		if !strings.Contains(all.String(), secret) {
			t.Errorf("no fixture carries the %s", name)
		}
	}
	if leaks := leakedSecrets("x " + testKey + " y"); len(leaks) != 1 {
		t.Errorf("leakedSecrets misses an embedded key: %v", leaks)
	}
}
