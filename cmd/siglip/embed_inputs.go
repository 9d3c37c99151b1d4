package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/internal/npy"
	"github.com/siglip-wasm/siglip-wasm/model"
	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

// Sanity maxima on a .npy input's declared element count, checked (with
// the file's size) before anything is allocated. Inputs are streamed a
// chunk at a time, so these bound only what a header may claim.
const (
	maxIDElements    = 1 << 32 // 67 million 64-token texts
	maxPixelElements = 1 << 38 // 1.7 million 3×384×384 images
)

// batches yields an embed input a chunk at a time: n inputs in all, next
// returns the following k of them (token ids [k][seq] or pixel values
// [k][C][H][W]) as the model's Plan takes them.
type textBatches struct {
	n    int
	next func(k int) ([]int32, error)
}

type imageBatches struct {
	n    int
	next func(k int) ([]float32, error)
}

// openNPY opens a .npy input (flag names it in messages) for streaming.
func openNPY(flag, path string, maxElements int64) (*npy.Reader, func() error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%s %s is not a regular file", flag, path)
	}
	var r *npy.Reader
	if err == nil {
		if r, err = npy.NewReader(f, st.Size(), maxElements); err != nil {
			err = fmt.Errorf("%s %s: %v", flag, path, err)
		}
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return r, f.Close, nil
}

// idBatches streams --input-ids: integers [n, seq] or [seq], each id
// checked against the vocabulary before it is narrowed to int32.
func idBatches(path string, c model.TextConfig) (textBatches, func() error, error) {
	r, closer, err := openNPY("--input-ids", path, maxIDElements)
	if err != nil {
		return textBatches{}, nil, err
	}
	fail := func(err error) (textBatches, func() error, error) { closer(); return textBatches{}, nil, err }
	if r.Kind == 'f' {
		return fail(fmt.Errorf("--input-ids %s: token ids must be integers, the array is %s", path, r.Descr))
	}
	n, seq := 1, 0
	switch len(r.Shape) {
	case 1:
		seq = r.Shape[0]
	case 2:
		n, seq = r.Shape[0], r.Shape[1]
	default:
		return fail(fmt.Errorf("--input-ids %s: token ids have shape %s, want (n, seq) or (seq,)", path, npy.ShapeString(r.Shape)))
	}
	if n == 0 || seq == 0 {
		return fail(fmt.Errorf("--input-ids %s: shape %s holds no token ids", path, npy.ShapeString(r.Shape)))
	}
	if seq > c.MaxPositionEmbeddings {
		return fail(fmt.Errorf("--input-ids %s: sequences of %d ids, the model takes at most %d (max_position_embeddings)", path, seq, c.MaxPositionEmbeddings))
	}
	row, raw := 0, []int64(nil)
	next := func(k int) ([]int32, error) {
		raw = append(raw[:0], make([]int64, k*seq)...)
		if err := r.ReadInt64s(raw); err != nil {
			return nil, fmt.Errorf("--input-ids %s: %v", path, err)
		}
		ids := make([]int32, len(raw))
		for i, v := range raw {
			if v < 0 || v >= int64(c.VocabSize) {
				return nil, fmt.Errorf("--input-ids %s: token id %d (row %d, position %d) is outside the model's vocabulary of %d ids (0..%d)", path, v, row+i/seq, i%seq, c.VocabSize, c.VocabSize-1)
			}
			ids[i] = int32(v)
		}
		row += k
		return ids, nil
	}
	return textBatches{n, next}, closer, nil
}

