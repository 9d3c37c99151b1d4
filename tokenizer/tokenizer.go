package tokenizer

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unsafe"
)

// Tokenizer turns label text into SigLIP input ids. It is safe for
// concurrent use (after SetText, if that is called).
type Tokenizer struct {
	m         *model       // a SentencePiece Unigram model, or
	bpe       *bpePipeline // a Hugging Face BPE tokenizer.json (Gemma)
	unkID     int32
	vocabSize int  // pieces, plus one when </s> had to be added
	addedEOS  bool // </s> is not a piece: it got id len(pieces), as transformers adds it

	text                TextConfig
	padID, bosID, eosID int32 // bosID, eosID: -1 for none
	pool                sync.Pool
}

// Load reads a SentencePiece spiece.model (protobuf) or a Hugging Face
// tokenizer.json with a Unigram or BPE model, telling them apart by
// content. The text pipeline is DefaultText until SetText.
func Load(data []byte) (*Tokenizer, error) {
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return LoadTokenizerJSON(data)
	}
	return LoadSentencePiece(data)
}

// LoadSentencePiece reads a serialized sentencepiece ModelProto (spiece.model).
func LoadSentencePiece(data []byte) (*Tokenizer, error) {
	s, err := parseModelProto(data)
	return build("spiece.model", s, err, newTokenizer)
}

func newTokenizer(s *spec) (*Tokenizer, error) {
	m, err := newModel(s)
	if err != nil {
		return nil, err
	}
	t := &Tokenizer{m: m, unkID: m.unkID, vocabSize: len(m.pieces)}
	if _, ok := m.index["</s>"]; !ok && m.bpe == nil { // SiglipTokenizer's added </s>
		t.vocabSize++
		t.addedEOS = true
	}
	if id, ok := m.index["<unk>"]; ok {
		t.unkID = id
	}
	return t, t.finish()
}

func newBPETokenizer(p *bpePipeline) (*Tokenizer, error) {
	t := &Tokenizer{bpe: p, unkID: p.model.unk, vocabSize: p.nVocab}
	return t, t.finish()
}

func (t *Tokenizer) finish() error {
	t.pool.New = func() any { return new(encoder) }
	return t.SetText(t.DefaultText())
}

// tokenID is the id of a token string (an added </s> included).
func (t *Tokenizer) tokenID(s string) (int32, bool) {
	if t.bpe != nil {
		return t.bpe.tokenID(s)
	}
	if t.addedEOS && s == "</s>" {
		return int32(len(t.m.pieces)), true
	}
	id, ok := t.m.index[s]
	return id, ok
}

// EOSID is the id of the token appended to every text (-1: none).
func (t *Tokenizer) EOSID() int32 { return t.eosID }

// BOSID is the id of the token put before every text (-1: none).
func (t *Tokenizer) BOSID() int32 { return t.bosID }

// PadID is the padding id (SigLIP: </s>; SigLIP 2: <pad>).
func (t *Tokenizer) PadID() int32 { return t.padID }

// UnkID is the id of <unk> (-1 for a BPE model without one).
func (t *Tokenizer) UnkID() int32 { return t.unkID }

// VocabSize counts the ids: the pieces (plus </s> when it had to be added),
// or a BPE file's vocabulary and added tokens.
func (t *Tokenizer) VocabSize() int { return t.vocabSize }

// Encode runs the text pipeline on one text: SigLIP's canonicalisation and
// SentencePiece (Unigram), or the tokenizer.json pipeline (BPE), with the
// bos / eos tokens. No truncation, no padding.
func (t *Tokenizer) Encode(text string) []int32 {
	var dst []int32
	if t.bosID >= 0 {
		dst = append(dst, t.bosID)
	}
	dst = t.encodeText(dst, text)
	if t.eosID >= 0 {
		dst = append(dst, t.eosID)
	}
	return dst
}

