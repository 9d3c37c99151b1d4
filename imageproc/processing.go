package imageproc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// Processing is what a Hugging Face preprocessor_config.json says about
// turning an RGB image into pixel values, for the SigLIP image processors:
// resize to Size×Size with Resample, then optionally rescale (u8 ·
// RescaleFactor) and normalise ((x − mean_c) / std_c per channel).
type Processing struct {
	Size          int
	Resample      Filter
	DoRescale     bool
	RescaleFactor float64
	DoNormalize   bool
	Mean, Std     [3]float64
}

// DefaultProcessing is transformers' SiglipImageProcessor with the model's
// image size: bicubic, rescale by 1/255, mean and std 0.5.
func DefaultProcessing(size int) Processing {
	return Processing{Size: size, Resample: Bicubic, DoRescale: true, RescaleFactor: 1.0 / 255, DoNormalize: true,
		Mean: [3]float64{0.5, 0.5, 0.5}, Std: [3]float64{0.5, 0.5, 0.5}}
}

// hfPreprocessor is the part of preprocessor_config.json read here; every
// other field either does not change pixels or is refused by name below.
type hfPreprocessor struct {
	ImageProcessorType string          `json:"image_processor_type"`
	DoResize           *bool           `json:"do_resize"`
	Size               json.RawMessage `json:"size"`
	Resample           *int            `json:"resample"`
	DoRescale          *bool           `json:"do_rescale"`
	RescaleFactor      *float64        `json:"rescale_factor"`
	DoNormalize        *bool           `json:"do_normalize"`
	ImageMean          json.RawMessage `json:"image_mean"`
	ImageStd           json.RawMessage `json:"image_std"`
	DoCenterCrop       *bool           `json:"do_center_crop"`
	DoPad              *bool           `json:"do_pad"`
	MaxNumPatches      *int            `json:"max_num_patches"`
}

