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
// concurrent use.
type Tokenizer struct {
	m         *model
	eosID     int32
	unkID     int32
	vocabSize int  // pieces, plus one when </s> had to be added
	addedEOS  bool // </s> is not a piece: it got id len(pieces), as transformers adds it
	pool      sync.Pool
}

// Load reads a SentencePiece spiece.model (protobuf) or a Hugging Face
// tokenizer.json with a Unigram model, telling them apart by content.
func Load(data []byte) (*Tokenizer, error) {
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return LoadTokenizerJSON(data)
	}
	return LoadSentencePiece(data)
}

// LoadSentencePiece reads a serialized sentencepiece ModelProto (spiece.model).
func LoadSentencePiece(data []byte) (*Tokenizer, error) {
	s, err := parseModelProto(data)
	if err != nil {
		return nil, fmt.Errorf("spiece.model: %w", err)
	}
	t, err := newTokenizer(s)
	if err != nil {
		return nil, fmt.Errorf("spiece.model: %w", err)
	}
	return t, nil
}

func newTokenizer(s *spec) (*Tokenizer, error) {
	m, err := newModel(s)
	if err != nil {
		return nil, err
	}
	t := &Tokenizer{m: m, unkID: m.unkID, vocabSize: len(m.pieces)}
	if id, ok := m.index["</s>"]; ok {
		t.eosID = id
	} else {
		t.eosID = int32(len(m.pieces))
		t.vocabSize++
		t.addedEOS = true
	}
	if id, ok := m.index["<unk>"]; ok {
		t.unkID = id
	}
	t.pool.New = func() any { return new(encoder) }
	return t, nil
}

// EOSID is the id of </s>, which SigLIP appends and pads with.
func (t *Tokenizer) EOSID() int32 { return t.eosID }

// PadID is SigLIP's padding id: </s> as well.
func (t *Tokenizer) PadID() int32 { return t.eosID }

// UnkID is the id of <unk>.
func (t *Tokenizer) UnkID() int32 { return t.unkID }

// VocabSize counts the pieces, plus </s> when it had to be added.
func (t *Tokenizer) VocabSize() int { return t.vocabSize }

// Encode runs SigLIP's text pipeline on one text: canonicalisation,
// SentencePiece, then </s>. No truncation, no padding.
func (t *Tokenizer) Encode(text string) []int32 {
	return append(t.encodeSiglip(nil, text), t.eosID)
}

// encodeSiglip appends the SentencePiece ids of text's canonical form.
func (t *Tokenizer) encodeSiglip(dst []int32, text string) []int32 {
	e := t.pool.Get().(*encoder)
	defer t.pool.Put(e)
	// The canonical text is then encoded by SentencePiece with the dummy
	// prefix on: what transformers 5's SiglipTokenizer produces (its goldens
	// agree with sp.encode(canonical) on every test string).
	e.canon = canonicalize(e.canon[:0], text)
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

// EncodeBatch encodes texts as SigLIP's processor does with
// padding="max_length", truncation=True: each row is the ids, cut to
// maxLen-1, then </s>, then </s> padding up to maxLen. The result is
// row-major [len(texts), maxLen].
func (t *Tokenizer) EncodeBatch(texts []string, maxLen int) ([]int32, error) {
	if maxLen < 1 || maxLen > maxMaxLen {
		return nil, fmt.Errorf("tokenizer: max length %d is outside 1..%d", maxLen, maxMaxLen)
	}
	out := make([]int32, 0, len(texts)*maxLen)
	for _, text := range texts {
		row := len(out)
		out = t.encodeSiglip(out, text)
		if len(out)-row > maxLen-1 {
			out = out[:row+maxLen-1]
		}
		for len(out)-row < maxLen {
			out = append(out, t.eosID)
		}
	}
	return out, nil
}

// EncodeRaw is plain SentencePiece (sp.encode): the model's own normalizer
// and dummy prefix, no SigLIP canonicalisation, no </s>.
func (t *Tokenizer) EncodeRaw(text string) []int32 {
	e := t.pool.Get().(*encoder)
	defer t.pool.Put(e)
	e.norm = t.m.normalize(e.norm[:0], text, t.m.addDummyPrefix)
	if len(e.norm) == 0 {
		return nil
	}
	ns := unsafe.String(&e.norm[0], len(e.norm))
	e.spans = e.spans[:0]
	t.m.viterbi(e, ns)
	return t.m.emit(nil, e.spans, ns)
}

// EncodeRawPieces is EncodeRaw returning piece strings (sp.encode(out_type=str)).
func (t *Tokenizer) EncodeRawPieces(text string) []string {
	e := new(encoder)
	norm := string(t.m.normalize(nil, text, t.m.addDummyPrefix))
	t.m.viterbi(e, norm)
	return t.m.emitPieces(nil, e.spans, norm)
}

// Piece returns the piece string of an id ("</s>" for an added </s>).
func (t *Tokenizer) Piece(id int32) (string, bool) {
	if t.addedEOS && id == t.eosID {
		return "</s>", true
	}
	if id < 0 || int(id) >= len(t.m.pieces) {
		return "", false
	}
	return t.m.pieces[id].text, true
}

// Decode turns ids back into text for debugging, as sentencepiece's decode
// does: control pieces (</s>, padding) vanish, <unk> shows as the model's
// unk surface (" ⁇ "), byte pieces are reassembled, ▁ becomes a space.
func (t *Tokenizer) Decode(ids []int32) (string, error) {
	var b strings.Builder
	var pending []byte
	flush := func() {
		if len(pending) > 0 {
			b.WriteString(strings.ToValidUTF8(string(pending), "\uFFFD"))
			pending = pending[:0]
		}
	}
	for _, id := range ids {
		if t.addedEOS && id == t.eosID {
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

var errNotUnigram = errors.New("only Unigram models are supported")

// Canonicalize returns SigLIP's canonical form of text (lowercased, ASCII
// punctuation deleted, whitespace collapsed and stripped): what the
// SentencePiece model sees in Encode.
func Canonicalize(text string) string { return string(canonicalize(nil, text)) }
