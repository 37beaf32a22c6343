//go:build sandbox

// The emulated tenant behind --sandbox. Built only with -tags sandbox: make
// build and make run add the tag, make package does not (nosandbox.go
// stands in for this file there).

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
	"github.com/entra-tools/reprocess/shared/webhook"
	"github.com/entra-tools/reprocess/shared/webhook/webhooktest"
)

// startSandbox starts the emulated tenant, unless this process is on a real
// platform or holds real settings: there it would answer for a tenant that
// is not there. The refusal comes before anything starts or listens.
func startSandbox(ctx context.Context, getenv func(string) string, auth bool) (*devTenant, error) {
	if err := sandboxRefusal(getenv); err != nil {
		return nil, err
	}
	t, err := sandbox.Start(ctx, sandbox.Options{})
	if err != nil {
		return nil, fmt.Errorf("start sandbox: %w", err)
	}
	return &devTenant{
		client:  t.HTTPClient(),
		getenv:  overlay(sandboxEnv(t, auth), getenv),
		guide:   func(w io.Writer, addr string, auth bool) { printSandboxGuide(w, t, addr, auth) },
		stop:    func() { t.Close() },
		addBulk: func(n int) string { return t.AddBulkAccessPackage(n, 25).ID },
		graphRequests: func() (int, int) {
			return t.Count(sandbox.Graph), t.CountFunc(func(r sandbox.Request) bool { return r.Service == sandbox.Graph && r.InBatch })
		},
	}, nil
}

// sandboxRefusal says why --sandbox may not start here, if it may not.
// Values are trimmed as config.Load trims them.
func sandboxRefusal(getenv func(string) string) error {
	set := func(name string) bool { return strings.TrimSpace(getenv(name)) != "" }
	switch {
	case set("AWS_LAMBDA_RUNTIME_API"):
		return errors.New("--sandbox refused: this is AWS Lambda (AWS_LAMBDA_RUNTIME_API is set); the emulated tenant is for local development only")
	case set("FUNCTIONS_CUSTOMHANDLER_PORT"):
		return errors.New("--sandbox refused: this is Azure Functions (FUNCTIONS_CUSTOMHANDLER_PORT is set); the emulated tenant is for local development only")
	}
	for _, name := range []string{"GRAPH_TENANT_ID", "GRAPH_CLIENT_ID", "KEYVAULT_URL"} {
		if set(name) {
			return fmt.Errorf("--sandbox refused: %s is set, so a real tenant is configured; run without --sandbox to use it, or unset GRAPH_TENANT_ID, GRAPH_CLIENT_ID and KEYVAULT_URL", name)
		}
	}
	return nil
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
Sandbox tenant %[1]s is running (emulated Entra, Key Vault and Graph over TLS on loopback).
Sample assignment ids:
  delivered       %[10]s
  delivering      %[11]s
  expired         %[12]s
  unknown         %[6]s

Try:
  curl -i -X POST %[2]s/api/assignments/%[10]s/reprocess          # 202 Accepted
  curl -i %[2]s/api/assignments/%[10]s                            # its state
  curl -i -X POST %[2]s/api/assignments/%[6]s/reprocess          # 404: no such assignment
  curl -i -X POST %[2]s/api/assignments/%[12]s/reprocess          # 400: Graph refuses a non-delivered one
  curl -i -X POST %[2]s/api/assignments/not-a-guid/reprocess  # 400 before any call

POST /api/reprocess takes one body of each shape:
  curl -i -X POST %[2]s/api/reprocess -H 'Content-Type: application/json' -d '{"assignmentId":"%[3]s"}'
  curl -i -X POST %[2]s/api/reprocess -H 'Content-Type: application/json' -d '{"Stage":"assignmentRequestGranted","Assignment":{"Id":"%[3]s"}}'   # custom extension, as a Logic App receives it
  curl -i -X POST %[2]s/api/reprocess -H 'Content-Type: application/json' -d '{"stage":"assignmentRequestGranted","assignment":{"id":"%[3]s"}}'   # custom extension, Graph's casing
  curl -s -X POST %[2]s/api/reprocess -H 'Content-Type: application/json' -d '{"assignmentIds":["%[4]s","%[5]s","not-a-guid","%[6]s"]}'   # 200: one result per id
  curl -s -X POST %[2]s/api/reprocess -H 'Content-Type: application/json' -d '{"userPrincipalName":"%[7]s","accessPackageId":"%[8]s"}'   # the user's delivered assignments
  curl -s -X POST %[2]s/api/reprocess -H 'Content-Type: application/json' -d '{"userObjectId":"%[9]s","accessPackageId":"%[8]s"}'
  curl -i -X POST %[2]s/api/reprocess -H 'Content-Type: application/json' -d '{"assignmentId":"%[4]s","callbackUrl":"https://prod-00.westeurope.logic.azure.com/workflows/x?sig=y"}'   # 202, then the callback fails: no Logic App here
  curl -s %[2]s/api/swagger.json   # OpenAPI 2.0

A whole access package at once (%[14]d assignments, %[15]d of whose targets lack a group): a drift dry run,
then its status, polled until 200 (the job runs on an in-process queue):
  curl -i -X POST %[2]s/api/jobs -H 'Content-Type: application/json' -d '{"accessPackageId":"%[13]s","mode":"drifted","dryRun":true}'
  curl -s %[2]s/api/jobs/<jobId from the answer>

`, sandbox.TenantID, base, s.Delivered[1], s.Delivered[2], s.Delivered[3], s.Unknown,
		s.Users[0].UserPrincipalName, s.AccessPackages[0].ID, s.Users[0].ObjectID, s.Delivered[0], s.Delivering, s.Expired,
		s.LargeAccessPackage.ID, s.LargeAccessPackage.Assignments, s.LargeAccessPackage.Drifted)
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
