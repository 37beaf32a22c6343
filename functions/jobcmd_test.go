//go:build sandbox

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// seeds are the emulated tenant's fixed ids: the same in the tenant the
// command starts with --sandbox.
func seeds(t *testing.T) sandbox.Seeds {
	t.Helper()
	return sandbox.NewForTest(t, sandbox.Options{}).Seeds
}

// runJobCommand runs `handler job args...` as main would, and returns
// stdout, stderr and the exit status.
func runJobCommand(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, append([]string{"job"}, args...), func(string) string { return "" }, &stdout, &stderr)
	return stdout.String(), stderr.String(), exitStatus(err)
}

func TestJobCommandDriftedDryRunJSON(t *testing.T) {
	t.Parallel()
	large := seeds(t).LargeAccessPackage
	stdout, stderr, code := runJobCommand(t, "--sandbox", "--access-package", large.ID, "--mode", "drifted", "--dry-run", "--json")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var report struct {
		JobID  string
		State  string
		Scope  struct{ AccessPackageID string }
		Mode   string
		DryRun bool
		Counts struct{ Total, Accepted, Failed, Drifted, InSync, Unverifiable int }
		Drift  []struct {
			AssignmentID, TargetObjectID string
			MissingGroupIDs              []string
		}
		Failures []json.RawMessage
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("stdout is not the job's JSON: %v\n%s", err, stdout)
	}
	c := report.Counts
	if report.State != "completed" || report.Scope.AccessPackageID != large.ID || report.Mode != "drifted" || !report.DryRun {
		t.Errorf("report = %+v, want a completed dry run in mode drifted of %s", report, large.ID)
	}
	if c.Total != 2500 || c.Drifted != large.Drifted || c.InSync != 2500-large.Drifted || c.Accepted != 0 || c.Failed != 0 || c.Unverifiable != 0 {
		t.Errorf("counts = %+v, want 2500 total, %d drifted, the rest in sync, nothing reprocessed", c, large.Drifted)
	}
	if len(report.Drift) != 100 || report.Failures == nil || len(report.Failures) != 0 {
		t.Errorf("%d drift lines and failures %v, want 100 and []", len(report.Drift), report.Failures)
	}
	for _, d := range report.Drift {
		if len(d.MissingGroupIDs) != 1 || (d.MissingGroupIDs[0] != large.Groups[0] && d.MissingGroupIDs[0] != large.Groups[1]) {
			t.Errorf("drift %+v: want one of the package's groups missing", d)
		}
	}
	if stderr != "" {
		t.Errorf("stderr = %q, want nothing: no bar when stderr is not a terminal", stderr)
	}
}

func TestJobCommandTable(t *testing.T) {
	t.Parallel()
	s := seeds(t)
	tests := []struct {
		name string
		args []string
		want []string // lines (spaces squeezed) the table must hold
	}{
		{"drifted reprocessed", []string{"--access-package", s.AccessPackages[0].ID, "--mode", "drifted"}, []string{
			"state completed", "mode drifted", "total 2", "accepted 1", "drifted 1", "in sync 1", "failed 0",
			"drift (1)", s.Delivered[1] + " " + s.QuotedUser.ObjectID + " " + s.SalesGroup,
		}},
		{"catalog dry run", []string{"--catalog", s.Catalog, "--dry-run"}, []string{
			"scope catalog " + s.Catalog, "mode all (dry run)", "total 4", "accepted 0",
		}},
		{"unverifiable", []string{"--access-package", s.AccessPackages[1].ID, "--mode", "drifted", "--dry-run"}, []string{
			"total 2", "unverifiable 2", "drifted 0",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runJobCommand(t, append([]string{"--sandbox"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			var lines []string
			for _, l := range strings.Split(stdout, "\n") {
				lines = append(lines, strings.Join(strings.Fields(l), " "))
			}
			for _, want := range tc.want {
				if !strings.Contains("\n"+strings.Join(lines, "\n")+"\n", "\n"+want+"\n") {
					t.Errorf("the table has no line %q:\n%s", want, stdout)
				}
			}
		})
	}
}

func TestJobCommandUsage(t *testing.T) {
	t.Parallel()
	const pkg = "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"
	tests := []struct {
		name    string
		args    []string
		code    int
		wantErr string
	}{
		{"no scope", []string{"--sandbox"}, 2, "accessPackageId"},
		{"both scopes", []string{"--access-package", pkg, "--catalog", pkg}, 2, "not both"},
		{"not a guid", []string{"--access-package", "sales"}, 2, "GUID"},
		{"unknown mode", []string{"--access-package", pkg, "--mode", "some"}, 2, "mode"},
		{"unknown flag", []string{"--access-package", pkg, "--force"}, 2, "force"},
		{"an argument", []string{"--access-package", pkg, "now"}, 2, "unexpected argument"},
		{"unknown package", []string{"--sandbox", "--access-package", "00000000-0000-4000-8000-00000000dead"}, 1, "404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var stdout, stderr bytes.Buffer
			err := run(ctx, append([]string{"job"}, tc.args...), func(string) string { return "" }, &stdout, &stderr)
			if exitStatus(err) != tc.code || err == nil || !strings.Contains(err.Error()+stderr.String(), tc.wantErr) {
				t.Errorf("job %q = exit %d, %v (stderr %q); want exit %d saying %q", tc.args, exitStatus(err), err, stderr.String(), tc.code, tc.wantErr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}
