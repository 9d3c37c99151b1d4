package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/siglip-wasm/siglip-wasm/gptq"
	"github.com/siglip-wasm/siglip-wasm/hub"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/modelfile/weights"
)

func init() {
	register("convert", "convert a Hugging Face SigLIP checkpoint (directory or hf:OWNER/REPO[@REV]) to one model file", runConvert)
}

func runConvert(args []string) error {
	fl := flag.NewFlagSet("convert", flag.ContinueOnError)
	in := fl.String("in", "", "Hugging Face snapshot directory (config.json, model.safetensors, spiece.model, tokenizer.json or tokenizer.model), or hf:OWNER/REPO[@REVISION]")
	out := fl.String("out", "", "model file to write")
	quant := fl.String("quant", "q8", "weight scheme: q8, q4, f16 or f32")
	scaleF16 := fl.Bool("q8-scale-f16", false, "store q8 row scales as f16")
	method := fl.String("q4-method", "gptq", "how q4 weights are chosen: gptq (calibrated: runs the model on calibration images and texts, minutes) or rtn (round to nearest, seconds, less accurate)")
	calib := fl.String("calib-images", "", "directory of extra calibration images (PNG, JPEG, GIF, WebP, BMP) for --q4-method gptq, e.g. photos of the domain the model will see")
	quiet := fl.Bool("quiet", false, "no progress lines on stderr")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" || fl.NArg() > 0 {
		return fmt.Errorf("usage: siglip convert --in DIR|hf:OWNER/REPO[@REVISION] --out FILE [--quant q8|q4|f16|f32] [--q4-method gptq|rtn] [--calib-images DIR]")
	}
	if *method != "gptq" && *method != "rtn" {
		return fmt.Errorf("convert: --q4-method %q: want gptq or rtn", *method)
	}
	if *calib != "" && (*quant != modelfile.SchemeQ4 || *method != "gptq") {
		return fmt.Errorf("convert: --calib-images applies to --quant q4 with --q4-method gptq only")
	}
	dir := *in
	if strings.HasPrefix(dir, "hf:") {
		ref, err := hub.ParseRef(dir)
		if err != nil {
			return err
		}
		c, err := hub.New()
		if err != nil {
			return err
		}
		if dir, err = c.Snapshot(context.Background(), ref); err != nil {
			return err
		}
	}
	q4 := q4Options{Method: *method, ImagesDir: *calib}
	if !*quiet {
		q4.Log = func(format string, a ...any) { fmt.Fprintf(os.Stderr, format+"\n", a...) }
	}
	n, sum, err := convertDir(dir, *out, *quant, modelfile.Options{Q8ScaleF16: *scaleF16}, q4)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"out": *out, "scheme": *quant, "bytes": n, "sha256": sum})
}

// q4Options says how a q4 conversion picks its 4-bit weights.
type q4Options struct {
	Method    string // "gptq" (default when empty) or "rtn"
	ImagesDir string // extra calibration images for gptq
	Log       func(format string, a ...any)
}

// convertDir converts a Hugging Face snapshot directory into a model file,
// written to a temporary name first so a failure never leaves a half file.
func convertDir(dir, out, scheme string, opt modelfile.Options, q4 q4Options) (int64, string, error) {
	if err := checkConvertOutput(out, dir, q4.ImagesDir); err != nil { // convert_output.go
		return 0, "", err
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return 0, "", fmt.Errorf("%s: %v", dir, err)
	}
	tok, kind, err := readTokenizer(dir)
	if err != nil {
		return 0, "", err
	}
	if opt.Text, err = textPipeline(dir, tok, cfg); err != nil { // convert_text.go
		return 0, "", err
	}
	ck, err := openCheckpoint(dir)
	if err != nil {
		return 0, "", err
	}
	defer ck.Close()
	var src modelfile.Source = ck
	if opt.Preprocessor, err = snapshotPreprocessor(dir, cfg); err != nil {
		return 0, "", err
	}
	if scheme == modelfile.SchemeQ4 && q4.Method != "rtn" {
		res, err := calibrate(cfg, tok, gptq.Stored{Preprocessor: opt.Preprocessor, Text: opt.Text}, src, q4)
		if err != nil {
			return 0, "", err
		}
		opt.Q4, opt.Q4Method = res.Q4, "gptq"
	}
	var n int64
	var sum string
	err = writeConvertOutput(out, func(w io.Writer) error { // convert_output.go
		return modelfile.WriteOptions(w, weights.Specs, cfg, tok, kind, src, scheme, opt)
	}, func(tmp string) error {
		var err error
		if n, sum, err = validateFile(tmp); err != nil { // convert_validate.go
			return fmt.Errorf("the converted model does not load and run, so no file was written: %v", err)
		}
		return nil
	})
	return n, sum, err
}

// calibrate runs GPTQ on the built-in calibration set plus the images in
// q4.ImagesDir, preprocessed and tokenized as the file being written says
// (st: its preprocessor_config and text pipeline).
func calibrate(cfgJSON, tok []byte, st gptq.Stored, src modelfile.Source, q4 q4Options) (*gptq.Result, error) {
	in, err := gptq.DefaultInputsStored(cfgJSON, tok, st)
	if err != nil {
		return nil, err
	}
	if q4.ImagesDir != "" {
		entries, err := os.ReadDir(q4.ImagesDir)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			p := filepath.Join(q4.ImagesDir, e.Name())
			b, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			if err := in.AddImage(b); err != nil {
				return nil, fmt.Errorf("calibration image %s: %v", p, err)
			}
		}
	}
	if q4.Log != nil {
		q4.Log("gptq: calibrating on %d images and %d texts", in.NImages, in.NTexts)
	}
	start := time.Now()
	res, err := gptq.Calibrate(cfgJSON, src, in, gptq.Options{Log: q4.Log})
	if err != nil {
		return nil, err
	}
	if q4.Log != nil {
		q4.Log("gptq: %d Linears in %v; on the calibration rows their output error is a median ×%.3f of round to nearest's",
			len(res.Stats), time.Since(start).Round(time.Second), res.MedianRatio())
	}
	return res, nil
}

// readTokenizer picks the snapshot's tokenizer: spiece.model (SigLIP), else
// tokenizer.json (what transformers loads for SigLIP 2), else Gemma's
// tokenizer.model (a SentencePiece model like spiece.model, stored as one).
func readTokenizer(dir string) ([]byte, string, error) {
	for _, f := range []struct{ name, kind string }{
		{"spiece.model", modelfile.TokenizerSentencePiece},
		{"tokenizer.json", modelfile.TokenizerJSON},
		{"tokenizer.model", modelfile.TokenizerSentencePiece},
	} {
		b, err := os.ReadFile(filepath.Join(dir, f.name))
		if err == nil {
			return b, f.kind, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, "", err
		}
	}
	return nil, "", fmt.Errorf("%s: no tokenizer (spiece.model, tokenizer.json or tokenizer.model)", dir)
}
