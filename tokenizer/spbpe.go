package tokenizer

import (
	"fmt"
	"math"
	"slices"
	"unicode/utf8"
)

// SentencePiece BPE (model_type BPE in a tokenizer.model / spiece.model, as
// Gemma and SigLIP 2 ship it), following sentencepiece's bpe_model.cc
// Model::SampleEncode without sampling: the normalized text is split into
// characters (user-defined pieces kept whole and frozen), then the adjacent
// pair whose concatenation is the highest-scoring piece is merged, the
// leftmost among equal scores, until no pair is a piece; a symbol that is no
// piece is <unk>, or its UTF-8 bytes as <0xXX> pieces with byte_fallback.
//
// That is the merge loop of bpe.go with merges derived from the pieces: for
// every NORMAL piece and every split of it into two live symbols (a single
// character, or a NORMAL piece), the pair merges into it with the piece's
// score as its rank. Characters that occur inside pieces but are no piece
// themselves get ids past the vocabulary (sentencepiece keeps them as
// strings, so they still merge); they come out as unknown characters.

// newSPBPE builds the merge table of a BPE ModelProto on top of its
// normalizer and pieces (m, from newModel).
func newSPBPE(m *model) (*bpeModel, error) {
	b := &bpeModel{
		vocab:        make(map[string]int32),
		merges:       make(map[uint64]uint64),
		unk:          m.unkID,
		byteFallback: m.byteFallback,
		bytePiece:    m.bytePiece,
	}
	var normal []int32
	for i, p := range m.pieces {
		switch p.typ {
		case TypeUnused:
			// sentencepiece re-segments UNUSED pieces through the splits it
			// happened to queue last; no SentencePiece BPE trainer writes them.
			return nil, fmt.Errorf("piece %d %q is UNUSED: not supported in a BPE model", i, p.text)
		case TypeNormal:
			if math.IsNaN(float64(p.score)) {
				return nil, fmt.Errorf("piece %d %q has score NaN", i, p.text)
			}
			normal = append(normal, int32(i))
		}
		if (p.typ == TypeNormal || p.typ == TypeUserDefined) && utf8.RuneCountInString(p.text) == 1 {
			// A character's id, as sentencepiece's PieceToId. A character
			// whose piece is CONTROL or UNKNOWN is treated as no piece
			// (sentencepiece encodes nothing at all for a text holding one).
			b.vocab[p.text] = int32(i)
		}
	}
	// Ranks: the pieces by score, highest first; equal scores share a rank so
	// that the leftmost pair wins, as sentencepiece's agenda orders them.
	slices.SortStableFunc(normal, func(x, y int32) int {
		sx, sy := m.pieces[x].score, m.pieces[y].score
		switch {
		case sx > sy:
			return -1
		case sx < sy:
			return 1
		}
		return 0
	})
	nPieces := int32(len(m.pieces))
	// char is the id of a one-character symbol (a virtual id when the
	// character is no piece); -1 when it is frozen (user-defined).
	char := func(s string) int32 {
		id, ok := b.vocab[s]
		if !ok {
			id = nPieces + int32(len(m.virtual))
			m.virtual = append(m.virtual, s)
			b.vocab[s] = id
		}
		if id < nPieces && m.pieces[id].typ == TypeUserDefined {
			return -1
		}
		return id
	}
	// The splits of a piece into two NORMAL pieces come from a forward and a
	// backward trie walk along it: linear in the pieces' bytes, so a hostile
	// file with long pieces cannot make the load quadratic.
	fwdKeys := make([]trieKey, len(normal))
	revKeys := make([]trieKey, len(normal))
	for k, id := range normal {
		text := m.pieces[id].text
		rev := make([]byte, len(text))
		for i := range rev {
			rev[i] = text[len(text)-1-i]
		}
		fwdKeys[k], revKeys[k] = trieKey{text, id}, trieKey{string(rev), id}
	}
	fwd, bwd := buildTrie(fwdKeys), buildTrie(revKeys)
	var prefix, suffix []int32 // by split offset: the NORMAL piece text[:i] / text[i:], or -1
	walk := func(t *pieceTrie, text string, out []int32, reverse bool) {
		node := int32(0)
		for k := 0; k < len(text) && len(t.value) > 0; k++ {
			c := text[k]
			if reverse {
				c = text[len(text)-1-k]
			}
			var ok bool
			if node, ok = t.step(node, c); !ok {
				return
			}
			if reverse {
				out[len(text)-1-k] = t.value[node]
			} else {
				out[k+1] = t.value[node]
			}
		}
	}
	rank := uint64(0)
	for k, id := range normal {
		if k > 0 && m.pieces[id].score != m.pieces[normal[k-1]].score {
			rank++
		}
		text := m.pieces[id].text
		prefix, suffix = slices.Grow(prefix[:0], len(text)+1)[:len(text)+1], slices.Grow(suffix[:0], len(text)+1)[:len(text)+1]
		for i := range prefix {
			prefix[i], suffix[i] = -1, -1
		}
		walk(&fwd, text, prefix, false)
		walk(&bwd, text, suffix, true)
		_, first := utf8.DecodeRuneInString(text)
		_, last := utf8.DecodeLastRuneInString(text)
		for i := first; i < len(text); {
			l, r := prefix[i], suffix[i]
			if i == first {
				l = char(text[:i])
			}
			if i == len(text)-last {
				r = char(text[i:])
			}
			if l >= 0 && r >= 0 {
				b.merges[pairKey(l, r)] = rank<<32 | uint64(uint32(id))
			}
			_, n := utf8.DecodeRuneInString(text[i:])
			i += n
		}
	}
	return b, nil
}

