package tokenizer

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
)

// The Hugging Face tokenizer.json side: a loader for the Unigram layout that
// transformers' convert_slow_tokenizer (SpmConverter, as for T5) writes, and
// a converter that writes that layout from a spiece.model. Both map onto the
// same sentencepiece engine, so the two loaders give identical ids.

type hfFile struct {
	AddedTokens  []hfAddedToken `json:"added_tokens"`
	Normalizer   *hfComponent   `json:"normalizer"`
	PreTokenizer *hfComponent   `json:"pre_tokenizer"`
	Model        *hfModel       `json:"model"`
}

type hfAddedToken struct {
	ID      int    `json:"id"`
	Content string `json:"content"`
	Special bool   `json:"special"`
}

type hfComponent struct {
	Type string `json:"type"`
	// Sequence
	Normalizers   []hfComponent `json:"normalizers"`
	PreTokenizers []hfComponent `json:"pretokenizers"`
	// Precompiled
	PrecompiledCharsmap *string `json:"precompiled_charsmap"`
	// Strip
	StripLeft  *bool `json:"strip_left"`
	StripRight *bool `json:"strip_right"`
	// Replace
	Pattern *hfPattern `json:"pattern"`
	Content *string    `json:"content"`
	// Metaspace
	Replacement    *string `json:"replacement"`
	PrependScheme  *string `json:"prepend_scheme"`
	AddPrefixSpace *bool   `json:"add_prefix_space"`
}

// hfPattern is a Replace or Split step's pattern: a plain string or a regex.
type hfPattern struct {
	String *string `json:"String"`
	Regex  *string `json:"Regex"`
}

type hfModel struct {
	Type         string          `json:"type"`
	UnkID        *int            `json:"unk_id"`
	Vocab        json.RawMessage `json:"vocab"`
	ByteFallback bool            `json:"byte_fallback"`
}

// LoadTokenizerJSON reads a Hugging Face tokenizer.json whose model is a
// SentencePiece-style Unigram (as converted from a spiece.model).
func LoadTokenizerJSON(data []byte) (*Tokenizer, error) {
	if top, mm, typ := sniffModelType(data); typ == "BPE" {
		p, err := parseBPEJSON(top, mm)
		return build("tokenizer.json", p, err, newBPETokenizer)
	}
	s, err := parseTokenizerJSON(data)
	return build("tokenizer.json", s, err, newTokenizer)
}