// encodeText appends the ids of text, without bos / eos.
func (t *Tokenizer) encodeText(dst []int32, text string) []int32 {
	e := t.pool.Get().(*encoder)
	defer t.pool.Put(e)
	if t.bpe != nil {
		return t.bpe.encode(dst, text, t.text.Lowercase, &e.bpe)
	}
	if t.m.bpe != nil {
		// SigLIP 2 on a tokenizer.model: lowercased per character (as the
		// tokenizer.json path), then SentencePiece with its own normalizer.
		e.bpe.clean = appendValidUTF8(e.bpe.clean[:0], text)
		if t.text.Lowercase {
			e.bpe.tmp = lowercaseChars(e.bpe.tmp[:0], e.bpe.clean)
			e.bpe.clean, e.bpe.tmp = e.bpe.tmp, e.bpe.clean
		}
		return t.m.encodeRaw(dst, e, unsafe.String(unsafe.SliceData(e.bpe.clean), len(e.bpe.clean)))
	}
	// The canonical text is then encoded by SentencePiece with the dummy
	// prefix on: what transformers 5's SiglipTokenizer produces (its goldens
	// agree with sp.encode(canonical) on every test string).
	e.canon = canonicalizeCase(e.canon[:0], text, t.text.Lowercase)
	if len(e.canon) == 0 {
		return dst
	}
	e.norm = t.m.normalize(e.norm[:0], unsafe.String(&e.canon[0], len(e.canon)), true)
	if len(e.norm) == 0 {
		return dst
	}
	ns := unsafe.String(&e.norm[0], len(e.norm)) // e.norm is not touched until ns is dead
	e.spans = e.spans[:0]
	t.m.viterbi(e, ns)
	return t.m.emit(dst, e.spans, ns)
}

// maxMaxLen bounds EncodeBatch's row length (SigLIP uses 64), so that a bad
// argument is an error rather than a huge allocation.
const maxMaxLen = 1 << 16

// EncodeBatch encodes texts as transformers' processor does with
// padding="max_length", truncation=True: each row is [bos] ids [eos], the
// ids cut so that the row fits maxLen, then padding up to maxLen (after the
// ids, or before them with padding_side "left"). The result is row-major
// [len(texts), maxLen].
func (t *Tokenizer) EncodeBatch(texts []string, maxLen int) ([]int32, error) {
	if maxLen < 1 || maxLen > maxMaxLen {
		return nil, fmt.Errorf("tokenizer: max length %d is outside 1..%d", maxLen, maxMaxLen)
	}
	keep := maxLen
	if t.bosID >= 0 {
		keep--
	}
	if t.eosID >= 0 {
		keep--
	}
	if keep < 0 {
		return nil, fmt.Errorf("tokenizer: max length %d leaves no room for the bos and eos tokens", maxLen)
	}
	out := make([]int32, 0, len(texts)*maxLen)
	for _, text := range texts {
		row := len(out)
		if t.bosID >= 0 {
			out = append(out, t.bosID)
		}
		ids := len(out)
		out = t.encodeText(out, text)
		if len(out)-ids > keep {
			out = out[:ids+keep]
		}
		if t.eosID >= 0 {
			out = append(out, t.eosID)
		}
		n := len(out) - row
		for len(out)-row < maxLen {
			out = append(out, t.padID)
		}
		if t.text.PadLeft && n < maxLen {
			r := out[row:]
			copy(r[maxLen-n:], r[:n]) // copy handles the overlap
			for i := range r[:maxLen-n] {
				r[i] = t.padID
			}
		}
	}
	return out, nil
}

// EncodeRaw is the tokenizer model on its own: plain SentencePiece
// (sp.encode: the model's own normalizer and dummy prefix, no SigLIP
// canonicalisation) or the tokenizer.json pipeline with
// add_special_tokens=False (no lowercasing of ours); no bos / eos.
func (t *Tokenizer) EncodeRaw(text string) []int32 {
	e := t.pool.Get().(*encoder)
	defer t.pool.Put(e)
	if t.bpe != nil {
		return t.bpe.encode(nil, text, false, &e.bpe)
	}
	return t.m.encodeRaw(nil, e, text)
}

// encodeRaw appends sp.encode(text): the model's own normalizer and dummy
// prefix, then Viterbi (Unigram) or merges (BPE).
func (m *model) encodeRaw(dst []int32, e *encoder, text string) []int32 {
	e.norm = m.normalize(e.norm[:0], text, m.addDummyPrefix)
	if len(e.norm) == 0 {
		return dst
	}
	ns := unsafe.String(&e.norm[0], len(e.norm))
	if m.bpe != nil {
		return m.spBPEEncode(dst, ns, &e.bpe.bpe)
	}
	e.spans = e.spans[:0]
	m.viterbi(e, ns)
	return m.emit(dst, e.spans, ns)
}

