package kernel

import (
	"math"
	"os"
	"strings"
	"sync"
	"unsafe"
)

// nativeKernels is one native level: the assembly inner products of the
// hot kernels on amd64 (native_amd64.s: AVX2, AVX-VNNI, AVX-512 VNNI) or
// arm64 (native_arm64.s: NEON, SDOT), with the Go that drives them.
// native_<arch>.go lists the levels the CPU supports (golang.org/x/sys/cpu)
// in nativeLevels; nativeForms hands them to the kernel selection
// (select.go) as forms "native-<level>". Other GOARCH have none
// (native_none.go), and SIGLIP_NATIVE=off withholds them.
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

	// gemm is f32Panels on strided activations and output and a bare
	// panel-layout weight wd (n×k): dst[r*ldc+n] = Σ_k a[r*lda+k]·W[n][k]
	// (+ bias[n]) for the outputs of panels [plo, phi). Attention's two
	// products run through it.
	gemm func(dst []float32, ldc int, a []float32, lda, m int, wd []float32, n, k int, bias []float32, plo, phi int)

	// quantize is QuantizeRow, bit for bit.
	quantize func(q []int8, a []float32) float32
	// expSubSum sets x[i] = exp(x[i] - sub) and returns Σ x[i] (float32,
	// about 1 ulp per value); the level's softmax runs on it (nil: Go's).
	expSubSum func(x []float32, sub float32) float32
	// geluTanh is GELUTanh's row form, within the GELU tolerance (nil: Go's).
	geluTanh func(x []float32)

	// q4 is the 4-bit inner product (nil: MatMulQ4 runs Go) over groups
	// of q4G activation rows; q4U8: it multiplies unsigned weights (Q+8)
	// and subtracts 8·Σ a.
	q4   q4Row
	q4G  int
	q4U8 bool
}

// nativeLevels is every level this CPU runs, best first (nativeProbe, in
// native_<arch>.go: CPU probes; none on other GOARCH). A package variable,
// so it is set before the kernel selection (select.go's active) reads it.
var nativeLevels = nativeProbe()

// nativeForms returns the native levels as kernel forms (select.go), best
// first, or only the one SIGLIP_NATIVE names ("off": none), so a slower
// level can be measured or tested on a CPU that has a faster one.
func nativeForms() []kernelForm {
	want := os.Getenv("SIGLIP_NATIVE")
	var fs []kernelForm
	for _, l := range nativeLevels {
		if want == "" || want == l.name {
			fs = append(fs, l.form())
		}
	}
	return fs
}

// nativePrefix starts the name of every native form.
const nativePrefix = "native-"

// Native names the native level in use ("avx512vnni", "avxvnni", "avx2",
// "neon-sdot", "neon"), or "" when the products run pure Go (or simd128).
func Native() string {
	if f := activeNames["MatMulF32"]; strings.HasPrefix(f, nativePrefix) {
		return strings.TrimPrefix(f, nativePrefix)
	}
	return ""
}

// form is the level's entries of the kernel table. Each closes over the
// level (its tasks carry it to the pool), so any form runs whichever
// form is active, as the conformance test needs.
func (l *nativeKernels) form() kernelForm {
	k := kernelTable{
		matMulQ8: func(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch) {
			if m <= 0 {
				return
			}
			if !l.q8Ok(w) {
				matMulQ8Go(dst, a, m, w, bias, s)
				return
			}
			l.matMulQ8(dst, a, m, w, bias, s)
		},
		matMulF32: func(dst, a []float32, m int, w *PackedF32, bias []float32) {
			if m <= 0 {
				return
			}
			_ = a[m*w.K-1]
			_ = dst[m*w.N-1]
			np := panels(w.N)
			parallel(task{op: opMatF32Native, nk: l, dst: dst, a: a, m: m, wf: w, bias: bias}, np, 1+65536/(m*w.K*PanelRows+1))
		},
		attention: func(dst []float32, dstStride int, q []float32, qStride int, k []float32, kStride int,
			v []float32, vStride int, sq, sk, heads, hd int, scores []float32) {
			if sq <= 0 || sk <= 0 || heads <= 0 {
				return
			}
			_ = scores[heads*sq*sk-1]
			t := task{op: opAttentionNative, nk: l, att: attnArgs{dst: dst, q: q, k: k, v: v,
				dstStride: dstStride, qStride: qStride, kStride: kStride, vStride: vStride,
				sq: sq, sk: sk, hd: hd, scores: scores}}
			parallel(t, heads, 1+16384/(sq*sk*hd+1))
		},
		rowSums: l.corr,
	}
	if l.q4 != nil {
		k.matMulQ4 = func(dst, a []float32, m int, w *PackedQ4, bias []float32, s *Scratch) {
			if m <= 0 {
				return
			}
			l.matMulQ4(dst, a, m, w, bias, s)
		}
	}
	if l.geluTanh != nil {
		k.geluTanh = func(x []float32) { parallel(task{op: opGELUNative, nk: l, dst: x}, len(x), 16384) }
	}
	if l.expSubSum != nil {
		k.softmaxRows = func(x []float32, m, n int) {
			if m <= 0 {
				return
			}
			_ = x[m*n-1]
			parallel(task{op: opSoftmaxNative, nk: l, dst: x, n: n}, m, 1+4096/(n+1))
		}
	}
	return kernelForm{name: nativePrefix + l.name, k: k}
}

