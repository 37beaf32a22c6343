package main

import (
	"fmt"
	"io"

	"github.com/entra-tools/reprocess/shared/sandbox"
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

// printSandboxGuide tells a newcomer what to try.
func printSandboxGuide(w io.Writer, t *sandbox.Tenant, addr string) {
	base := "http://" + addr
	s := t.Seeds
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

Logs are JSON lines on stdout. Ctrl-C stops.

`, sandbox.TenantID, s.Delivered[0], s.Delivering, s.Expired, s.Unknown,
		base, s.Delivered[0], base, s.Delivered[0], base, s.Unknown, base, s.Expired, base, base, s.Delivered[1])
}