// EncodeRawPieces is EncodeRaw returning piece strings (sp.encode(out_type=str)).
func (t *Tokenizer) EncodeRawPieces(text string) []string {
	if t.bpe != nil || t.m.bpe != nil {
		// For a SentencePiece BPE model an unknown character without byte
		// fallback shows as the unk piece, where sp shows its surface.
		ids := t.EncodeRaw(text)
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i], _ = t.Piece(id)
		}
		return out
	}
	e := new(encoder)
	norm := string(t.m.normalize(nil, text, t.m.addDummyPrefix))
	t.m.viterbi(e, norm)
	return t.m.emitPieces(nil, e.spans, norm)
}

// Piece returns the piece string of an id ("</s>" for an added </s>).
func (t *Tokenizer) Piece(id int32) (string, bool) {
	if t.bpe != nil {
		if id < 0 || int(id) >= len(t.bpe.pieces) || t.bpe.pieces[id] == "" {
			return "", false
		}
		return t.bpe.pieces[id], true
	}
	if t.addedEOS && int(id) == len(t.m.pieces) {
		return "</s>", true
	}
	if id < 0 || int(id) >= len(t.m.pieces) {
		return "", false
	}
	return t.m.pieces[id].text, true
}

// Decode turns ids back into text for debugging, as sentencepiece's decode
// does: control pieces (</s>, padding) vanish, <unk> shows as the model's
// unk surface (" ⁇ "), byte pieces are reassembled, ▁ becomes a space. For
// a BPE file, as its Gemma decoder (Replace ▁ → space, ByteFallback, Fuse)
// with skip_special_tokens.
func (t *Tokenizer) Decode(ids []int32) (string, error) {
	var b strings.Builder
	var pending []byte
	flush := func() {
		if len(pending) > 0 {
			b.WriteString(strings.ToValidUTF8(string(pending), "\uFFFD"))
			pending = pending[:0]
		}
	}
	if t.bpe != nil {
		for _, id := range ids {
			p, ok := t.Piece(id)
			if !ok {
				return "", fmt.Errorf("tokenizer: id %d is outside the vocabulary (size %d)", id, t.vocabSize)
			}
			if t.bpe.special[id] {
				continue
			}
			if v, ok := parseBytePiece(p); ok && t.bpe.model.byteFallback {
				pending = append(pending, v)
				continue
			}
			flush()
			b.WriteString(strings.ReplaceAll(p, spaceSymbol, " "))
		}
		flush()
		return b.String(), nil
	}
	for _, id := range ids {
		if t.addedEOS && int(id) == len(t.m.pieces) {
			continue
		}
		if id < 0 || int(id) >= len(t.m.pieces) {
			return "", fmt.Errorf("tokenizer: id %d is outside the vocabulary (size %d)", id, t.vocabSize)
		}
		p := t.m.pieces[id]
		switch p.typ {
		case TypeControl:
			continue
		case TypeByte:
			v, _ := parseBytePiece(p.text)
			pending = append(pending, v)
			continue
		}
		flush()
		if p.typ == TypeUnknown {
			b.WriteString(t.m.unkSurface)
			continue
		}
		b.WriteString(strings.ReplaceAll(p.text, spaceSymbol, " "))
	}
	flush()
	s := b.String()
	if t.m.addDummyPrefix {
		s = strings.TrimPrefix(s, " ")
	}
	return s, nil
}

var errNotSupportedModel = errors.New("only Unigram and BPE models are supported")

// Canonicalize returns SigLIP's canonical form of text (lowercased, ASCII
// punctuation deleted, whitespace collapsed and stripped): what the
// SentencePiece model sees in Encode.
func Canonicalize(text string) string { return string(canonicalize(nil, text)) }

// Lowercase returns text lowercased as the BPE path does (tokenizers'
// per-character Lowercase), with malformed UTF-8 replaced by U+FFFD.
func Lowercase(text string) string {
	return string(lowercaseChars(nil, appendValidUTF8(nil, text)))
}