// ParsePreprocessorConfig reads a preprocessor_config.json for a model of
// vision image_size imageSize. Missing fields take transformers'
// SiglipImageProcessor defaults (size 224, bicubic, 1/255, mean and std
// 0.5); empty input means no file, and then the size is the model's. A
// value this package cannot reproduce exactly is an error naming it, never
// a silent substitute.
func ParsePreprocessorConfig(b []byte, imageSize int) (Processing, error) {
	p := DefaultProcessing(imageSize)
	if len(bytes.TrimSpace(b)) == 0 {
		return p, nil
	}
	var h hfPreprocessor
	if err := json.Unmarshal(b, &h); err != nil {
		return Processing{}, fmt.Errorf("preprocessor_config.json: %v", err)
	}
	bad := func(format string, a ...any) (Processing, error) {
		return Processing{}, fmt.Errorf("preprocessor_config.json: "+format, a...)
	}
	switch h.ImageProcessorType {
	case "", "SiglipImageProcessor", "SiglipImageProcessorFast", "SiglipImageProcessorPil":
	default:
		return bad("image_processor_type %q is not supported (want SiglipImageProcessor; SigLIP 2 NaFlex's Siglip2ImageProcessor resizes to a variable patch grid)", h.ImageProcessorType)
	}
	if h.MaxNumPatches != nil {
		return bad("max_num_patches is set: a NaFlex (variable-resolution) processor, not supported")
	}
	if h.DoResize != nil && !*h.DoResize {
		return bad("do_resize false is not supported (the model needs %d×%d pixels)", imageSize, imageSize)
	}
	for name, v := range map[string]*bool{"do_center_crop": h.DoCenterCrop, "do_pad": h.DoPad} {
		if v != nil && *v {
			return bad("%s true is not supported (SigLIP's processors neither crop nor pad)", name)
		}
	}
	p.Size = 224 // transformers' default when the file gives none
	if len(h.Size) > 0 {
		var n int
		var hw struct {
			Height, Width *int
			ShortestEdge  *int `json:"shortest_edge"`
		}
		switch {
		case json.Unmarshal(h.Size, &n) == nil:
			p.Size = n
		case json.Unmarshal(h.Size, &hw) == nil && hw.Height != nil && hw.Width != nil && hw.ShortestEdge == nil:
			if *hw.Height != *hw.Width {
				return bad("size %d×%d is not square (the model takes %d×%d)", *hw.Height, *hw.Width, imageSize, imageSize)
			}
			p.Size = *hw.Height
		default:
			return bad("size %s is not supported (want {\"height\": N, \"width\": N})", h.Size)
		}
	}
	if h.Resample != nil {
		p.Resample = Filter(*h.Resample)
		if p.Resample != Bilinear && p.Resample != Bicubic { // 0 is PIL's NEAREST here, not "default"
			return bad("resample %d is not supported (want 2 bilinear or 3 bicubic)", *h.Resample)
		}
	}
	if h.DoRescale != nil {
		p.DoRescale = *h.DoRescale
	}
	if h.RescaleFactor != nil {
		p.RescaleFactor = *h.RescaleFactor
	}
	if !(p.RescaleFactor > 0) || math.IsInf(p.RescaleFactor, 0) {
		return bad("rescale_factor %v must be positive and finite", p.RescaleFactor)
	}
	if h.DoNormalize != nil {
		p.DoNormalize = *h.DoNormalize
	}
	for _, c := range []struct {
		name string
		raw  json.RawMessage
		dst  *[3]float64
	}{{"image_mean", h.ImageMean, &p.Mean}, {"image_std", h.ImageStd, &p.Std}} {
		if len(c.raw) == 0 || string(c.raw) == "null" {
			continue
		}
		var one float64
		var three []float64
		switch {
		case json.Unmarshal(c.raw, &one) == nil:
			*c.dst = [3]float64{one, one, one}
		case json.Unmarshal(c.raw, &three) == nil && len(three) == 3:
			copy(c.dst[:], three)
		default:
			return bad("%s %s: want 3 numbers (one per RGB channel)", c.name, c.raw)
		}
		for _, v := range c.dst {
			if math.IsNaN(v) || math.IsInf(v, 0) || c.name == "image_std" && v == 0 {
				return bad("%s %s: every value must be finite (and std non-zero)", c.name, c.raw)
			}
		}
	}
	if p.Size != imageSize {
		return bad("size %d does not match the model's vision image_size %d", p.Size, imageSize)
	}
	return p, nil
}

// JSON returns p as a preprocessor_config.json that ParsePreprocessorConfig
// reads back to p (every field explicit): the form a model file stores.
func (p Processing) JSON() []byte {
	b, _ := json.Marshal(map[string]any{
		"image_processor_type": "SiglipImageProcessor",
		"size":                 map[string]int{"height": p.Size, "width": p.Size},
		"resample":             int(p.resampleOrDefault()),
		"do_rescale":           p.DoRescale, "rescale_factor": p.RescaleFactor,
		"do_normalize": p.DoNormalize, "image_mean": p.Mean[:], "image_std": p.Std[:],
	})
	return b
}

func (p Processing) resampleOrDefault() Filter {
	if p.Resample == 0 {
		return Bicubic
	}
	return p.Resample
}

// lut maps a byte to its pixel value per channel with transformers'
// arithmetic (image_transforms.rescale, then normalize): rescale in
// float64 and cast to float32, then subtract and divide in float32 with
// the mean and std cast to float32; without rescaling, normalize first
// casts the uint8 image to float32.
func (p Processing) lut() (t [3][256]float32) {
	for c := range t {
		for i := range t[c] {
			x := float32(i)
			if p.DoRescale {
				x = float32(float64(i) * p.RescaleFactor)
			}
			if p.DoNormalize {
				x = (x - float32(p.Mean[c])) / float32(p.Std[c])
			}
			t[c][i] = x
		}
	}
	return t
}
