package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/siglip-wasm/siglip-wasm/tokenizer"
)

// tokenizerConfigFile is the snapshot file the text pipeline comes from.
const tokenizerConfigFile = "tokenizer_config.json"

// textPipeline resolves the snapshot's tokenizer_config.json (transformers'
// defaults when it or a field is missing) for the tokenizer model tok, checks
// that the special tokens fit config.json's text vocab_size, and returns the
// tokenizer.TextConfig JSON the model file stores. A value the tokenizer
// cannot honour is an error here, at convert time.
func textPipeline(dir string, tok, cfgJSON []byte) (string, error) {
	t, err := tokenizer.Load(tok)
	if err != nil {
		return "", fmt.Errorf("%s: tokenizer: %w", dir, err)
	}
	tc, err := os.ReadFile(filepath.Join(dir, tokenizerConfigFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	text, err := tokenizer.ParseTokenizerConfig(tc, t)
	if err != nil {
		return "", fmt.Errorf("%s: %w", dir, err)
	}
	if err := t.SetText(text); err != nil {
		return "", fmt.Errorf("%s: %w", dir, err)
	}
	var cfg struct {
		TextConfig struct {
			VocabSize *int `json:"vocab_size"`
		} `json:"text_config"`
	}
	if err := json.Unmarshal(cfgJSON, &cfg); err != nil {
		return "", fmt.Errorf("%s/config.json: %v", dir, err)
	}
	vocab := 32000 // SiglipTextConfig's default
	if cfg.TextConfig.VocabSize != nil {
		vocab = *cfg.TextConfig.VocabSize
	}
	for _, s := range []struct {
		name string
		id   int32
	}{{"pad_token " + text.Pad, t.PadID()}, {"bos_token " + text.BOS, t.BOSID()}, {"eos_token " + text.EOS, t.EOSID()}} {
		if int(s.id) >= vocab {
			return "", fmt.Errorf("%s: %s has id %d, outside config.json's text vocab_size %d: the tokenizer does not belong to this model", dir, s.name, s.id, vocab)
		}
	}
	return text.JSON(), nil
}
