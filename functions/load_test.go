package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// The faults-under-load suite: the built binary, started as the Functions
// host starts it (forwarded HTTP, managed identity reading the Graph app's
// secret from Key Vault), takes a steady stream of requests, 64 at a time,
// while the sandbox injects one fault after another. A fifth of the
// requests are hostile or malformed. Every request must get an HTTP answer
// that SPEC allows for the faults it overlapped, no 500 ever, only 202 once
// a fault has been over for 2 s, and the process must end with the file
// descriptors and goroutines it had after its warm-up.
//
// LOAD_REQUESTS sets the number of requests (make soak: 20,000; the phases
// stretch to keep the rate).
func TestFaultsUnderLoad(t *testing.T) {
	total := 2500
	if v := os.Getenv("LOAD_REQUESTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 500 {
			t.Fatalf("LOAD_REQUESTS=%q: want a number of at least 500", v)
		}
		total = n
	}
	// Phases stretch with the count: 2,500 requests take about 24 s.
	scale := max(float64(total)/2500, 1)
	phase := func(d time.Duration) time.Duration { return time.Duration(float64(d) * scale) }

	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered, TokenLifetime: time.Minute})
	env := loadEnv(tenant)
	ids := tenant.Seeds.Delivered

	// Goroutines of a warmed-up process, from a twin: the dump that shows
	// them ends the process.
	twin := startBinary(t, tenant, env)
	warmUp(t, twin, ids)
	baseGoroutines := goroutineCount(t, twin)

	p := startBinary(t, tenant, env)
	warmUp(t, p, ids)
	pid := p.cmd.Process.Pid
	baseFDs, baseRSS := openFDs(t, pid), rssKiB(t, pid)

	// Hostile requests alone reach nothing behind the handler.
	tenant.Reset()
	lg := newLoad(p, ids, 64)
	lg.run(320, func(int) bool { return true }, nil)
	lg.client.CloseIdleConnections()
	if n := tenant.Count(sandbox.Graph) + tenant.Count(sandbox.KeyVault) + tenant.Count(sandbox.Entra) + tenant.Count(sandbox.ManagedIdentity); n != 0 {
		t.Errorf("hostile requests made %d calls to Graph, Key Vault or Entra", n)
	}

	faults := []*faultWindow{
		{name: "key vault 503 (secret cached)", allowed: statuses()},
		{name: "token endpoint 500s", allowed: statuses(503)},
		{name: "graph 429 storm", allowed: statuses(429)},
		{name: "graph slower than the deadline", allowed: statuses(504)},
		{name: "secret rotated", allowed: statuses()},
	}
	set := map[string]func(on bool){
		faults[0].name: func(on bool) { tenant.KeyVault.SetDown(on) },
		faults[1].name: func(on bool) {
			if on {
				tenant.Entra.FailTokens(http.StatusInternalServerError)
			} else {
				tenant.Entra.FailTokens(0)
			}
		},
		faults[2].name: func(on bool) {
			if on {
				tenant.Graph.Fail("", 429, -1, time.Second)
			} else {
				tenant.Graph.ClearFaults()
			}
		},
		// Graph would answer 202 after 3 s: a 504 is the 2 s deadline firing
		// on time, with no clock in the assertion.
		faults[3].name: func(on bool) {
			if on {
				tenant.Graph.SetLatency(3 * time.Second)
			} else {
				tenant.Graph.SetLatency(0)
			}
		},
		faults[4].name: func(on bool) {
			if on {
				tenant.RotateGraphSecret()
			}
		},
	}
	// The schedule: steady load, then each fault for a while, then 2.5 s of
	// recovery before the next. Requests are paced so the count spans it.
	lead, on, off := phase(time.Second), phase(2*time.Second), phase(2500*time.Millisecond)
	span := lead + time.Duration(len(faults))*(on+off)
	lg = newLoad(p, ids, 64)
	start := time.Now()
	scheduleDone := make(chan struct{})
	go func() {
		defer close(scheduleDone)
		at := start.Add(lead)
		for _, f := range faults {
			time.Sleep(time.Until(at))
			f.on = time.Now()
			set[f.name](true)
			time.Sleep(time.Until(at.Add(on)))
			set[f.name](false)
			f.off = time.Now()
			at = at.Add(on + off)
		}
	}()
	lg.run(total, func(i int) bool { return i%5 == 0 }, func(i int) time.Time {
		return start.Add(time.Duration(float64(span) * float64(i) / float64(total)))
	})
	<-scheduleDone
	wall := time.Since(start)

	var bad []string
	badIDs := map[string]bool{}
	byStatus := map[int]int{}
	for _, r := range lg.results {
		byStatus[r.status]++
		if msg := r.check(faults); msg != "" {
			badIDs[invocationIDOf(r.i, r.isHostile)] = true
			if len(bad) < 20 {
				bad = append(bad, msg)
			}
		}
	}
	for _, msg := range bad {
		t.Error(msg)
	}
	for _, line := range p.logLines() {
		var l struct{ InvocationID string }
		if json.Unmarshal([]byte(line), &l) == nil && badIDs[l.InvocationID] && len(badIDs) <= 20 {
			t.Logf("the handler's line for it: %s", line)
		}
	}
	for _, f := range faults {
		if f.answers == 0 {
			t.Errorf("no request overlapped %s: the load did not cover it", f.name)
		}
	}
	t.Logf("%d requests in %v (%d hostile), 64 at a time: statuses %v", len(lg.results), wall.Round(time.Millisecond), total/5, byStatus)

	// Hostile requests made no Graph call during the load either.
	for _, line := range p.logLines() {
		if strings.Contains(line, `"invocationId":"`+hostilePrefix) && strings.Contains(line, `"graphCalls"`) {
			t.Errorf("a hostile request called Graph: %s", line)
			break
		}
	}

	// Back to the warm-up footprint once the callers' connections close.
	lg.client.CloseIdleConnections()
	var fds int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if fds = openFDs(t, pid); fds <= baseFDs+fdSlack || time.Now().After(deadline) {
			break
		}
	}
	rss := rssKiB(t, pid)
	goroutines := goroutineCount(t, p)
	t.Logf("after warm-up: %d fds, %d KiB RSS, %d goroutines (twin); after the load: %d fds, %d KiB RSS, %d goroutines",
		baseFDs, baseRSS, baseGoroutines, fds, rss, goroutines)
	if fds > baseFDs+fdSlack {
		t.Errorf("open file descriptors = %d after the load, %d after warm-up", fds, baseFDs)
	}
	if goroutines > baseGoroutines+goroutineSlack {
		t.Errorf("goroutines = %d after the load, %d in a warmed-up twin", goroutines, baseGoroutines)
	}
	if rss > 3*baseRSS+64<<10 {
		t.Errorf("RSS = %d KiB after the load, %d KiB after warm-up", rss, baseRSS)
	}
}

