package kernel

// Kernel selection, in one place.
//
// A form is one implementation of some of the kernels (the simd128 module,
// its relaxed-SIMD variants, later native amd64/arm64 code): a name and a
// table of function values, nil where the form has no such kernel. The
// host's forms come from hostForms (select_*.go, one per platform, each
// asking its host's probes), best first; selectKernels fills every entry of
// the active table from the first form that has it, and the public kernels
// (MatMulQ8, …) call the active entry or, where it is nil, their pure-Go
// code. Nothing else chooses: no init order, no JS global, no override by
// the loader. The conformance test runs every form hostForms returns, not
// only the chosen ones.
//
// Every form has the semantics of the pure-Go twins and references:
// matMulQ8 and matMulQ4 are bit-identical to RefMatMulQ8 and RefMatMulQ4;
// matMulF32, matMulNN, matMulNT and layerNorm accumulate in float32
// (within 1e-5 of the float64 references, relative to Σ|terms|); geluTanh
// and softmaxRows use a vectorised exp (see conformance_test.go for the
// bounds they meet).
type kernelTable struct {
	matMulQ8  func(dst, a []float32, m int, w *PackedQ8, bias []float32, s *Scratch)
	matMulQ4  func(dst, a []float32, m int, w *PackedQ4, bias []float32, s *Scratch)
	matMulF32 func(dst, a []float32, m int, w *PackedF32, bias []float32)
	// matMulNN: dst[i*ldc+j] = scale·Σ_k a[i*lda+k]·b[k*ldb+j]  (P·V)
	matMulNN func(dst []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, n, k int, scale float32)
	// matMulNT: dst[i*ldc+j] = scale·Σ_k a[i*lda+k]·b[j*ldb+k]  (Q·Kᵀ)
	matMulNT    func(dst []float32, ldc int, a []float32, lda int, b []float32, ldb int, m, n, k int, scale float32)
	layerNorm   func(dst, src []float32, m, n int, gamma, beta []float32, eps float32)
	geluTanh    func(x []float32)
	softmaxRows func(x []float32, m, n int)
	attention   func(dst []float32, dstStride int, q []float32, qStride int, k []float32, kStride int,
		v []float32, vStride int, sq, sk, heads, hd int, scores []float32)
	add func(x, y []float32)

	// rowSums: the form's matMulQ8 reads PackedQ8's row sums (corr), so
	// PackQ8 and Prepare compute them at load time.
	rowSums bool
}

// kernelForm is one form: its name (as tests and benchmarks print it) and
// the kernels it has.
type kernelForm struct {
	name string
	k    kernelTable
}

// active is the table the public kernels consult.
var active = selectKernels()

// activeNames: for each kernel, the form it runs (see KernelForms).
var activeNames map[string]string

// selectKernels builds the active table from hostForms: each kernel from
// the first form that has it.
func selectKernels() kernelTable {
	var t kernelTable
	names := map[string]string{}
	take := func(form string, ok bool, what string) bool {
		if ok {
			if _, done := names[what]; !done {
				names[what] = form
				return true
			}
		}
		return false
	}
	for _, f := range hostForms() {
		k := f.k
		if take(f.name, k.matMulQ8 != nil, "MatMulQ8") {
			t.matMulQ8, t.rowSums = k.matMulQ8, k.rowSums
		}
		if take(f.name, k.matMulQ4 != nil, "MatMulQ4") {
			t.matMulQ4 = k.matMulQ4
		}
		if take(f.name, k.matMulF32 != nil, "MatMulF32") {
			t.matMulF32 = k.matMulF32
		}
		if take(f.name, k.matMulNN != nil, "MatMulNN") {
			t.matMulNN = k.matMulNN
		}
		if take(f.name, k.matMulNT != nil, "MatMulNT") {
			t.matMulNT = k.matMulNT
		}
		if take(f.name, k.layerNorm != nil, "LayerNorm") {
			t.layerNorm = k.layerNorm
		}
		if take(f.name, k.geluTanh != nil, "GELUTanh") {
			t.geluTanh = k.geluTanh
		}
		if take(f.name, k.softmaxRows != nil, "SoftmaxRows") {
			t.softmaxRows = k.softmaxRows
		}
		if take(f.name, k.attention != nil, "Attention") {
			t.attention = k.attention
		}
		if take(f.name, k.add != nil, "Add") {
			t.add = k.add
		}
	}
	activeNames = names
	return t
}

// hostForms returns the forms this host runs, best first: the js/wasm
// simd128 forms (select_js.go) and the native ones (nativeForms, native.go).
func hostForms() []kernelForm { return append(wasmForms(), nativeForms()...) }

// KernelForms reports, for each kernel with an accelerated form, the name
// of the form that runs it (kernels missing from the map run pure Go).
func KernelForms() map[string]string {
	m := make(map[string]string, len(activeNames))
	for k, v := range activeNames {
		m[k] = v
	}
	return m
}

// ActQMax is the bound |qa| ≤ ActQMax to which the active MatMulQ8 form
// quantizes each activation row (QuantizeRow: scale amax/ActQMax, round
// half to even). It is 127 for every form today. An engine that must
// reproduce MatMulQ8's numbers outside this package (the WebGPU shaders,
// through the wasm binding) reads it here rather than writing 127 again;
// a form that quantizes to fewer levels (a 7-bit "i7" form) sets it.
func ActQMax() int { return actQMax }

// actQMax: see ActQMax; set by selectKernels from the form chosen for
// MatMulQ8.
var actQMax = 127

// SIMD reports whether the simd128 kernels are in use (js/wasm built with
// -tags simd, on a host with WebAssembly SIMD).
func SIMD() bool { return simdInUse }
