package kernel

// WarmUp runs every kernel a few times on small inputs so that a host
// which compiles code in tiers (V8: Liftoff first, TurboFan once a
// function is hot) has the fast code ready before the first real
// inference. It takes a few milliseconds and allocates only its own
// small buffers; call it once after loading a model (optional: the
// kernels are correct either way).
func WarmUp() {
	const m, n, k, heads, seq = 20, 64, 256, 2, 32
	a := make([]float32, m*k)
	for i := range a {
		a[i] = float32(i%17) - 8
	}
	q := make([]int8, n*k)
	for i := range q {
		q[i] = int8(i%31 - 15)
	}
	scales := make([]float32, n)
	for i := range scales {
		scales[i] = 0.01
	}
	wq, _ := PackQ8(q, scales, n, k)
	wf, _ := PackF32(append([]float32(nil), a...), m, k) // an m×k weight: dst is m×m
	dst := make([]float32, m*max(n, m))
	var s Scratch
	gamma, beta := make([]float32, k), make([]float32, k)
	for i := range gamma {
		gamma[i] = 1
	}
	x := make([]float32, seq*heads*32)
	scores := make([]float32, heads*seq*seq)
	att := make([]float32, len(x))
	for it := 0; it < 8; it++ {
		MatMulQ8(dst, a, m, wq, nil, &s)
		MatMulF32(dst, a, m, wf, nil)
		LayerNorm(a, a, m, k, gamma, beta, 1e-6)
		GELUTanh(a)
		Attention(att, heads*32, x, heads*32, x, heads*32, x, heads*32, seq, seq, heads, 32, scores)
		SoftmaxRows(scores, heads*seq, seq)
	}
}
