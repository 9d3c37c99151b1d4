package kernel

import (
	"fmt"
	"math"
	"math/rand"
	"os"
	"runtime"
	"testing"
)

// TestNativeQuantizeRow: every native level's QuantizeRow gives
// QuantizeRow's bytes and scale, on rows with halves (x.5 after scaling),
// zeros, -0, NaN, ±Inf and every tail length.
func TestNativeQuantizeRow(t *testing.T) {
	r := rand.New(rand.NewSource(21))
	for _, l := range nativeLevels {
		for n := 1; n <= 70; n++ {
			for trial := 0; trial < 6; trial++ {
				a := make([]float32, n)
				for i := range a {
					a[i] = float32(r.NormFloat64())
				}
				switch trial {
				case 1: // values that land on .5 after ·127/amax
					a[0] = 127
					for i := 1; i < n; i++ {
						a[i] = float32(r.Intn(255)-127) + 0.5
					}
				case 2:
					a[r.Intn(n)] = float32(math.NaN())
				case 3:
					a[r.Intn(n)] = float32(math.Inf(1 - 2*r.Intn(2)))
				case 4:
					clear(a)
					a[r.Intn(n)] = float32(math.Copysign(0, -1))
				case 5:
					a[r.Intn(n)] = 1e30
				}
				want := make([]int8, n)
				got := make([]int8, n)
				ws := QuantizeRow(want, a)
				gs := l.quantize(got, a)
				if math.Float32bits(ws) != math.Float32bits(gs) {
					t.Fatalf("%s n=%d trial %d: scale %v, QuantizeRow %v", l.name, n, trial, gs, ws)
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("%s n=%d trial %d: q[%d] = %d, QuantizeRow %d (a = %v)", l.name, n, trial, i, got[i], want[i], a[i])
					}
				}
			}
		}
	}
}

// TestNativePresent fails a native test run on a CPU that has a native
// level when none is in use (the levels silently lost), and reports the
// level. SIGLIP_NATIVE=off must leave pure Go; SIGLIP_NATIVE=<level>
// must select that level.
func TestNativePresent(t *testing.T) {
	want := os.Getenv("SIGLIP_NATIVE")
	t.Logf("GOARCH %s, native level %q of %d", runtime.GOARCH, Native(), len(nativeLevels))
	switch {
	case want == "off":
		if Native() != "" {
			t.Fatalf("SIGLIP_NATIVE=off, yet level %q is in use", Native())
		}
	case want != "":
		if Native() != want {
			t.Fatalf("SIGLIP_NATIVE=%s, yet level %q is in use", want, Native())
		}
	case len(nativeLevels) > 0 && Native() != nativeLevels[0].name:
		t.Fatalf("best level %q not in use (%q)", nativeLevels[0].name, Native())
	case runtime.GOARCH == "arm64" && len(nativeLevels) == 0:
		t.Fatal("arm64 has NEON everywhere, yet no native level")
	}
}

// BenchmarkNative times each native level's products on the vision
// tower's shapes, per CPU-second as well as per wall-second (a shared
// machine distorts the latter):
//
//	go test -run '^$' -bench Native -cpu 1 ./kernel/
func BenchmarkNative(b *testing.B) {
	r := rand.New(rand.NewSource(7))
	for _, sh := range benchShapes {
		a := testMatrix(r, sh.m, sh.k, false)
		wq := randQ8(r, sh.n, sh.k)
		wf, _ := PackF32(testMatrix(r, sh.n, sh.k, false), sh.n, sh.k)
		dst := make([]float32, sh.m*sh.n)
		for _, f := range hostForms() {
			for _, c := range []struct {
				name string
				run  func(s *Scratch)
			}{
				{"q8", func(s *Scratch) { f.k.matMulQ8(dst, a, sh.m, wq, nil, s) }},
				{"f32", func(s *Scratch) { f.k.matMulF32(dst, a, sh.m, wf, nil) }},
			} {
				b.Run(fmt.Sprintf("%s/%dx%dx%d/%s", c.name, sh.m, sh.k, sh.n, f.name), func(b *testing.B) {
					var s Scratch
					c.run(&s)
					b.ResetTimer()
					cpu0 := processCPUSeconds()
					for i := 0; i < b.N; i++ {
						c.run(&s)
					}
					flop := 2 * float64(sh.m*sh.n*sh.k) * float64(b.N)
					b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					b.ReportMetric(flop/(processCPUSeconds()-cpu0)/1e9, "GFLOP/cpu-s")
				})
			}
		}
	}
}
