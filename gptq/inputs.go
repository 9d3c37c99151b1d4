package gptq

import (
	"fmt"
	"math/rand/v2"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/shapes"
	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

// Inputs is a calibration set for one model: images as the model takes
// them and texts as token ids.
type Inputs struct {
	Pixels  []float32 // NImages × channels × image_size × image_size, normalised
	NImages int
	IDs     []int32 // NTexts × the tokenizer's sequence length, padded as the model's pipeline pads
	NTexts  int

	cfg model.Config
	tok *tokenizer.Tokenizer
	pre *imageproc.Preprocessor
}

// Stored is how a model file turns its inputs into the model's: the
// preprocessor_config.json it stores (modelfile.MetaPreprocessor; SigLIP 2
// resizes bilinear) and its text pipeline (modelfile.MetaText: lowercasing,
// length, pad token). Empty fields mean SigLIP's defaults. Calibration
// must see the inputs the engine will, so the converter passes what it
// writes into the file.
type Stored struct {
	Preprocessor []byte
	Text         string
}

// NewInputs returns an empty calibration set for the model described by
// cfgJSON (Hugging Face config.json) whose tokenizer model
// (spiece.model or tokenizer.json bytes) is tokenizerModel, with SigLIP's
// default preprocessing (NewInputsStored for a model's own).
func NewInputs(cfgJSON, tokenizerModel []byte) (*Inputs, error) {
	return NewInputsStored(cfgJSON, tokenizerModel, Stored{})
}

// NewInputsStored is NewInputs with the model's stored preprocessing.
func NewInputsStored(cfgJSON, tokenizerModel []byte, st Stored) (*Inputs, error) {
	cfg, err := model.ParseConfigJSON(cfgJSON)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.LoadWithText(tokenizerModel, st.Text)
	if err != nil {
		return nil, err
	}
	proc, err := imageproc.ParsePreprocessorConfig(st.Preprocessor, cfg.VisionConfig.ImageSize)
	if err != nil {
		return nil, fmt.Errorf("gptq: %v", err)
	}
	return &Inputs{cfg: cfg, tok: tok, pre: imageproc.NewPreprocessor(proc)}, nil
}

// addRGB appends one image, preprocessed as the model expects.
func (in *Inputs) addRGB(rgb *imageproc.RGB) error {
	px := make([]float32, 3*in.pre.Size*in.pre.Size)
	if err := in.pre.Into(px, rgb); err != nil {
		return err
	}
	in.Pixels = append(in.Pixels, px...)
	in.NImages++
	return nil
}

// AddImage appends one encoded image (PNG, JPEG, GIF, WebP, BMP),
// preprocessed as the model expects.
func (in *Inputs) AddImage(data []byte) error {
	img, err := imageproc.Decode(data)
	if err != nil {
		return err
	}
	return in.addRGB(imageproc.ToRGB(img))
}

// AddTexts appends texts tokenized as the model's text pipeline does.
func (in *Inputs) AddTexts(texts ...string) error {
	cfg := in.cfg
	seq := in.tok.SeqLen(cfg.TextConfig.MaxPositionEmbeddings)
	ids, err := in.tok.EncodeBatch(texts, seq)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if int(id) >= cfg.TextConfig.VocabSize {
			return fmt.Errorf("gptq: calibration text %q has token id %d, outside the model's vocabulary of %d", texts[i/seq], id, cfg.TextConfig.VocabSize)
		}
	}
	in.IDs = append(in.IDs, ids...)
	in.NTexts += len(texts)
	return nil
}

// DefaultImages is how many drawn pictures DefaultInputs holds.
const DefaultImages = 16

// DefaultInputs is NewInputs holding the built-in calibration set:
// DefaultImages pictures from the demo's shape renderer (package shapes,
// a fixed seed) and DefaultTexts. It needs no files, so any conversion
// can run it; a model for photographs is better served by adding
// photographs of its own domain (AddImage; the CLI's --calib-images).
func DefaultInputs(cfgJSON, tokenizerModel []byte) (*Inputs, error) {
	return DefaultInputsStored(cfgJSON, tokenizerModel, Stored{})
}

// DefaultInputsStored is DefaultInputs with the model's stored
// preprocessing (the pictures resized and normalised, the texts tokenized,
// as the engine will for that model file).
func DefaultInputsStored(cfgJSON, tokenizerModel []byte, st Stored) (*Inputs, error) {
	in, err := NewInputsStored(cfgJSON, tokenizerModel, st)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(0x5167, 0x9e37))
	for _, s := range shapes.Render(rng, DefaultImages, 128, true) {
		if err := in.addRGB(&imageproc.RGB{W: s.W, H: s.H, Pix: s.Pix}); err != nil {
			return nil, err
		}
	}
	return in, in.AddTexts(DefaultTexts...)
}

// DefaultTexts are the built-in calibration texts: labels and captions
// of the kinds a zero-shot classifier is asked about, in several
// templates and lengths.
var DefaultTexts = []string{
	"a photo of a cat", "a photo of a dog", "This is a photo of a car.", "a red circle",
	"a blue square on a white background", "a green triangle", "a photo of two people",
	"an aerial view of a city at night", "a bowl of fruit on a wooden table",
	"a diagram of the solar system", "a screenshot of a spreadsheet", "a handwritten note",
	"a close-up photo of a flower", "a painting of a ship in a storm", "a snowy mountain landscape",
	"a plate of pasta", "a person riding a bicycle in the rain", "an astronaut on the moon",
	"a black and white photo of an old street", "a cartoon drawing of a bird",
	"the quick brown fox jumps over the lazy dog", "a blurry photo of a kitchen",
	"This is a photo of a laptop.", "a low resolution picture of a bus",
	"a map of europe", "a logo with the letter A", "a child playing football in a park",
	"a microscope image of cells", "an x-ray of a hand", "a stop sign",
	"a photo of a yellow star", "a purple hexagon", "a crowd at a concert",
	"a cup of coffee and a croissant", "a forest path in autumn", "a white cat sleeping on a sofa",
	"a graph showing rising prices", "an empty parking lot", "a birthday cake with candles",
	"a sailboat on a calm lake at sunset", "a pair of running shoes", "a bookshelf full of books",
	"a horse in a field", "a plane taking off", "a television remote",
	"two cats", "three dogs playing in the snow",
}
