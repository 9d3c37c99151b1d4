package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sbinet/npyio"
	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

func init() {
	register("embed", "image/text embeddings and sigmoid scores of a SigLIP model (JSON)", runEmbed)
}

// embedOut is where embed writes its JSON (a variable for tests).
var embedOut io.Writer = os.Stdout

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func runEmbed(args []string) error {
	fs := flag.NewFlagSet("embed", flag.ContinueOnError)
	modelPath := fs.String("model", "", "Hugging Face snapshot directory (config.json + model.safetensors), a model.safetensors file, or a .siglip model file (siglip convert)")
	configPath := fs.String("config", "", "config.json (with --formula-weights, or to override the one beside --model)")
	formula := fs.Bool("formula-weights", false, "use the reference formula weights for --config instead of a weights file")
	tok := fs.String("tokenizer", "", "spiece.model or tokenizer.json for --text (default: the one beside --model)")
	idsPath := fs.String("input-ids", "", "token ids as .npy, integer [n, seq] or [seq]")
	pxPath := fs.String("pixel-values", "", "preprocessed images as .npy, float [n, C, H, W] or [C, H, W]")
	var images, texts multiFlag
	fs.Var(&images, "image", "image file (repeatable)")
	fs.Var(&texts, "text", "text (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *idsPath == "" && *pxPath == "" && len(images) == 0 && len(texts) == 0 {
		return errors.New("nothing to embed: give --image/--text, or --input-ids and/or --pixel-values")
	}
	if len(texts) > 0 && *idsPath != "" {
		return errors.New("give --text or --input-ids, not both")
	}
	if len(images) > 0 && *pxPath != "" {
		return errors.New("give --image or --pixel-values, not both")
	}
	m, err := loadModel(*modelPath, *configPath, *formula)
	if err != nil {
		return err
	}
	var ids []int32
	nTxt, nImg := 0, 0
	var pixels []float32
	switch {
	case *idsPath != "":
		if ids, nTxt, err = readIDs(*idsPath); err != nil {
			return err
		}
	case len(texts) > 0:
		if ids, err = tokenizeTexts(texts, *tok, *modelPath, m.Config.TextConfig.MaxPositionEmbeddings); err != nil {
			return err
		}
		nTxt = len(texts)
	}
	switch {
	case *pxPath != "":
		if pixels, nImg, err = readPixels(*pxPath, m.Config.VisionConfig); err != nil {
			return err
		}
	case len(images) > 0:
		proc, err := imageProcessing(*modelPath, m.Config.VisionConfig)
		if err != nil {
			return err
		}
		if pixels, err = preprocessImages(images, m.Config.VisionConfig, proc); err != nil {
			return err
		}
		nImg = len(images)
	}
	p, err := m.NewPlan(nImg, nTxt)
	if err != nil {
		return err
	}
	d := m.Config.EmbedDim()
	out := map[string][][]float32{}
	var img, txt []float32
	if nImg > 0 {
		if img, err = p.Images(pixels, nImg); err != nil {
			return err
		}
		out["image_embeds"] = rows(img, nImg, d)
	}
	if nTxt > 0 {
		if txt, err = p.Texts(ids, nTxt); err != nil {
			return err
		}
		out["text_embeds"] = rows(txt, nTxt, d)
	}
	if nImg > 0 && nTxt > 0 {
		logits := make([]float32, nImg*nTxt)
		m.LogitsPerImage(logits, img, txt, nImg, nTxt)
		out["logits_per_image"] = rows(logits, nImg, nTxt)
		probs := append([]float32(nil), logits...)
		model.Sigmoid(probs)
		out["probs_per_image"] = rows(probs, nImg, nTxt)
	}
	enc := json.NewEncoder(embedOut)
	return enc.Encode(out)
}

// isModelFile reports whether path is one of our single-file models (as
// written by `siglip convert`), which carry their config and tokenizer.
func isModelFile(path string) bool {
	if strings.HasSuffix(path, ".siglip") {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	return strings.Contains(string(head[:n]), `"format":"siglip-wasm"`)
}

// modelFileTokenizers keeps the tokenizer carried inside a loaded model
// file, for --text without --tokenizer.
var modelFileTokenizers = map[string]modelFileTokenizer{}

// modelFileTokenizer is a model file's tokenizer and its stored text
// pipeline (modelfile.MetaText).
type modelFileTokenizer struct {
	tok  []byte
	text string
}

func loadModelFile(path string) (*model.Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, f, err := weights.Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if tok, _ := f.Tokenizer(); len(tok) > 0 {
		modelFileTokenizers[path] = modelFileTokenizer{tok, f.Text}
	}
	modelFilePreprocessors[path] = f.Preprocessor()
	return m, nil
}

// tokenizeTexts runs SigLIP's text pipeline (padding to the model's
// max_position_embeddings) with the tokenizer given, or the spiece.model /
// tokenizer.json beside the model.
func tokenizeTexts(texts []string, tokPath, modelPath string, maxLen int) ([]int32, error) {
	if tok, ok := modelFileTokenizers[modelPath]; ok && tokPath == "" {
		t, err := tokenizer.LoadWithText(tok.tok, tok.text)
		if err != nil {
			return nil, fmt.Errorf("%s: tokenizer inside the model file: %v", modelPath, err)
		}
		return t.EncodeBatch(texts, t.SeqLen(maxLen))
	}
	if tokPath == "" && modelPath != "" {
		dir := modelPath
		if st, err := os.Stat(modelPath); err == nil && !st.IsDir() {
			dir = filepath.Dir(modelPath)
		}
		for _, name := range []string{"spiece.model", "tokenizer.json"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				tokPath = filepath.Join(dir, name)
				break
			}
		}
	}
	if tokPath == "" {
		return nil, errors.New("--text needs a tokenizer: give --tokenizer spiece.model (or put spiece.model / tokenizer.json beside --model)")
	}
	b, err := os.ReadFile(tokPath)
	if err != nil {
		return nil, err
	}
	t, err := tokenizer.Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", tokPath, err)
	}
	return t.EncodeBatch(texts, maxLen)
}

