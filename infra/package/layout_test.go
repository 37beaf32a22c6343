package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles creates files (slash-separated names) under dir.
func writeFiles(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

const testHostJSON = `{"version":"2.0","customHandler":{"description":{"defaultExecutablePath":"handler"}}}`

func TestExecutablePath(t *testing.T) {
	tests := []struct {
		name, hostJSON, want, wantErr string
	}{
		{"plain", testHostJSON, "handler", ""},
		{"subfolder", `{"customHandler":{"description":{"defaultExecutablePath":"bin/handler"}}}`, "bin/handler", ""},
		{"missing", `{"version":"2.0"}`, "", "empty"},
		{"absolute", `{"customHandler":{"description":{"defaultExecutablePath":"/usr/bin/handler"}}}`, "", "inside the app"},
		{"escapes", `{"customHandler":{"description":{"defaultExecutablePath":"../handler"}}}`, "", "inside the app"},
		{"not json", `{`, "", "unexpected end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := executablePath([]byte(tt.hostJSON))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("executablePath(%s) error = %v, want one containing %q", tt.hostJSON, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("executablePath(%s) = %q, %v; want %q", tt.hostJSON, got, err, tt.want)
			}
		})
	}
}

func TestReadFunctionsApp(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"host.json":                         testHostJSON,
		"functions/status/function.json":    `{"bindings":[{"type":"httpTrigger"}]}`,
		"functions/reprocess/function.json": `{"bindings":[]}`,
		"functions/main.go":                 "package main",
		"functions/testdata/x.json":         `{}`, // a folder without function.json is not a function
	})
	app, err := readFunctionsApp(dir)
	if err != nil {
		t.Fatalf("readFunctionsApp: %v", err)
	}
	if app.ExecutablePath != "handler" {
		t.Errorf("ExecutablePath = %q, want handler", app.ExecutablePath)
	}
	var names []string
	for _, f := range app.Functions {
		names = append(names, f.Name)
	}
	if got, want := strings.Join(names, ","), "reprocess/function.json,status/function.json"; got != want {
		t.Errorf("functions = %s, want %s", got, want)
	}
}

func TestReadFunctionsAppRefuses(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{"no host.json", map[string]string{"functions/a/function.json": `{}`}, "host.json"},
		{"no functions", map[string]string{"host.json": testHostJSON, "functions/main.go": ""}, "no functions"},
		{"bad function.json", map[string]string{"host.json": testHostJSON, "functions/a/function.json": `{"bindings":`}, "not valid JSON"},
		{"function named like the handler", map[string]string{"host.json": testHostJSON, "functions/handler/function.json": `{}`}, "handler's name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			_, err := readFunctionsApp(dir)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("readFunctionsApp error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
