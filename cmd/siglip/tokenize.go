package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

func init() {
	register("tokenize", "SigLIP input ids for texts: --tokenizer spiece.model|tokenizer.json [--max-length 64] TEXT...", runTokenize)
}

func runTokenize(args []string) error {
	fs := flag.NewFlagSet("tokenize", flag.ContinueOnError)
	path := fs.String("tokenizer", "", "spiece.model or tokenizer.json")
	maxLen := fs.Int("max-length", 64, "pad/truncate every row to this many ids (SigLIP: 64)")
	decode := fs.Bool("decode", false, "also print each row decoded back to text")
	convert := fs.String("write-tokenizer-json", "", "write the spiece.model converted to a Hugging Face tokenizer.json at this path (TEXT then optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return fmt.Errorf("--tokenizer FILE is required")
	}
	data, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	if *convert != "" {
		js, err := tokenizer.ConvertToTokenizerJSON(data)
		if err != nil {
			return fmt.Errorf("%s: %w", *path, err)
		}
		if err := os.WriteFile(*convert, js, 0o644); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			return nil
		}
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("no TEXT given")
	}
	tok, err := tokenizer.Load(data)
	if err != nil {
		return fmt.Errorf("%s: %w", *path, err)
	}
	flat, err := tok.EncodeBatch(fs.Args(), *maxLen)
	if err != nil {
		return err
	}
	out := struct {
		InputIDs [][]int32 `json:"input_ids"`
		Decoded  []string  `json:"decoded,omitempty"`
	}{}
	for i := range fs.NArg() {
		row := flat[i**maxLen : (i+1)**maxLen]
		out.InputIDs = append(out.InputIDs, row)
		if *decode {
			s, err := tok.Decode(row)
			if err != nil {
				return err
			}
			out.Decoded = append(out.Decoded, s)
		}
	}
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(out)
}