// A cold start with Key Vault down answers 503 with Retry-After before the
// 2 s deadline (a 504 otherwise), 16 callers at a time, and 202 once the
// vault is back.
func TestColdStartWithKeyVaultDown(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	tenant.KeyVault.SetDown(true)
	p := startBinary(t, tenant, loadEnv(tenant))
	lg := newLoad(p, tenant.Seeds.Delivered, 16)
	lg.run(64, func(int) bool { return false }, nil)
	for _, r := range lg.results {
		if r.status != http.StatusServiceUnavailable || r.retryAfter == "" {
			t.Fatalf("with Key Vault down: status %d, Retry-After %q; want 503 with Retry-After", r.status, r.retryAfter)
		}
	}
	tenant.KeyVault.SetDown(false)
	r := p.call(t, forwarded, "reprocess", http.MethodPost, "/api/assignments/"+tenant.Seeds.Delivered[0]+"/reprocess", "")
	if r.status != http.StatusAccepted {
		t.Errorf("Key Vault back: status = %d, want 202 (%s)", r.status, r.body)
	}
}

const (
	hostilePrefix = "badbad00"
	// Slack for connections the process's own pools keep or drop.
	fdSlack        = 4
	goroutineSlack = 8
)

// loadEnv starts the binary as on Azure: forwarded HTTP, a short deadline,
// the system-assigned managed identity reading the Graph app's secret.
func loadEnv(tenant *sandbox.Tenant) map[string]string {
	env := map[string]string{"REQUEST_TIMEOUT": "2s", "AZURE_CLIENT_ID": "", "AZURE_CLIENT_SECRET": "", "AZURE_TENANT_ID": ""}
	for k, v := range tenant.ManagedIdentityEnv() {
		env[k] = v
	}
	return env
}

