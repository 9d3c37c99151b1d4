//go:build !js

package weights

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// TestPeakMemoryQ8 measures what running a base-256 q8 model file costs:
// it writes the file, then a fresh process (this test binary again) reads
// it, loads the model and embeds one image and four texts, and reports its
// peak RSS and Go heap next to the file size. SIGLIP_MEM=1 runs it.
func TestPeakMemoryQ8(t *testing.T) {
	if os.Getenv("SIGLIP_MEM") != "1" {
		t.Skip("set SIGLIP_MEM=1 (writes a 206 MB file and runs base-256 in a child process)")
	}
	cfg := read(t, "full/config.json")
	path := filepath.Join(t.TempDir(), "base-q8.siglip")
	if err := os.WriteFile(path, convert(t, cfg, newFormula(t, cfg), modelfile.SchemeQ8), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryChild$", "-test.v")
	cmd.Env = append(os.Environ(), "SIGLIP_MEM_CHILD="+path)
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if err != nil || !strings.Contains(string(out), "peak RSS") {
		t.Fatalf("child failed: %v", err)
	}
}

func TestMemoryChild(t *testing.T) {
	path := os.Getenv("SIGLIP_MEM_CHILD")
	if path == "" {
		t.Skip("child of TestPeakMemoryQ8")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	m, _, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("after load (%v): Go heap in use %.1f MB (file %.1f MB), sys %.1f MB", time.Since(start).Round(time.Millisecond), float64(ms.HeapInuse)/1e6, float64(len(data))/1e6, float64(ms.Sys)/1e6)
	// Synthetic inputs: the memory figure is about weights and activations.
	c := m.Config.VisionConfig
	one := make([]float32, c.NumChannels*c.ImageSize*c.ImageSize)
	for i := range one {
		one[i] = float32(i%255)/127 - 1
	}
	const nTxt = 4
	ids := make([]int32, nTxt*m.Config.TextConfig.MaxPositionEmbeddings)
	for i := range ids {
		ids[i] = int32(i % 100)
	}
	forward(t, m, one, 1, ids, nTxt)
	runtime.ReadMemStats(&ms)
	// VmHWM (Linux), not getrusage's ru_maxrss: the latter carries the
	// parent's peak across the vfork+exec that started this process.
	hwm := "unknown"
	if st, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(st), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				hwm = strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
			}
		}
	}
	t.Logf("after 1 image + %d texts: Go heap in use %.1f MB, sys %.1f MB; peak RSS (VmHWM) %s (file %.1f MB)",
		nTxt, float64(ms.HeapInuse)/1e6, float64(ms.Sys)/1e6, hwm, float64(len(data))/1e6)
}