// pixelBatches streams --pixel-values: floats [n, C, H, W] or [C, H, W]
// at the model's size; NaN and ±Inf are refused with their place.
func pixelBatches(path string, v model.VisionConfig) (imageBatches, func() error, error) {
	r, closer, err := openNPY("--pixel-values", path, maxPixelElements)
	if err != nil {
		return imageBatches{}, nil, err
	}
	shape := r.Shape
	if len(shape) == 3 {
		shape = append([]int{1}, shape...)
	}
	if len(shape) != 4 || shape[0] == 0 || shape[1] != v.NumChannels || shape[2] != v.ImageSize || shape[3] != v.ImageSize {
		closer()
		return imageBatches{}, nil, fmt.Errorf("--pixel-values %s: pixel values have shape %s, want (n, %d, %d, %d) with n ≥ 1, or (%[3]d, %[4]d, %[5]d)", path, npy.ShapeString(r.Shape), v.NumChannels, v.ImageSize, v.ImageSize)
	}
	per, img := v.NumChannels*v.ImageSize*v.ImageSize, 0
	next := func(k int) ([]float32, error) {
		px := make([]float32, k*per)
		if err := r.ReadFloat32s(px); err != nil {
			return nil, fmt.Errorf("--pixel-values %s: %v", path, err)
		}
		if err := checkFinite(px, per, v.ImageSize); err != nil {
			return nil, fmt.Errorf("--pixel-values %s: image %d: %v", path, img+err.(badValue).image, err)
		}
		img += k
		return px, nil
	}
	return imageBatches{shape[0], next}, closer, nil
}

type badValue struct {
	image, c, y, x int
	v              float32
}

func (e badValue) Error() string {
	return fmt.Sprintf("pixel value [channel %d, row %d, column %d] is %v; pixel values must be finite", e.c, e.y, e.x, e.v)
}

// checkFinite finds the first NaN or ±Inf in images px[k][C][size][size].
func checkFinite(px []float32, per, size int) error {
	for i, x := range px {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			j := i % per
			return badValue{i / per, j / (size * size), j / size % size, j % size, x}
		}
	}
	return nil
}

// imageFileBatches decodes and preprocesses --image files a chunk at a
// time, exactly as transformers' PIL SigLIP image processor does with proc.
func imageFileBatches(paths []string, v model.VisionConfig, proc imageproc.Processing) (imageBatches, error) {
	if v.NumChannels != 3 {
		return imageBatches{}, fmt.Errorf("--image needs a 3-channel model, this one has num_channels %d", v.NumChannels)
	}
	pos := 0
	next := func(k int) ([]float32, error) {
		out := make([]float32, 0, k*3*v.ImageSize*v.ImageSize)
		for _, p := range paths[pos : pos+k] {
			b, err := readInput(p, "--image", maxImageFileBytes)
			if err != nil {
				return nil, err
			}
			img, err := imageproc.Decode(b)
			if err != nil {
				return nil, fmt.Errorf("--image %s: %v", p, err)
			}
			px, err := imageproc.PreprocessWith(img, proc)
			if err != nil {
				return nil, fmt.Errorf("--image %s: %v", p, err)
			}
			out = append(out, px...)
		}
		pos += k
		return out, nil
	}
	return imageBatches{len(paths), next}, nil
}

// textArgBatches tokenizes --text values a chunk at a time (padding to the
// model's max_position_embeddings) with the tokenizer given, the one inside
// a model file, or the spiece.model / tokenizer.json beside the model.
func textArgBatches(texts []string, tokPath, modelPath string, m loaded) (textBatches, error) {
	for i, s := range texts {
		if err := tokenizer.CheckText(fmt.Sprintf("--text %d", i+1), s); err != nil {
			return textBatches{}, err
		}
	}
	t, err := loadTokenizer(tokPath, modelPath, m)
	if err != nil {
		return textBatches{}, err
	}
	seq, pos := t.SeqLen(m.Config.TextConfig.MaxPositionEmbeddings), 0
	next := func(k int) ([]int32, error) {
		ids, err := t.EncodeBatch(texts[pos:pos+k], seq)
		pos += k
		return ids, err
	}
	return textBatches{len(texts), next}, nil
}

func loadTokenizer(tokPath, modelPath string, m loaded) (*tokenizer.Tokenizer, error) {
	if tokPath == "" && m.tokenizer != nil {
		t, err := tokenizer.LoadWithText(m.tokenizer, m.text)
		if err != nil {
			return nil, fmt.Errorf("%s: the model's tokenizer: %v", modelPath, err)
		}
		return t, nil
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
	b, err := readInput(tokPath, "--tokenizer", maxSideFileBytes)
	if err != nil {
		return nil, err
	}
	t, err := tokenizer.Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", tokPath, err)
	}
	return t, nil
}
