package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
	"github.com/entra-tools/reprocess/shared/webhook"
)

// TestWebhookSchemes runs every source's scheme end to end: vectors are
// signed here with fresh timestamps and the secret the sandbox's Key Vault
// holds, and each case counts the Graph calls it caused.
func TestWebhookSchemes(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, webhookEnv(nil))
	type delivery struct {
		header http.Header
		body   string
	}
	tests := []struct {
		name      string
		sources   []webhook.Source // nil: every source
		make      func(src webhook.Source, secret, id, body string) delivery
		want      int
		wantCalls int
	}{
		{"valid", nil, func(src webhook.Source, secret, id, body string) delivery {
			return delivery{signDelivery(t, src, secret, "d-"+id, body, time.Now()), body}
		}, http.StatusAccepted, 1},
		{"tampered body", nil, func(src webhook.Source, secret, id, body string) delivery {
			return delivery{signDelivery(t, src, secret, "d-"+id, body, time.Now()), strings.Replace(body, `"assignmentId"`, `"assignmentId" `, 1)}
		}, http.StatusUnauthorized, 0},
		{"wrong secret", nil, func(src webhook.Source, secret, id, body string) delivery {
			return delivery{signDelivery(t, src, otherSecret(src), "d-"+id, body, time.Now()), body}
		}, http.StatusUnauthorized, 0},
		{"missing signature header", nil, func(src webhook.Source, secret, id, body string) delivery {
			h := signDelivery(t, src, secret, "d-"+id, body, time.Now())
			h.Del(signatureHeader(src))
			return delivery{h, body}
		}, http.StatusUnauthorized, 0},
		{"signature of another source's form", []webhook.Source{webhook.GitHub, webhook.PagerDuty}, func(src webhook.Source, secret, id, body string) delivery {
			h := signDelivery(t, src, secret, "d-"+id, body, time.Now())
			h.Set(signatureHeader(src), "sha1="+strings.Repeat("0", 40))
			return delivery{h, body}
		}, http.StatusUnauthorized, 0},
		{"stale timestamp", []webhook.Source{webhook.Standard, webhook.Zendesk}, func(src webhook.Source, secret, id, body string) delivery {
			return delivery{signDelivery(t, src, secret, "d-"+id, body, time.Now().Add(-webhook.Tolerance-time.Minute)), body}
		}, http.StatusUnauthorized, 0},
		{"future timestamp", []webhook.Source{webhook.Standard, webhook.Zendesk}, func(src webhook.Source, secret, id, body string) delivery {
			return delivery{signDelivery(t, src, secret, "d-"+id, body, time.Now().Add(webhook.Tolerance+time.Minute)), body}
		}, http.StatusUnauthorized, 0},
		{"timestamp within tolerance", []webhook.Source{webhook.Standard, webhook.Zendesk}, func(src webhook.Source, secret, id, body string) delivery {
			return delivery{signDelivery(t, src, secret, "d-"+id, body, time.Now().Add(-webhook.Tolerance+time.Minute)), body}
		}, http.StatusAccepted, 1},
		{"several signatures, one valid", []webhook.Source{webhook.Standard, webhook.PagerDuty}, func(src webhook.Source, secret, id, body string) delivery {
			good := signDelivery(t, src, secret, "d-"+id, body, time.Now())
			bad := signDelivery(t, src, otherSecret(src), "d-"+id, body, time.Now())
			name := signatureHeader(src)
			sep := " "
			if src == webhook.PagerDuty {
				sep = ","
			}
			good.Set(name, bad.Get(name)+sep+good.Get(name))
			return delivery{good, body}
		}, http.StatusAccepted, 1},
		{"several signatures, none valid", []webhook.Source{webhook.Standard, webhook.PagerDuty}, func(src webhook.Source, secret, id, body string) delivery {
			h := signDelivery(t, src, otherSecret(src), "d-"+id, body, time.Now())
			other := signDelivery(t, src, otherSecret(src), "d-"+id, body, time.Now())
			sep := " "
			if src == webhook.PagerDuty {
				sep = ","
			}
			h.Set(signatureHeader(src), h.Get(signatureHeader(src))+sep+other.Get(signatureHeader(src)))
			return delivery{h, body}
		}, http.StatusUnauthorized, 0},
	}
	for _, tc := range tests {
		sources := tc.sources
		if sources == nil {
			sources = webhook.Sources()
		}
		for _, src := range sources {
			t.Run(tc.name+"/"+string(src), func(t *testing.T) {
				id := s.tenant.AddAssignment(sandbox.Assignment{})
				d := tc.make(src, s.seededSecret(t, src), id, `{"assignmentId":"`+id+`","event":"test"}`)
				resp := s.deliver(t, string(src), d.header, d.body)
				if resp.StatusCode != tc.want {
					b, _ := io.ReadAll(resp.Body)
					t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tc.want, b)
				}
				if got := s.graphCalls(id); got != tc.wantCalls {
					t.Errorf("Graph calls = %d, want %d", got, tc.wantCalls)
				}
				if tc.want == http.StatusAccepted {
					checkAccepted(t, resp, id)
				} else if e := readError(t, resp); e.Error.Code != "InvalidWebhookSignature" {
					t.Errorf("error code = %q, want InvalidWebhookSignature", e.Error.Code)
				}
			})
		}
	}
}

