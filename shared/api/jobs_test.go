package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/graph"
	"github.com/entra-tools/reprocess/shared/jobs"
)

const (
	jobID     = "0f8fad5b-d9cb-469f-a165-70867728950e"
	packageID = "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"
)

// fakeJobs answers as the engine would, and records what it was asked.
type fakeJobs struct {
	started []jobs.Spec
	startErr,
	statusErr error
	job jobs.Job
}

func (f *fakeJobs) Start(_ context.Context, s jobs.Spec) (jobs.Job, error) {
	f.started = append(f.started, s)
	if f.startErr != nil {
		return jobs.Job{}, f.startErr
	}
	return jobs.Job{ID: jobID, State: jobs.Running, Scope: s.Scope, Mode: s.Mode, DryRun: s.DryRun}, nil
}

func (f *fakeJobs) Status(_ context.Context, id string) (jobs.Job, error) {
	if f.statusErr != nil {
		return jobs.Job{}, f.statusErr
	}
	if id != f.job.ID {
		return jobs.Job{}, jobs.ErrNotFound
	}
	return f.job, nil
}

func jobsHandler(j Jobs) http.Handler {
	return New(Deps{Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), RequestTimeout: 5 * time.Second, Jobs: j})
}

func do(h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Host = "fn.example"
	req.Header.Set("X-Forwarded-Proto", "https")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func errorCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var b struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &b); err != nil || b.Error.Message == "" {
		t.Fatalf("not Graph's error shape: %s", w.Body)
	}
	return b.Error.Code
}

func TestStartJob(t *testing.T) {
	f := &fakeJobs{}
	w := do(jobsHandler(f), http.MethodPost, "/api/jobs", `{"accessPackageId":"`+strings.ToUpper(packageID)+`","mode":"drifted","dryRun":true}`)
	if w.Code != http.StatusAccepted {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	statusURL := "https://fn.example/api/jobs/" + jobID
	if w.Header().Get("Location") != statusURL || w.Header().Get("Retry-After") != "10" {
		t.Fatalf("headers %v", w.Header())
	}
	if want := `{"jobId":"` + jobID + `","state":"running","statusUrl":"` + statusURL + `"}`; w.Body.String() != want {
		t.Fatalf("body %s\nwant %s", w.Body, want)
	}
	want := jobs.Spec{Scope: jobs.Scope{AccessPackageID: packageID}, Mode: jobs.Drifted, DryRun: true}
	if len(f.started) != 1 || f.started[0] != want {
		t.Fatalf("started %+v", f.started)
	}
}

func TestStartJobRefusals(t *testing.T) {
	cases := []struct {
		name, method, body string
		jobs               Jobs
		status             int
		code               string
	}{
		{"unknown field", "POST", `{"accessPackageId":"` + packageID + `","x":1}`, &fakeJobs{}, 400, "BadRequest"},
		{"malformed id", "POST", `{"accessPackageId":"nope"}`, &fakeJobs{}, 400, "BadRequest"},
		{"not json", "POST", `{`, &fakeJobs{}, 400, "BadRequest"},
		{"too large", "POST", `{"accessPackageId":"` + strings.Repeat(" ", 17<<10) + `"}`, &fakeJobs{}, 413, "RequestBodyTooLarge"},
		{"wrong method", "PUT", `{}`, &fakeJobs{}, 405, "MethodNotAllowed"},
		{"unknown package", "POST", `{"accessPackageId":"` + packageID + `"}`,
			&fakeJobs{startErr: &graph.Error{Status: 404, Code: "ResourceNotFound", Message: "no such package",
				Body: []byte(`{"error":{"code":"ResourceNotFound","message":"no such package"}}`)}}, 404, "ResourceNotFound"},
		{"an unexpected error", "POST", `{"accessPackageId":"` + packageID + `"}`,
			&fakeJobs{startErr: errors.New("x")}, 500, "InternalServerError"},
		{"not configured", "POST", `{"accessPackageId":"` + packageID + `"}`, nil, 503, "JobStoreUnavailable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := do(jobsHandler(c.jobs), c.method, "/api/jobs", c.body)
			if w.Code != c.status || errorCode(t, w) != c.code {
				t.Fatalf("%d %s, want %d %s", w.Code, w.Body, c.status, c.code)
			}
			if f, ok := c.jobs.(*fakeJobs); ok && c.status < 404 && len(f.started) > 0 {
				t.Fatal("a refused body reached the engine")
			}
		})
	}
}

