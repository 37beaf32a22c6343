// Command bench prints the table of issue "At the floor": the built binary,
// started as the Functions host starts it, beside a standard-library floor
// (bench/floor) and a bare client posting Graph's reprocess URL directly,
// all against one emulated tenant (shared/sandbox) over TLS, in one run with
// the order alternated. `make bench` runs it; nothing here is a test, and no
// figure fails anything: the goals column is for reading.
//
// What it measures, per subject:
//   - throughput under a closed loop of 64 keep-alive connections;
//   - CPU per request: utime+stime from /proc/<pid>/stat over that window,
//     divided by the requests answered 202 in it;
//   - latency under an open loop paced at a quarter of the slowest subject's
//     throughput (each request timed from its scheduled start);
//   - exec → GET / answered and exec → first 202 (through the managed
//     identity, Key Vault, Entra and Graph), medians of fresh processes;
//   - VmRSS after start-up and one reprocess, VmHWM after the load;
//   - the package sizes (the packager, Lambda for arm64 as shipped unless -lambda-arch);
//   - the Lambda event conversions, next to aws-lambda-go-api-proxy
//     (bench/proxycompare, its own module);
//   - a job over a 10,000-assignment access package (job.go).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

var (
	rounds   = flag.Int("rounds", 3, "load rounds per subject (the order alternates each round)")
	duration = flag.Duration("duration", 4*time.Second, "measured window of each load phase")
	warmup   = flag.Duration("warmup", time.Second, "unmeasured warm-up before each closed-loop window")
	conns    = flag.Int("conns", 64, "closed-loop connections")
	starts   = flag.Int("starts", 21, "fresh processes per binary for the start-up medians")
	skipPkg  = flag.Bool("skip-package", false, "leave out the package sizes")
	// arm64 as make package ships it; its first build compiles the Graph
	// models package for arm64 (minutes), later ones hit the build cache.
	lambdaArch = flag.String("lambda-arch", "arm64", "the Lambda package's architecture, as make package's GOARCH")
	skipConv   = flag.Bool("skip-conversions", false, "leave out the Lambda conversion benchmarks")
	verbose    = flag.Bool("v", false, "print every round")
	against    = flag.String("against", "", "another handler binary (say, the one before a change) to load beside this one, as subject \"against\"; the table stays this tree's")
	profile    = flag.String("profile", "", "build the handler with -tags benchprofile and write the CPU and allocation profiles of its first closed-loop window to this folder")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// subject is one thing under load: a process (handler or floor) or the bare
// client (pid 0).
type subject struct {
	name   string
	pid    int
	client *http.Client
	req    func(i int) *http.Request
}

type result struct {
	rps      []float64 // per round
	cpuUS    []float64 // per round, µs per request
	p50, p99 []float64 // per open-loop round, ms
	errors   int
}

func run() error {
	tmp, err := os.MkdirTemp("", "reprocess-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	handlerBin, floorBin := filepath.Join(tmp, "handler"), filepath.Join(tmp, "floor")
	step("building the handler (as make package builds the Functions handler, for this machine) and the floor")
	tags := "lambda.norpc,azureonly" // the Functions handler of azure-functions.zip
	if *profile != "" {
		tags += ",benchprofile"
	}
	if err := goBuild(handlerBin, "./functions", tags, coldGCFlags...); err != nil {
		return err
	}
	if err := goBuild(floorBin, "./bench/floor", ""); err != nil {
		return err
	}
	var sizes map[string]int64
	if !*skipPkg {
		step("packaging (make package, Lambda for " + *lambdaArch + ")")
		if sizes, err = packageSizes(filepath.Join(tmp, "dist")); err != nil {
			return err
		}
	}

	tenant, err := sandbox.Start(context.Background(), sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	if err != nil {
		return err
	}
	defer tenant.Close()
	env := subjectEnv(tenant)
	ids := tenant.Seeds.Delivered

	step(fmt.Sprintf("start-up: %d fresh processes of each, alternating", *starts))
	startup := map[string]*startRuns{"handler": {}, "floor": {}}
	for _, bin := range []string{handlerBin, floorBin} { // warm the sandbox's keys and caches
		if _, err := freshStart(bin, env, ids[0]); err != nil {
			return err
		}
	}
	for i := 0; i < *starts; i++ {
		order := []string{"handler", "floor"}
		if i%2 == 1 {
			slices.Reverse(order)
		}
		for _, name := range order {
			bin := map[string]string{"handler": handlerBin, "floor": floorBin}[name]
			s, err := freshStart(bin, env, ids[i%len(ids)])
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			startup[name].ready = append(startup[name].ready, s.ready)
			startup[name].first = append(startup[name].first, s.first)
			startup[name].rss = append(startup[name].rss, s.rss)
		}
	}

	step("starting the handler and the floor for the load")
	longEnv := env
	if *profile != "" {
		if err := os.MkdirAll(*profile, 0o755); err != nil {
			return err
		}
		abs, err := filepath.Abs(filepath.Join(*profile, "handler.pprof"))
		if err != nil {
			return err
		}
		longEnv = maps.Clone(env)
		longEnv["BENCH_CPUPROFILE"] = abs
	}
	handler, err := startLong(handlerBin, longEnv, ids[0])
	if err != nil {
		return err
	}
	defer handler.stop()
	floor, err := startLong(floorBin, env, ids[0])
	if err != nil {
		return err
	}
	defer floor.stop()
	token, err := graphToken(tenant)
	if err != nil {
		return err
	}
	bareTransport := tenant.Transport().Clone()
	bareTransport.MaxIdleConnsPerHost, bareTransport.MaxConnsPerHost = *conns, *conns
	bare := &subject{name: "bare", client: &http.Client{Transport: bareTransport}, req: func(i int) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, "https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement/assignments/"+ids[i%len(ids)]+"/reprocess", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		return r
	}}
	subjects := []*subject{bare, floor.subject("floor", ids), handler.subject("handler", ids)}
	if *against != "" {
		other, err := startLong(*against, env, ids[0])
		if err != nil {
			return err
		}
		defer other.stop()
		subjects = append(subjects, other.subject("against", ids))
	}
	results := map[string]*result{}
	for _, s := range subjects {
		results[s.name] = &result{}
	}

	step(fmt.Sprintf("closed loop: %d connections, %d rounds of %v each", *conns, *rounds, *duration))
	for r := 0; r < *rounds; r++ {
		for _, s := range alternate(subjects, r) {
			tenant.Reset() // the request log would otherwise grow the harness's heap all run
			self0 := cpuTicks(os.Getpid())
			profiling := *profile != "" && r == 0 && s.name == "handler"
			rps, cpu, errs := closedLoop(s, profiling)
			self := float64(cpuTicks(os.Getpid())-self0) / clockTicks / (rps * (*warmup + *duration).Seconds()) * 1e6
			res := results[s.name]
			res.rps, res.errors = append(res.rps, rps), res.errors+errs
			if s.pid != 0 {
				res.cpuUS = append(res.cpuUS, cpu)
			}
			if *verbose {
				fmt.Fprintf(os.Stderr, "  round %d %-8s %7.0f req/s  %6.0f µs CPU/req  %d errors; harness and sandbox ≈%.0f µs/req; sandbox saw %d Graph, %d CONNECT, %d Entra, %d Key Vault\n",
					r+1, s.name, rps, cpu, errs, self, tenant.Count(sandbox.Graph), tenant.Count(sandbox.Proxy), tenant.Count(sandbox.Entra), tenant.Count(sandbox.KeyVault))
			}
		}
	}
	slowest := median(results["bare"].rps)
	for _, s := range subjects {
		slowest = min(slowest, median(results[s.name].rps))
	}
	rate := slowest / 4
	step(fmt.Sprintf("open loop: %.0f req/s (a quarter of the slowest), %d rounds of %v each", rate, *rounds, *duration))
	for r := 0; r < *rounds; r++ {
		for _, s := range alternate(subjects, r) {
			tenant.Reset()
			p50, p99, errs := openLoop(s, rate)
			res := results[s.name]
			res.p50, res.p99, res.errors = append(res.p50, p50), append(res.p99, p99), res.errors+errs
			if *verbose {
				fmt.Fprintf(os.Stderr, "  round %d %-8s p50 %.3f ms  p99 %.3f ms  %d errors\n", r+1, s.name, p50, p99, errs)
			}
		}
	}
	hwm := map[string]int{"handler": statusKiB(handler.cmd.Process.Pid, "VmHWM:"), "floor": statusKiB(floor.cmd.Process.Pid, "VmHWM:")}
	idle := map[string]int{"handler": handler.idleKiB, "floor": floor.idleKiB}

	var conv *conversions
	if !*skipConv {
		step("Lambda event conversions (shared/awslambda and bench/proxycompare)")
		if conv, err = convert(); err != nil {
			return err
		}
	}
	var jobRuns map[string][]jobRun
	if !*skipJob {
		step(fmt.Sprintf("jobs: %d assignments, %d runs per mode (the development build's `handler job --sandbox`)", *jobAssignments, *jobRounds))
		if jobRuns, err = benchJobs(tmp); err != nil {
			return err
		}
	}
	printTable(results, startup, idle, hwm, sizes, conv, rate)
	if jobRuns != nil {
		printJobs(jobRuns)
	}
	for name, res := range results {
		if res.errors > 0 {
			return fmt.Errorf("%s: %d requests were not answered 202", name, res.errors)
		}
	}
	return nil
}

func step(s string) { fmt.Fprintln(os.Stderr, "bench:", s) }

// alternate is the subjects in order on even rounds, reversed on odd ones.
func alternate(s []*subject, round int) []*subject {
	s = slices.Clone(s)
	if round%2 == 1 {
		slices.Reverse(s)
	}
	return s
}

// coldGCFlags are infra/package's: the Azure SDK, MSAL, JWKS, PKCS#12, XML,
// x/net (the Azure SDK's HTTP/2) and AWS SDK packages compiled without
// inlining, as the shipped binaries are.
var coldGCFlags = []string{
	"-gcflags=github.com/Azure/...=-l", "-gcflags=github.com/AzureAD/...=-l",
	"-gcflags=github.com/kylelemons/...=-l", "-gcflags=github.com/MicahParks/...=-l",
	"-gcflags=golang.org/x/crypto/...=-l", "-gcflags=encoding/xml=-l",
	"-gcflags=golang.org/x/net/...=-l", "-gcflags=golang.org/x/text/...=-l",
	"-gcflags=github.com/aws/aws-sdk-go-v2/...=-l", "-gcflags=github.com/aws/smithy-go/...=-l",
}

func goBuild(out, pkg, tags string, flags ...string) error {
	args := append([]string{"build", "-trimpath", "-o", out}, flags...)
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return nil
}

func packageSizes(dir string) (map[string]int64, error) {
	cmd := exec.Command("go", "run", "./infra/package", "-out", dir, "-lambda-arch", *lambdaArch)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "GOOS=") || strings.HasPrefix(kv, "GOARCH=")
	})
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("package: %v\n%s", err, out)
	}
	sizes := map[string]int64{}
	for _, name := range []string{"azure-functions.zip", "lambda.zip"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		sizes[name] = fi.Size()
	}
	return sizes, nil
}

