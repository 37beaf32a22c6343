package main

import (
	"bytes"
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// makePackage runs `make package` in the repository root with the given variables and
// returns the folder the zips went to.
func makePackage(tb testing.TB, root string, vars ...string) string {
	tb.Helper()
	dist := filepath.Join(tb.TempDir(), "dist")
	args := append([]string{"-C", root, "package", "DIST=" + dist}, vars...)
	out, err := exec.Command("make", args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return dist
}

// TestMakePackage builds the real binary through `make package` and checks both zips.
// The first build of the Graph SDK is slow (minutes, 4 GiB); -short skips it.
//
// Lambda's default is arm64, but an arm64 build here would compile the Graph SDK's
// models package a second time (minutes and 4 GiB on a cold cache) for a cross-compile
// the stub test (TestRunStub) already checks. So by default this packages with
// GOARCH=amd64, which shares that compile with every other build and test, and checks
// that the default still resolves to arm64; PACKAGE_TEST_ARM64=1 packages the real
// arm64 bootstrap instead (so does a plain `make package`).
func TestMakePackage(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not building the real binary (make package)")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if goFiles, _ := filepath.Glob(filepath.Join(root, "functions", "*.go")); len(goFiles) == 0 {
		t.Skip("functions/ has no main package yet: nothing to build")
	}
	app, err := readFunctionsApp(root)
	if err != nil {
		t.Fatal(err)
	}
	vars, lambdaMachine := []string{"GOARCH=amd64"}, elf.EM_X86_64
	if os.Getenv("PACKAGE_TEST_ARM64") != "" {
		vars, lambdaMachine = nil, elf.EM_AARCH64
	}
	dist := makePackage(t, root, vars...)

	for _, name := range []string{"azure-functions.zip", "lambda.zip"} {
		if fi, err := os.Stat(filepath.Join(dist, name)); err == nil {
			t.Logf("%s: %d bytes", name, fi.Size())
		}
	}

	t.Run("azure layout", func(t *testing.T) {
		files, names := zipByName(t, filepath.Join(dist, "azure-functions.zip"))
		want := []string{"host.json", app.ExecutablePath}
		for _, f := range app.Functions {
			want = append(want, filepath.Dir(f.Name)+"/", f.Name)
		}
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Errorf("azure-functions.zip entries = %q, want %q", names, want)
		}
		if !bytes.Equal(files["host.json"].Data, app.HostJSON) {
			t.Errorf("host.json in the zip differs from the repository's")
		}
		for _, f := range app.Functions {
			if !bytes.Equal(files[f.Name].Data, f.Data) {
				t.Errorf("%s in the zip differs from functions/%s", f.Name, f.Name)
			}
		}
		// host.json names the handler; the zip must hold it there, executable.
		h, ok := files[app.ExecutablePath]
		if !ok {
			t.Fatalf("host.json's defaultExecutablePath %q is not in the zip", app.ExecutablePath)
		}
		if h.Mode != 0o755 {
			t.Errorf("%s mode = %v, want 0755", app.ExecutablePath, h.Mode)
		}
		checkELF(t, app.ExecutablePath, h.Data, elf.EM_X86_64, root)
		checkSize(t, app.ExecutablePath, h.Data)
		checkNoEmulator(t, app.ExecutablePath, h.Data)
		if bytes.Contains(h.Data, lambdaMarker) {
			t.Errorf("%s contains %q: the AWS Lambda runtime was compiled into the Functions handler", app.ExecutablePath, lambdaMarker)
		}
	})
	t.Run("azure handler refuses Lambda", func(t *testing.T) {
		if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
			t.Skip("the handler is linux/amd64")
		}
		files, _ := zipByName(t, filepath.Join(dist, "azure-functions.zip"))
		bin := filepath.Join(t.TempDir(), "handler")
		if err := os.WriteFile(bin, files[app.ExecutablePath].Data, 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin)
		cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9", "AZURE_TENANT_ID=00000000-0000-0000-0000-000000000001",
			"AZURE_CLIENT_ID=00000000-0000-0000-0000-000000000002", "AZURE_CLIENT_SECRET=unused"}
		out, err := cmd.CombinedOutput()
		const want = "handler: this binary is the Azure Functions handler, built without the AWS Lambda runtime: deploy lambda.zip to Lambda\n"
		if err == nil || string(out) != want {
			t.Errorf("the Azure handler on Lambda = %v, %q; want exit 1 and %q", err, out, want)
		}
	})
	t.Run("lambda layout", func(t *testing.T) {
		files, names := zipByName(t, filepath.Join(dist, "lambda.zip"))
		if !slices.Equal(names, []string{"bootstrap"}) {
			t.Errorf("lambda.zip entries = %q, want [bootstrap]", names)
		}
		b := files["bootstrap"]
		if b.Mode != 0o755 {
			t.Errorf("bootstrap mode = %v, want 0755", b.Mode)
		}
		checkELF(t, "bootstrap", b.Data, lambdaMachine, root)
		checkSize(t, "bootstrap", b.Data)
		checkNoEmulator(t, "bootstrap", b.Data)
		// The positive control of the Azure check: the same marker is found where the
		// runtime is.
		if !bytes.Contains(b.Data, lambdaMarker) {
			t.Errorf("bootstrap does not contain %q: the Lambda runtime is missing, or the Azure check cannot see it", lambdaMarker)
		}
	})
	t.Run("lambda default is arm64", func(t *testing.T) {
		for _, tc := range []struct {
			vars []string
			want string
		}{
			{nil, "-lambda-arch arm64"},
			{[]string{"GOARCH=amd64"}, "-lambda-arch amd64"},
		} {
			args := append([]string{"-n", "-C", root, "package"}, tc.vars...)
			out, err := exec.Command("make", args...).CombinedOutput()
			if err != nil || !strings.Contains(string(out), tc.want) {
				t.Errorf("make %s = %v\n%s\nwant a packager run with %s", strings.Join(args, " "), err, out, tc.want)
			}
		}
	})
	t.Run("emulator check can fail", func(t *testing.T) {
		// The check above passes on any binary that lost its function names; the
		// same build with the sandbox tag must fail it.
		b := builder{Root: root, Pkg: "./functions", Go: "go", Env: os.Environ()}
		bin, err := b.build(context.Background(), target{GOOS: "linux", GOARCH: "amd64", Tags: shipTags + ",sandbox"})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(bin, emulatorMarker) {
			t.Errorf("a handler built with -tags sandbox does not contain %q: the check cannot see the emulator", emulatorMarker)
		}
	})
	t.Run("reproducible", func(t *testing.T) {
		again := makePackage(t, root, vars...)
		for _, name := range []string{"azure-functions.zip", "lambda.zip"} {
			a, _ := os.ReadFile(filepath.Join(dist, name))
			b, _ := os.ReadFile(filepath.Join(again, name))
			if len(a) == 0 || !bytes.Equal(a, b) {
				t.Errorf("%s differs between two make package runs of the same tree", name)
			}
		}
	})
	if lambdaMachine == elf.EM_AARCH64 {
		t.Run("GOARCH=amd64", func(t *testing.T) {
			amd := makePackage(t, root, "GOARCH=amd64")
			files, _ := zipByName(t, filepath.Join(amd, "lambda.zip"))
			checkELF(t, "bootstrap", files["bootstrap"].Data, elf.EM_X86_64, root)
			azure, _ := zipByName(t, filepath.Join(amd, "azure-functions.zip"))
			checkELF(t, app.ExecutablePath, azure[app.ExecutablePath].Data, elf.EM_X86_64, root)
		})
	}
}

// emulatorMarker is in the function-name table (which -s -w keep: the runtime needs
// it) of any binary that holds the emulated tenant's code.
var emulatorMarker = []byte("reprocess/shared/sandbox.")

// lambdaMarker is in the function-name table of any binary that holds aws-lambda-go,
// the AWS Lambda runtime client.
var lambdaMarker = []byte("github.com/aws/aws-lambda-go/")

func checkNoEmulator(t *testing.T, name string, data []byte) {
	t.Helper()
	if bytes.Contains(data, emulatorMarker) {
		t.Errorf("%s contains %q: the emulated tenant was compiled into what ships", name, emulatorMarker)
	}
}

// maxBinary bounds a shipped binary. It is about 10 MB; a build that lets the
// linker keep every Graph model's methods (aws-lambda-go's net/rpc path
// without the lambda.norpc tag, or any reflect Method call) is nearly 40 MB.
const maxBinary = 16 << 20

func checkSize(t *testing.T, name string, data []byte) {
	t.Helper()
	if len(data) > maxBinary {
		t.Errorf("%s is %d bytes, over %d: dead-code elimination was defeated", name, len(data), maxBinary)
	}
}
