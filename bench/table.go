package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// printTable writes the table to stdout, medians of the rounds, with
// the per-round figures below it.
func printTable(res map[string]*result, st map[string]*startRuns, idle, hwm map[string]int,
	sizes map[string]int64, conv *conversions, rate float64) {
	bare, floor, handler := res["bare"], res["floor"], res["handler"]
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	mib := func(kib int) float64 { return float64(kib) / 1024 }
	verdict := func(ok bool) string {
		if ok {
			return "yes"
		}
		return "**no**"
	}
	var b strings.Builder
	row := func(measure, today, fl, goal, met string) {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", measure, today, fl, goal, met)
	}
	fmt.Fprintf(&b, "\n| measure | binary | floor | goal | met |\n|---|---|---|---|---|\n")

	thr, thrF := median(handler.rps)/median(bare.rps), median(floor.rps)/median(bare.rps)
	row(fmt.Sprintf("warm throughput at %d concurrent, ÷ bare client (%.0f req/s)", *conns, median(bare.rps)),
		fmt.Sprintf("%.2f (%.0f req/s)", thr, median(handler.rps)), fmt.Sprintf("%.2f (%.0f req/s)", thrF, median(floor.rps)),
		"**≥ 0.5**", verdict(thr >= 0.5))
	cpu, cpuF := median(handler.cpuUS), median(floor.cpuUS)
	row("handler CPU per warm reprocess", fmt.Sprintf("%.0f µs", cpu), fmt.Sprintf("%.0f µs", cpuF), "**≤ 200 µs**", verdict(cpu <= 200))
	a50, a99 := median(handler.p50)-median(bare.p50), median(handler.p99)-median(bare.p99)
	f50, f99 := median(floor.p50)-median(bare.p50), median(floor.p99)-median(bare.p99)
	row(fmt.Sprintf("added latency at %.0f req/s (a quarter of saturation), p50 / p99 over the bare client (%.2f / %.2f ms)", rate, median(bare.p50), median(bare.p99)),
		fmt.Sprintf("%+.2f / %+.2f ms", a50, a99), fmt.Sprintf("%+.2f / %+.2f ms", f50, f99),
		"**≤ +0.3 / ≤ +2 ms**", verdict(a50 <= 0.3 && a99 <= 2))
	h, f := st["handler"], st["floor"]
	ready := ms(median(h.ready)) - ms(median(f.ready))
	row(fmt.Sprintf("exec → `GET /` answers, over the floor (median of %d fresh processes)", len(h.ready)),
		fmt.Sprintf("%+.1f ms (%.1f ms)", ready, ms(median(h.ready))), fmt.Sprintf("%.1f ms", ms(median(f.ready))), "**≤ +1 ms**", verdict(ready <= 1))
	first := ms(median(h.first)) - ms(median(f.first))
	row("exec → first 202 through MI, Key Vault, token and Graph, over the floor",
		fmt.Sprintf("%+.1f ms (%.1f ms)", first, ms(median(h.first))), fmt.Sprintf("%.1f ms", ms(median(f.first))), "**≤ +5 ms**", verdict(first <= 5))
	row(fmt.Sprintf("RSS idle / peak under %d-way load", *conns),
		fmt.Sprintf("%.1f / %.1f MiB", mib(idle["handler"]), mib(hwm["handler"])), fmt.Sprintf("%.1f / %.1f MiB", mib(idle["floor"]), mib(hwm["floor"])),
		"**≤ 16 / 32 MiB**", verdict(mib(idle["handler"]) <= 16 && mib(hwm["handler"]) <= 32))
	if sizes != nil {
		az, l := float64(sizes["azure-functions.zip"])/(1<<20), float64(sizes["lambda.zip"])/(1<<20)
		row("`azure-functions.zip`, `lambda.zip` (Lambda "+*lambdaArch+")",
			fmt.Sprintf("%.2f / %.2f MiB", az, l), "—", "**≤ 4 MiB each**", verdict(az <= 4 && l <= 4))
	}
	if conv != nil {
		var ours, proxy, goal []string
		ok := true
		for _, n := range []struct{ key, label string }{{"ConvertHTTPAPI", "HTTP API 2.0"}, {"ConvertREST", "REST"}, {"ConvertFunctionURL", "function URL"}, {"ConvertALB", "ALB"}} {
			o, p := conv.ours[n.key], conv.proxy[n.key]
			ours = append(ours, fmt.Sprintf("%s %.1f µs, %.0f allocs", n.label, o.nsPerOp/1e3, o.allocs))
			proxy = append(proxy, fmt.Sprintf("%.1f µs, %.0f allocs (%.2f×)", p.nsPerOp/1e3, p.allocs, o.nsPerOp/p.nsPerOp))
			ok = ok && p.nsPerOp > 0 && o.nsPerOp <= p.nsPerOp/2
			if n.key == "ConvertHTTPAPI" {
				ok = ok && o.nsPerOp <= 20e3 && o.allocs <= 40
			}
		}
		_ = goal
		row("Lambda event conversion, both ways, same event; aws-lambda-go-api-proxy beside (time ratio)",
			strings.Join(ours, "; "), "proxy: "+strings.Join(proxy, "; "),
			"**≤ 20 µs and ≤ 40 allocs** for HTTP API 2.0; every source **≤ 0.5×** the proxy", verdict(ok))
	}
	fmt.Print(b.String())

	fmt.Printf("\nPer round (closed loop req/s; CPU µs/req; open loop p50/p99 ms):\n")
	for _, name := range []string{"bare", "floor", "handler", "against"} {
		r := res[name]
		if r == nil {
			continue
		}
		fmt.Printf("  %-8s req/s %s  CPU %s  p50 %s  p99 %s\n", name, list(r.rps, "%.0f"), list(r.cpuUS, "%.0f"), list(r.p50, "%.2f"), list(r.p99, "%.2f"))
	}
	for _, name := range []string{"floor", "handler"} {
		s := st[name]
		fmt.Printf("  %-8s exec→GET / min/median/max %.1f/%.1f/%.1f ms; exec→202 %.1f/%.1f/%.1f ms; RSS after first 202 median %.1f MiB\n", name,
			ms(slices.Min(s.ready)), ms(median(s.ready)), ms(slices.Max(s.ready)),
			ms(slices.Min(s.first)), ms(median(s.first)), ms(slices.Max(s.first)), mib(median(s.rss)))
	}
	fmt.Printf("  %d CPUs; %s\n", numCPU(), time.Now().UTC().Format(time.RFC3339))
}

func list(xs []float64, f string) string {
	var s []string
	for _, x := range xs {
		s = append(s, fmt.Sprintf(f, x))
	}
	return strings.Join(s, " ")
}
