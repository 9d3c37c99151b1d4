package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
)

func init() {
	register("preprocess", "resize an image like transformers' PIL processor; write .npy", runPreprocess)
}

// runPreprocess: siglip preprocess --size N [--resample bicubic|bilinear] [--pixel-values] --out OUT.npy IMAGE
// writes the PIL-exact resized uint8 [3,N,N], or the float32 pixel values
// [3,N,N] with --pixel-values.
func runPreprocess(args []string) error {
	fs := flag.NewFlagSet("preprocess", flag.ContinueOnError)
	size := fs.Int("size", 0, "square output size in pixels (the model's image_size)")
	pv := fs.Bool("pixel-values", false, "write normalised float32 pixel values instead of resized uint8")
	resample := fs.String("resample", "bicubic", "PIL filter: bicubic (SigLIP) or bilinear (SigLIP 2)")
	out := fs.String("out", "", "output .npy file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("want exactly one IMAGE argument")
	}
	if *size <= 0 || *size > 8192 {
		return fmt.Errorf("--size %d: want 1..8192", *size)
	}
	if *out == "" {
		return errors.New("--out is required")
	}
	proc := imageproc.DefaultProcessing(*size)
	switch *resample {
	case "bicubic":
	case "bilinear":
		proc.Resample = imageproc.Bilinear
	default:
		return fmt.Errorf("--resample %q: want bicubic or bilinear", *resample)
	}
	path := fs.Arg(0)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	img, err := imageproc.Decode(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	p := imageproc.NewPreprocessor(proc)
	resized, err := p.Resize(imageproc.ToRGB(img))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	n := *size
	var body []byte
	descr := "|u1"
	if *pv {
		flat := make([]float32, 3*n*n)
		if err := imageproc.PixelValuesInto(flat, resized); err != nil {
			return err
		}
		descr = "<f4"
		body = make([]byte, 4*len(flat))
		for i, v := range flat {
			binary.LittleEndian.PutUint32(body[4*i:], math.Float32bits(v))
		}
	} else {
		body = make([]byte, 3*n*n) // channel-first, like transformers' resized_raw
		for i := 0; i < n*n; i++ {
			for c := 0; c < 3; c++ {
				body[c*n*n+i] = resized.Pix[3*i+c]
			}
		}
	}
	return os.WriteFile(*out, append(npyHeader(descr, 3, n, n), body...), 0o644)
}

// npyHeader is a NumPy format 1.0 header for a C-ordered array. npyio's
// writer only takes flat slices (shape (len,)), so the header is written here.
func npyHeader(descr string, shape ...int) []byte {
	dims := ""
	for _, d := range shape {
		dims += fmt.Sprintf("%d, ", d)
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, dims[:len(dims)-2])
	// magic(6) + version(2) + length(2) + dict + padding + '\n', a multiple of 64.
	total := (10 + len(dict) + 1 + 63) / 64 * 64
	h := []byte("\x93NUMPY\x01\x00")
	h = binary.LittleEndian.AppendUint16(h, uint16(total-10))
	h = append(h, dict...)
	for len(h) < total-1 {
		h = append(h, ' ')
	}
	return append(h, '\n')
}