// matMulQ8 is MatMulQ8 through native.q8Panels: quantize in Go (the
// same QuantizeRow as every form), convert, split the panels over the pool.
func (l *nativeKernels) matMulQ8(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch) {
	_ = a[m*w.K-1]
	_ = dst[m*w.N-1]
	if bias != nil {
		_ = bias[w.N-1]
	}
	if len(w.Data) < panels(w.N)*PanelRows*w.Kp || len(w.Scales) < w.N {
		panic("kernel: MatMulQ8: packed weight shorter than its sizes")
	}
	if l.corr {
		w.prepareOnce()
	}
	s.grow(m*w.Kp, m)
	for r := 0; r < m; r++ {
		q := s.Q[r*w.Kp : (r+1)*w.Kp]
		s.Scale[r] = l.quantize(q[:w.K], a[r*w.K:(r+1)*w.K])
		clear(q[w.K:])
	}
	qb := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s.Q))), len(s.Q)) // int8 as bytes, for the s8 forms
	if l.q8Prep != nil {
		qb = l.q8Prep(&s.native, s.Q)
	}
	np := panels(w.N)
	minPanels := 1 + 65536/(m*w.Kp*PanelRows+1)
	parallel(task{op: opMatQ8Native, nk: l, dst: dst, qb: qb, b: s.Scale, m: m, wq: w, bias: bias}, np, minPanels)
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

// attnPool holds per-goroutine packing buffers of nativeAttentionHeads.
var attnPool = sync.Pool{New: func() any { return new([]float32) }}

// attentionHeads is attentionHeads through l.gemm: per head,
// K_h is packed into 8-key panels (so Q_h·K_hᵀ is a panel product), the
// scaled scores go through softmaxRow, then V_h is packed as the weight of
// P·V_h (8 of its columns per panel).
func (l *nativeKernels) attentionHeads(a *attnArgs, hlo, hhi int) {
	sq, sk, hd := a.sq, a.sk, a.hd
	scale := float32(1 / math.Sqrt(float64(hd)))
	pk, pv := panels(sk), panels(hd)
	bp := attnPool.Get().(*[]float32)
	need := pk*PanelRows*hd + pv*PanelRows*sk
	if cap(*bp) < need {
		*bp = make([]float32, need)
	}
	buf := (*bp)[:need]
	kp, vp := buf[:pk*PanelRows*hd], buf[pk*PanelRows*hd:]
	for h := hlo; h < hhi; h++ {
		off := h * hd
		clear(kp)
		for j := 0; j < sk; j++ {
			kj := a.k[j*a.kStride+off : j*a.kStride+off+hd]
			base := (j / PanelRows) * hd * PanelRows
			for x, v := range kj {
				kp[base+x*PanelRows+j%PanelRows] = v
			}
		}
		clear(vp)
		for j := 0; j < sk; j++ {
			vj := a.v[j*a.vStride+off : j*a.vStride+off+hd]
			for x := 0; x < hd; x += PanelRows {
				copy(vp[((x/PanelRows)*sk+j)*PanelRows:], vj[x:min(x+PanelRows, hd)])
			}
		}
		s := a.scores[h*sq*sk : (h+1)*sq*sk]
		l.gemm(s, sk, a.q[off:], a.qStride, sq, kp, sk, hd, nil, 0, pk)
		for i := 0; i < sq; i++ {
			row := s[i*sk : (i+1)*sk]
			for j := range row {
				row[j] *= scale
			}
			l.softmaxRow(row)
		}
		l.gemm(a.dst[off:], a.dstStride, s, sk, sq, vp, hd, sk, nil, 0, pv)
	}
	attnPool.Put(bp)
}

