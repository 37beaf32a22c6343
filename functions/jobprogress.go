//go:build sandbox

package main

import (
	"fmt"
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/entra-tools/reprocess/shared/jobs"
)

// jobProgress draws a job's counts as a bar on stderr when stderr is a
// terminal, and nothing otherwise (a pipe or a log file gets the report only).
type jobProgress struct {
	bar *progressbar.ProgressBar // nil: hidden
}

func newJobProgress(stderr io.Writer) *jobProgress {
	f, ok := stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &jobProgress{}
	}
	return &jobProgress{bar: progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription("listing"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("assignments"),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(jobPoll/2),
		progressbar.OptionClearOnFinish(),
	)}
}

// show moves the bar to the job's counts: its length is the assignments
// listed so far, its position those checked or reprocessed.
func (p *jobProgress) show(j jobs.Job) {
	if p.bar == nil {
		return
	}
	c := j.Counts
	checked := c.Drifted + c.InSync + c.Unverifiable
	done := min(c.Total, max(checked, c.Accepted)+c.Failed)
	if c.Total > 0 && p.bar.GetMax64() != int64(c.Total) {
		p.bar.ChangeMax64(int64(c.Total))
	}
	p.bar.Describe(fmt.Sprintf("listed %d, checked %d, reprocessed %d", c.Total, checked, c.Accepted))
	_ = p.bar.Set64(int64(done))
}

// done removes the bar before the report is printed.
func (p *jobProgress) done(jobs.Job) {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
