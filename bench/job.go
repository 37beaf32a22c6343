package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// The jobs section: one job over a new access package of -job-assignments
// delivered assignments in the emulated tenant, run by the development
// build's terminal command (`handler job --sandbox --sandbox-assignments n`:
// the in-process queue and store, the sandbox in the same process), in each
// mode. Per run: wall time from exec to exit, Graph's HTTP requests as the
// sandbox counted them, and the process's peak RSS (job and tenant).

var (
	jobAssignments = flag.Int("job-assignments", 10000, "delivered assignments of the jobs section's access package")
	jobRounds      = flag.Int("job-rounds", 3, "runs per mode in the jobs section")
	skipJob        = flag.Bool("skip-job", false, "leave out the jobs section")
)

// sandboxPageSize is the emulated Graph's page of assignments.
const sandboxPageSize = 100

type jobRun struct {
	wall            time.Duration
	requests, items int
	hwmKiB          int64
	counts          map[string]int
}

// benchJobs builds the development binary and runs the job in each mode.
func benchJobs(tmp string) (map[string][]jobRun, error) {
	bin := filepath.Join(tmp, "handler-dev")
	if err := goBuild(bin, "./functions", "lambda.norpc,sandbox"); err != nil {
		return nil, err
	}
	runs := map[string][]jobRun{}
	for r := 0; r < *jobRounds; r++ {
		for _, mode := range []string{"all", "drifted"} {
			run, err := runJob(bin, mode)
			if err != nil {
				return nil, fmt.Errorf("job in mode %s: %w", mode, err)
			}
			runs[mode] = append(runs[mode], run)
		}
	}
	return runs, nil
}

func runJob(bin, mode string) (jobRun, error) {
	cmd := exec.Command(bin, "job", "--sandbox", "--sandbox-assignments", fmt.Sprint(*jobAssignments), "--mode", mode, "--json")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return jobRun{}, fmt.Errorf("%v\n%s", err, stderr.String())
	}
	run := jobRun{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		run.hwmKiB = ru.Maxrss // KiB on Linux
	}
	var report struct {
		State  string         `json:"state"`
		Counts map[string]int `json:"counts"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
		return jobRun{}, fmt.Errorf("report: %v\n%s", err, stdout.String())
	}
	if report.State != "completed" || report.Counts["total"] != *jobAssignments {
		return jobRun{}, fmt.Errorf("job %s with counts %v, want completed over %d", report.State, report.Counts, *jobAssignments)
	}
	run.counts = report.Counts
	for _, line := range strings.Split(stderr.String(), "\n") {
		if _, err := fmt.Sscanf(line, "sandbox: Graph answered %d HTTP requests, carrying %d $batch items", &run.requests, &run.items); err == nil {
			return run, nil
		}
	}
	return jobRun{}, fmt.Errorf("no Graph request count on stderr:\n%s", stderr.String())
}

// printJobs prints the jobs section. Mode all's bound: one $batch per 20
// assignments, one request per page of the list, and the scope check.
func printJobs(runs map[string][]jobRun) {
	n := *jobAssignments
	pages := (n + sandboxPageSize - 1) / sandboxPageSize
	bound := (n+19)/20 + pages + 1
	fmt.Printf("\nJobs: one access package of %d delivered assignments (every 25th target drifted), `handler job --sandbox`; median of %d runs\n\n", n, *jobRounds)
	fmt.Printf("| mode | wall | Graph HTTP requests ($batch items) | bound | within | peak RSS (job and sandbox) |\n|---|---|---|---|---|---|\n")
	for _, mode := range []string{"all", "drifted"} {
		rs := runs[mode]
		walls := make([]time.Duration, len(rs))
		hwm := make([]int64, len(rs))
		for i, r := range rs {
			walls[i], hwm[i] = r.wall, r.hwmKiB
		}
		slices.Sort(walls)
		slices.Sort(hwm)
		r := rs[0]
		b, within := "—", "—"
		if mode == "all" {
			b, within = fmt.Sprintf("%d/20 + %d pages + 1 = %d", n, pages, bound), "no"
			if r.requests <= bound {
				within = "yes"
			}
		}
		fmt.Printf("| %s (drifted %d, accepted %d) | %.2f s | %d (%d) | %s | %s | %.1f MiB |\n", mode, r.counts["drifted"], r.counts["accepted"],
			walls[len(walls)/2].Seconds(), r.requests, r.items, b, within, float64(hwm[len(hwm)/2])/1024)
	}
}
