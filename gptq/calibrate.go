package gptq

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/siglip-wasm/siglip-wasm/kernel"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
)

// Options tunes Calibrate.
type Options struct {
	// Damp is added to the diagonal of each input second moment, as a
	// fraction of its mean, before inverting (GPTQ's "percdamp"); 0 means
	// the reference code's 0.01.
	Damp float64
	// Log, when set, receives one line per quantized Linear.
	Log func(format string, args ...any)
}

// LinearStat reports one quantized Linear: its output error on the
// calibration rows, ‖X(W−Q)ᵀ‖² / ‖XWᵀ‖², under round-to-nearest and under
// GPTQ.
type LinearStat struct {
	Name      string
	RTN, GPTQ float64
	Rows      int
	Duration  time.Duration
}

// Result is a calibrated q4 quantization of one model: pass its Q4
// method as modelfile.Options.Q4 (and "gptq" as Options.Q4Method).
type Result struct {
	mu     sync.Mutex
	packed map[string]*kernel.PackedQ4
	// Stats lists the Linears GPTQ quantized, in the order they ran.
	Stats []LinearStat
	// phases sums each part of quantize over the Linears (TestCalibrateSpeed
	// reports them; the forward passes are the rest).
	phases [nPhases]phaseTime
}

// The parts of one Linear's quantization, timed for TestCalibrateSpeed.
const (
	phaseGram = iota
	phaseFeedback
	phaseRows
	phaseStats
	nPhases
)

var phaseNames = [nPhases]string{"gram", "factorisation", "column sweep", "error stats"}

// phaseTime is wall and CPU time (CPU only where cpuClock is set).
type phaseTime struct{ wall, cpu float64 }

// cpuClock, when set (the speed test sets it), returns the process's CPU
// seconds so far.
var cpuClock func() float64

// timer starts timing one phase; its stop adds it to r.phases.
func (r *Result) timer(ph int) func() {
	w0, c0 := time.Now(), 0.0
	if cpuClock != nil {
		c0 = cpuClock()
	}
	return func() {
		r.phases[ph].wall += time.Since(w0).Seconds()
		if cpuClock != nil {
			r.phases[ph].cpu += cpuClock() - c0
		}
	}
}

// Q4 implements modelfile.Q4Quantizer: a Linear the calibration run
// quantized is returned as quantized then; any other (none, for a SigLIP
// config) is rounded to nearest (modelfile.RoundQ4).
func (r *Result) Q4(name string, w []float32, n, k int) ([]byte, []uint16, error) {
	r.mu.Lock()
	p := r.packed[name]
	r.mu.Unlock()
	if p == nil {
		d, s := modelfile.RoundQ4(w, n, k)
		return d, s, nil
	}
	if p.N != n || p.K != k {
		return nil, nil, fmt.Errorf("gptq: %s was calibrated as %d×%d, asked for %d×%d", name, p.N, p.K, n, k)
	}
	return p.Data, p.Scales, nil
}

// Calibrate quantizes every 4-bit Linear of the SigLIP model described by
// cfgJSON (Hugging Face config.json) with float weights src, by GPTQ over
// the activations of the calibration inputs in.
//
// It runs the model once on all calibration images and once on all
// calibration texts. Each Linear, when the forward pass reaches it,
// gathers its inputs' second moment H = XᵀX, is quantized by GPTQ against
// H, and then computes its output with the 4-bit kernel, so every later
// layer is calibrated on the activations the quantized model will really
// produce (the GPTQ paper's sequential mode). The Linears a q4 file keeps
// at 8 bits (modelfile.Q4KeepsQ8) run as int8 and the token embedding as
// its rounded 4-bit table, as they will in the file. Only one H (then its
// R) is alive at a time, so memory is the float model plus one K×K float64
// matrix.
func Calibrate(cfgJSON []byte, src modelfile.Source, in *Inputs, opt Options) (*Result, error) {
	cfg, err := model.ParseConfigJSON(cfgJSON)
	if err != nil {
		return nil, err
	}
	if opt.Damp == 0 {
		opt.Damp = 0.01
	}
	if in == nil || in.NImages < 1 || in.NTexts < 1 {
		n, t := 0, 0
		if in != nil {
			n, t = in.NImages, in.NTexts
		}
		return nil, fmt.Errorf("gptq: calibration needs at least one image and one text (have %d, %d)", n, t)
	}
	st := &state{opt: opt, res: &Result{packed: map[string]*kernel.PackedQ4{}}}
	m, err := model.Load(cfg, calSource{src: src, st: st})
	if err != nil {
		return nil, err
	}
	p, err := m.NewPlan(in.NImages, in.NTexts)
	if err != nil {
		return nil, err
	}
	st.armed = true
	if _, err := p.Images(in.Pixels, in.NImages); err != nil {
		return nil, fmt.Errorf("gptq: calibration images: %v", err)
	}
	if _, err := p.Texts(in.IDs, in.NTexts); err != nil {
		return nil, fmt.Errorf("gptq: calibration texts: %v", err)
	}
	if st.err != nil {
		return nil, st.err
	}
	return st.res, nil
}

