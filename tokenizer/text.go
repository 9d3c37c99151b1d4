package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// TextConfig is the text pipeline around the tokenizer model: what a
// snapshot's tokenizer_config.json says (ParseTokenizerConfig resolves it,
// with transformers' defaults for missing fields), stored in the model file
// as JSON (TextConfig.JSON, LoadWithText) so that the engine, the CLI and
// the browser all use the same values.
type TextConfig struct {
	// Lowercase is do_lower_case: Python's str.lower() inside SigLIP's
	// canonicalisation (Unigram), tokenizers' per-character Lowercase
	// normalizer before the file's own (BPE, as Siglip2Tokenizer).
	Lowercase bool `json:"lowercase"`
	// MaxLength is model_max_length: rows are padded / truncated to
	// min(MaxLength, max_position_embeddings); 0 means no limit of its own
	// (transformers' "very large" default).
	MaxLength int `json:"max_length"`
	// Pad is the padding token; BOS / EOS are the tokens put before / after
	// the text ("" for none). Each must be a token of the vocabulary.
	Pad string `json:"pad"`
	BOS string `json:"bos,omitempty"`
	EOS string `json:"eos,omitempty"`
	// PadLeft is padding_side "left" (default "right").
	PadLeft bool `json:"pad_left,omitempty"`
}

// JSON is c as stored in a model file.
func (c TextConfig) JSON() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// maxTextLength bounds MaxLength (and EncodeBatch's rows).
const maxTextLength = 1 << 16

// DefaultText is the pipeline when there is no tokenizer_config.json:
// SiglipTokenizer's defaults for a Unigram model (lowercase, </s> appended
// and padding, 64 ids); for a BPE (Gemma) model SigLIP 2's: lowercase (as
// transformers' Siglip2Tokenizer and the model card say), the
// post-processor's template from tokenizer.json for BOS/EOS, <pad> padding.
func (t *Tokenizer) DefaultText() TextConfig {
	if !t.isBPE() {
		return TextConfig{Lowercase: true, MaxLength: 64, Pad: "</s>", EOS: "</s>"}
	}
	c := TextConfig{Lowercase: true}
	if t.bpe == nil {
		// A SentencePiece BPE model (tokenizer.model): SigLIP 2's tokens by
		// name, as its tokenizer_config.json gives them (eos, no bos).
		for _, eos := range []string{"<eos>", "</s>"} {
			if _, ok := t.m.index[eos]; ok {
				c.EOS = eos
				break
			}
		}
		c.Pad = c.EOS
		if _, ok := t.m.index["<pad>"]; ok {
			c.Pad = "<pad>"
		}
		if c.Pad == "" {
			c.Pad = t.m.pieces[0].text
		}
		return c
	}
	if _, ok := t.bpe.tokenID("<pad>"); ok {
		c.Pad = "<pad>"
	} else {
		c.Pad = t.bpe.pieces[0]
	}
	if len(t.bpe.templBefore) == 1 {
		c.BOS = t.bpe.pieces[t.bpe.templBefore[0]]
	}
	if len(t.bpe.templAfter) == 1 {
		c.EOS = t.bpe.pieces[t.bpe.templAfter[0]]
	}
	return c
}

// Text returns the pipeline in use.
func (t *Tokenizer) Text() TextConfig { return t.text }

// SetText sets the pipeline, checking that its tokens exist. Call it before
// the tokenizer is shared.
func (t *Tokenizer) SetText(c TextConfig) error {
	if c.MaxLength < 0 || c.MaxLength > maxTextLength {
		return fmt.Errorf("tokenizer: max_length %d is outside 0..%d", c.MaxLength, maxTextLength)
	}
	look := func(field, s string) (int32, error) {
		if s == "" {
			return -1, nil
		}
		id, ok := t.tokenID(s)
		if !ok {
			return -1, fmt.Errorf("tokenizer: %s %q is not a token of the vocabulary", field, s)
		}
		return id, nil
	}
	pad, err := look("pad token", c.Pad)
	if err != nil {
		return err
	}
	if pad < 0 {
		return fmt.Errorf("tokenizer: no pad token (SigLIP pads every row to max_length)")
	}
	bos, err := look("bos token", c.BOS)
	if err != nil {
		return err
	}
	eos, err := look("eos token", c.EOS)
	if err != nil {
		return err
	}
	if !t.isBPE() && (c.BOS != "" || c.EOS == "") {
		return fmt.Errorf("tokenizer: a SentencePiece Unigram (SigLIP) tokenizer appends its eos token and adds no bos token")
	}
	t.text, t.padID, t.bosID, t.eosID = c, pad, bos, eos
	return nil
}

