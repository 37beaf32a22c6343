package infra_test

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const grantScript = "azure/grant-graph-access.sh"

// fakeAz puts testdata/<script> on PATH as az and returns the file it logs calls to.
func fakeAz(tb testing.TB, script string) (env []string, log string) {
	tb.Helper()
	bin := tb.TempDir()
	data, err := os.ReadFile(filepath.Join("testdata", script))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "az"), data, 0o755); err != nil {
		tb.Fatal(err)
	}
	log = filepath.Join(tb.TempDir(), "az.log")
	env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "FAKE_AZ_LOG="+log)
	return env, log
}

// runGrant runs the grant script with env and returns stdout, stderr and the exit code.
func runGrant(tb testing.TB, env []string, args ...string) (string, string, int) {
	tb.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		tb.Skip("bash is not installed")
	}
	cmd := exec.Command("bash", append([]string{grantScript}, args...)...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		tb.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func readLog(tb testing.TB, log string) string {
	tb.Helper()
	data, err := os.ReadFile(log)
	if os.IsNotExist(err) {
		return ""
	}
	if err != nil {
		tb.Fatal(err)
	}
	return string(data)
}

func TestGrantDryRun(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"grant-catalog-role.golden", []string{"--dry-run", "--client-id", "11111111-2222-3333-4444-555555555555",
			"--catalog", "Sales & Marketing", "--catalog-id", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"}},
		{"grant-app-permission.golden", []string{"--dry-run", "--object-id", "11111111-2222-3333-4444-555555555555",
			"--app-permission"}},
		{"grant-national-cloud.golden", []string{"--dry-run", "--object-id", "11111111-2222-3333-4444-555555555555",
			"--catalog", "O'Brien café", "--graph-url", "https://graph.microsoft.us"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			env, log := fakeAz(t, "az-must-not-run")
			stdout, stderr, code := runGrant(t, env, tt.args...)
			if code != 0 {
				t.Fatalf("grant %q exited %d: %s", tt.args, code, stderr)
			}
			if calls := readLog(t, log); calls != "" {
				t.Errorf("--dry-run called az:\n%s", calls)
			}
			golden := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(golden, []byte(stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if stdout != string(want) {
				t.Errorf("grant %q printed:\n%s\nwant (%s):\n%s", tt.args, stdout, golden, want)
			}
		})
	}
}

// TestGrantIdempotent runs the script for real against a fake az: it creates what is
// missing and nothing that exists.
func TestGrantIdempotent(t *testing.T) {
	const sp = "88888888-0000-0000-0000-000000000001"
	tests := []struct {
		name    string
		args    []string
		granted string
		want    []string // requests, in order
	}{
		{"catalog role, new", []string{"--client-id", "11111111-2222-3333-4444-555555555555", "--catalog", "Sales"}, "no", []string{
			"GET https://graph.microsoft.com/v1.0/servicePrincipals?$filter=appId%20eq%20%2711111111-2222-3333-4444-555555555555%27&$select=id,displayName",
			"GET https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement/catalogs?$filter=displayName%20eq%20%27Sales%27&$select=id,displayName",
			"GET https://graph.microsoft.com/v1.0/roleManagement/entitlementManagement/roleAssignments?$filter=appScopeId%20eq%20%27%2FAccessPackageCatalog%2F77777777-0000-0000-0000-000000000001%27",
			`POST https://graph.microsoft.com/v1.0/roleManagement/entitlementManagement/roleAssignments {"principalId":"` + sp +
				`","roleDefinitionId":"e2182095-804a-4656-ae11-64734e9b7ae5","appScopeId":"/AccessPackageCatalog/77777777-0000-0000-0000-000000000001"}`,
		}},
		{"catalog role, already there", []string{"--object-id", sp, "--catalog-id", "77777777-0000-0000-0000-000000000001"}, "yes", []string{
			"GET https://graph.microsoft.com/v1.0/roleManagement/entitlementManagement/roleAssignments?$filter=appScopeId%20eq%20%27%2FAccessPackageCatalog%2F77777777-0000-0000-0000-000000000001%27",
		}},
		{"app permission, new", []string{"--object-id", sp, "--app-permission"}, "no", []string{
			"GET https://graph.microsoft.com/v1.0/servicePrincipals?$filter=appId%20eq%20%2700000003-0000-0000-c000-000000000000%27&$select=id",
			"GET https://graph.microsoft.com/v1.0/servicePrincipals/" + sp + "/appRoleAssignments",
			"POST https://graph.microsoft.com/v1.0/servicePrincipals/" + sp + `/appRoleAssignments {"principalId":"` + sp +
				`","resourceId":"99999999-0000-0000-0000-000000000003","appRoleId":"9acd699f-1e81-4958-b001-93b1d2506e19"}`,
			"GET https://graph.microsoft.com/v1.0/servicePrincipals/" + sp + "/appRoleAssignments",
			"POST https://graph.microsoft.com/v1.0/servicePrincipals/" + sp + `/appRoleAssignments {"principalId":"` + sp +
				`","resourceId":"99999999-0000-0000-0000-000000000003","appRoleId":"98830695-27a2-44f7-8c18-0c3ebc9698f6"}`,
		}},
		{"app permission, already there", []string{"--object-id", sp, "--app-permission"}, "yes", []string{
			"GET https://graph.microsoft.com/v1.0/servicePrincipals?$filter=appId%20eq%20%2700000003-0000-0000-c000-000000000000%27&$select=id",
			"GET https://graph.microsoft.com/v1.0/servicePrincipals/" + sp + "/appRoleAssignments",
			"GET https://graph.microsoft.com/v1.0/servicePrincipals/" + sp + "/appRoleAssignments",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, log := fakeAz(t, "az-graph")
			env = append(env, "FAKE_GRANTED="+tt.granted)
			_, stderr, code := runGrant(t, env, tt.args...)
			if code != 0 {
				t.Fatalf("grant %q exited %d: %s", tt.args, code, stderr)
			}
			got := strings.Split(strings.TrimSpace(readLog(t, log)), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("grant %q sent:\n%s\nwant:\n%s", tt.args, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestGrantRefuses(t *testing.T) {
	tests := []struct {
		name, wantErr string
		args          []string
	}{
		{"no identity", "--object-id or --client-id", []string{"--catalog", "x"}},
		{"both identities", "not both", []string{"--object-id", "11111111-2222-3333-4444-555555555555", "--client-id", "11111111-2222-3333-4444-555555555555", "--catalog", "x"}},
		{"not a guid", "not a GUID", []string{"--object-id", "me", "--catalog", "x"}},
		{"no catalog", "at least one --catalog", []string{"--object-id", "11111111-2222-3333-4444-555555555555"}},
		{"tenant-wide with catalogs", "tenant-wide", []string{"--object-id", "11111111-2222-3333-4444-555555555555", "--app-permission", "--catalog", "x"}},
		{"plain http", "https://host", []string{"--object-id", "11111111-2222-3333-4444-555555555555", "--catalog", "x", "--graph-url", "http://graph.microsoft.com"}},
		{"unknown catalog", `no catalog named "Nowhere"`, []string{"--object-id", "11111111-2222-3333-4444-555555555555", "--catalog", "Nowhere"}},
		{"ambiguous catalog", "more than one catalog", []string{"--object-id", "11111111-2222-3333-4444-555555555555", "--catalog", "Twice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, log := fakeAz(t, "az-graph")
			_, stderr, code := runGrant(t, env, tt.args...)
			if code == 0 || !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("grant %q = exit %d, stderr %q; want a failure saying %q", tt.args, code, stderr, tt.wantErr)
			}
			if strings.Contains(readLog(t, log), "POST") {
				t.Errorf("grant %q created something before failing", tt.args)
			}
		})
	}
}

func TestGrantHelpExplainsBothModes(t *testing.T) {
	stdout, _, code := runGrant(t, os.Environ(), "--help")
	if code != 0 {
		t.Fatalf("--help exited %d", code)
	}
	for _, want := range []string{"Access package assignment manager", "e2182095-804a-4656-ae11-64734e9b7ae5",
		"/AccessPackageCatalog/", "EntitlementManagement.ReadWrite.All", "9acd699f-1e81-4958-b001-93b1d2506e19", "Tenant-wide",
		"GroupMember.Read.All", "98830695-27a2-44f7-8c18-0c3ebc9698f6"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("--help does not mention %q", want)
		}
	}
}
