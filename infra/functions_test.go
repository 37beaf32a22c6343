package infra_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/api"
)

// The contract's Azure function folders (SPEC "HTTP API"). What each HTTP
// one serves, and whether it takes a key, comes from the handler's own route
// table (api.Routes).
var (
	specHTTPFunctions  = []string{"reprocess", "status", "submit", "webhook", "openapi", "jobs", "job-status"}
	specQueueFunctions = map[string]string{"reprocess-queue": "reprocess-requests", "job-worker": "%JOBS_QUEUE%"} // folder: queue
	specTimerFunctions = map[string]string{"sweep": "%SWEEP_SCHEDULE%"}                                           // folder: schedule
)

type binding struct {
	Type       string   `json:"type"`
	Direction  string   `json:"direction"`
	AuthLevel  string   `json:"authLevel"`
	Methods    []string `json:"methods"`
	Route      string   `json:"route"`
	QueueName  string   `json:"queueName"`
	Connection string   `json:"connection"`
	Schedule   string   `json:"schedule"`
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

var catchAllParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)\.\.\.\}`)

// functionsRoute is a ServeMux pattern's path as the Functions host writes
// a route ({rest...} is {*rest}; {$} ends the path).
func functionsRoute(pattern string) string {
	return catchAllParam.ReplaceAllString(strings.TrimSuffix(pattern, "{$}"), "{*$1}")
}

// handlerPath is what the handler's routes on one path say of it.
type handlerPath struct {
	methods []string // lower case, as function.json writes them
	public  bool     // every route of the path is public
}

// handlerPaths groups the handler's routes by path.
func handlerPaths() map[string]handlerPath {
	paths := map[string]handlerPath{}
	for _, rt := range api.Routes() {
		p := functionsRoute(rt.Path)
		e, seen := paths[p]
		e.methods = append(e.methods, strings.ToLower(rt.Method))
		e.public = rt.Public && (e.public || !seen)
		paths[p] = e
	}
	return paths
}

func TestFunctionFoldersMatchRoutes(t *testing.T) {
	folders := functionFolders(t)
	prefix := strings.Trim(routePrefix(t), "/")
	if prefix != "" {
		prefix = "/" + prefix
	}
	for name := range folders {
		_, queue := specQueueFunctions[name]
		if _, timer := specTimerFunctions[name]; !queue && !timer && !slices.Contains(specHTTPFunctions, name) {
			t.Errorf("functions/%s is not a function the contract lists", name)
		}
	}
	for name, queue := range specQueueFunctions {
		bindings, ok := folders[name]
		if !ok {
			t.Errorf("functions/%s/function.json is missing", name)
			continue
		}
		trigger := bindings[slices.IndexFunc(bindings, func(b binding) bool { return b.Direction == "in" })]
		if trigger.Type != "queueTrigger" || trigger.QueueName != queue || trigger.Connection != "AzureWebJobsStorage" {
			t.Errorf("functions/%s: trigger = %s on %q via %q, want queueTrigger on %q via AzureWebJobsStorage",
				name, trigger.Type, trigger.QueueName, trigger.Connection, queue)
		}
	}

	for name, schedule := range specTimerFunctions {
		bindings := folders[name]
		if len(bindings) != 1 || bindings[0].Type != "timerTrigger" || bindings[0].Schedule != schedule {
			t.Errorf("functions/%s: bindings = %+v, want one timerTrigger on %q", name, bindings, schedule)
		}
	}

	routes := handlerPaths()
	servedBy := map[string]string{} // path: folder
	for _, name := range specHTTPFunctions {
		t.Run(name, func(t *testing.T) {
			bindings, ok := folders[name]
			if !ok {
				t.Fatalf("functions/%s/function.json is missing", name)
			}
			trigger := bindings[slices.IndexFunc(bindings, func(b binding) bool { return b.Direction == "in" })]
			if trigger.Type != "httpTrigger" {
				t.Fatalf("trigger type = %s, want httpTrigger", trigger.Type)
			}
			path := prefix + "/" + strings.Trim(trigger.Route, "/")
			want, ok := routes[path]
			if !ok {
				t.Fatalf("serves %v %s, which is not a route of the handler", trigger.Methods, path)
			}
			if other, dup := servedBy[path]; dup {
				t.Errorf("serves %s, as functions/%s does", path, other)
			}
			servedBy[path] = name
			methods := slices.Clone(trigger.Methods)
			for i := range methods {
				methods[i] = strings.ToLower(methods[i])
			}
			slices.Sort(methods)
			if wantMethods := slices.Sorted(slices.Values(want.methods)); !slices.Equal(methods, wantMethods) {
				t.Errorf("%s: methods %v, want %v", path, trigger.Methods, wantMethods)
			}
			// Open exactly where the handler's route is public: connectors
			// import the OpenAPI document without a key, and GitHub or Jira
			// cannot add a key header (the webhook's signature is its proof).
			wantAuth := "function"
			if want.public {
				wantAuth = "anonymous"
			}
			if trigger.AuthLevel != wantAuth {
				t.Errorf("%s: authLevel = %q, want %q", path, trigger.AuthLevel, wantAuth)
			}
		})
	}
	// Every route under the prefix has its function; the others (readiness
	// at /) the host asks the custom handler directly.
	for path := range routes {
		if strings.HasPrefix(path, prefix+"/") && servedBy[path] == "" {
			t.Errorf("the handler serves %s, which no HTTP function folder routes to", path)
		}
	}
}

// Every queue a trigger listens on is one main.bicep creates: a literal name
// is var queueName; %SETTING% is the app setting, which must name a created queue.
func TestBicepCreatesTheTriggerQueue(t *testing.T) {
	src := repoFile(t, "infra/azure/main.bicep")
	created := map[string]string{} // var name: queue name
	for _, m := range regexp.MustCompile(`var (\w*[qQ]ueueName) = '([^']+)'`).FindAllStringSubmatch(src, -1) {
		created[m[1]] = m[2]
	}
	if created["queueName"] == "" {
		t.Fatal("main.bicep has no var queueName")
	}
	for name, bindings := range functionFolders(t) {
		for _, b := range bindings {
			if b.Type != "queueTrigger" {
				continue
			}
			want := created["queueName"]
			if setting, ok := strings.CutPrefix(b.QueueName, "%"); ok {
				m := regexp.MustCompile(`\n\s*` + regexp.QuoteMeta(strings.TrimSuffix(setting, "%")) + `: (\w+)`).FindStringSubmatch(src)
				if m == nil || created[m[1]] == "" {
					t.Errorf("functions/%s listens on %s, which main.bicep does not set to a queue it creates", name, b.QueueName)
				}
				continue
			}
			if b.QueueName != want {
				t.Errorf("functions/%s listens on queue %q, main.bicep creates %q", name, b.QueueName, want)
			}
		}
	}
}