// absMax, quantizeTail and expSubSumTail are QuantizeRow's two passes
// and softmax's exponentials in Go, for the values after the last full
// vector of a native row operation.
func absMax(a []float32) float32 {
	var amax float32
	for _, v := range a {
		if v < 0 {
			v = -v
		}
		if v > amax {
			amax = v
		}
	}
	return amax
}

func quantizeTail(q []int8, a []float32, inv float32) {
	for i, v := range a {
		x := math.RoundToEven(float64(float32(v * inv)))
		if x > 127 {
			x = 127
		} else if x < -127 {
			x = -127
		}
		q[i] = int8(x)
	}
}

func expSubSumTail(x []float32, sub float32) float32 {
	var s float32
	for i, v := range x {
		e := float32(math.Exp(float64(v - sub)))
		x[i] = e
		s += e
	}
	return s
}

// softmaxRow is softmaxRow through l.expSubSum (a float32 sum), or
// softmaxRow itself where the level has no vector exp.
func (l *nativeKernels) softmaxRow(row []float32) {
	if l.expSubSum == nil {
		softmaxRow(row)
		return
	}
	mx := float32(math.Inf(-1))
	for _, v := range row {
		if v > mx {
			mx = v
		}
	}
	inv := 1 / l.expSubSum(row, mx)
	for i := range row {
		row[i] *= inv
	}
}

// prepU8 stores qa+128 as unsigned bytes (flipping the sign bit).
func prepU8(buf *[]byte, qa []int8) []byte {
	b := growBytes(buf, len(qa))
	for i, v := range qa {
		b[i] = byte(v) ^ 0x80
	}
	return b
}

// prepI16 widens qa to little-endian int16 (what VPMADDWD reads).
func prepI16(buf *[]byte, qa []int8) []byte {
	b := growBytes(buf, 2*len(qa))
	for i, v := range qa {
		u := uint16(int16(v))
		b[2*i], b[2*i+1] = byte(u), byte(u>>8)
	}
	return b
}