// SeqLen is the row length for a model with maxPos position embeddings.
func (t *Tokenizer) SeqLen(maxPos int) int {
	if t.text.MaxLength > 0 && t.text.MaxLength < maxPos {
		return t.text.MaxLength
	}
	return maxPos
}

// LoadWithText loads a tokenizer model (as Load) with the pipeline stored in
// a model file (TextConfig.JSON); an empty textJSON (files written before the
// pipeline was stored) means DefaultText.
func LoadWithText(data []byte, textJSON string) (*Tokenizer, error) {
	t, err := Load(data)
	if err != nil || textJSON == "" {
		return t, err
	}
	var c TextConfig
	dec := json.NewDecoder(strings.NewReader(textJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("tokenizer: text pipeline %q: %v", textJSON, err)
	}
	if err := t.SetText(c); err != nil {
		return nil, err
	}
	return t, nil
}

// tokenizerClasses are the tokenizer_class values this package implements,
// and whether each is the BPE (Gemma) kind.
var tokenizerClasses = map[string]bool{
	"SiglipTokenizer": false, "SiglipTokenizerFast": false,
	"GemmaTokenizer": true, "GemmaTokenizerFast": true, "Siglip2Tokenizer": true,
}

// ParseTokenizerConfig resolves a snapshot's tokenizer_config.json (nil or
// empty: the file is absent) for t. Fields it reads: tokenizer_class,
// do_lower_case, model_max_length, pad_token, bos_token, eos_token,
// add_bos_token, add_eos_token, padding_side, truncation_side; missing ones
// take transformers' defaults (see DefaultText), values it cannot honour are
// an error naming the field. Other fields (chat templates, decoder
// settings, added_tokens_decoder) do not change the ids and are ignored.
func ParseTokenizerConfig(data []byte, t *Tokenizer) (TextConfig, error) {
	c := t.DefaultText()
	if len(bytes.TrimSpace(data)) == 0 {
		return c, t.checkText(c)
	}
	var f map[string]json.RawMessage
	if err := json.Unmarshal(data, &f); err != nil {
		return c, fmt.Errorf("tokenizer_config.json: %v", err)
	}
	bad := func(field string, raw json.RawMessage, want string) error {
		return fmt.Errorf("tokenizer_config.json: %s is %s: want %s", field, raw, want)
	}
	getBool := func(field string, dst *bool) (bool, error) {
		raw, ok := f[field]
		if !ok {
			return false, nil
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return false, bad(field, raw, "true or false")
		}
		return true, nil
	}
	// token reads a special token: a string, or an AddedToken object with
	// a "content" string.
	token := func(field string, dst *string) (bool, error) {
		raw, ok := f[field]
		if !ok {
			return false, nil
		}
		if string(raw) == "null" {
			*dst = ""
			return true, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			*dst = s
			return true, nil
		}
		var o struct {
			Content *string `json:"content"`
		}
		if err := json.Unmarshal(raw, &o); err != nil || o.Content == nil {
			return false, bad(field, raw, "a token string or {\"content\": ...}")
		}
		*dst = *o.Content
		return true, nil
	}
	if raw, ok := f["tokenizer_class"]; ok {
		var cls string
		if err := json.Unmarshal(raw, &cls); err != nil {
			return c, bad("tokenizer_class", raw, "a string")
		}
		isBPE, known := tokenizerClasses[cls]
		if !known {
			return c, fmt.Errorf("tokenizer_config.json: tokenizer_class %q is not supported (supported: SiglipTokenizer, GemmaTokenizer, Siglip2Tokenizer and their Fast forms)", cls)
		}
		if isBPE != t.isBPE() {
			return c, fmt.Errorf("tokenizer_config.json: tokenizer_class %q does not match the tokenizer model (%s)", cls, t.kind())
		}
	}
	if _, err := getBool("do_lower_case", &c.Lowercase); err != nil {
		return c, err
	}
	if raw, ok := f["model_max_length"]; ok {
		var v float64
		if err := json.Unmarshal(raw, &v); err != nil || v < 1 || v != math.Trunc(v) {
			return c, bad("model_max_length", raw, "a positive integer")
		}
		c.MaxLength = 0 // transformers' VERY_LARGE_INTEGER and the like: no limit of its own
		if v <= maxTextLength {
			c.MaxLength = int(v)
		}
	}
	if _, err := token("pad_token", &c.Pad); err != nil {
		return c, err
	}
	var bos, eos string
	hasBOS, err := token("bos_token", &bos)
	if err != nil {
		return c, err
	}
	hasEOS, err := token("eos_token", &eos)
	if err != nil {
		return c, err
	}
	if !t.isBPE() {
		// SiglipTokenizer always appends eos_token and never adds a bos.
		if hasEOS {
			c.EOS = eos
		}
		var add bool
		if ok, err := getBool("add_eos_token", &add); err != nil {
			return c, err
		} else if ok && !add {
			return c, fmt.Errorf("tokenizer_config.json: add_eos_token false is not supported for SiglipTokenizer (it always appends %s)", c.EOS)
		}
		if ok, err := getBool("add_bos_token", &add); err != nil {
			return c, err
		} else if ok && add {
			return c, fmt.Errorf("tokenizer_config.json: add_bos_token true is not supported for SiglipTokenizer")
		}
	} else {
		// GemmaTokenizer: add_bos_token / add_eos_token choose whether
		// bos_token / eos_token are added (what the template in
		// tokenizer.json does when they are missing).
		if !hasBOS {
			bos = "<bos>"
		}
		if !hasEOS {
			eos = "<eos>"
		}
		// added sets *dst to tok or "" when the key is present.
		added := func(key string, dst *string, tok string) error {
			var add bool
			ok, err := getBool(key, &add)
			if ok {
				*dst = ""
				if add {
					*dst = tok
				}
			}
			return err
		}
		if err := added("add_bos_token", &c.BOS, bos); err != nil {
			return c, err
		}
		if err := added("add_eos_token", &c.EOS, eos); err != nil {
			return c, err
		}
	}
	if raw, ok := f["padding_side"]; ok {
		var s string
		_ = json.Unmarshal(raw, &s)
		switch s {
		case "right":
			c.PadLeft = false
		case "left":
			c.PadLeft = true
		default:
			return c, bad("padding_side", raw, `"right" or "left"`)
		}
	}
	if raw, ok := f["truncation_side"]; ok {
		var s string
		if _ = json.Unmarshal(raw, &s); s != "right" {
			return c, bad("truncation_side", raw, `"right" (keep the start of a long text)`)
		}
	}
	return c, t.checkText(c)
}

// checkText reports whether t can use c, without changing t.
func (t *Tokenizer) checkText(c TextConfig) error {
	saved := *t.snapshotText()
	defer t.restoreText(saved)
	if err := t.SetText(c); err != nil {
		return fmt.Errorf("tokenizer_config.json: %v", strings.TrimPrefix(err.Error(), "tokenizer: "))
	}
	return nil
}

type textState struct {
	text                TextConfig
	padID, bosID, eosID int32
}

func (t *Tokenizer) snapshotText() *textState {
	return &textState{t.text, t.padID, t.bosID, t.eosID}
}

func (t *Tokenizer) restoreText(s textState) {
	t.text, t.padID, t.bosID, t.eosID = s.text, s.padID, s.bosID, s.eosID
}

// isBPE: a BPE model (tokenizer.json, or a SentencePiece BPE model file),
// with SigLIP 2's text pipeline rather than SigLIP's.
func (t *Tokenizer) isBPE() bool { return t.bpe != nil || t.m.bpe != nil }

func (t *Tokenizer) kind() string {
	if t.bpe != nil {
		return "BPE"
	}
	if t.m.bpe != nil {
		return "SentencePiece BPE"
	}
	return "SentencePiece Unigram"
}
