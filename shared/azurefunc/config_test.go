package azurefunc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/api"
)

// The host.json and function.json files this edge is written against live
// at the repository root; these tests keep the two in step.
const repoRoot = "../.."

type hostJSON struct {
	Version         string `json:"version"`
	FunctionTimeout string `json:"functionTimeout"`
	Logging         struct {
		Console struct {
			IsEnabled bool `json:"isEnabled"`
		} `json:"console"`
	} `json:"logging"`
	ExtensionBundle struct {
		ID      string `json:"id"`
		Version string `json:"version"`
	} `json:"extensionBundle"`
	Extensions struct {
		HTTP struct {
			RoutePrefix *string `json:"routePrefix"`
		} `json:"http"`
		Queues struct {
			MessageEncoding   string `json:"messageEncoding"`
			MaxDequeueCount   int    `json:"maxDequeueCount"`
			VisibilityTimeout string `json:"visibilityTimeout"`
		} `json:"queues"`
	} `json:"extensions"`
	CustomHandler struct {
		Description struct {
			DefaultExecutablePath string  `json:"defaultExecutablePath"`
			WorkingDirectory      *string `json:"workingDirectory"`
		} `json:"description"`
		EnableProxyingHTTPRequest   bool `json:"enableProxyingHttpRequest"`
		EnableForwardingHTTPRequest bool `json:"enableForwardingHttpRequest"`
	} `json:"customHandler"`
}

type binding struct {
	Type       string   `json:"type"`
	Direction  string   `json:"direction"`
	Name       string   `json:"name"`
	AuthLevel  string   `json:"authLevel"`
	Methods    []string `json:"methods"`
	Route      string   `json:"route"`
	QueueName  string   `json:"queueName"`
	Connection string   `json:"connection"`
	Schedule   string   `json:"schedule"`
}

// readJSON decodes path into v; strict refuses fields v does not know.
func readJSON(tb testing.TB, path string, v any, strict bool) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
}

// hostTimeSpan parses the hh:mm:ss of host.json.
func hostTimeSpan(tb testing.TB, s string) time.Duration {
	tb.Helper()
	t, err := time.Parse("15:04:05", s)
	if err != nil {
		tb.Fatalf("time span %q: %v", s, err)
	}
	h, m, sec := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second
}

func TestHostJSON(t *testing.T) {
	var h hostJSON
	readJSON(t, filepath.Join(repoRoot, "host.json"), &h, false)
	if h.Version != "2.0" {
		t.Errorf("version = %q, want 2.0", h.Version)
	}
	if d := h.CustomHandler.Description; d.DefaultExecutablePath != "handler" || (d.WorkingDirectory != nil && *d.WorkingDirectory != "") {
		t.Errorf("customHandler.description = %+v, want defaultExecutablePath handler and no workingDirectory", d)
	}
	if !h.CustomHandler.EnableProxyingHTTPRequest || !h.CustomHandler.EnableForwardingHTTPRequest {
		t.Errorf("customHandler flags = %+v, want both proxying and forwarding on", h.CustomHandler)
	}
	// Invocations are told apart from forwarded requests by path, which
	// needs a prefix (see the package doc).
	if p := h.Extensions.HTTP.RoutePrefix; p == nil || *p != "api" {
		t.Errorf("extensions.http.routePrefix = %v, want api", p)
	}
	if b := h.ExtensionBundle; b.ID != "Microsoft.Azure.Functions.ExtensionBundle" || b.Version != "[4.*, 5.0.0)" {
		t.Errorf("extensionBundle = %+v, want the v4 bundle (the queue trigger needs it)", b)
	}
	if q := h.Extensions.Queues; q.MessageEncoding != "none" || q.MaxDequeueCount < 1 || hostTimeSpan(t, q.VisibilityTimeout) <= 0 {
		t.Errorf("extensions.queues = %+v, want messageEncoding none (what the message decoding assumes), a dequeue limit and a retry delay", q)
	}
	// Well above the core's 25 s request deadline, below the 230 s the
	// front end allows an HTTP function: a timeout restarts the whole handler.
	if d := hostTimeSpan(t, h.FunctionTimeout); d < 2*25*time.Second || d >= 230*time.Second {
		t.Errorf("functionTimeout = %v, want between 50 s and 230 s", d)
	}
	if !h.Logging.Console.IsEnabled {
		t.Errorf("logging.console.isEnabled = false, want true")
	}
}

