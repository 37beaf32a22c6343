package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Each path is one pattern whose handler picks the route by method: a GET
// route also answers HEAD, as ServeMux's method patterns do, and any other
// method gets the 405 that names the path's methods.
func TestRoutesByMethod(t *testing.T) {
	h := New(Deps{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), RequestTimeout: time.Second})
	tests := []struct {
		method, target string
		status         int
		allow          string
	}{
		{http.MethodGet, "/", http.StatusOK, ""},
		{http.MethodHead, "/", http.StatusOK, ""},
		{http.MethodPost, "/", http.StatusMethodNotAllowed, "GET, HEAD"},
		{http.MethodHead, "/api/swagger.json", http.StatusOK, ""},
		{http.MethodHead, "/api/reprocess", http.StatusMethodNotAllowed, "POST"},
		{http.MethodGet, "/api/webhooks/github", http.StatusMethodNotAllowed, "POST"},
		{http.MethodGet, "/api/nothing", http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(tc.method, tc.target, nil))
		if w.Code != tc.status || w.Header().Get("Allow") != tc.allow {
			t.Errorf("%s %s: status %d, Allow %q; want %d, %q", tc.method, tc.target, w.Code, w.Header().Get("Allow"), tc.status, tc.allow)
		}
	}
}
