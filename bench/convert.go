package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// conversion is one benchmark's medians over its runs.
type conversion struct {
	nsPerOp, allocs float64
}

// conversions holds the product's and the proxy's, by benchmark name
// (ConvertHTTPAPI, ConvertREST, ConvertALB, ConvertFunctionURL).
type conversions struct {
	ours, proxy map[string]conversion
}

const convertBenchmarks = "^Benchmark(ConvertHTTPAPI|ConvertREST|ConvertALB|ConvertFunctionURL)$"

func convert() (*conversions, error) {
	ours, err := goBench(".", "./shared/awslambda")
	if err != nil {
		return nil, err
	}
	proxy, err := goBench("bench/proxycompare", ".")
	if err != nil {
		return nil, err
	}
	return &conversions{ours: ours, proxy: proxy}, nil
}

// goBench runs the conversion benchmarks of pkg (from dir) three times and
// returns each one's medians.
func goBench(dir, pkg string) (map[string]conversion, error) {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", convertBenchmarks, "-benchmem", "-count", "3", pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test -bench %s: %v\n%s", pkg, err, out)
	}
	ns, allocs := map[string][]float64{}, map[string][]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		for i := 1; i < len(f)-1; i++ {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				ns[name] = append(ns[name], v)
			case "allocs/op":
				allocs[name] = append(allocs[name], v)
			}
		}
	}
	res := map[string]conversion{}
	for name := range ns {
		res[name] = conversion{nsPerOp: median(ns[name]), allocs: median(allocs[name])}
	}
	return res, nil
}
