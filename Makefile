# One binary, three runtimes. `make run` tries it against the embedded
# emulated tenant; `make test` is what CI runs.
GO      ?= go
BIN     := bin/handler
# Packages that import msgraph-sdk-go are tested without -race: the race
# build of its models package alone costs minutes and gigabytes.
SDK_PKGS  = $(shell $(GO) list -f '{{.ImportPath}}{{range .Deps}}{{if eq . "github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"}} sdk{{end}}{{end}}' ./... | awk '$$2=="sdk"{print $$1}')
RACE_PKGS = $(shell $(GO) list -f '{{.ImportPath}}{{range .Deps}}{{if eq . "github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"}} sdk{{end}}{{end}}' ./... | awk '$$2!="sdk"{print $$1}')
FUZZTIME ?= 30s

.PHONY: build run test vet bench fuzz clean

build:
	$(GO) build -trimpath -o $(BIN) ./functions

run: build
	./$(BIN) --sandbox

vet:
	@test -z "$$(gofmt -l functions shared infra 2>/dev/null)" || { gofmt -l functions shared infra; echo "gofmt needed"; exit 1; }
	$(GO) vet ./...

test: vet build
	$(GO) test -count=1 -race $(RACE_PKGS)
	$(GO) test -count=1 $(SDK_PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Every fuzz target, each for FUZZTIME (their seeds already run in `make test`).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin dist