// subjectEnv is what the Functions host gives the handler on App Service:
// a managed identity (IDENTITY_ENDPOINT, IDENTITY_HEADER) that reads the
// Graph app's client secret from Key Vault; the sandbox's proxy and CA make
// the production hostnames reach the emulated tenant over TLS.
func subjectEnv(t *sandbox.Tenant) map[string]string {
	env := t.ProcessEnv()
	delete(env, "AZURE_CLIENT_ID")
	delete(env, "AZURE_CLIENT_SECRET")
	delete(env, "AZURE_TENANT_ID")
	for k, v := range t.ManagedIdentityEnv() {
		env[k] = v
	}
	env["PATH"], env["HOME"] = os.Getenv("PATH"), os.Getenv("HOME")
	return env
}

func command(bin string, env map[string]string, port string) *exec.Cmd {
	cmd := exec.Command(bin)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, "FUNCTIONS_CUSTOMHANDLER_PORT="+port)
	return cmd // stdout and stderr: /dev/null
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}

// hostRequest is a caller's request as the Functions host forwards it
// (enableForwardingHttpRequest): the App Service front end's headers, the
// function key in the query.
func hostRequest(base, id string, i int) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, base+"/api/assignments/"+id+"/reprocess?code=fk-bench", nil)
	r.Host = "reprocess-func.azurewebsites.net"
	r.Header.Set("X-Azure-Functions-HostVersion", "4.1044.100.0")
	r.Header.Set("X-Azure-Functions-InvocationId", fmt.Sprintf("00000000-0000-4000-8000-%012x", i))
	r.Header.Set("x-functions-key", "fk-bench")
	r.Header.Set("X-Forwarded-Proto", "https")
	r.Header.Set("X-ARR-SSL", "2048|256|CN=Microsoft Azure RSA TLS Issuing CA 03|CN=*.azurewebsites.net")
	return r
}