func growBytes(buf *[]byte, n int) []byte {
	if cap(*buf) < n {
		*buf = make([]byte, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

func anyQ8(*PackedQ8) bool { return true }

// q8Dot4 is a native q8 inner product: four activation rows (elem bytes
// per value, in q8Prep's form) against one PackedQ8 panel, over Kp/step
// steps, into exact int32 sums (biased by the u8 forms' 128·Σ_k Q[n][k]).
type q8Dot4 func(acc *[4][PanelRows]int32, a *[4]*byte, w *int8, steps int)

// q8Panels4 makes a q8Panels from a four-row inner product: row blocks of
// q8RowBlock (kept in L2) swept by every panel of the range; a block short
// of four rows repeats its last row, whose extra sums are dropped.
func q8Panels4(kern q8Dot4, corr bool, elem, step int) func(dst []float32, qa []byte, sa []float32, m int, w *PackedQ8, bias []float32, plo, phi int) {
	return func(dst []float32, qa []byte, sa []float32, m int, w *PackedQ8, bias []float32, plo, phi int) {
		Kp, N := w.Kp, w.N
		var c []int32
		if corr {
			c = w.corr[:N]
		}
		_ = qa[m*Kp*elem-1]
		_ = w.Data[phi*Kp*PanelRows-1]
		var acc [4][PanelRows]int32
		var ptr [4]*byte
		for r0 := 0; r0 < m; r0 += q8RowBlock {
			r1 := min(r0+q8RowBlock, m)
			for p := plo; p < phi; p++ {
				wp := &w.Data[p*Kp*PanelRows]
				for r := r0; r < r1; r += 4 {
					for i := range ptr {
						ptr[i] = &qa[elem*min(r+i, r1-1)*Kp]
					}
					kern(&acc, &ptr, wp, Kp/step)
					for i := 0; i < 4 && r+i < r1; i++ {
						storeQ8Native(dst[(r+i)*N:(r+i+1)*N], &acc[i], c, sa[r+i], w.Scales, p, bias)
					}
				}
			}
		}
	}
}

// f32Dot is a native f32 inner product: a few activation rows (six or
// eight, f32Gemm's rows) against two PackedF32 panels (w1 may equal w0)
// over k ≥ 1, in k order (fused multiply-add).
type f32Dot func(acc *[8][2 * PanelRows]float32, a *[8]*float32, w0, w1 *float32, k int, st *f32Store)

// f32Store is where an f32Dot6 that stores (direct) finishes six rows of
// two full panels itself: bias added (−0 when none: y + −0 = y), 16
// outputs per row at dst[i] (offsets are the assembly's: dst 0, bias 64).
type f32Store struct {
	dst  [8]*float32
	bias *float32
}

// negZero16 is the bias of a product without one (see f32Store).
var negZero16 = func() (z [2 * PanelRows]float32) {
	for i := range z {
		z[i] = float32(math.Copysign(0, -1))
	}
	return
}()

// f32Gemm makes a gemm (see nativeKernels) from an inner product of rows rows;
// direct: kern stores full tiles itself (f32Store).
func f32Gemm(kern f32Dot, rows int, direct bool) func(dst []float32, ldc int, a []float32, lda, m int, wd []float32, n, k int, bias []float32, plo, phi int) {
	return func(dst []float32, ldc int, a []float32, lda, m int, wd []float32, n, k int, bias []float32, plo, phi int) {
		if m <= 0 || k <= 0 || plo >= phi {
			return
		}
		_ = a[(m-1)*lda+k-1]
		_ = dst[(m-1)*ldc+n-1]
		_ = wd[phi*k*PanelRows-1]
		if bias != nil {
			_ = bias[n-1]
		}
		var acc [8][2 * PanelRows]float32
		var ptr [8]*float32
		var st f32Store
		for r0 := 0; r0 < m; r0 += f32RowBlock {
			r1 := min(r0+f32RowBlock, m)
			for p := plo; p < phi; p += 2 {
				p1 := min(p+1, phi-1) // an odd last panel pairs with itself
				w0, w1 := &wd[p*k*PanelRows], &wd[p1*k*PanelRows]
				full := direct && p1 == p+1 && (p+2)*PanelRows <= n
				if full {
					st.bias = &negZero16[0]
					if bias != nil {
						st.bias = &bias[p*PanelRows:][:2*PanelRows][0]
					}
				}
				for r := r0; r < r1; r += rows {
					for i := range ptr[:rows] {
						ptr[i] = &a[min(r+i, r1-1)*lda]
					}
					if full && r+rows <= r1 {
						for i := range st.dst[:rows] {
							st.dst[i] = &dst[(r+i)*ldc+p*PanelRows]
						}
						kern(&acc, &ptr, w0, w1, k, &st)
						continue
					}
					kern(&acc, &ptr, w0, w1, k, nil)
					for i := 0; i < rows && r+i < r1; i++ {
						drow := dst[(r+i)*ldc : (r+i)*ldc+n]
						store8(drow, acc[i][:PanelRows], p, bias)
						if p1 != p {
							store8(drow, acc[i][PanelRows:], p1, bias)
						}
					}
				}
			}
		}
	}
}

// f32Panels is f32Panels (see nativeKernels) over a gemm.
func f32Panels(gemm func(dst []float32, ldc int, a []float32, lda, m int, wd []float32, n, k int, bias []float32, plo, phi int)) func(dst, a []float32, m int, w *PackedF32, bias []float32, plo, phi int) {
	return func(dst, a []float32, m int, w *PackedF32, bias []float32, plo, phi int) {
		gemm(dst, w.N, a, w.K, m, w.Data, w.N, w.K, bias, plo, phi)
	}
}

// q4Row is a native 4-bit inner product (native_<arch>.s): one unpacked
// weight row (wq: per block 32 bytes, Q+8 when the level's q4U8, else Q;
// sw: the block scales as float32) against `groups` groups of q4G
// activation rows interleaved per k-quad (at), with their block scales
// (sa) and, for the unsigned forms, corrections 8·Σ_block a (corr), into
// y[group·q4G + i] with RefMatMulQ4's roundings.
type q4Row func(y *float32, wq *byte, sw *float32, at *int8, sa *float32, corr *int32, groups, blocks int)

// q4Scratch is one worker's buffers in a native MatMulQ4.
type q4Scratch struct {
	wq []byte
	sw []float32
	y  []float32
}

var q4Pool = sync.Pool{New: func() any { return new(q4Scratch) }}

// matMulQ4 is MatMulQ4 through l.q4: the activations are quantized per
// block as q4QuantizeBlocks does, then laid out for the kernel (groups of
// q4G rows interleaved per k-quad); output rows n are split over the
// pool, each unpacking its weight rows once for all m activation rows.
func (l *nativeKernels) matMulQ4(dst, a []float32, m int, w *PackedQ4, bias []float32, s *Scratch) {
	G, nb := l.q4G, w.Blocks
	kp := nb * Q4Block
	groups := (m + G - 1) / G
	s.grow(m*kp, m*nb)
	at := growInt8(&s.q4at, groups*G*kp)
	sa := growF32(&s.q4sa, groups*nb*G)
	corr := growI32(&s.q4corr, groups*nb*G)
	// The activations' quantization and layout, per group of rows, on the
	// pool too: on the caller alone it was the serial part of a long
	// MatMulQ4 (m in the thousands: GPTQ's calibration passes).
	parallel(task{op: opQ4PrepNative, nk: l, a: a, m: m, w4: w, s: s, qa: at, b: sa, c32: corr}, groups, max(1, 16384/(G*kp+1)))
	parallel(task{op: opMatQ4Native, nk: l, dst: dst, m: m, w4: w, bias: bias, qa: at, b: sa, c32: corr}, w.N, max(1, 8192/(m*kp+1)))
}

// q4Prep quantizes activation rows of groups [g0, g1) per block (as
// q4QuantizeBlocks, with the level's QuantizeRow: bit for bit the same)
// into s.Q and s.Scale and lays them out for l.q4 in at, sa and corr.
func (l *nativeKernels) q4Prep(a []float32, m int, w *PackedQ4, s *Scratch, at []int8, sa []float32, corr []int32, g0, g1 int) {
	G, nb := l.q4G, w.Blocks
	kp := nb * Q4Block
	for r := g0 * G; r < min(g1*G, m); r++ {
		row := a[r*w.K : (r+1)*w.K]
		for b := 0; b < nb; b++ {
			lo, hi := b*Q4Block, (b+1)*Q4Block
			if hi > len(row) {
				q4QuantizeBlocks(s.Q[r*kp+lo:r*kp+hi], s.Scale[r*nb+b:r*nb+b+1], row[lo:], 1)
				continue
			}
			s.Scale[r*nb+b] = l.quantize(s.Q[r*kp+lo:r*kp+hi], row[lo:hi])
		}
	}
	for g := g0; g < g1; g++ {
		for i := 0; i < G; i++ {
			r := g*G + i
			for b := 0; b < nb; b++ {
				o := (g*nb + b) * G
				if r >= m {
					sa[o+i], corr[o+i] = 0, 0
					for j := 0; j < Q4Block/4; j++ {
						copy(at[((g*nb*8+b*8+j)*G+i)*4:][:4], []int8{0, 0, 0, 0})
					}
					continue
				}
				q := s.Q[r*kp+b*Q4Block : r*kp+(b+1)*Q4Block]
				var sum int32
				for j := 0; j < Q4Block/4; j++ {
					d := at[((g*nb*8+b*8+j)*G+i)*4:][:4]
					copy(d, q[4*j:4*j+4])
					sum += int32(q[4*j]) + int32(q[4*j+1]) + int32(q[4*j+2]) + int32(q[4*j+3])
				}
				sa[o+i] = s.Scale[r*nb+b]
				if l.q4U8 {
					corr[o+i] = 8 * sum
				} else {
					corr[o+i] = 0
				}
			}
		}
	}
}

// q4Rows computes outputs [n0, n1) of a native MatMulQ4 (see matMulQ4).
func (l *nativeKernels) q4Rows(dst []float32, m int, w *PackedQ4, bias []float32, at []int8, sa []float32, corr []int32, n0, n1 int) {
	G, nb := l.q4G, w.Blocks
	groups := (m + G - 1) / G
	_ = at[groups*G*nb*Q4Block-1]
	_ = sa[groups*nb*G-1]
	_ = corr[groups*nb*G-1]
	sc := q4Pool.Get().(*q4Scratch)
	wq := growBytes(&sc.wq, nb*Q4Block)
	sw := growF32(&sc.sw, nb)
	y := growF32(&sc.y, groups*G)
	off := byte(0)
	if !l.q4U8 {
		off = 8
	}
	for n := n0; n < n1; n++ {
		row := w.Data[n*nb*16 : (n+1)*nb*16]
		for i, v := range row {
			wq[2*i], wq[2*i+1] = v&15-off, v>>4-off
		}
		for b := range sw {
			sw[b] = HalfBitsToFloat32(w.Scales[n*nb+b])
		}
		l.q4(&y[0], &wq[0], &sw[0], &at[0], &sa[0], &corr[0], groups, nb)
		for r := 0; r < m; r++ {
			v := y[r]
			if bias != nil {
				v = float32(v + bias[n])
			}
			dst[r*w.N+n] = v
		}
	}
	q4Pool.Put(sc)
}

func growInt8(buf *[]int8, n int) []int8 {
	if cap(*buf) < n {
		*buf = make([]int8, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

func growF32(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

func growI32(buf *[]int32, n int) []int32 {
	if cap(*buf) < n {
		*buf = make([]int32, n)
	}
	*buf = (*buf)[:n]
	return *buf
}
