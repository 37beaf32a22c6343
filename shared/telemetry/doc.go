// Package telemetry starts the spans of a request's trace: the server span
// an edge opens for each request or invocation (continuing an inbound W3C
// traceparent), and the client spans for Key Vault reads, token requests
// and Graph calls below it.
//
// It uses only the OpenTelemetry API, never its global provider. The edges
// are given the process's provider (nil when no exporter is configured, see
// package otlp); a child span uses the provider its server span put in the
// context, so when tracing is off every span is the API's no-op span and
// nothing is recorded or sent.
package telemetry