// state is shared by one calibration run's Linears.
type state struct {
	opt   Options
	res   *Result
	armed bool
	err   error
	// The feedback matrix of the last input, by group: q, k and v read
	// the same input, so they share one H and one R.
	fbKey string
	fb    []float64
}

func (st *state) fail(err error) {
	if st.err == nil {
		st.err = err
	}
}

// gramGroup names the input a Linear reads: q_proj, k_proj and v_proj of
// one layer read the same one.
func gramGroup(name string) string {
	for _, p := range []string{"q_proj", "k_proj", "v_proj"} {
		if strings.Contains(name, "."+p+".") {
			return strings.Replace(name, p, "qkv", 1)
		}
	}
	return name
}

// calSource serves a modelfile.Source to model.Load with the Linears
// replaced by calibrating ones.
type calSource struct {
	src modelfile.Source
	st  *state
}

func (c calSource) tensor(name string, shape []int) ([]float32, error) {
	_, v, err := c.src.Tensor(name)
	if err != nil {
		return nil, err
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(v) != n {
		return nil, fmt.Errorf("gptq: tensor %q has %d values, want %d (shape %v)", name, len(v), n, shape)
	}
	return v, nil
}

func (c calSource) Float(name string, shape ...int) ([]float32, error) { return c.tensor(name, shape) }

func (c calSource) Linear(name string, shape ...int) (model.Linear, error) {
	w, err := c.tensor(name, shape)
	if err != nil {
		return nil, err
	}
	n, k := shape[0], len(w)/shape[0]
	if modelfile.Q4KeepsQ8(name) {
		return model.QuantizeLinear(w, n, k)
	}
	return &calLinear{name: name, w: w, n: n, k: k, st: c.st}, nil
}

func (c calSource) Embedding(name string, vocab, hidden int) (model.Embedding, error) {
	w, err := c.tensor(name, []int{vocab, hidden})
	if err != nil {
		return nil, err
	}
	// The table as the file will hold it, read as the engine reads it:
	// 4-bit, one row dequantized per lookup.
	data, scales := modelfile.RoundQ4(w, vocab, hidden)
	p, err := kernel.NewPackedQ4(data, scales, vocab, hidden)
	if err != nil {
		return nil, err
	}
	return &modelfile.Weight{
		Spec:   modelfile.Spec{Name: name, Kind: modelfile.Embedding, N: vocab, K: hidden},
		Scheme: modelfile.SchemeQ4, Q4: p,
	}, nil
}

// calLinear is a Linear that quantizes itself by GPTQ the first time the
// armed calibration pass applies it, and is 4-bit from then on.
type calLinear struct {
	name   string
	w      []float32
	n, k   int
	st     *state
	packed *kernel.PackedQ4
	float  *model.F32Linear
}

func (l *calLinear) In() int  { return l.k }
func (l *calLinear) Out() int { return l.n }

func (l *calLinear) Apply(dst, x []float32, m int, bias []float32, s *kernel.Scratch) {
	if l.packed == nil && l.st.armed && l.st.err == nil {
		if err := l.quantize(x, m); err != nil {
			l.st.fail(fmt.Errorf("gptq: %s: %v", l.name, err))
		}
	}
	if l.packed != nil {
		kernel.MatMulQ4(dst, x, m, l.packed, bias, s)
		return
	}
	if l.float == nil {
		f, err := model.NewF32Linear(l.w, l.n, l.k)
		if err != nil {
			l.st.fail(err)
			return
		}
		l.float = f
	}
	l.float.Apply(dst, x, m, bias, s)
}

func (l *calLinear) quantize(x []float32, m int) error {
	start := time.Now()
	st := l.st
	if key := gramGroup(l.name); st.fbKey != key {
		st.fbKey, st.fb = "", nil
		stop := st.res.timer(phaseGram)
		h := gram(x, m, l.k)
		stop()
		stop = st.res.timer(phaseFeedback)
		r, err := feedback(h, l.k, st.opt.Damp)
		stop()
		if err != nil {
			return err
		}
		st.fbKey, st.fb = key, r
	}
	stop := st.res.timer(phaseRows)
	q, scales := quantizeRows(l.w, l.n, l.k, st.fb)
	p, err := kernel.NewPackedQ4(modelfile.PackQ4(q, l.n, l.k), scales, l.n, l.k)
	stop()
	if err != nil {
		return err
	}
	defer st.res.timer(phaseStats)()
	rd, rs := modelfile.RoundQ4(l.w, l.n, l.k)
	rtn, err := kernel.NewPackedQ4(rd, rs, l.n, l.k)
	if err != nil {
		return err
	}
	stat := LinearStat{Name: l.name, Rows: m}
	stat.RTN, stat.GPTQ = outputErrors(x, m, l.w, l.n, l.k, rtn, p)
	stat.Duration = time.Since(start)
	l.packed = p
	st.res.mu.Lock()
	st.res.packed[l.name] = p
	st.res.Stats = append(st.res.Stats, stat)
	st.res.mu.Unlock()
	if st.opt.Log != nil {
		st.opt.Log("gptq %-58s %5d×%-5d output error %.2e (round to nearest %.2e, ×%.3f) %v",
			l.name, l.n, l.k, stat.GPTQ, stat.RTN, stat.GPTQ/stat.RTN, stat.Duration.Round(time.Millisecond))
	}
	l.w, l.float = nil, nil // the float copy is no longer needed
	return nil
}

// outputErrors measures ‖X(W−Q)ᵀ‖² / ‖XWᵀ‖² for two quantizations of w on
// (at most 128 evenly spaced) calibration rows, in float64.
func outputErrors(x []float32, m int, w []float32, n, k int, a, b *kernel.PackedQ4) (float64, float64) {
	step := max(1, m/128)
	// the sampled rows in float64, once
	var x64 [][]float64
	for t := 0; t < m; t += step {
		xr := make([]float64, k)
		for i, v := range x[t*k : (t+1)*k] {
			xr[i] = float64(v)
		}
		x64 = append(x64, xr)
	}
	var sig, ea, eb float64
	var mu sync.Mutex
	parallel(n, func(lo, hi int) {
		wr := make([]float64, k)
		wa := make([]float64, k)
		wb := make([]float64, k)
		var s0, s1, s2 float64
		for r := lo; r < hi; r++ {
			for i := 0; i < k; i++ {
				wr[i] = float64(w[r*k+i])
				wa[i] = float64(a.Scale(r, i/kernel.Q4Block)) * float64(a.At(r, i))
				wb[i] = float64(b.Scale(r, i/kernel.Q4Block)) * float64(b.At(r, i))
			}
			for _, xr := range x64 {
				y, da, db := dot(xr, wr), dot(xr, wa), dot(xr, wb)
				s0 += y * y
				s1 += (y - da) * (y - da)
				s2 += (y - db) * (y - db)
			}
		}
		mu.Lock()
		sig, ea, eb = sig+s0, ea+s1, eb+s2
		mu.Unlock()
	})
	if sig == 0 {
		return 0, 0
	}
	return ea / sig, eb / sig
}

// CalibrateDefault is Calibrate on DefaultInputs, with the tokenizer model
// (spiece.model or tokenizer.json bytes) the file will carry.
func CalibrateDefault(cfgJSON, tokenizerModel []byte, src modelfile.Source, opt Options) (*Result, error) {
	in, err := DefaultInputs(cfgJSON, tokenizerModel)
	if err != nil {
		return nil, err
	}
	return Calibrate(cfgJSON, src, in, opt)
}

// MedianRatio is the median over Stats of GPTQ's output error over round
// to nearest's (0 when nothing was calibrated).
func (r *Result) MedianRatio() float64 {
	var v []float64
	for _, s := range r.Stats {
		if s.RTN > 0 {
			v = append(v, s.GPTQ/s.RTN)
		}
	}
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	return v[len(v)/2]
}
