GO ?= go
DIST ?= dist

# Lambda runs arm64 (Graviton) unless GOARCH is given: make package GOARCH=amd64.
# The Azure handler is always linux/amd64: Functions has no arm64 Linux host.
LAMBDA_GOARCH := $(if $(GOARCH),$(GOARCH),arm64)

.PHONY: package
# GOOS/GOARCH are removed for `go run` itself so the packager runs on this machine; it
# sets them for each binary it builds.
package:
	env -u GOOS -u GOARCH $(GO) run ./infra/package -out $(DIST) -lambda-arch $(LAMBDA_GOARCH)
