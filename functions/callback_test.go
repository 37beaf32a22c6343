package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// logicApp stands in for the Logic Apps workflow endpoint that an HTTP
// Webhook action's @{listCallbackUrl()} names, served by the sandbox under
// its production host name so the callback goes over the same transport as
// in production (and the proxy would refuse any other host).
type logicApp struct {
	mu       sync.Mutex
	received []received
	arrived  chan received
	fail     int // answer 503 this many times first
}

type received struct {
	path, query, status string
	body                []byte
}

const logicAppHost = "prod-27.westeurope.logic.azure.com"

// A callback URL as Logic Apps writes it: port 443 and a SAS in the query.
const callbackSig = "q9XtG3kWm0Zb7sVfJ2pL8nRc4yHdE1aU6oIeT5gSxYw"

func callbackURL(path string) string {
	return "https://" + logicAppHost + ":443/workflows/1f4e0d2c9b8a/runs/08585/actions/Reprocess/run" + path +
		"?api-version=2016-06-01&sp=%2Fruns%2F08585%2Factions%2FReprocess%2Frun%2C%2Fruns%2F08585%2Factions%2FReprocess%2Fread&sv=1.0&sig=" + callbackSig
}

func newLogicApp(tb testing.TB, tenant *sandbox.Tenant) *logicApp {
	tb.Helper()
	la := &logicApp{arrived: make(chan received, 16)}
	err := tenant.Mount("*.westeurope.logic.azure.com", sandbox.Service("logic-apps"), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/redirect") {
			http.Redirect(w, r, "https://"+logicAppHost+"/elsewhere", http.StatusFound)
			return
		}
		body, _ := io.ReadAll(r.Body)
		la.mu.Lock()
		c := received{path: r.URL.Path, query: r.URL.RawQuery, status: r.Header.Get("X-Reprocess-Status"), body: body}
		la.received = append(la.received, c)
		failing := la.fail > 0
		if failing {
			la.fail--
		}
		la.mu.Unlock()
		if failing {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		la.arrived <- c
	}))
	if err != nil {
		tb.Fatal(err)
	}
	return la
}

func (la *logicApp) wait(tb testing.TB) received {
	tb.Helper()
	select {
	case c := <-la.arrived:
		return c
	case <-time.After(15 * time.Second):
		tb.Fatalf("no callback arrived")
		return received{}
	}
}

// waitForLog waits until the logs hold a line with substr.
func (s *stack) waitForLog(tb testing.TB, substr string) string {
	tb.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, line := range strings.Split(s.logs.String(), "\n") {
			if strings.Contains(line, substr) {
				return line
			}
		}
	}
	tb.Fatalf("no log line with %q in:\n%s", substr, s.logs.String())
	return ""
}