// build makes the tokenizer from what a loader parsed (or passes its
// error on), naming the file in either error.
func build[S any](file string, s S, err error, newT func(S) (*Tokenizer, error)) (*Tokenizer, error) {
	if err == nil {
		var t *Tokenizer
		if t, err = newT(s); err == nil {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%s: %w", file, err)
}

func parseTokenizerJSON(data []byte) (*spec, error) {
	var f hfFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	if f.Model == nil {
		return nil, fmt.Errorf("no model")
	}
	if f.Model.Type != "Unigram" {
		return nil, fmt.Errorf("model type %q: %w", f.Model.Type, errNotSupportedModel)
	}
	s := &spec{modelType: 1, unkSurface: " \u2047 ", escapeWhitespaces: true, byteFallback: f.Model.ByteFallback}
	var vocab []json.RawMessage
	if err := json.Unmarshal(f.Model.Vocab, &vocab); err != nil {
		return nil, fmt.Errorf("model.vocab: want a list of [piece, score] for a Unigram model")
	}
	s.pieces = make([]rawPiece, len(vocab))
	for i, raw := range vocab {
		var pair []json.RawMessage
		if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
			return nil, fmt.Errorf("model.vocab[%d]: want [piece, score]", i)
		}
		var score float64
		if err := json.Unmarshal(pair[0], &s.pieces[i].text); err != nil {
			return nil, fmt.Errorf("model.vocab[%d]: piece: %v", i, err)
		}
		if err := json.Unmarshal(pair[1], &score); err != nil || math.IsNaN(score) {
			return nil, fmt.Errorf("model.vocab[%d]: score: not a number", i)
		}
		s.pieces[i].score = float32(score)
		s.pieces[i].typ = TypeNormal
		if s.byteFallback {
			if _, ok := parseBytePiece(s.pieces[i].text); ok {
				s.pieces[i].typ = TypeByte
			}
		}
	}
	if f.Model.UnkID == nil || *f.Model.UnkID < 0 || *f.Model.UnkID >= len(s.pieces) {
		return nil, fmt.Errorf("model.unk_id is missing or outside the vocabulary")
	}
	s.pieces[*f.Model.UnkID].typ = TypeUnknown
	for _, a := range f.AddedTokens {
		switch {
		case a.ID >= 0 && a.ID < len(s.pieces):
			if s.pieces[a.ID].text != a.Content {
				return nil, fmt.Errorf("added token %d %q differs from vocabulary piece %q", a.ID, a.Content, s.pieces[a.ID].text)
			}
			if s.pieces[a.ID].typ == TypeUnknown {
				continue
			}
			if a.Special {
				s.pieces[a.ID].typ = TypeControl
			} else {
				s.pieces[a.ID].typ = TypeUserDefined
			}
		case a.ID == len(s.pieces) && a.Content == "</s>":
			// transformers' added </s> for vocabularies without one: the
			// tokenizer adds it the same way.
		default:
			return nil, fmt.Errorf("added token %d %q lies outside the Unigram vocabulary", a.ID, a.Content)
		}
	}
	if err := s.applyHFNormalizer(f.Normalizer); err != nil {
		return nil, err
	}
	if err := s.applyHFPreTokenizer(f.PreTokenizer); err != nil {
		return nil, err
	}
	return s, nil
}

// applyHFNormalizer maps SpmConverter's normalizers back onto the
// sentencepiece normalizer: Precompiled is the charsmap, and the pair
// Strip(right) + Replace(" {2,}" → "▁") is remove_extra_whitespaces.
func (s *spec) applyHFNormalizer(c *hfComponent) error {
	if c == nil {
		return nil
	}
	if c.Type == "Sequence" {
		for i := range c.Normalizers {
			if err := s.applyHFNormalizer(&c.Normalizers[i]); err != nil {
				return err
			}
		}
		return nil
	}
	switch c.Type {
	case "Precompiled":
		if c.PrecompiledCharsmap != nil && *c.PrecompiledCharsmap != "" {
			b, err := base64.StdEncoding.DecodeString(*c.PrecompiledCharsmap)
			if err != nil {
				return fmt.Errorf("normalizer Precompiled: precompiled_charsmap: %v", err)
			}
			s.charsmap = b
		}
		return nil
	case "Strip":
		if c.StripLeft != nil && *c.StripLeft {
			return fmt.Errorf("normalizer Strip with strip_left is not supported")
		}
		return nil
	case "Replace":
		if c.Pattern != nil && c.Pattern.Regex != nil && *c.Pattern.Regex == " {2,}" && c.Content != nil && *c.Content == spaceSymbol {
			s.removeExtraWhitespaces = true
			return nil
		}
		return fmt.Errorf("normalizer Replace: only the SentencePiece whitespace rule (Regex \" {2,}\" → \"▁\") is supported")
	}
	return fmt.Errorf("normalizer %q is not supported", c.Type)
}

func (s *spec) applyHFPreTokenizer(c *hfComponent) error {
	if c == nil {
		return fmt.Errorf("no pre_tokenizer: want Metaspace")
	}
	if c.Type == "Sequence" && len(c.PreTokenizers) == 1 {
		c = &c.PreTokenizers[0]
	}
	// Older T5 files: WhitespaceSplit then Metaspace, which drops every run
	// of whitespace as remove_extra_whitespaces does.
	if c.Type == "Sequence" && len(c.PreTokenizers) == 2 && c.PreTokenizers[0].Type == "WhitespaceSplit" {
		s.removeExtraWhitespaces = true
		c = &c.PreTokenizers[1]
	}
	if c.Type != "Metaspace" {
		return fmt.Errorf("pre_tokenizer %q is not supported: want Metaspace", c.Type)
	}
	if c.Replacement != nil && *c.Replacement != spaceSymbol {
		return fmt.Errorf("pre_tokenizer Metaspace: replacement %q is not supported: want \"▁\"", *c.Replacement)
	}
	s.addDummyPrefix = true
	if c.PrependScheme != nil {
		switch *c.PrependScheme {
		case "always", "first":
		case "never":
			s.addDummyPrefix = false
		default:
			return fmt.Errorf("pre_tokenizer Metaspace: prepend_scheme %q is not supported", *c.PrependScheme)
		}
	} else if c.AddPrefixSpace != nil {
		s.addDummyPrefix = *c.AddPrefixSpace
	}
	return nil
}

// ConvertToTokenizerJSON writes a tokenizer.json for a spiece.model, laid
// out as transformers' convert_slow_tokenizer does for T5-like (SigLIP)
// vocabularies: Unigram model, Precompiled + Strip + Replace normalizers,
// Metaspace pre-tokenizer and decoder, control and user-defined pieces as
// added tokens, and a post-processor that appends </s>. A missing </s> is
// added after the vocabulary, as transformers does.
func ConvertToTokenizerJSON(spiece []byte) ([]byte, error) {
	s, err := parseModelProto(spiece)
	if err != nil {
		return nil, fmt.Errorf("spiece.model: %w", err)
	}
	if s.modelType == 2 {
		return nil, fmt.Errorf("spiece.model: a BPE model has no Unigram tokenizer.json equivalent (load the model file itself)")
	}
	t, err := newTokenizer(s) // validates the model
	if err != nil {
		return nil, fmt.Errorf("spiece.model: %w", err)
	}
	if !s.escapeWhitespaces {
		return nil, fmt.Errorf("spiece.model: escape_whitespaces=false has no tokenizer.json equivalent")
	}
	type obj = map[string]any
	vocab := make([][2]any, len(s.pieces))
	var added []obj
	for i, p := range s.pieces {
		vocab[i] = [2]any{p.text, float64(p.score)}
		if p.typ == TypeControl || p.typ == TypeUserDefined || p.typ == TypeUnknown {
			added = append(added, obj{"id": i, "content": p.text, "single_word": false, "lstrip": false,
				"rstrip": false, "normalized": false, "special": p.typ != TypeUserDefined})
		}
	}
	if t.addedEOS {
		added = append(added, obj{"id": t.eosID, "content": "</s>", "single_word": false, "lstrip": true,
			"rstrip": true, "normalized": false, "special": true})
	}
	var norms []obj
	if len(s.charsmap) > 0 {
		norms = append(norms, obj{"type": "Precompiled", "precompiled_charsmap": base64.StdEncoding.EncodeToString(s.charsmap)})
	}
	if s.removeExtraWhitespaces {
		norms = append(norms, obj{"type": "Strip", "strip_left": false, "strip_right": true},
			obj{"type": "Replace", "pattern": obj{"Regex": " {2,}"}, "content": spaceSymbol})
	}
	scheme := "always"
	if !s.addDummyPrefix {
		scheme = "never"
	}
	meta := obj{"type": "Metaspace", "replacement": spaceSymbol, "prepend_scheme": scheme, "split": true}
	eos := obj{"SpecialToken": obj{"id": "</s>", "type_id": 0}}
	out := obj{
		"version":       "1.0",
		"truncation":    nil,
		"padding":       nil,
		"added_tokens":  added,
		"normalizer":    obj{"type": "Sequence", "normalizers": norms},
		"pre_tokenizer": meta,
		"post_processor": obj{
			"type":           "TemplateProcessing",
			"single":         []obj{{"Sequence": obj{"id": "A", "type_id": 0}}, eos},
			"pair":           []obj{{"Sequence": obj{"id": "A", "type_id": 0}}, eos, {"Sequence": obj{"id": "B", "type_id": 0}}, eos},
			"special_tokens": obj{"</s>": obj{"id": "</s>", "ids": []int32{t.eosID}, "tokens": []string{"</s>"}}},
		},
		"decoder": meta,
		"model":   obj{"type": "Unigram", "unk_id": t.m.unkID, "vocab": vocab, "byte_fallback": s.byteFallback},
	}
	return json.MarshalIndent(out, "", "  ")
}

// sniffModelType splits a tokenizer.json into its top-level members and
// the model's (one pass of skipValue, nothing decoded) and returns them with
// model.type ("" when it cannot tell).
func sniffModelType(data []byte) (top, model map[string][]byte, typ string) {
	top, err := objectMembers(data)
	if err != nil {
		return nil, nil, ""
	}
	mm, err := objectMembers(top["model"])
	if err != nil {
		return nil, nil, ""
	}
	if json.Unmarshal(mm["type"], &typ) != nil {
		return nil, nil, ""
	}
	return top, mm, typ
}