func TestFunctionFolders(t *testing.T) {
	type httpWant struct{ method, route, corePath string }
	wantHTTP := map[string]httpWant{
		FunctionReprocess: {"post", "assignments/{id}/reprocess", "/api/assignments/{id}/reprocess"},
		FunctionStatus:    {"get", "assignments/{id}", "/api/assignments/{id}"},
		FunctionSubmit:    {"post", "reprocess", "/api/reprocess"},
		FunctionWebhook:   {"post", "webhooks/{source}", "/api/webhooks/{source}"},
		FunctionOpenAPI:   {"get", "swagger.json", "/api/swagger.json"},
		FunctionJobs:      {"post", "jobs", "/api/jobs"},
		FunctionJobStatus: {"get", "jobs/{jobId}", "/api/jobs/{jobId}"},
	}
	// Whether a function needs a key is the route table's word (Route.Public).
	authLevel := func(method, path string) string {
		for _, rt := range api.Routes() {
			if strings.EqualFold(rt.Method, method) && rt.Path == path {
				if rt.Public {
					return "anonymous"
				}
				return "function"
			}
		}
		t.Fatalf("the api serves no %s %s", method, path)
		return ""
	}
	dirs, err := filepath.Glob(filepath.Join(repoRoot, "functions", "*", "function.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, path := range dirs {
		names = append(names, filepath.Base(filepath.Dir(path)))
	}
	slices.Sort(names)
	want := append(httpFunctions(), FunctionReprocessQueue, FunctionJobWorker, FunctionSweep)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("function folders = %v, want %v (the names the edge routes)", names, want)
	}

	for _, name := range names {
		var f struct {
			Bindings []binding `json:"bindings"`
		}
		readJSON(t, filepath.Join(repoRoot, "functions", name, "function.json"), &f, true)
		if wantBindings, ok := nonHTTPBindings[name]; ok {
			if !slices.EqualFunc(f.Bindings, wantBindings, bindingEqual) {
				t.Errorf("%s bindings = %+v, want %+v", name, f.Bindings, wantBindings)
			}
			continue
		}
		w := wantHTTP[name]
		// Exactly httpTrigger in + http out, or the host will not forward or proxy it.
		wantBindings := []binding{
			{Type: "httpTrigger", Direction: "in", Name: httpTriggerBinding, AuthLevel: authLevel(w.method, w.corePath), Methods: []string{w.method}, Route: w.route},
			{Type: "http", Direction: "out", Name: httpOutputBinding},
		}
		if !slices.EqualFunc(f.Bindings, wantBindings, bindingEqual) {
			t.Errorf("%s bindings = %+v, want %+v", name, f.Bindings, wantBindings)
		}
		// A constraint such as {id:guid} would make the host answer 404
		// before the core can answer its own 400.
		if strings.Contains(f.Bindings[0].Route, ":") {
			t.Errorf("%s route %q has a constraint", name, f.Bindings[0].Route)
		}
		if got := "/api/" + f.Bindings[0].Route; got != w.corePath {
			t.Errorf("%s serves %s, want the core route %s", name, got, w.corePath)
		}
		for _, other := range want {
			if "/api/"+f.Bindings[0].Route == "/"+other {
				t.Errorf("%s route collides with the JSON invocation path of %s", name, other)
			}
		}
	}
}

// nonHTTPBindings are the queue and timer functions' bindings: the names
// the edge reads (Data.msg, Data.timer) and the settings the host resolves.
var nonHTTPBindings = map[string][]binding{
	FunctionReprocessQueue: {{Type: "queueTrigger", Direction: "in", Name: queueTriggerBinding, QueueName: "reprocess-requests", Connection: "AzureWebJobsStorage"}},
	FunctionJobWorker:      {{Type: "queueTrigger", Direction: "in", Name: queueTriggerBinding, QueueName: "%JOBS_QUEUE%", Connection: "AzureWebJobsStorage"}},
	FunctionSweep:          {{Type: "timerTrigger", Direction: "in", Name: timerBinding, Schedule: "%SWEEP_SCHEDULE%"}},
}

func bindingEqual(a, b binding) bool {
	return a.Type == b.Type && a.Direction == b.Direction && a.Name == b.Name && a.AuthLevel == b.AuthLevel &&
		slices.Equal(a.Methods, b.Methods) && a.Route == b.Route && a.QueueName == b.QueueName && a.Connection == b.Connection &&
		a.Schedule == b.Schedule
}
