//go:build benchprofile

// Profiling for make bench only: `go run ./bench -profile DIR` builds the
// binary with -tags benchprofile; nothing else does, so no shipped binary
// holds this. With BENCH_CPUPROFILE set, SIGUSR1 starts a CPU profile into
// that file and SIGUSR2 stops it and writes the allocation profile beside it
// (.allocs).

package main

import (
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func init() {
	path := os.Getenv("BENCH_CPUPROFILE")
	if path == "" {
		return
	}
	c := make(chan os.Signal, 2)
	signal.Notify(c, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		defer func() {
			if r := recover(); r != nil { // a profile is not worth the process
				os.Stderr.WriteString("benchprofile: panic\n")
			}
		}()
		var f *os.File
		for s := range c {
			switch {
			case s == syscall.SIGUSR1 && f == nil:
				var err error
				if f, err = os.Create(path); err == nil {
					err = pprof.StartCPUProfile(f)
				}
				if err != nil {
					os.Stderr.WriteString("benchprofile: " + err.Error() + "\n")
					f = nil
				}
			case s == syscall.SIGUSR2 && f != nil:
				pprof.StopCPUProfile()
				f.Close()
				f = nil
				if a, err := os.Create(path + ".allocs"); err == nil {
					pprof.Lookup("allocs").WriteTo(a, 0)
					a.Close()
				}
			}
		}
	}()
}
