package kernel

import (
	"os"
	"sync"
)

// nativeKernels holds the assembly forms of the hot products on amd64
// (native_amd64.s: AVX2, AVX-VNNI, AVX-512 VNNI) and arm64
// (native_arm64.s: NEON, SDOT). native_<arch>.go lists the levels the CPU
// supports (golang.org/x/sys/cpu) and installs the best one at start-up;
// every field is nil elsewhere (js/wasm, other GOARCH) or with
// SIGLIP_NATIVE=off, and the public kernels then run pure Go.
//
// The forms have the semantics of their pure-Go twins: q8Panels and
// q4Rows are bit-identical to RefMatMulQ8 / RefMatMulQ4 (exact int32 dot
// products, then the same float32 roundings in the same order, done in
// Go); f32Panels and the attention products accumulate in float32 with
// fused multiply-add, within the f32 tolerance of conformance_test.go.
type nativeKernels struct {
	name string // level, e.g. "avx512vnni"; "" when pure Go

	// q8Prep turns the quantized activations (int8, QuantizeRow's output,
	// len m·Kp) into what q8Panels reads, in buf (grown as needed);
	// corr: q8Panels subtracts PackedQ8.corr (the u8 forms).
	q8Prep func(buf *[]byte, qa []int8) []byte
	corr   bool
	// q8Panels computes panels [plo, phi) of MatMulQ8 from q8Prep's bytes.
	q8Panels func(dst []float32, qa []byte, sa []float32, m int, w *PackedQ8, bias []float32, plo, phi int)
	// q8Ok reports whether q8Panels handles this weight (e.g. Kp%4 == 0
	// for the 4-wide dot forms); otherwise MatMulQ8 runs pure Go.
	q8Ok func(w *PackedQ8) bool

	// f32Panels computes panels [plo, phi) of MatMulF32.
	f32Panels func(dst, a []float32, m int, w *PackedF32, bias []float32, plo, phi int)

	// dot32x4 is four exact int32 dot products of 32-element int8
	// blocks: out[i] = Σ_j a_i[j]·w[j] (the q4 inner product).
	dot32x4 func(out *[4]int32, a0, a1, a2, a3, w *int8)
}

// native is the table the public kernels consult; see nativeKernels.
var native nativeKernels

// nativeLevels is every level this CPU runs, best first (set by the
// native_<arch>.go init; the conformance test runs each of them).
var nativeLevels []nativeKernels

// Native names the assembly level in use ("avx512vnni", "avxvnni",
// "avx2", "neon-sdot", "neon"), or "" when the kernels run pure Go.
func Native() string { return native.name }

// pickNative installs the best level, or the one SIGLIP_NATIVE names
// ("off" for pure Go), so a slower level can be measured or tested on a
// CPU that has a faster one.
func pickNative() {
	want := os.Getenv("SIGLIP_NATIVE")
	if want == "off" || len(nativeLevels) == 0 {
		return
	}
	for _, l := range nativeLevels {
		if want == "" || l.name == want {
			native = l
			if native.corr {
				needCorr = true
			}
			return
		}
	}
}

// needCorr: some kernel of this host reads PackedQ8.corr (the u8·s8 dot
// forms: simd matmul_q8x4, the native VNNI and SDOT-free u8 forms), so
// Prepare computes it.
var needCorr bool

// nativeMatMulQ8 is MatMulQ8 through native.q8Panels: quantize in Go (the
// same QuantizeRow as every form), convert, split the panels over the pool.
func nativeMatMulQ8(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch) {
	_ = a[m*w.K-1]
	_ = dst[m*w.N-1]
	if bias != nil {
		_ = bias[w.N-1]
	}
	if len(w.Data) < panels(w.N)*PanelRows*w.Kp || len(w.Scales) < w.N {
		panic("kernel: MatMulQ8: packed weight shorter than its sizes")
	}
	if native.corr {
		w.prepareOnce()
	}
	s.grow(m*w.Kp, m)
	for r := 0; r < m; r++ {
		q := s.Q[r*w.Kp : (r+1)*w.Kp]
		s.Scale[r] = QuantizeRow(q[:w.K], a[r*w.K:(r+1)*w.K])
		clear(q[w.K:])
	}
	qb := native.q8Prep(&s.native, s.Q)
	np := panels(w.N)
	minPanels := 1 + 65536/(m*w.Kp*PanelRows+1)
	parallel(task{op: opMatQ8Native, dst: dst, qb: qb, b: s.Scale, m: m, wq: w, bias: bias}, np, minPanels)
}

var corrMu sync.Mutex

// prepareOnce computes w.corr under a lock (native MatMulQ8 may be called
// from several goroutines on one weight).
func (w *PackedQ8) prepareOnce() {
	corrMu.Lock()
	if w.corr == nil {
		w.corr = rowSums128(w)
	}
	corrMu.Unlock()
}

// storeQ8Native writes one row's 8 outputs of panel p from exact int32
// sums acc (minus corr where the form biased its activations by 128),
// with RefMatMulQ8's roundings.
func storeQ8Native(drow []float32, acc *[PanelRows]int32, corr []int32, sa float32, scales []float32, p int, bias []float32) {
	n0 := p * PanelRows
	for j := 0; j < PanelRows && n0+j < len(drow); j++ {
		v := acc[j]
		if corr != nil {
			v -= corr[n0+j]
		}
		y := float32(float32(v) * float32(sa*scales[n0+j]))
		if bias != nil {
			y += bias[n0+j]
		}
		drow[n0+j] = y
	}
}

// q8RowBlock bounds the activation rows a panel sweep reads (kept in L2).
const q8RowBlock = 64
