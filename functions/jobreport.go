//go:build sandbox

package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/entra-tools/reprocess/shared/api"
	"github.com/entra-tools/reprocess/shared/jobs"
)

// jobReport is the job as GET /api/jobs/{id} answers it.
func jobReport(j jobs.Job) any { return api.JobBody(j) }

// writeJobTable prints the report for a person: the job, its counts, then
// one line per failure and per drifted assignment (the first 100 of each).
func writeJobTable(w io.Writer, j jobs.Job) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	scope := "access package " + j.Scope.AccessPackageID
	if j.Scope.CatalogID != "" {
		scope = "catalog " + j.Scope.CatalogID
	}
	mode := string(j.Mode)
	if j.DryRun {
		mode += " (dry run)"
	}
	fmt.Fprintf(tw, "job\t%s\n", j.ID)
	fmt.Fprintf(tw, "scope\t%s\n", scope)
	fmt.Fprintf(tw, "mode\t%s\n", mode)
	fmt.Fprintf(tw, "state\t%s\n", j.State)
	if j.CompletedAt != nil {
		fmt.Fprintf(tw, "took\t%s\n", j.CompletedAt.Sub(j.CreatedAt).Round(time.Millisecond))
	}
	if j.Error != "" {
		fmt.Fprintf(tw, "error\t%s\n", j.Error)
	}
	c := j.Counts
	fmt.Fprintln(tw)
	for _, row := range []struct {
		name string
		n    int
	}{
		{"total", c.Total}, {"accepted", c.Accepted}, {"failed", c.Failed},
		{"drifted", c.Drifted}, {"in sync", c.InSync}, {"unverifiable", c.Unverifiable},
	} {
		fmt.Fprintf(tw, "%s\t%d\n", row.name, row.n)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(j.Failures) > 0 {
		fmt.Fprintf(w, "\nfailures (%s)\n", listed(len(j.Failures), c.Failed))
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "assignment\tstatus\tcode")
		for _, f := range j.Failures {
			fmt.Fprintf(tw, "%s\t%d\t%s\n", f.AssignmentID, f.Status, f.Code)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(j.Drift) > 0 {
		fmt.Fprintf(w, "\ndrift (%s)\n", listed(len(j.Drift), c.Drifted))
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "assignment\ttarget\tmissing groups")
		for _, d := range j.Drift {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", d.AssignmentID, d.TargetObjectID, strings.Join(d.MissingGroupIDs, ","))
		}
		return tw.Flush()
	}
	return nil
}

// listed says how many of how many lines follow.
func listed(shown, of int) string {
	if shown < of {
		return fmt.Sprintf("the first %d of %d", shown, of)
	}
	return fmt.Sprintf("%d", of)
}
