//go:build unix

package imageproc

import (
	"syscall"
	"time"
)

// cpuTime is this process's user+system CPU time: on a loaded CI machine the
// benchmarks' wall time says little, CPU time per op still does.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