// preprocessImages decodes image files and preprocesses them exactly as
// transformers' PIL SigLIP image processor does with proc.
func preprocessImages(paths []string, v model.VisionConfig, proc imageproc.Processing) ([]float32, error) {
	if v.NumChannels != 3 {
		return nil, fmt.Errorf("--image needs a 3-channel model, this one has num_channels %d", v.NumChannels)
	}
	per := 3 * v.ImageSize * v.ImageSize
	out := make([]float32, 0, per*len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		img, err := imageproc.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		px, err := imageproc.PreprocessWith(img, proc)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", p, err)
		}
		out = append(out, px...)
	}
	return out, nil
}

func rows(v []float32, n, d int) [][]float32 {
	out := make([][]float32, n)
	for i := range out {
		out[i] = append([]float32(nil), v[i*d:(i+1)*d]...)
	}
	return out
}

func loadModel(path, configPath string, formula bool) (*model.Model, error) {
	if formula {
		if configPath == "" || path != "" {
			return nil, errors.New("--formula-weights needs --config and no --model")
		}
		b, err := os.ReadFile(configPath)
		if err != nil {
			return nil, err
		}
		cfg, err := model.ParseConfigJSON(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", configPath, err)
		}
		return model.Load(cfg, model.FormulaSource{})
	}
	if path == "" {
		return nil, errors.New("give --model DIR_OR_FILE, or --config with --formula-weights")
	}
	weights := path
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if st.IsDir() {
		weights = filepath.Join(path, "model.safetensors")
	} else if isModelFile(path) {
		return loadModelFile(path)
	}
	if configPath == "" {
		configPath = filepath.Join(filepath.Dir(weights), "config.json")
	}
	cb, err := os.ReadFile(configPath)
	if err != nil {
		return nil, err
	}
	cfg, err := model.ParseConfigJSON(cb)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", configPath, err)
	}
	wb, err := os.ReadFile(weights)
	if err != nil {
		return nil, err
	}
	f, err := safetensors.Parse(wb)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", weights, err)
	}
	m, err := model.Load(cfg, model.FromSafetensors(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", weights, err)
	}
	return m, nil
}

// readNPY reads a C-ordered .npy file as float64s, with its shape.
func readNPY(path string) ([]float64, []int, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, "", err
	}
	defer f.Close()
	r, err := npyio.NewReader(f)
	if err != nil {
		return nil, nil, "", fmt.Errorf("%s: %v", path, err)
	}
	if r.Header.Descr.Fortran {
		return nil, nil, "", fmt.Errorf("%s: Fortran-ordered arrays are not supported (save with np.ascontiguousarray)", path)
	}
	shape := r.Header.Descr.Shape
	n := 1
	for _, d := range shape {
		n *= d
	}
	dt := r.Header.Descr.Type
	out := make([]float64, n)
	switch strings.TrimLeft(dt, "<|=") {
	case "f4":
		v := make([]float32, n)
		err = r.Read(&v)
		for i, x := range v {
			out[i] = float64(x)
		}
	case "f8":
		err = r.Read(&out)
	case "i8":
		v := make([]int64, n)
		err = r.Read(&v)
		for i, x := range v {
			out[i] = float64(x)
		}
	case "i4":
		v := make([]int32, n)
		err = r.Read(&v)
		for i, x := range v {
			out[i] = float64(x)
		}
	default:
		return nil, nil, "", fmt.Errorf("%s: dtype %s not supported (want float32/64 or int32/64)", path, dt)
	}
	if err != nil {
		return nil, nil, "", fmt.Errorf("%s: %v", path, err)
	}
	return out, shape, dt, nil
}

func readIDs(path string) ([]int32, int, error) {
	v, shape, dt, err := readNPY(path)
	if err != nil {
		return nil, 0, err
	}
	if !strings.Contains(dt, "i") {
		return nil, 0, fmt.Errorf("%s: token ids must be integers, got dtype %s", path, dt)
	}
	n := 1
	switch len(shape) {
	case 1:
	case 2:
		n = shape[0]
	default:
		return nil, 0, fmt.Errorf("%s: token ids have shape %v, want [n, seq] or [seq]", path, shape)
	}
	ids := make([]int32, len(v))
	for i, x := range v {
		ids[i] = int32(x)
	}
	return ids, n, nil
}

func readPixels(path string, v model.VisionConfig) ([]float32, int, error) {
	px, shape, _, err := readNPY(path)
	if err != nil {
		return nil, 0, err
	}
	if len(shape) == 3 {
		shape = append([]int{1}, shape...)
	}
	if len(shape) != 4 || shape[1] != v.NumChannels || shape[2] != v.ImageSize || shape[3] != v.ImageSize {
		return nil, 0, fmt.Errorf("%s: pixel values have shape %v, want [n, %d, %d, %d]", path, shape, v.NumChannels, v.ImageSize, v.ImageSize)
	}
	out := make([]float32, len(px))
	for i, x := range px {
		out[i] = float32(x)
	}
	return out, shape[0], nil
}
