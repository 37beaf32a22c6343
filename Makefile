# One binary, three runtimes. `make run` tries it against the embedded
# emulated tenant; `make test` is what CI runs.
GO      ?= go
BIN     := bin/handler
# Static binaries, as shipped, and -trimpath, as shipped: the compiler's
# cache key includes both, so with one setting for every build, vet and test
# the Graph SDK's models package (minutes and 4 GiB to compile) is compiled
# once per architecture; only the -race run, which needs cgo, differs.
export CGO_ENABLED ?= 0
# Without lambda.norpc, aws-lambda-go's net/rpc path (only the retired go1.x
# runtime used it) calls reflect's Method, and the linker then keeps every
# method of every Graph model type: a 56 MB binary instead of 16 MB. Every
# build and test, on every runtime, uses the tag.
export GOFLAGS += -trimpath -tags=lambda.norpc
# The emulated tenant (shared/sandbox, behind --sandbox) is compiled in only
# with the sandbox tag: bin/handler and the tests have it; make package does
# not, so what ships holds no emulator code. Tags change no dependency's
# compile, so both share the build cache.
DEV_TAGS := -tags=lambda.norpc,sandbox
# Packages that import msgraph-sdk-go are tested without -race: the race
# build of its models package alone costs minutes and gigabytes.
SDK_PKGS  = $(shell $(GO) list -f '{{.ImportPath}}{{range .Deps}}{{if eq . "github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"}} sdk{{end}}{{end}}' ./... | awk '$$2=="sdk"{print $$1}')
RACE_PKGS = $(shell $(GO) list -f '{{.ImportPath}}{{range .Deps}}{{if eq . "github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"}} sdk{{end}}{{end}}' ./... | awk '$$2!="sdk"{print $$1}')
FUZZTIME ?= 30s

.PHONY: build run test vet bench bench-micro fuzz soak clean package

build:
	$(GO) build $(DEV_TAGS) -o $(BIN) ./functions

# With real settings in the environment (any of GRAPH_TENANT_ID,
# GRAPH_CLIENT_ID, KEYVAULT_URL) it runs against them, without --sandbox.
run: build
	./$(BIN)$(if $(strip $(GRAPH_TENANT_ID)$(GRAPH_CLIENT_ID)$(KEYVAULT_URL)),, --sandbox)

# Four times: the files behind the sandbox tag, those that replace them without it,
# the azureonly stub of the Lambda runtime (the Functions handler of make package) and
# the lambdaonly stub of the Azure Storage job backend (the Lambda bootstrap).
vet:
	@test -z "$$(gofmt -l functions shared infra internal bench 2>/dev/null)" || { gofmt -l functions shared infra internal bench; echo "gofmt needed"; exit 1; }
	$(GO) vet ./...
	$(GO) vet $(DEV_TAGS) ./functions
	$(GO) vet -tags=lambda.norpc,azureonly ./functions
	$(GO) vet -tags=lambda.norpc,lambdaonly ./functions

test: vet build
	CGO_ENABLED=1 $(GO) test $(DEV_TAGS) -count=1 -race -timeout 20m $(RACE_PKGS)
	$(GO) test $(DEV_TAGS) -count=1 -timeout 20m $(SDK_PKGS)

# Lambda runs arm64 (Graviton) unless GOARCH is given: make package GOARCH=amd64.
# The Azure handler is always linux/amd64: Functions has no arm64 Linux host.
DIST          ?= dist
LAMBDA_GOARCH := $(if $(GOARCH),$(GOARCH),arm64)

# GOOS/GOARCH are removed for `go run` itself so the packager runs on this machine; it
# sets them for each binary it builds, and its own -tags (without sandbox).
package:
	env -u GOOS -u GOARCH $(GO) run ./infra/package -out $(DIST) -lambda-arch $(LAMBDA_GOARCH)

# The table of the README's Performance section: the shipped binary, started
# as the Functions host starts it, beside a standard-library floor and a bare
# Graph client, against the emulated tenant (about 2.5 minutes). Figures only:
# nothing fails on a timing. bench-micro runs every go test benchmark.
bench:
	env -u GOOS -u GOARCH $(GO) run ./bench $(BENCH_FLAGS)

bench-micro:
	$(GO) test $(DEV_TAGS) -run '^$$' -bench . -benchmem ./...

# The faults-under-load suite of make test (functions/load_test.go), longer:
# SOAK_REQUESTS requests, 64 at a time, through the built binary while the
# sandbox injects each fault in turn.
SOAK_REQUESTS ?= 20000
soak:
	LOAD_REQUESTS=$(SOAK_REQUESTS) $(GO) test $(DEV_TAGS) -count=1 -timeout 30m -run '^TestFaultsUnderLoad$$' -v ./functions

# Every fuzz target, each for FUZZTIME (their seeds already run in `make test`).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test $(DEV_TAGS) -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test $(DEV_TAGS) -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin dist
