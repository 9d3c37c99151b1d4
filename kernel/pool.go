package kernel

import (
	"runtime"
	"sync"
)

// The worker pool splits a kernel's independent units (weight panels,
// attention heads, element ranges) across goroutines. It is built so that a
// call allocates nothing in steady state: tasks are plain values sent over a
// channel (no closures), and the WaitGroup comes from a sync.Pool. With
// GOMAXPROCS = 1 (js/wasm) everything runs inline on the caller.

type taskOp uint8

const (
	opMatF32 taskOp = iota
	opMatQ8
	opAttention
	opGELUTanh
	opGELUErf
	opSoftmax
	opLayerNorm
	opMatQ8Native
	opMatF32Native
	opAttentionNative
	opGELUNative
	opSoftmaxNative
	opMatQ4Native
	opMatQ4
	opQ4PrepNative
)

// task is one unit range [lo, hi) of one kernel call.
type task struct {
	op     taskOp
	lo, hi int
	wg     *sync.WaitGroup

	dst, a, b, c, bias []float32
	gamma              []float32
	wf                 *PackedF32
	wq                 *PackedQ8
	qa                 []int8
	qb                 []byte
	c32                []int32
	w4                 *PackedQ4
	s                  *Scratch
	nk                 *nativeKernels // the native level of the *Native ops
	m, n               int
	att                attnArgs
	eps                float32
}

var (
	poolOnce sync.Once
	poolCh   chan task
	wgPool   = sync.Pool{New: func() any { return new(sync.WaitGroup) }}
)

func startPool() {
	n := runtime.GOMAXPROCS(0)
	poolCh = make(chan task, 4*n)
	for i := 0; i < n-1; i++ {
		go func() {
			for t := range poolCh {
				t.run()
				t.wg.Done()
			}
		}()
	}
}

// parallel runs t over units [0, units), split into contiguous ranges of
// at least minUnits units, one per available processor; the caller runs
// the first range itself.
func parallel(t task, units, minUnits int) {
	procs := runtime.GOMAXPROCS(0)
	if minUnits < 1 {
		minUnits = 1
	}
	parts := units / minUnits
	if parts > procs {
		parts = procs
	}
	if parts <= 1 {
		t.lo, t.hi = 0, units
		t.run()
		return
	}
	poolOnce.Do(startPool)
	wg := wgPool.Get().(*sync.WaitGroup)
	t.wg = wg
	wg.Add(parts - 1)
	for i := 1; i < parts; i++ {
		u := t
		u.lo, u.hi = units*i/parts, units*(i+1)/parts
		poolCh <- u
	}
	t.lo, t.hi = 0, units/parts
	t.run()
	wg.Wait()
	wgPool.Put(wg)
}

func (t *task) run() {
	switch t.op {
	case opMatF32:
		matF32Panels(t.dst, t.a, t.m, t.wf, t.bias, t.lo, t.hi)
	case opMatQ8:
		matQ8Panels(t.dst, t.qa, t.b, t.m, t.wq, t.bias, t.lo, t.hi)
	case opAttention:
		attentionHeads(&t.att, t.lo, t.hi)
	case opGELUTanh:
		geluTanh(t.dst[t.lo:t.hi])
	case opGELUErf:
		geluErf(t.dst[t.lo:t.hi])
	case opSoftmax:
		softmaxRows(t.dst, t.lo, t.hi, t.n)
	case opMatQ8Native:
		t.nk.q8Panels(t.dst, t.qb, t.b, t.m, t.wq, t.bias, t.lo, t.hi)
	case opMatF32Native:
		t.nk.f32Panels(t.dst, t.a, t.m, t.wf, t.bias, t.lo, t.hi)
	case opAttentionNative:
		t.nk.attentionHeads(&t.att, t.lo, t.hi)
	case opGELUNative:
		t.nk.geluTanh(t.dst[t.lo:t.hi])
	case opMatQ4Native:
		t.nk.q4Rows(t.dst, t.m, t.w4, t.bias, t.qa, t.b, t.c32, t.lo, t.hi)
	case opQ4PrepNative:
		t.nk.q4Prep(t.a, t.m, t.w4, t.s, t.qa, t.b, t.c32, t.lo, t.hi)
	case opSoftmaxNative:
		for r := t.lo; r < t.hi; r++ {
			t.nk.softmaxRow(t.dst[r*t.n : (r+1)*t.n])
		}
	case opLayerNorm:
		layerNormRows(t.dst, t.a, t.lo, t.hi, t.n, t.gamma, t.bias, t.eps)
	}
}