// checkAccepted checks the 202 the path route gives: body, Location and
// Retry-After.
func checkAccepted(tb testing.TB, resp *http.Response, id string) {
	tb.Helper()
	var body struct{ AssignmentID, Status, GraphRequestID, StatusURL string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		tb.Fatalf("202 body: %v", err)
	}
	statusURL := "http://example.com/api/assignments/" + id
	if body.AssignmentID != id || body.Status != "accepted" || body.GraphRequestID == "" || body.StatusURL != statusURL {
		tb.Errorf("202 body = %+v, want the path route's for %s", body, id)
	}
	if got := resp.Header.Get("Location"); got != statusURL {
		tb.Errorf("Location = %q, want %q", got, statusURL)
	}
	if got := resp.Header.Get("Retry-After"); got != "10" {
		tb.Errorf("Retry-After = %q, want 10", got)
	}
	if resp.Header.Get("X-Graph-Request-Id") != body.GraphRequestID {
		tb.Errorf("X-Graph-Request-Id = %q, want the body's %q", resp.Header.Get("X-Graph-Request-Id"), body.GraphRequestID)
	}
}

func TestWebhookReplay(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, webhookEnv(nil))
	for _, src := range webhook.Sources() {
		t.Run(string(src), func(t *testing.T) {
			id := s.tenant.AddAssignment(sandbox.Assignment{})
			body := `{"assignmentId":"` + id + `"}`
			h := signDelivery(t, src, s.seededSecret(t, src), "d-"+id, body, time.Now())
			first := s.deliver(t, string(src), h, body)
			firstBody, _ := io.ReadAll(first.Body)
			again := s.deliver(t, string(src), h, body)
			againBody, _ := io.ReadAll(again.Body)
			if first.StatusCode != http.StatusAccepted || again.StatusCode != first.StatusCode || string(againBody) != string(firstBody) {
				t.Errorf("replay = %d %s, want the first answer %d %s", again.StatusCode, againBody, first.StatusCode, firstBody)
			}
			if again.Header.Get("X-Graph-Request-Id") != first.Header.Get("X-Graph-Request-Id") {
				t.Errorf("replay X-Graph-Request-Id = %q, want the first %q", again.Header.Get("X-Graph-Request-Id"), first.Header.Get("X-Graph-Request-Id"))
			}
			if src != webhook.Standard {
				// Only Standard Webhooks signs its id: elsewhere an attacker can
				// resend a captured delivery under a new one.
				renamed := h.Clone()
				for _, name := range []string{"X-GitHub-Delivery", "X-Atlassian-Webhook-Identifier", "X-Webhook-Id", "X-Zendesk-Webhook-Invocation-Id"} {
					if renamed.Get(name) != "" {
						renamed.Set(name, "replayed-under-a-new-id")
					}
				}
				if resp := s.deliver(t, string(src), renamed, body); resp.StatusCode != http.StatusAccepted {
					t.Errorf("replay under a new id: status = %d, want the first answer 202", resp.StatusCode)
				}
			}
			if got := s.graphCalls(id); got != 1 {
				t.Errorf("Graph calls = %d, want 1 in total", got)
			}
		})
	}
	if !strings.Contains(s.logs.String(), `"replayed":true`) {
		t.Errorf("no log line says a delivery was replayed")
	}
}

