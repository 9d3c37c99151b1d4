package gptq

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/shapes"
	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

// Calibration sees the inputs the engine will for the file being written:
// a stored bilinear resize with its own mean and std (SigLIP 2's
// preprocessor_config.json) and a stored text pipeline give calibration
// pixels and ids made that way, not SigLIP's bicubic defaults.
func TestInputsUseStoredPreprocessing(t *testing.T) {
	cfgJSON := readRef(t, "tiny/config.json")
	tokModel := readRef(t, "tokenizer/xlnet-base-cased-spiece.model")
	cfg, err := model.ParseConfigJSON(cfgJSON)
	if err != nil {
		t.Fatal(err)
	}
	size := cfg.VisionConfig.ImageSize
	pre := []byte(fmt.Sprintf(`{"image_processor_type":"SiglipImageProcessor","size":{"height":%d,"width":%d},"resample":2,`+
		`"image_mean":[0.4,0.5,0.6],"image_std":[0.2,0.3,0.4]}`, size, size))
	text := tokenizer.TextConfig{Lowercase: false, MaxLength: 16, Pad: "<pad>", EOS: "</s>"}.JSON()

	stored, err := DefaultInputsStored(cfgJSON, tokModel, Stored{Preprocessor: pre, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := DefaultInputs(cfgJSON, tokModel)
	if err != nil {
		t.Fatal(err)
	}
	if stored.NImages != DefaultImages || plain.NImages != DefaultImages {
		t.Fatalf("%d and %d images, want %d", stored.NImages, plain.NImages, DefaultImages)
	}

	// The pictures, preprocessed by imageproc under each Processing.
	proc, err := imageproc.ParsePreprocessorConfig(pre, size)
	if err != nil {
		t.Fatal(err)
	}
	if proc.Resample != imageproc.Bilinear {
		t.Fatalf("resample 2 parsed as %v, want bilinear", proc.Resample)
	}
	rng := rand.New(rand.NewPCG(0x5167, 0x9e37))
	var wantStored, wantPlain []float32
	for _, s := range shapes.Render(rng, DefaultImages, 128, true) {
		img := &imageproc.RGB{W: s.W, H: s.H, Pix: s.Pix}
		a := make([]float32, 3*size*size)
		if err := imageproc.NewPreprocessor(proc).Into(a, img); err != nil {
			t.Fatal(err)
		}
		b, err := shapes.PixelValues(s, size) // SigLIP's defaults, as calibration used for every model
		if err != nil {
			t.Fatal(err)
		}
		wantStored, wantPlain = append(wantStored, a...), append(wantPlain, b...)
	}
	if !slices.Equal(stored.Pixels, wantStored) {
		t.Error("calibration pixels are not the stored preprocessing's (bilinear, its mean and std)")
	}
	if !slices.Equal(plain.Pixels, wantPlain) {
		t.Error("calibration pixels without stored preprocessing are not SigLIP's defaults")
	}
	if slices.Equal(wantStored, wantPlain) {
		t.Fatal("the test's two preprocessings give the same pixels: it checks nothing")
	}

	// The texts, tokenized by the stored pipeline (16 ids a row, case kept).
	tok, err := tokenizer.LoadWithText(tokModel, text)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := tok.EncodeBatch(DefaultTexts, 16)
	if err != nil {
		t.Fatal(err)
	}
	if stored.NTexts != len(DefaultTexts) || !slices.Equal(stored.IDs, ids) {
		t.Errorf("calibration ids (%d texts, %d ids) are not the stored text pipeline's (%d ids)", stored.NTexts, len(stored.IDs), len(ids))
	}
	if slices.Equal(plain.IDs, ids) {
		t.Error("the default pipeline's ids equal the stored one's: the test checks nothing")
	}
	if err := stored.AddImage(readRef(t, "images/coco_39769.png")); err != nil {
		t.Fatal(err)
	}
	img, err := imageproc.Decode(readRef(t, "images/coco_39769.png"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := imageproc.PreprocessWith(img, proc)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stored.Pixels[len(stored.Pixels)-len(want):], want) {
		t.Error("AddImage does not use the stored preprocessing")
	}
}
