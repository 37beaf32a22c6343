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

Logs are JSON lines on stdout. Ctrl-C stops.

`, sandbox.TenantID, base, s.Delivered[1], s.Delivered[2], s.Delivered[3], s.Unknown,
		s.Users[0].UserPrincipalName, s.AccessPackages[0].ID, s.Users[0].ObjectID, s.Delivered[0], s.Delivering, s.Expired)
}