// warmUp fills the process's pools and caches the way the load will use them.
func warmUp(tb testing.TB, p *process, ids []string) {
	tb.Helper()
	// One request alone first: the secret, the tokens and the connections
	// are fetched once, not by 64 callers racing the 2 s deadline.
	if r := p.call(tb, forwarded, "reprocess", http.MethodPost, "/api/assignments/"+ids[0]+"/reprocess", ""); r.status != http.StatusAccepted {
		tb.Fatalf("first request: status %d, want 202 (%s)", r.status, r.body)
	}
	lg := newLoad(p, ids, 64)
	lg.run(256, func(i int) bool { return i%5 == 0 }, nil)
	for _, r := range lg.results {
		if msg := r.check(nil); msg != "" {
			tb.Fatalf("warm-up: %s", msg)
		}
	}
	lg.client.CloseIdleConnections()
	time.Sleep(200 * time.Millisecond) // the server notices the closed connections
}

// faultWindow is one injected fault: when it was on, and what SPEC allows
// a valid request that overlapped it (or its 2 s of recovery) to answer.
type faultWindow struct {
	name    string
	allowed map[int]bool
	on, off time.Time
	answers int
}

func statuses(s ...int) map[int]bool {
	m := map[int]bool{http.StatusAccepted: true}
	for _, v := range s {
		m[v] = true
	}
	return m
}

const recovery = 2 * time.Second

// hostileRequest is one malformed or hostile request and what it must get.
type hostileRequest struct {
	method, path, body string
	want               int
}

var hostileRequests = []hostileRequest{
	{http.MethodPost, "/api/assignments/not-a-guid/reprocess", "", 400},
	{http.MethodPost, "/api/assignments/..%2F..%2Fusers/reprocess", "", 400},
	{http.MethodPost, "/api/assignments/%7B00000000-0000-0000-0000-000000000000%7D/reprocess", "", 400},
	{http.MethodPost, "/api/reprocess", `{"assignmentId":`, 400},
	{http.MethodPost, "/api/reprocess", `{"assignmentId":"` + strings.Repeat("a", 100<<10) + `"}`, 413},
	{http.MethodGet, "/api/nothing-here", "", 404},
	{http.MethodDelete, "/api/assignments/00000000-0000-4000-8000-000000000000/reprocess", "", 405},
	{http.MethodPost, "/api/webhooks/unknown-source", `{}`, 404},
}

// result is one request's answer; status 0 means no HTTP answer at all.
type result struct {
	i          int
	hostile    hostileRequest
	isHostile  bool
	start, end time.Time
	status     int
	retryAfter string
	err        error
}

// check returns what is wrong with r given the fault windows, or "".
func (r *result) check(faults []*faultWindow) string {
	switch {
	case r.status == 0:
		return fmt.Sprintf("request %d got no HTTP answer: %v", r.i, r.err)
	case r.isHostile:
		if r.status != r.hostile.want {
			return fmt.Sprintf("hostile %s %s: status %d, want %d", r.hostile.method, r.hostile.path, r.status, r.hostile.want)
		}
		return ""
	}
	allowed := statuses()
	var during []string
	for _, f := range faults {
		if !f.on.IsZero() && r.start.Before(f.off.Add(recovery)) && r.end.After(f.on) {
			f.answers++
			during = append(during, f.name)
			for s := range f.allowed {
				allowed[s] = true
			}
		}
	}
	if !allowed[r.status] {
		return fmt.Sprintf("request %d (sent %s, during %v): status %d", r.i, r.start.Format("15:04:05.000"), during, r.status)
	}
	if (r.status == 429 || r.status == 503) && r.retryAfter == "" {
		return fmt.Sprintf("request %d: status %d without Retry-After", r.i, r.status)
	}
	return ""
}

