//go:build js

package imageproc

import (
	"syscall/js"
	"time"
)

// cpuTime is Node's process.cpuUsage() (user+system), see cputime_unix_test.go.
func cpuTime() (time.Duration, bool) {
	p := js.Global().Get("process")
	if p.IsUndefined() {
		return 0, false
	}
	u := p.Call("cpuUsage")
	return time.Duration(u.Get("user").Float()+u.Get("system").Float()) * time.Microsecond, true
}
