package main

import (
	"bytes"
	"context"
	"debug/elf"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// stubModule writes a tiny module shaped like the repository: go.mod, a main package in
// functions/, host.json and two function folders. It builds in seconds, so the whole
// packaging path runs in every `go test`, -short included.
func stubModule(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	writeFiles(tb, dir, map[string]string{
		"go.mod":                         "module stub\n\ngo 1.26\n",
		"functions/main.go":              "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"stub\") }\n",
		"host.json":                      testHostJSON,
		"functions/status/function.json": `{"bindings":[{"type":"httpTrigger","direction":"in","name":"req","methods":["get"],"route":"assignments/{id}"}]}`,
		"functions/queue/function.json":  `{"bindings":[{"type":"queueTrigger","direction":"in","name":"msg","queueName":"q"}]}`,
	})
	return dir
}

// runPackager runs the command as `go run ./infra/package` would, failing the test on error.
func runPackager(tb testing.TB, args ...string) string {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, func(string) string { return "" }, os.Environ(), &stdout, &stderr)
	if err != nil {
		tb.Fatalf("run(%q): %v\nstderr: %s", args, err, stderr.Bytes())
	}
	return stdout.String()
}

// checkELF checks that data is a static, stripped linux executable for machine, with no
// trace of the build folder in it.
func checkELF(tb testing.TB, name string, data []byte, machine elf.Machine, buildDir string) {
	tb.Helper()
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("%s is not ELF: %v", name, err)
	}
	if f.Machine != machine {
		tb.Errorf("%s machine = %v, want %v", name, f.Machine, machine)
	}
	if f.Type != elf.ET_EXEC {
		tb.Errorf("%s type = %v, want ET_EXEC (a static executable)", name, f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			tb.Errorf("%s asks for a dynamic loader: built with cgo?", name)
		}
	}
	if f.Section(".symtab") != nil {
		tb.Errorf("%s has a symbol table: built without -s?", name)
	}
	if buildDir != "" && bytes.Contains(data, []byte(buildDir)) {
		tb.Errorf("%s contains the build folder %s: built without -trimpath?", name, buildDir)
	}
}

// zipByName indexes the files of a zip.
func zipByName(tb testing.TB, path string) (map[string]zipFile, []string) {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	files := map[string]zipFile{}
	var names []string
	for _, f := range readZip(tb, data) {
		files[f.Name] = f
		names = append(names, f.Name)
	}
	return files, names
}

func TestRunStub(t *testing.T) {
	root := stubModule(t)
	out := filepath.Join(t.TempDir(), "dist")
	stdout := runPackager(t, "-root", root, "-out", out)
	for _, want := range []string{"azure-functions.zip", "lambda.zip"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output %q does not report %s", stdout, want)
		}
	}

	t.Run("azure", func(t *testing.T) {
		files, names := zipByName(t, filepath.Join(out, "azure-functions.zip"))
		want := "handler host.json queue/ queue/function.json status/ status/function.json"
		if got := strings.Join(names, " "); got != want {
			t.Errorf("azure-functions.zip entries = %s, want %s", got, want)
		}
		h := files["handler"]
		if h.Mode != 0o755 {
			t.Errorf("handler mode = %v, want 0755", h.Mode)
		}
		checkELF(t, "handler", h.Data, elf.EM_X86_64, root)
		if got := files["status/function.json"].Mode; got != 0o644 {
			t.Errorf("function.json mode = %v, want 0644", got)
		}
	})
	t.Run("lambda", func(t *testing.T) {
		files, names := zipByName(t, filepath.Join(out, "lambda.zip"))
		if got := strings.Join(names, " "); got != "bootstrap" {
			t.Errorf("lambda.zip entries = %s, want bootstrap", got)
		}
		b := files["bootstrap"]
		if b.Mode != 0o755 {
			t.Errorf("bootstrap mode = %v, want 0755", b.Mode)
		}
		checkELF(t, "bootstrap", b.Data, elf.EM_AARCH64, root)
	})
	t.Run("reproducible", func(t *testing.T) {
		again := filepath.Join(t.TempDir(), "elsewhere")
		runPackager(t, "-root", root, "-out", again)
		for _, name := range []string{"azure-functions.zip", "lambda.zip"} {
			a, _ := os.ReadFile(filepath.Join(out, name))
			b, _ := os.ReadFile(filepath.Join(again, name))
			if !bytes.Equal(a, b) {
				t.Errorf("%s differs between two runs on the same tree", name)
			}
		}
	})
	t.Run("lambda amd64", func(t *testing.T) {
		amd := filepath.Join(t.TempDir(), "amd")
		runPackager(t, "-root", root, "-out", amd, "-only", "lambda", "-lambda-arch", "amd64")
		files, _ := zipByName(t, filepath.Join(amd, "lambda.zip"))
		checkELF(t, "bootstrap", files["bootstrap"].Data, elf.EM_X86_64, root)
		if _, err := os.Stat(filepath.Join(amd, "azure-functions.zip")); err == nil {
			t.Errorf("-only lambda also wrote azure-functions.zip")
		}
	})
}

func TestRunStage(t *testing.T) {
	root := stubModule(t)
	writeFiles(t, root, map[string]string{"local.settings.json": `{"Values":{"FUNCTIONS_WORKER_RUNTIME":"custom"}}`})
	stage := filepath.Join(t.TempDir(), "func")
	runPackager(t, "-root", root, "-stage", stage)

	tests := []struct {
		name string
		mode fs.FileMode
	}{
		{"handler", 0o755},
		{"host.json", 0o644},
		{"status/function.json", 0o644},
		{"queue/function.json", 0o644},
		{"local.settings.json", 0o600}, // holds secrets in real use
	}
	for _, tt := range tests {
		fi, err := os.Stat(filepath.Join(stage, tt.name))
		if err != nil {
			t.Errorf("staged %s: %v", tt.name, err)
			continue
		}
		if got := fi.Mode().Perm(); got != tt.mode {
			t.Errorf("staged %s mode = %v, want %v", tt.name, got, tt.mode)
		}
	}
	if runtime.GOOS == "linux" {
		data, err := os.ReadFile(filepath.Join(stage, "handler"))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[runtime.GOARCH]
		checkELF(t, "staged handler", data, want, "")
	}
}

func TestRunRefusesFlags(t *testing.T) {
	tests := [][]string{
		{"-only", "windows"},
		{"-lambda-arch", "386"},
		{"extra"},
	}
	for _, args := range tests {
		err := run(context.Background(), args, func(string) string { return "" }, nil, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("run(%q) = nil, want an error", args)
		}
	}
}
