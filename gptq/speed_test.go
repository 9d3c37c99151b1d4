//go:build !js && !wasip1

package gptq

import (
	"crypto/sha256"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
)

// formulaSource serves the reference formula weights of a config.
type formulaSource map[string][]int

func (fs formulaSource) Tensor(name string) ([]int, []float32, error) {
	shape, ok := fs[name]
	if !ok {
		return nil, nil, fmt.Errorf("no tensor %q", name)
	}
	return shape, model.FormulaTensor(name, shape...), nil
}

// TestCalibrateSpeed times a whole calibration (the q4 conversion's GPTQ
// part) of the base-256 (SIGLIP_GPTQ_SPEED=full) or large-256
// (SIGLIP_GPTQ_SPEED=large) architecture on formula weights: wall and CPU
// time, peak memory. Not a CI test: minutes, and gigabytes for large.
func TestCalibrateSpeed(t *testing.T) {
	which := os.Getenv("SIGLIP_GPTQ_SPEED")
	if which == "" {
		t.Skip("set SIGLIP_GPTQ_SPEED=full or large")
	}
	cfg := readRef(t, which+"/config.json")
	specs, err := weights.Specs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	src := formulaSource{}
	for _, s := range specs {
		src[s.Name] = s.HFShape
	}
	cpuClock = cpuSeconds
	defer func() { cpuClock = nil }()
	cpu0 := cpuSeconds()
	start := time.Now()
	res, err := CalibrateDefault(cfg, readRef(t, "tokenizer/xlnet-base-cased-spiece.model"), src, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	t.Logf("%s: %d Linears calibrated in %v wall, %.1f s CPU, peak RSS %.2f GB; median error ratio ×%.3f; blocks sha256 %s",
		which, len(res.Stats), time.Since(start).Round(time.Second), cpuSeconds()-cpu0, float64(ru.Maxrss)/(1<<20), res.MedianRatio(), res.digest())
	wall, cpu := time.Since(start).Seconds(), cpuSeconds()-cpu0
	for i, ph := range res.phases {
		t.Logf("  %-14s %7.1f s wall %7.1f s CPU (×%.2f)", phaseNames[i], ph.wall, ph.cpu, ph.cpu/ph.wall)
		wall, cpu = wall-ph.wall, cpu-ph.cpu
	}
	t.Logf("  %-14s %7.1f s wall %7.1f s CPU (×%.2f)", "forward+load", wall, cpu, cpu/wall)
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// digest is a SHA-256 of every calibrated Linear's blocks and scales, in
// calibration order: equal digests on one host mean a change to the
// calibration's speed left its output bytes alone.
func (r *Result) digest() string {
	h := sha256.New()
	for _, s := range r.Stats {
		p := r.packed[s.Name]
		fmt.Fprintf(h, "%s %d %d\n", s.Name, p.N, p.K)
		h.Write(p.Data)
		for _, v := range p.Scales {
			h.Write([]byte{byte(v), byte(v >> 8)})
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}
