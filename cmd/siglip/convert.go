package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/siglip-wasm/siglip-wasm/hub"
	"github.com/siglip-wasm/siglip-wasm/modelfile"
	"github.com/siglip-wasm/siglip-wasm/safetensors"
)

func init() {
	register("convert", "convert a Hugging Face SigLIP checkpoint (directory or hf:OWNER/REPO[@REV]) to one model file", runConvert)
}

func runConvert(args []string) error {
	fl := flag.NewFlagSet("convert", flag.ContinueOnError)
	in := fl.String("in", "", "Hugging Face snapshot directory (config.json, model.safetensors, spiece.model or tokenizer.json), or hf:OWNER/REPO[@REVISION]")
	out := fl.String("out", "", "model file to write")
	quant := fl.String("quant", "q8", "weight scheme: q8, q4, f16 or f32")
	scaleF16 := fl.Bool("q8-scale-f16", false, "store q8 row scales as f16")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" || fl.NArg() > 0 {
		return fmt.Errorf("usage: siglip convert --in DIR|hf:OWNER/REPO[@REVISION] --out FILE [--quant q8|q4|f16|f32]")
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
	n, sum, err := convertDir(dir, *out, *quant, modelfile.Options{Q8ScaleF16: *scaleF16})
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{"out": *out, "scheme": *quant, "bytes": n, "payload_sha256": sum})
}

// convertDir converts a Hugging Face snapshot directory into a model file,
// written to a temporary name first so a failure never leaves a half file.
func convertDir(dir, out, scheme string, opt modelfile.Options) (int64, string, error) {
	cfg, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return 0, "", fmt.Errorf("%s: %v", dir, err)
	}
	weights, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		if _, serr := os.Stat(filepath.Join(dir, "model.safetensors.index.json")); serr == nil {
			return 0, "", fmt.Errorf("%s: sharded checkpoints (model.safetensors.index.json) are not supported; SigLIP base and large ship one model.safetensors", dir)
		}
		return 0, "", fmt.Errorf("%s: %v", dir, err)
	}
	tok, kind, err := readTokenizer(dir)
	if err != nil {
		return 0, "", err
	}
	st, err := safetensors.Parse(weights)
	if err != nil {
		return 0, "", fmt.Errorf("%s/model.safetensors: %v", dir, err)
	}
	tmp := out + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return 0, "", err
	}
	werr := modelfile.WriteOptions(f, cfg, tok, kind, modelfile.FromSafetensors(st), scheme, opt)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(tmp)
		return 0, "", werr
	}
	// Read it back through the same checks a browser will run.
	b, err := os.ReadFile(tmp)
	if err == nil {
		var mf *modelfile.File
		if mf, err = modelfile.Open(b); err == nil {
			err = os.Rename(tmp, out)
			return int64(len(b)), mf.SHA256, err
		}
	}
	os.Remove(tmp)
	return 0, "", fmt.Errorf("written file does not read back: %v", err)
}

func readTokenizer(dir string) ([]byte, string, error) {
	for _, kind := range []string{modelfile.TokenizerSentencePiece, modelfile.TokenizerJSON} {
		b, err := os.ReadFile(filepath.Join(dir, kind))
		if err == nil {
			return b, kind, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, "", err
		}
	}
	return nil, "", fmt.Errorf("%s: no tokenizer (spiece.model or tokenizer.json)", dir)
}
