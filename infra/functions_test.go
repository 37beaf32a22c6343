package infra_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// specFunctions is the contract's table of Azure function folders and the routes the
// handler serves (SPEC "HTTP API"). Kept here until the handler exports its own table.
var specFunctions = map[string]struct {
	Method, Path string // HTTP: method and full path, /api included
	Queue        string // queue trigger: queue name
}{
	"reprocess":       {Method: "POST", Path: "/api/assignments/{id}/reprocess"},
	"status":          {Method: "GET", Path: "/api/assignments/{id}"},
	"submit":          {Method: "POST", Path: "/api/reprocess"},
	"webhook":         {Method: "POST", Path: "/api/webhooks/{source}"},
	"openapi":         {Method: "GET", Path: "/api/swagger.json"},
	"reprocess-queue": {Queue: "reprocess-requests"},
}

type binding struct {
	Type       string   `json:"type"`
	Direction  string   `json:"direction"`
	AuthLevel  string   `json:"authLevel"`
	Methods    []string `json:"methods"`
	Route      string   `json:"route"`
	QueueName  string   `json:"queueName"`
	Connection string   `json:"connection"`
}

// functionFolders reads every functions/<name>/function.json.
func functionFolders(tb testing.TB) map[string][]binding {
	tb.Helper()
	dirs, err := os.ReadDir(filepath.Join("..", "functions"))
	if err != nil {
		tb.Fatal(err)
	}
	folders := map[string][]binding{}
	for _, d := range dirs {
		data, err := os.ReadFile(filepath.Join("..", "functions", d.Name(), "function.json"))
		if !d.IsDir() || os.IsNotExist(err) {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		var fj struct {
			Bindings []binding `json:"bindings"`
		}
		if err := json.Unmarshal(data, &fj); err != nil {
			tb.Fatalf("functions/%s/function.json: %v", d.Name(), err)
		}
		folders[d.Name()] = fj.Bindings
	}
	return folders
}

func routePrefix(tb testing.TB) string {
	tb.Helper()
	var host struct {
		Extensions struct {
			HTTP struct {
				RoutePrefix *string `json:"routePrefix"`
			} `json:"http"`
		} `json:"extensions"`
	}
	if err := json.Unmarshal([]byte(repoFile(tb, "host.json")), &host); err != nil {
		tb.Fatalf("host.json: %v", err)
	}
	if host.Extensions.HTTP.RoutePrefix == nil {
		return "api" // the host's default
	}
	return *host.Extensions.HTTP.RoutePrefix
}

func TestFunctionFoldersMatchRoutes(t *testing.T) {
	folders := functionFolders(t)
	prefix := routePrefix(t)
	for name := range folders {
		if _, ok := specFunctions[name]; !ok {
			t.Errorf("functions/%s is not a function the contract lists", name)
		}
	}
	for name, want := range specFunctions {
		t.Run(name, func(t *testing.T) {
			bindings, ok := folders[name]
			if !ok {
				t.Fatalf("functions/%s/function.json is missing", name)
			}
			trigger := bindings[slices.IndexFunc(bindings, func(b binding) bool { return b.Direction == "in" })]
			if want.Queue != "" {
				if trigger.Type != "queueTrigger" || trigger.QueueName != want.Queue || trigger.Connection != "AzureWebJobsStorage" {
					t.Errorf("trigger = %s on %q via %q, want queueTrigger on %q via AzureWebJobsStorage",
						trigger.Type, trigger.QueueName, trigger.Connection, want.Queue)
				}
				return
			}
			if trigger.Type != "httpTrigger" {
				t.Fatalf("trigger type = %s, want httpTrigger", trigger.Type)
			}
			path := "/" + strings.Trim(prefix+"/"+trigger.Route, "/")
			if len(trigger.Methods) != 1 || !strings.EqualFold(trigger.Methods[0], want.Method) || path != want.Path {
				t.Errorf("serves %v %s, want %s %s", trigger.Methods, path, want.Method, want.Path)
			}
			// Open only where a key cannot be sent or is not needed: connectors
			// import the OpenAPI document without one, and GitHub or Jira cannot
			// add a key header (the webhook's signature is its proof).
			wantAuth := "function"
			if name == "openapi" || name == "webhook" {
				wantAuth = "anonymous"
			}
			if trigger.AuthLevel != wantAuth {
				t.Errorf("authLevel = %q, want %q", trigger.AuthLevel, wantAuth)
			}
		})
	}
}

func TestBicepCreatesTheTriggerQueue(t *testing.T) {
	m := regexp.MustCompile(`var queueName = '([^']+)'`).FindStringSubmatch(repoFile(t, "infra/azure/main.bicep"))
	if m == nil {
		t.Fatal("main.bicep has no var queueName")
	}
	for name, bindings := range functionFolders(t) {
		for _, b := range bindings {
			if b.Type == "queueTrigger" && b.QueueName != m[1] {
				t.Errorf("functions/%s listens on queue %q, main.bicep creates %q", name, b.QueueName, m[1])
			}
		}
	}
}
