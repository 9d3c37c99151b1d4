package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"

	"github.com/siglip-wasm/siglip-wasm/imageproc"
	"github.com/siglip-wasm/siglip-wasm/internal/npy"
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
	data, err := readInput(path, "IMAGE", maxImageFileBytes)
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
	return os.WriteFile(*out, append(npy.AppendHeader(nil, descr, 3, n, n), body...), 0o644)
}