type startRun struct {
	ready, first time.Duration
	rss          int
}

type startRuns struct {
	ready, first []time.Duration
	rss          []int
}

var probe = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// freshStart execs bin, waits for GET / as the host does, then forwards one
// reprocess; it times both from exec.
func freshStart(bin string, env map[string]string, id string) (startRun, error) {
	port, err := freePort()
	if err != nil {
		return startRun{}, err
	}
	base := "http://127.0.0.1:" + port
	cmd := command(bin, env, port)
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return startRun{}, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var s startRun
	for {
		resp, err := probe.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			s.ready = time.Since(t0)
			break
		}
		if time.Since(t0) > 10*time.Second {
			return s, fmt.Errorf("GET / did not answer within 10s: %v", err)
		}
		time.Sleep(200 * time.Microsecond)
	}
	resp, err := probe.Do(hostRequest(base, id, 0))
	if err != nil {
		return s, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	s.first = time.Since(t0)
	if resp.StatusCode != http.StatusAccepted {
		return s, fmt.Errorf("first reprocess answered %d: %s", resp.StatusCode, body)
	}
	s.rss = statusKiB(cmd.Process.Pid, "VmRSS:")
	return s, nil
}

type longRun struct {
	cmd     *exec.Cmd
	base    string
	idleKiB int
}

