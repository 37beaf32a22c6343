package testkit

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// NPMTool returns the path of command bin of the npm package spec (e.g.
// "azurite@3"), installed once into the user cache directory; the test is
// skipped, saying why, when npm is missing or the install fails (offline).
// The environment variable env, when set, names the command instead.
func NPMTool(tb testing.TB, spec, bin, env string) string {
	tb.Helper()
	if p := os.Getenv(env); env != "" && p != "" {
		return p
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		tb.Skipf("npm is not installed: %s not run", spec)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		tb.Skipf("no user cache directory for %s: %v", spec, err)
	}
	dir := filepath.Join(cache, "entra-reprocess-test", strings.NewReplacer("@", "-", "/", "-").Replace(strings.TrimPrefix(spec, "@")))
	path := filepath.Join(dir, "node_modules", ".bin", bin)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, npm, "install", "--prefix", dir, "--no-audit", "--no-fund", "--silent", spec).CombinedOutput()
	if err != nil {
		tb.Skipf("npm install %s failed (offline?): %v\n%s", spec, err, out)
	}
	return path
}