func TestWebhookCallback(t *testing.T) {
	t.Parallel() // it mostly waits: Retry-After, latency, polling
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered, ExtraHosts: []string{"*.westeurope.logic.azure.com"}})
	la := newLogicApp(t, tenant)
	s := newStackWith(t, tenant, nil)
	seeds := tenant.Seeds

	t.Run("single", func(t *testing.T) {
		resp := s.do(t, http.MethodPost, "/api/reprocess", `{"assignmentId":"`+seeds.Delivered[0]+`","callbackUrl":"`+callbackURL("")+`"}`)
		var sub struct{ Status, AssignmentID string }
		json.NewDecoder(resp.Body).Decode(&sub)
		if resp.StatusCode != http.StatusAccepted || sub.Status != "subscribed" || sub.AssignmentID != seeds.Delivered[0] {
			t.Fatalf("subscribe = %d %+v, want 202 subscribed", resp.StatusCode, sub)
		}
		c := la.wait(t)
		var body struct{ AssignmentID, Status, StatusURL string }
		if err := json.Unmarshal(c.body, &body); err != nil || body.AssignmentID != seeds.Delivered[0] || body.Status != "accepted" {
			t.Errorf("callback body = %s, want the 202 answer", c.body)
		}
		if c.status != "202" || !strings.Contains(c.query, "sig="+callbackSig) {
			t.Errorf("callback X-Reprocess-Status = %q, query %q: want 202 and the SAS kept", c.status, c.query)
		}
		if n := tenant.Graph.Reprocessed(seeds.Delivered[0]); n != 1 {
			t.Errorf("reprocessed %d times, want 1", n)
		}
	})
	t.Run("batch, after one refused delivery", func(t *testing.T) {
		la.mu.Lock()
		la.fail = 1
		la.mu.Unlock()
		body := `{"assignmentIds":["` + seeds.Delivered[1] + `","` + seeds.Unknown + `"],"callbackUrl":"` + callbackURL("") + `"}`
		if resp := s.do(t, http.MethodPost, "/api/reprocess", body); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("subscribe status = %d, want 202", resp.StatusCode)
		}
		c := la.wait(t)
		var a batchAnswer
		if err := json.Unmarshal(c.body, &a); err != nil || len(a.Results) != 2 || a.Results[0].Status != 202 || a.Results[1].Status != 404 {
			t.Errorf("callback body = %s, want the batch answer", c.body)
		}
		if c.status != "200" {
			t.Errorf("X-Reprocess-Status = %q, want 200", c.status)
		}
	})
	t.Run("user lookup with nothing to do", func(t *testing.T) {
		body := `{"userObjectId":"` + seeds.Users[3].ObjectID + `","accessPackageId":"` + seeds.AccessPackages[0].ID + `","callbackUrl":"` + callbackURL("") + `"}`
		if resp := s.do(t, http.MethodPost, "/api/reprocess", body); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("subscribe status = %d, want 202", resp.StatusCode)
		}
		c := la.wait(t)
		if c.status != "404" || !strings.Contains(string(c.body), "NoDeliveredAssignment") {
			t.Errorf("callback = %s %s, want 404 NoDeliveredAssignment", c.status, c.body)
		}
	})
	t.Run("redirect is not followed", func(t *testing.T) {
		before := tenant.CountFunc(func(r sandbox.Request) bool { return r.Host == logicAppHost })
		body := `{"assignmentId":"` + seeds.Delivered[2] + `","callbackUrl":"` + callbackURL("/redirect") + `"}`
		if resp := s.do(t, http.MethodPost, "/api/reprocess", body); resp.StatusCode != http.StatusAccepted {
			t.Fatalf("subscribe status = %d, want 202", resp.StatusCode)
		}
		line := s.waitForLog(t, `"callbackStatus":302`)
		if !strings.Contains(line, `"level":"ERROR"`) {
			t.Errorf("callback log = %s, want an error", line)
		}
		if n := tenant.CountFunc(func(r sandbox.Request) bool { return r.Host == logicAppHost }) - before; n != 1 {
			t.Errorf("requests to the Logic App = %d, want 1 (the redirect not followed)", n)
		}
	})
	s.waitForLog(t, `"callbackStatus":200`)
	if logs := s.logs.String(); strings.Contains(logs, callbackSig) || strings.Contains(logs, "/workflows/") {
		t.Errorf("logs hold the callback URL:\n%s", logs)
	}
}

func TestWebhookCallbackRefusedHosts(t *testing.T) {
	s := newStack(t, sandbox.Options{}, map[string]string{"CALLBACK_ALLOWED_HOSTS": ".logic.azure.com,.logic.azure.us"})
	id := s.tenant.Seeds.Delivered[0]
	for _, u := range []string{
		"http://prod-01.westeurope.logic.azure.com/workflows/x",
		"https://prod-01.westeurope.logic.azure.com.attacker.example/workflows/x",
		"https://attackerlogic.azure.com/workflows/x",
		"https://user:pw@prod-01.westeurope.logic.azure.com/workflows/x",
		"https://prod-01.westeurope.logic.azure.com:8443/workflows/x",
		"https://prod-01.westeurope.logic.azure.com/workflows/x#frag",
		"//prod-01.westeurope.logic.azure.com/workflows/x",
		"https://127.0.0.1/workflows/x",
		"",
	} {
		t.Run(u, func(t *testing.T) {
			resp := s.do(t, http.MethodPost, "/api/reprocess", `{"assignmentIds":["`+id+`"],"callbackUrl":"`+u+`"}`)
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", resp.StatusCode)
			}
			if e := readError(t, resp); e.Error.Code != "InvalidCallbackUrl" {
				t.Errorf("code = %q, want InvalidCallbackUrl", e.Error.Code)
			}
		})
	}
	if n := s.outbound(); n != 0 {
		t.Errorf("refused callbacks made %d outbound requests, want 0", n)
	}
}
