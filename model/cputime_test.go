//go:build !js && !wasip1

package model

import "syscall"

// processCPUSeconds is the user+system CPU time of this process, so that
// benchmarks on a shared machine can report work per CPU-second as well as
// per wall-clock second.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