// load sends requests to a process as the Functions host forwards them.
type load struct {
	p       *process
	ids     []string
	workers int
	client  *http.Client
	results []*result
}

func newLoad(p *process, ids []string, workers int) *load {
	return &load{p: p, ids: ids, workers: workers, client: &http.Client{
		Timeout:   15 * time.Second,
		Transport: &http.Transport{MaxConnsPerHost: workers, MaxIdleConnsPerHost: workers},
	}}
}

// run sends n requests from the pool of workers; hostile(i) picks a hostile
// one, and when is given request i waits until when(i).
func (l *load) run(n int, hostile func(int) bool, when func(int) time.Time) {
	results := make([]*result, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range l.workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if when != nil {
					time.Sleep(time.Until(when(i)))
				}
				results[i] = l.send(i, hostile(i))
			}
		})
	}
	wg.Wait()
	l.results = append(l.results, results...)
}

func (l *load) send(i int, isHostile bool) *result {
	r := &result{i: i, isHostile: isHostile, start: time.Now()}
	method, path, body := http.MethodPost, "/api/assignments/"+l.ids[i%len(l.ids)]+"/reprocess", ""
	if isHostile {
		r.hostile = hostileRequests[(i/5)%len(hostileRequests)]
		method, path, body = r.hostile.method, r.hostile.path, r.hostile.body
	}
	req, err := http.NewRequest(method, l.p.base+path+"?code="+functionKey, strings.NewReader(body))
	if err != nil {
		r.err = err
		return r
	}
	req.Host = hostName
	req.Header.Set("X-Forwarded-Proto", "https")
	req.Header.Set("X-Azure-Functions-InvocationId", invocationIDOf(i, isHostile))
	req.Header.Set("x-functions-key", functionKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := l.client.Do(req)
	r.end = time.Now()
	if err != nil {
		r.err = err
		return r
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		r.err = err
		return r
	}
	r.status, r.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
	return r
}

// invocationIDOf is the host's invocation id for request i: the handler's
// log line for it carries it.
func invocationIDOf(i int, hostile bool) string {
	prefix := "c0ffee00"
	if hostile {
		prefix = hostilePrefix
	}
	return fmt.Sprintf("%s-0000-4000-8000-%012d", prefix, i)
}

func openFDs(tb testing.TB, pid int) int {
	tb.Helper()
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		tb.Skipf("no /proc here: %v", err)
	}
	return len(entries)
}

func rssKiB(tb testing.TB, pid int) int {
	tb.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Skipf("no /proc here: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	tb.Fatal("no VmRSS in /proc status")
	return 0
}

var goroutineHeader = regexp.MustCompile(`(?m)^goroutine \d+ `)

// goroutineCount ends the process with SIGQUIT, whose stack dump (all
// every goroutine) is counted: no debug endpoint needed.
func goroutineCount(tb testing.TB, p *process) int {
	tb.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGQUIT); err != nil {
		tb.Fatal(err)
	}
	err := p.cmd.Wait()
	if _, ok := err.(*exec.ExitError); !ok {
		tb.Fatalf("after SIGQUIT: %v", err)
	}
	dump := p.logs.String()
	n := len(goroutineHeader.FindAllStringIndex(dump, -1))
	if n == 0 {
		tb.Fatalf("no goroutine dump after SIGQUIT")
	}
	// The dump is not a log line: the cleanup's checks get what came before.
	before, _, _ := strings.Cut(dump, "SIGQUIT")
	p.logs = &testkit.Logs{}
	p.logs.Write([]byte(before))
	return n
}
