//go:build unix

package main

import "syscall"

// cpuMs is this process's CPU time (user + system) in milliseconds, for
// benchnative's cpu_ratio.
func cpuMs() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}
