// Package otlp sends the process's spans to an OpenTelemetry receiver
// (usually a Collector) over OTLP/HTTP with the JSON encoding, when
// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set.
//
// The exporter is our own, on the standard library, rather than
// go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp: that
// one encodes with google.golang.org/protobuf (and imports
// google.golang.org/grpc), whose reachable reflect.Value.MethodByName
// calls make the linker keep every exported method of every type, every
// Graph model's included, and grew the binary from 16 MB to 62 MB. The
// OpenTelemetry SDK (spans, sampling, batching) is used as it is.
package otlp
