//go:build !unix

package main

import "math"

// cpuMs has no getrusage to read here (the build tool is also vetted for
// GOOS=js, where it never runs benchnative): cpu_ratio prints NaN.
func cpuMs() float64 { return math.NaN() }
