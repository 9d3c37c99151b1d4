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
	IDs     []int32 // NTexts × max_position_embeddings, padded as SigLIP pads
	NTexts  int

	cfg model.Config
	tok *tokenizer.Tokenizer
}

// NewInputs returns an empty calibration set for the model described by
// cfgJSON (Hugging Face config.json) whose tokenizer model
// (spiece.model or tokenizer.json bytes) is tokenizerModel.
func NewInputs(cfgJSON, tokenizerModel []byte) (*Inputs, error) {
	cfg, err := model.ParseConfigJSON(cfgJSON)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.Load(tokenizerModel)
	if err != nil {
		return nil, err
	}
	return &Inputs{cfg: cfg, tok: tok}, nil
}

// AddImage appends one encoded image (PNG, JPEG, GIF, WebP, BMP),
// preprocessed as the model expects.
func (in *Inputs) AddImage(data []byte) error {
	px, err := imageproc.DecodePreprocess(data, in.cfg.VisionConfig.ImageSize)
	if err != nil {
		return err
	}
	in.Pixels = append(in.Pixels, px...)
	in.NImages++
	return nil
}

// AddTexts appends texts tokenized as SigLIP's processor does.
func (in *Inputs) AddTexts(texts ...string) error {
	cfg := in.cfg
	ids, err := in.tok.EncodeBatch(texts, cfg.TextConfig.MaxPositionEmbeddings)
	if err != nil {
		return err
	}
	for i, id := range ids {
		if int(id) >= cfg.TextConfig.VocabSize {
			return fmt.Errorf("gptq: calibration text %q has token id %d, outside the model's vocabulary of %d", texts[i/cfg.TextConfig.MaxPositionEmbeddings], id, cfg.TextConfig.VocabSize)
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
	in, err := NewInputs(cfgJSON, tokenizerModel)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(0x5167, 0x9e37))
	for _, s := range shapes.Render(rng, DefaultImages, 128, true) {
		px, err := shapes.PixelValues(s, in.cfg.VisionConfig.ImageSize)
		if err != nil {
			return nil, err
		}
		in.Pixels = append(in.Pixels, px...)
		in.NImages++
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