// startLong starts bin for the load, warms it with one reprocess and reads
// its idle resident size.
func startLong(bin string, env map[string]string, id string) (*longRun, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p := &longRun{cmd: command(bin, env, port), base: "http://127.0.0.1:" + port}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := probe.Do(hostRequest(p.base, id, 0))
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				p.stop()
				return nil, fmt.Errorf("%s: first reprocess answered %d", filepath.Base(bin), resp.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s did not answer within 10s: %v", filepath.Base(bin), err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	p.idleKiB = statusKiB(p.cmd.Process.Pid, "VmRSS:")
	return p, nil
}

func (p *longRun) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

func (p *longRun) subject(name string, ids []string) *subject {
	t := &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true}
	return &subject{name: name, pid: p.cmd.Process.Pid, client: &http.Client{Transport: t},
		req: func(i int) *http.Request { return hostRequest(p.base, ids[i%len(ids)], i) }}
}

// graphToken is the Graph app's client-credentials token, for the bare client.
func graphToken(t *sandbox.Tenant) (string, error) {
	secret, _ := t.SecretValue(sandbox.GraphSecretName)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {sandbox.GraphAppClientID},
		"client_secret": {secret}, "scope": {"https://graph.microsoft.com/.default"}}
	resp, err := t.HTTPClient().PostForm("https://login.microsoftonline.com/"+sandbox.TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	const key = `"access_token":"`
	i := strings.Index(string(b), key)
	if resp.StatusCode != http.StatusOK || i < 0 {
		return "", fmt.Errorf("graph token: %d", resp.StatusCode)
	}
	tok := string(b[i+len(key):])
	return tok[:strings.IndexByte(tok, '"')], nil
}

// send makes one request and reports whether it was answered 202.
func (s *subject) send(i int) bool {
	resp, err := s.client.Do(s.req(i))
	if err != nil {
		return false
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusAccepted
}

// closedLoop runs conns callers back to back for warmup+duration and counts
// what completes in the measured window, with the subject's CPU over it.
func closedLoop(s *subject, profiling bool) (rps, cpuPerReqUS float64, errs int) {
	var measuring atomic.Bool
	var ok, bad, seq atomic.Int64
	stop := time.Now().Add(*warmup + *duration)
	var wg sync.WaitGroup
	for c := 0; c < *conns; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				good := s.send(int(seq.Add(1)))
				if measuring.Load() {
					if good {
						ok.Add(1)
					} else {
						bad.Add(1)
					}
				}
			}
		}()
	}
	time.Sleep(*warmup)
	if profiling {
		syscall.Kill(s.pid, syscall.SIGUSR1)
	}
	cpu0 := cpuTicks(s.pid)
	t0 := time.Now()
	measuring.Store(true)
	time.Sleep(*duration)
	measuring.Store(false)
	if profiling {
		syscall.Kill(s.pid, syscall.SIGUSR2)
	}
	elapsed := time.Since(t0)
	cpu1 := cpuTicks(s.pid)
	n := ok.Load()
	wg.Wait()
	rps = float64(n) / elapsed.Seconds()
	if n > 0 && s.pid != 0 {
		cpuPerReqUS = float64(cpu1-cpu0) / clockTicks * 1e6 / float64(n)
	}
	return rps, cpuPerReqUS, int(bad.Load())
}

// openLoop sends at a fixed rate whatever the answers, each request timed
// from its scheduled start (so a stall counts against every request it
// delays), after a short warm-up at the same rate.
func openLoop(s *subject, rate float64) (p50, p99 float64, errs int) {
	interval := time.Duration(float64(time.Second) / rate)
	var mu sync.Mutex
	var lat []time.Duration
	var bad atomic.Int64
	var wg sync.WaitGroup
	total := *warmup + *duration
	start := time.Now()
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if at.Sub(start) >= total {
			break
		}
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		measured := at.Sub(start) >= *warmup
		wg.Add(1)
		go func() {
			defer wg.Done()
			good := s.send(i)
			d := time.Since(at)
			if !measured {
				return
			}
			if !good {
				bad.Add(1)
			}
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	if len(lat) == 0 {
		return 0, 0, int(bad.Load())
	}
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / 1e6 }
	return q(0.50), q(0.99), int(bad.Load())
}

const clockTicks = 100 // USER_HZ on Linux

// cpuTicks is utime+stime of pid, in clock ticks.
func cpuTicks(pid int) int64 {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses: state is field 3,
	// utime 14, stime 15.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

// statusKiB reads one kB line of /proc/<pid>/status (VmRSS:, VmHWM:).
func statusKiB(pid int, key string) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	return 0
}

func median[T int | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
func numCPU() int { return runtime.NumCPU() }