func TestJobStatus(t *testing.T) {
	created := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	done := created.Add(time.Minute)
	running := jobs.Job{ID: jobID, State: jobs.Running, Scope: jobs.Scope{AccessPackageID: packageID}, Mode: jobs.Drifted,
		DryRun: true, CreatedAt: created, Counts: jobs.Counts{Total: 40, InSync: 20}, Outstanding: 3}
	completed := running
	completed.State, completed.CompletedAt, completed.Outstanding = jobs.Completed, &done, 0
	completed.Drift = []jobs.Drift{{AssignmentID: packageID, TargetObjectID: jobID, MissingGroupIDs: []string{jobID}}}

	w := do(jobsHandler(&fakeJobs{job: running}), "GET", "/api/jobs/"+strings.ToUpper(jobID), "")
	want := `{"jobId":"` + jobID + `","state":"running","scope":{"accessPackageId":"` + packageID + `"},"mode":"drifted","dryRun":true,` +
		`"createdAt":"2026-12-07T03:00:00Z","completedAt":null,"counts":{"total":40,"accepted":0,"failed":0,"drifted":0,"inSync":20,"unverifiable":0},` +
		`"failures":[],"drift":[]}`
	if w.Code != 202 || w.Body.String() != want || w.Header().Get("Location") != "https://fn.example/api/jobs/"+jobID || w.Header().Get("Retry-After") != "10" {
		t.Fatalf("running: %d %v\n%s\nwant %s", w.Code, w.Header(), w.Body, want)
	}

	w = do(jobsHandler(&fakeJobs{job: completed}), "GET", "/api/jobs/"+jobID, "")
	if w.Code != 200 || w.Header().Get("Location") != "" || !strings.Contains(w.Body.String(),
		`"completedAt":"2026-12-07T03:01:00Z"`) || !strings.Contains(w.Body.String(), `"missingGroupIds":["`+jobID+`"]`) {
		t.Fatalf("completed: %d %v %s", w.Code, w.Header(), w.Body)
	}

	for _, c := range []struct {
		name, path string
		jobs       Jobs
		status     int
		code       string
	}{
		{"unknown job", "/api/jobs/" + packageID, &fakeJobs{job: running}, 404, "JobNotFound"},
		{"malformed id", "/api/jobs/nope", &fakeJobs{job: running}, 400, "InvalidJobId"},
		{"not configured", "/api/jobs/" + jobID, nil, 503, "JobStoreUnavailable"},
	} {
		w := do(jobsHandler(c.jobs), "GET", c.path, "")
		if w.Code != c.status || errorCode(t, w) != c.code {
			t.Errorf("%s: %d %s", c.name, w.Code, w.Body)
		}
	}
}

// TestJobRoutesOverTheEngine runs the routes over the real engine and an
// unreachable store: 503 JobStoreUnavailable with Retry-After.
func TestJobRoutesOverTheEngine(t *testing.T) {
	e := jobs.NewEngine(stubGraph{}, jobs.NewMemoryQueue(), downStore{}, jobs.Options{})
	h := jobsHandler(e)
	for _, r := range []struct{ method, path, body string }{
		{"POST", "/api/jobs", `{"accessPackageId":"` + packageID + `"}`},
		{"GET", "/api/jobs/" + jobID, ""},
	} {
		w := do(h, r.method, r.path, r.body)
		if w.Code != 503 || errorCode(t, w) != "JobStoreUnavailable" || w.Header().Get("Retry-After") == "" {
			t.Errorf("%s %s: %d %v %s", r.method, r.path, w.Code, w.Header(), w.Body)
		}
	}
}

type stubGraph struct{ jobs.Graph }

func (stubGraph) AccessPackage(_ context.Context, id string) (graph.Package, error) {
	return graph.Package{ID: id}, nil
}

type downStore struct{ jobs.Store }

func (downStore) Create(context.Context, jobs.Job) error { return jobs.ErrUnavailable }
func (downStore) Get(context.Context, string) (jobs.Job, error) {
	return jobs.Job{}, jobs.ErrUnavailable
}
