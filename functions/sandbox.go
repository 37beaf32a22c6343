package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
	"github.com/entra-tools/reprocess/shared/webhook"
	"github.com/entra-tools/reprocess/shared/webhook/webhooktest"
)

// realSetting names a setting that means "use my real tenant", if any.
func realSetting(getenv func(string) string) string {
	for _, name := range []string{"GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "KEYVAULT_URL"} {
		if getenv(name) != "" {
			return name
		}
	}
	return ""
}

// overlay gives the sandbox's settings precedence over the environment.
func overlay(vars sandbox.Vars, getenv func(string) string) func(string) string {
	return func(name string) string {
		if v, ok := vars[name]; ok {
			return v
		}
		return getenv(name)
	}
}

// sandboxEnv is the tenant's settings plus every signed webhook source
// (their secrets are seeded) and, with auth, bearer tokens for its API app.
func sandboxEnv(t *sandbox.Tenant, auth bool) sandbox.Vars {
	vars := t.Env()
	for _, src := range webhook.Sources() {
		vars[src.SecretNameSetting()] = "webhook-" + string(src)
	}
	if auth {
		vars["AUTH_AUDIENCE"], vars["AUTH_REQUIRED_ROLE"] = sandbox.APIClientID, sandbox.CallerRole
	}
	return vars
}

// printSandboxGuide tells a newcomer what to try.
func printSandboxGuide(w io.Writer, t *sandbox.Tenant, addr string, auth bool) {
	base := "http://" + addr
	s := t.Seeds
	if auth {
		fmt.Fprintf(w, `
Bearer tokens are required on /api (audience %s, app role %s).
A caller token from the sandbox tenant, valid for an hour:
  TOKEN='%s'
  curl -i -X POST %s/api/assignments/%s/reprocess          # 401: no token
`, sandbox.APIClientID, sandbox.CallerRole, t.MintCallerToken(sandbox.CallerTokenOptions{}), base, s.Delivered[0])
		base = `-H "Authorization: Bearer $TOKEN" ` + base
	}
	fmt.Fprintf(w, `
Sandbox tenant %s is running (emulated Entra, Key Vault and Graph over TLS on loopback).
Sample assignment ids:
  delivered       %s
  delivering      %s
  expired         %s
  unknown         %s

Try:
  curl -i -X POST %s/api/assignments/%s/reprocess          # 202 Accepted
  curl -i %s/api/assignments/%s                            # its state
  curl -i -X POST %s/api/assignments/%s/reprocess          # 404: no such assignment
  curl -i -X POST %s/api/assignments/%s/reprocess          # 400: Graph refuses a non-delivered one
  curl -i -X POST %s/api/assignments/not-a-guid/reprocess  # 400 before any call
  curl -i -X POST %s/api/reprocess -H 'Content-Type: application/json' -d '{"assignmentId":"%s"}'

`, sandbox.TenantID, s.Delivered[0], s.Delivering, s.Expired, s.Unknown,
		base, s.Delivered[0], base, s.Delivered[0], base, s.Unknown, base, s.Expired, base, base, s.Delivered[1])
	printWebhookGuide(w, t, "http://"+addr, s.Delivered[2])
	if !auth {
		fmt.Fprintln(w, "To require Entra bearer tokens on /api as in production: bin/handler --sandbox --sandbox-auth")
	}
	fmt.Fprint(w, "\nLogs are JSON lines on stdout. Ctrl-C stops.\n\n")
}

// printWebhookGuide prints a delivery signed as GitHub signs it, with the
// secret the sandbox's Key Vault holds.
func printWebhookGuide(w io.Writer, t *sandbox.Tenant, base, id string) {
	secret, _ := t.SecretValue("webhook-github")
	body := `{"assignmentId":"` + id + `"}`
	delivery := "sandbox-" + id[:8]
	h, err := webhooktest.Sign(webhook.GitHub, secret, delivery, body, time.Now())
	if err != nil {
		return
	}
	fmt.Fprintf(w, `Signed webhooks need no token: the signature is the proof. One signed as GitHub does (send it
twice: the second answer is the first one again, with no second Graph call):
  curl -i -X POST %s/api/webhooks/github -H 'Content-Type: application/json' -H 'X-GitHub-Delivery: %s' -H 'X-Hub-Signature-256: sha256=%s' --data-raw '%s'
`, base, delivery, strings.TrimPrefix(h.Get(webhooktest.SignatureHeader(webhook.GitHub)), "sha256="), body)
}
