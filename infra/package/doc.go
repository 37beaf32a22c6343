// Command package builds the two deployment packages from one commit:
//
//   - dist/azure-functions.zip: the Azure Functions app as the host expects it at the
//     package root — host.json, one folder per function with its function.json, and
//     the linux/amd64 custom handler named by host.json's
//     customHandler.description.defaultExecutablePath, mode 0755
//     (https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers#application-structure).
//   - dist/lambda.zip: the executable bootstrap for the provided.al2023 runtime,
//     linux/arm64 unless told otherwise, mode 0755
//     (https://docs.aws.amazon.com/lambda/latest/dg/golang-package.html).
//
// The zips are reproducible: the binaries are built with -trimpath and an empty build
// id, entries are sorted, and every entry carries the same fixed time (SOURCE_DATE_EPOCH
// when set, else 1980-01-01), so the same commit gives byte-identical files.
//
// The executable bit is recorded in each zip entry (FileHeader.SetMode) because a host
// that unpacks the zip has no other way to learn it; Linux Premium and Dedicated plans
// do not add it themselves.
//
// With -stage DIR it instead lays out the Functions app unpacked in DIR, with the
// handler built for this machine, so Azure Functions Core Tools can run it (func start).
//
// Usage (from the repository root; make package runs this):
//
//	go run ./infra/package [-out dist] [-lambda-arch arm64] [-only azure|lambda]
//	go run ./infra/package -stage dist/func
package main
