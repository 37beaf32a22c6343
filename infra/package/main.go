package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Environ(), os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "package:", err)
		}
		os.Exit(1)
	}
}

// shipTags are the build tags of every binary the packager builds. They are given on
// the command line, which overrides any -tags in GOFLAGS, so the sandbox tag of
// development builds never reaches a package. lambda.norpc: without it aws-lambda-go's
// net/rpc path (only the retired go1.x runtime used it) calls reflect's Method, which
// makes the linker keep every method of every Graph model type (a 38 MB handler
// instead of 10 MB).
const shipTags = "lambda.norpc"

// azureTags build the Functions handler: shipTags and azureonly, which leaves out
// the AWS Lambda runtime and AWS STS federation (they never run on Azure, and
// without them azure-functions.zip is about 130 KB smaller). The handler refuses
// a Lambda configuration at start, in one line.
const azureTags = shipTags + ",azureonly"

// lambdaTags build the Lambda bootstrap: shipTags and lambdaonly, which leaves out
// the Azure Storage clients of the jobs backend (AzureWebJobsStorage is for Azure
// Functions; on Lambda jobs live in SQS and DynamoDB).
const lambdaTags = shipTags + ",lambdaonly"

// options are the command-line flags.
type options struct {
	Root, Out, Pkg, Only, LambdaArch, Stage, Go string
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("package", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Root, "root", ".", "repository root: host.json, functions/, go.mod")
	fs.StringVar(&o.Out, "out", "dist", "folder the zips are written to")
	fs.StringVar(&o.Pkg, "pkg", "./functions", "main package to build, relative to -root")
	fs.StringVar(&o.Only, "only", "", `build one package only: "azure" or "lambda"`)
	fs.StringVar(&o.LambdaArch, "lambda-arch", "arm64", "GOARCH of the Lambda bootstrap (arm64 or amd64)")
	fs.StringVar(&o.Stage, "stage", "", "lay out the Functions app unpacked in this folder, built for this machine, for func start")
	fs.StringVar(&o.Go, "go", "go", "the go command")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	switch o.Only {
	case "", "azure", "lambda":
	default:
		return o, fmt.Errorf(`-only %q: want "azure" or "lambda"`, o.Only)
	}
	switch o.LambdaArch {
	case "arm64", "amd64":
	default:
		return o, fmt.Errorf(`-lambda-arch %q: Lambda runs "arm64" or "amd64"`, o.LambdaArch)
	}
	return o, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, environ []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	modified, err := fixedTime(getenv)
	if err != nil {
		return err
	}
	b := builder{Root: o.Root, Pkg: o.Pkg, Go: o.Go, Env: environ}

	if o.Stage != "" {
		return stage(ctx, b, o, stdout)
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return err
	}
	// One build per distinct target.
	built := map[target][]byte{}
	build := func(t target) ([]byte, error) {
		if bin, ok := built[t]; ok {
			return bin, nil
		}
		bin, err := b.build(ctx, t)
		built[t] = bin
		return bin, err
	}
	if o.Only != "lambda" {
		app, err := readFunctionsApp(o.Root)
		if err != nil {
			return err
		}
		// Every Linux Functions plan is x64; there is no arm64 Functions host.
		handler, err := build(target{GOOS: "linux", GOARCH: "amd64", Tags: azureTags})
		if err != nil {
			return err
		}
		if err := writeZipFile(filepath.Join(o.Out, "azure-functions.zip"), azureEntries(app, handler), modified, stdout); err != nil {
			return err
		}
	}
	if o.Only != "azure" {
		bootstrap, err := build(target{GOOS: "linux", GOARCH: o.LambdaArch, Tags: lambdaTags})
		if err != nil {
			return err
		}
		entries := []entry{{Name: "bootstrap", Mode: 0o755, Data: bootstrap}}
		if err := writeZipFile(filepath.Join(o.Out, "lambda.zip"), entries, modified, stdout); err != nil {
			return err
		}
	}
	return nil
}

// writeZipFile writes the zip next to its final name and renames it into place, so a
// failed run never leaves a half-written package that looks complete.
func writeZipFile(name string, entries []entry, modified time.Time, stdout io.Writer) error {
	var buf bytes.Buffer
	if err := writeZip(&buf, entries, modified); err != nil {
		return err
	}
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\t%d bytes\n", name, buf.Len())
	return nil
}

// stage writes the Functions app unpacked for Core Tools on this machine: the handler is
// built for runtime.GOOS/GOARCH, and local.settings.json is copied when the repository
// root has one.
func stage(ctx context.Context, b builder, o options, stdout io.Writer) error {
	app, err := readFunctionsApp(o.Root)
	if err != nil {
		return err
	}
	handler, err := b.build(ctx, target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, Tags: azureTags})
	if err != nil {
		return err
	}
	files := azureEntries(app, handler)
	if settings, err := os.ReadFile(filepath.Join(o.Root, "local.settings.json")); err == nil {
		files = append(files, entry{Name: "local.settings.json", Mode: 0o600, Data: settings})
	}
	for _, f := range files {
		p := filepath.Join(o.Stage, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, f.Data, f.Mode); err != nil {
			return err
		}
		if err := os.Chmod(p, f.Mode); err != nil { // WriteFile keeps an existing file's mode
			return err
		}
	}
	fmt.Fprintf(stdout, "staged the Functions app in %s: cd there and run func start\n", o.Stage)
	return nil
}
