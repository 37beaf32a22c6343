package api

import (
	"net/http"
	"testing"
)

func TestCorrelation(t *testing.T) {
	h := http.Header{}
	h.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.Set("X-Ms-Workflow-Run-Id", "08584737551867954143243946780CU57")
	h.Set("X-Ms-Client-Tracking-Id", "INC0012345")
	h.Set("X-Ms-Workflow-Name", "reprocess on ticket\n{injected}")
	got := map[string]string{}
	for _, a := range correlation(h) {
		got[a.Key] = a.Value.String()
	}
	want := map[string]string{"traceId": "4bf92f3577b34da6a3ce929d0e0e4736", "workflowRunId": "08584737551867954143243946780CU57", "clientTrackingId": "INC0012345"}
	if len(got) != len(want) {
		t.Errorf("correlation = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	for _, bad := range []string{"", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "00-4bf9-00f0-01"} {
		if id := traceID(bad); id != "" {
			t.Errorf("traceID(%q) = %q, want none", bad, id)
		}
	}
}
