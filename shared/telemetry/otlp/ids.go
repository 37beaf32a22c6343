package otlp

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// xrayIDs generates the trace ids of traces that start here as AWS X-Ray
// reads them and W3C allows: the first 4 bytes are the start time in Unix
// seconds, the other 12 random. The Collector's awsxray exporter drops
// spans whose trace id does not start with a recent time.
type xrayIDs struct{ now func() time.Time }

var _ sdktrace.IDGenerator = xrayIDs{}

func (g xrayIDs) NewIDs(context.Context) (trace.TraceID, trace.SpanID) {
	var tid trace.TraceID
	binary.BigEndian.PutUint32(tid[:4], uint32(g.now().Unix()))
	binary.BigEndian.PutUint32(tid[4:8], rand.Uint32())
	binary.BigEndian.PutUint64(tid[8:], rand.Uint64())
	return tid, g.NewSpanID(context.Background(), tid)
}

func (xrayIDs) NewSpanID(context.Context, trace.TraceID) trace.SpanID {
	var sid trace.SpanID
	for sid == (trace.SpanID{}) {
		binary.BigEndian.PutUint64(sid[:], rand.Uint64())
	}
	return sid
}
