package model

import (
	"sync"
	"testing"
)

// Benchmarks on google/siglip-base-patch16-256's architecture with formula
// weights: one image through the vision tower, one 64-token text through
// the text tower, with float32 and int8 (per-row quantized) linears.

var (
	benchOnce   [2]sync.Once
	benchModels [2]*Model
)

func benchModel(b *testing.B, q8 bool) *Model {
	i := 0
	if q8 {
		i = 1
	}
	benchOnce[i].Do(func() {
		var src WeightSource = FormulaSource{}
		if q8 {
			src = Quantized(src)
		}
		m, err := Load(readConfig(b, "full"), src)
		if err != nil {
			b.Fatal(err)
		}
		benchModels[i] = m
	})
	if benchModels[i] == nil {
		b.Fatal("model failed to load")
	}
	return benchModels[i]
}

// linearFLOPs counts 2·in·out per token over the tower's linears, plus
// attention's two products.
func visionFLOPs(c Config) float64 {
	v := c.VisionConfig
	S, h, in := float64(v.NumPatches()), float64(v.HiddenSize), float64(v.IntermediateSize)
	p := float64(v.NumChannels * v.PatchSize * v.PatchSize)
	layer := S*2*(4*h*h+2*h*in) + 2*2*S*S*h
	head := S*2*3*h*h + 2*(h*h+2*h*in)
	return S*2*p*h + float64(v.NumHiddenLayers)*layer + head
}

func textFLOPs(c Config, seq int) float64 {
	t := c.TextConfig
	S, h, in := float64(seq), float64(t.HiddenSize), float64(t.IntermediateSize)
	return float64(t.NumHiddenLayers)*(S*2*(4*h*h+2*h*in)+2*2*S*S*h) + 2*h*float64(t.ProjectionSize)
}

func benchVision(b *testing.B, q8 bool) {
	if testing.Short() {
		b.Skip("loads the 203M-parameter model")
	}
	m := benchModel(b, q8)
	g := loadGolden(b, "full")
	p, _ := m.NewPlan(1, 0)
	px := g.pixels[:len(g.pixels)/g.nImg]
	if _, err := p.Images(px, 1); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := processCPUSeconds()
	for i := 0; i < b.N; i++ {
		p.Images(px, 1)
	}
	reportRates(b, visionFLOPs(m.Config), processCPUSeconds()-cpu0)
}

func benchText(b *testing.B, q8 bool) {
	if testing.Short() {
		b.Skip("loads the 203M-parameter model")
	}
	m := benchModel(b, q8)
	g := loadGolden(b, "full")
	p, _ := m.NewPlan(0, 1)
	seq := len(g.ids) / g.nTxt
	ids := g.ids[:seq]
	if _, err := p.Texts(ids, 1); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := processCPUSeconds()
	for i := 0; i < b.N; i++ {
		p.Texts(ids, 1)
	}
	reportRates(b, textFLOPs(m.Config, seq), processCPUSeconds()-cpu0)
}

func BenchmarkVisionBase256F32(b *testing.B) { benchVision(b, false) }
func BenchmarkVisionBase256Q8(b *testing.B)  { benchVision(b, true) }
func BenchmarkTextBase256F32(b *testing.B)   { benchText(b, false) }
func BenchmarkTextBase256Q8(b *testing.B)    { benchText(b, true) }

// reportRates reports GFLOP per wall-clock second and, where the platform
// can measure it, CPU-milliseconds per op and GFLOP per CPU-second.
func reportRates(b *testing.B, flops, cpu float64) {
	n := float64(b.N)
	b.ReportMetric(flops*n/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu > 0 {
		b.ReportMetric(cpu*1e3/n, "cpu-ms/op")
		b.ReportMetric(flops*n/cpu/1e9, "GFLOP/cpu-s")
	}
}
