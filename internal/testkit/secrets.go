package testkit

import (
	"slices"
	"strings"
	"testing"
)

// Leaked names the secrets (name → value) found in text.
func Leaked(text string, secrets map[string]string) []string {
	var leaks []string
	for name, secret := range secrets {
		if secret != "" && strings.Contains(text, secret) {
			leaks = append(leaks, name)
		}
	}
	slices.Sort(leaks)
	return leaks
}

// AssertNoSecrets fails tb when text contains any of secrets.
func AssertNoSecrets(tb testing.TB, what, text string, secrets map[string]string) {
	tb.Helper()
	if leaks := Leaked(text, secrets); len(leaks) > 0 {
		tb.Errorf("%s contains secrets: %v", what, leaks)
	}
}