// spBPEEncode appends the ids of a normalized string: user-defined pieces
// split out whole (sentencepiece's PrefixMatcher freezes them), BPE on the
// stretches between them.
func (m *model) spBPEEncode(dst []int32, norm string, sc *bpeScratch) []int32 {
	n0 := len(dst)
	start := 0
	for i := 0; i < len(norm); {
		if m.hasUser {
			if n := m.userTrie.longest(norm[i:]); n > 0 {
				dst = m.spBPEWord(dst, norm[start:i], sc)
				dst = append(dst, m.index[norm[i:i+n]])
				i += n
				start = i
				continue
			}
		}
		_, n := utf8.DecodeRuneInString(norm[i:])
		i += n
	}
	dst = m.spBPEWord(dst, norm[start:], sc)
	if m.byteFallback {
		return dst
	}
	// Without byte fallback sentencepiece_processor.cc merges a run of
	// unknown pieces into one <unk>.
	out := dst[:n0]
	for i := n0; i < len(dst); i++ {
		if dst[i] != m.unkID || i == n0 || dst[i-1] != m.unkID {
			out = append(out, dst[i])
		}
	}
	return out
}

// spBPEWord runs the merge loop on one stretch and turns the virtual ids of
// unmerged unknown characters into <unk> or their bytes.
func (m *model) spBPEWord(dst []int32, w string, sc *bpeScratch) []int32 {
	n := len(dst)
	dst = m.bpe.word(dst, w, sc)
	nPieces := int32(len(m.pieces))
	for i := n; i < len(dst); i++ {
		if dst[i] < nPieces {
			continue
		}
		// Rare (a character found only inside pieces): rebuild the tail.
		tail := append([]int32(nil), dst[i:]...)
		dst = dst[:i]
		for _, id := range tail {
			if id < nPieces {
				dst = append(dst, id)
			} else if ch := m.virtual[id-nPieces]; m.byteFallback {
				for j := 0; j < len(ch); j++ {
					dst = append(dst, m.bytePiece[ch[j]])
				}
			} else {
				dst = append(dst, m.unkID)
			}
		}
		break
	}
	return dst
}