func TestWebhookUnconfiguredSource(t *testing.T) {
	s := newStack(t, sandbox.Options{}, map[string]string{"WEBHOOK_GITHUB_SECRET_NAME": "webhook-github"})
	id := s.tenant.Seeds.Delivered[0]
	body := `{"assignmentId":"` + id + `"}`
	secret, _ := s.tenant.SecretValue("webhook-zendesk")
	for _, source := range []string{"zendesk", "gitlab", "GitHub", "github%00"} {
		t.Run(source, func(t *testing.T) {
			resp := s.deliver(t, source, signDelivery(t, webhook.Zendesk, secret, "d1", body, time.Now()), body)
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("status = %d, want 404", resp.StatusCode)
			}
			readError(t, resp)
		})
	}
	if n := s.outbound(); n != 0 {
		t.Errorf("unconfigured sources made %d outbound requests, want 0", n)
	}
}

func TestWebhookPayload(t *testing.T) {
	s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, webhookEnv(map[string]string{
		"WEBHOOK_JIRA_ID_POINTER": "/issue/fields/customfield_10042",
	}))
	tests := []struct {
		name, source, body string
		want               int
		wantCode           string
	}{
		{"no id", "github", `{"action":"opened"}`, http.StatusBadRequest, "AssignmentIdNotFound"},
		{"id not a string", "github", `{"assignmentId":42}`, http.StatusBadRequest, "AssignmentIdNotFound"},
		{"id null", "github", `{"assignmentId":null}`, http.StatusBadRequest, "AssignmentIdNotFound"},
		{"not JSON", "github", `assignmentId=0f8fad5b-d9cb-469f-a165-70867728950e`, http.StatusBadRequest, "AssignmentIdNotFound"},
		{"invalid GUID", "github", `{"assignmentId":"../../users/x"}`, http.StatusBadRequest, "InvalidAssignmentId"},
		{"braced GUID", "github", `{"assignmentId":"{0f8fad5b-d9cb-469f-a165-70867728950e}"}`, http.StatusBadRequest, "InvalidAssignmentId"},
		{"id at the default pointer, source with its own", "jira", `{"assignmentId":"0f8fad5b-d9cb-469f-a165-70867728950e"}`, http.StatusBadRequest, "AssignmentIdNotFound"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, _ := webhook.ParseSource(tc.source)
			resp := s.deliver(t, tc.source, signDelivery(t, src, s.seededSecret(t, src), "p"+strconv.Itoa(i), tc.body, time.Now()), tc.body)
			if resp.StatusCode != tc.want {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tc.want)
			}
			if e := readError(t, resp); e.Error.Code != tc.wantCode {
				t.Errorf("error code = %q, want %q", e.Error.Code, tc.wantCode)
			}
		})
	}
	if n := s.tenant.Count(sandbox.Graph); n != 0 {
		t.Errorf("refused payloads made %d Graph requests, want 0", n)
	}

	t.Run("nested id at the configured pointer", func(t *testing.T) {
		id := s.tenant.AddAssignment(sandbox.Assignment{})
		body := `{"webhookEvent":"jira:issue_updated","issue":{"key":"OPS-1","fields":{"customfield_10042":"` + strings.ToUpper(id) + `"}}}`
		resp := s.deliver(t, "jira", signDelivery(t, webhook.Jira, s.seededSecret(t, webhook.Jira), "nested", body, time.Now()), body)
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("status = %d, want 202", resp.StatusCode)
		}
		checkAccepted(t, resp, id)
		if got := s.graphCalls(id); got != 1 {
			t.Errorf("Graph calls = %d, want 1", got)
		}
	})
}

