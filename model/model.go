package model

import (
	"fmt"
	"math"
)

// Model is a loaded SigLIP model: both towers and the logit scale/bias.
// It is read-only after Load; any number of Plans may share it.
type Model struct {
	Config     Config
	Vision     *VisionTower
	Text       *TextTower
	LogitScale float32 // log of the temperature (logits use exp(LogitScale))
	LogitBias  float32
}

// Load builds a model of configuration cfg from a weight source, fetching
// encoder layers concurrently.
func Load(cfg Config, src WeightSource) (*Model, error) {
	return LoadTowers(cfg, src, true, true)
}

// LoadTowers is Load for only some towers: a tower not asked for is left
// nil (and its weights never fetched), for callers that embed only images
// or only texts (the benchmark, which compares single towers). A plan over
// such a model must ask for 0 items of the missing tower.
func LoadTowers(cfg Config, src WeightSource, vision, text bool) (*Model, error) {
	if !vision && !text {
		return nil, errorf("LoadTowers: neither tower asked for")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Model{Config: cfg}
	ls, err := src.Float("logit_scale", 1)
	if err != nil {
		return nil, err
	}
	lb, err := src.Float("logit_bias", 1)
	if err != nil {
		return nil, err
	}
	m.LogitScale, m.LogitBias = ls[0], lb[0]
	var verr, terr error
	parallelDo(2, func(i int) {
		if i == 0 && vision {
			m.Vision, verr = loadVision(src, cfg.VisionConfig)
		} else if i == 1 && text {
			m.Text, terr = loadText(src, cfg.TextConfig)
		}
	})
	if verr != nil {
		return nil, verr
	}
	if terr != nil {
		return nil, terr
	}
	return m, nil
}

// LogitsPerImage writes dst[nImg][nTxt] = cos(image_i, text_j)·exp(scale) +
// bias from L2-normalised embeddings img[nImg][D] and txt[nTxt][D]
// (HF's logits_per_image; logits_per_text is its transpose).
func (m *Model) LogitsPerImage(dst, img, txt []float32, nImg, nTxt int) {
	d := m.Config.EmbedDim()
	scale := float32(math.Exp(float64(m.LogitScale)))
	for i := 0; i < nImg; i++ {
		a := img[i*d : (i+1)*d]
		for j := 0; j < nTxt; j++ {
			b := txt[j*d : (j+1)*d]
			var s float64
			for k := range a {
				s += float64(a[k]) * float64(b[k])
			}
			dst[i*nTxt+j] = float32(float32(s)*scale) + m.LogitBias
		}
	}
}

// Sigmoid maps logits to SigLIP's independent probabilities, in place.
func Sigmoid(x []float32) {
	for i, v := range x {
		x[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

// normalizeRows L2-normalises each of the n rows of x[n][d] in place
// (as HF: x / ‖x‖).
func normalizeRows(x []float32, n, d int) {
	for i := 0; i < n; i++ {
		r := x[i*d : (i+1)*d]
		var s float64
		for _, v := range r {
			s += float64(v) * float64(v)
		}
		norm := float32(math.Sqrt(s))
		for k := range r {
			r[k] /= norm
		}
	}
}

func errorf(format string, a ...any) error { return fmt.Errorf("model: "+format, a...) }