func TestWebhookLimitsAndFailures(t *testing.T) {
	t.Run("body over 1 MiB", func(t *testing.T) {
		s := newStack(t, sandbox.Options{}, webhookEnv(nil))
		body := `{"assignmentId":"` + s.tenant.Seeds.Delivered[0] + `","pad":"` + strings.Repeat("x", 1<<20) + `"}`
		h := signDelivery(t, webhook.GitHub, s.seededSecret(t, webhook.GitHub), "big", body, time.Now())
		for _, known := range []bool{true, false} {
			req := httptest.NewRequest(http.MethodPost, "/api/webhooks/github", strings.NewReader(body))
			req.Header = h.Clone()
			if !known {
				req.ContentLength = -1 // chunked: the limit applies while reading
			}
			if resp := s.send(t, req); resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("Content-Length known %v: status = %d, want 413", known, resp.StatusCode)
			}
		}
		if n := s.tenant.Count(sandbox.Graph); n != 0 {
			t.Errorf("Graph requests = %d, want 0", n)
		}
	})
	t.Run("key vault down", func(t *testing.T) {
		s := newStack(t, sandbox.Options{}, webhookEnv(nil))
		s.tenant.KeyVault.SetDown(true)
		id := s.tenant.Seeds.Delivered[0]
		body := `{"assignmentId":"` + id + `"}`
		resp := s.deliver(t, "github", signDelivery(t, webhook.GitHub, s.seededSecret(t, webhook.GitHub), "kv", body, time.Now()), body)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("status = %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if e := readError(t, resp); e.Error.Code != "KeyVaultUnavailable" {
			t.Errorf("error code = %q, want KeyVaultUnavailable", e.Error.Code)
		}
		if n := s.tenant.Count(sandbox.Graph); n != 0 {
			t.Errorf("Graph requests = %d, want 0", n)
		}
	})
	t.Run("secret rotated at the sender and in Key Vault", func(t *testing.T) {
		s := newStack(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered}, webhookEnv(nil))
		old := s.seededSecret(t, webhook.GitHub)
		deliver := func(secret, name string) int {
			id := s.tenant.AddAssignment(sandbox.Assignment{})
			body := `{"assignmentId":"` + id + `"}`
			return s.deliver(t, "github", signDelivery(t, webhook.GitHub, secret, name, body, time.Now()), body).StatusCode
		}
		if got := deliver(old, "r1"); got != http.StatusAccepted {
			t.Fatalf("before rotation: status = %d, want 202", got)
		}
		rotated := otherSecret(webhook.GitHub)
		s.tenant.SetSecret("webhook-github", rotated)
		if got := deliver(rotated, "r2"); got != http.StatusAccepted {
			t.Errorf("signed with the rotated secret: status = %d, want 202 (the cached secret re-read once)", got)
		}
		if got := deliver(old, "r3"); got != http.StatusUnauthorized {
			t.Errorf("signed with the old secret: status = %d, want 401", got)
		}
		for i := 0; i < 3; i++ {
			deliver(otherSecret(webhook.GitHub), "forged"+strconv.Itoa(i))
		}
		reads := s.tenant.CountFunc(func(r sandbox.Request) bool {
			return r.Service == sandbox.KeyVault && r.Status == http.StatusOK && strings.Contains(r.Path, "webhook-github")
		})
		if reads != 2 {
			t.Errorf("secret reads = %d, want 2 (first use, one re-read; forgeries read no more)", reads)
		}
	})
}

// A bad pointer stops the start with a line naming the setting.
func TestWebhookBadPointerStopsStart(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	vars := tenant.Env()
	for k, v := range webhookEnv(map[string]string{"WEBHOOK_ZENDESK_ID_POINTER": "/ticket/~2id"}) {
		vars[k] = v
	}
	vars["PORT"] = freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // if the start were allowed, serve would stop at once
	err := run(ctx, nil, vars.Getenv, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "WEBHOOK_ZENDESK_ID_POINTER") {
		t.Fatalf("run() = %v, want a configuration error naming WEBHOOK_ZENDESK_ID_POINTER", err)
	}
}
