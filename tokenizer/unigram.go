package tokenizer

// unkPenalty is sentencepiece's kUnkPenalty: an unknown character scores
// min_score - 10.
const unkPenalty = float32(10)

type pathNode struct {
	id    int32
	start int32 // -1: not reached yet
	score float32
}

// span is one piece of a segmentation: its id and its byte range in the
// normalized string.
type span struct {
	id         int32
	start, end int32
}

// encoder holds the scratch buffers of one encoding, reused across calls.
type encoder struct {
	canon []byte
	norm  []byte
	nodes []pathNode
	spans []span
	bpe   bpeScratchAll
}

// viterbi segments the normalized string as sentencepiece's
// unigram Model::EncodeOptimized does, and appends the best path to e.spans
// (in order). Scores follow the C++ types: a candidate is computed in double
// and stored as float.
func (m *model) viterbi(e *encoder, norm string) {
	size := len(norm)
	if cap(e.nodes) < size+1 {
		e.nodes = make([]pathNode, size+1)
	}
	nodes := e.nodes[:size+1]
	for i := range nodes {
		nodes[i] = pathNode{id: -1, start: -1}
	}
	nodes[0].start = 0
	unkScore := m.minScore - unkPenalty
	for start := 0; start < size; {
		till := nodes[start].score
		mblen := min(oneCharLen(norm[start]), size-start)
		hasSingle := false
		node := int32(0)
		for pos := start; pos < size; pos++ {
			var ok bool
			if node, ok = m.trie.step(node, norm[pos]); !ok {
				break
			}
			id := m.trie.value[node]
			if id < 0 {
				continue
			}
			p := &m.pieces[id]
			if p.typ == TypeUnused {
				continue
			}
			length := pos + 1 - start
			var score float64
			if p.typ == TypeUserDefined {
				score = float64(float32(length)*m.maxScore) - 0.1
			} else {
				score = float64(p.score)
			}
			cand := score + float64(till)
			t := &nodes[pos+1]
			if t.start == -1 || cand > float64(t.score) {
				t.score = float32(cand)
				t.start = int32(start)
				t.id = id
			}
			if length == mblen {
				hasSingle = true
			}
		}
		if !hasSingle {
			t := &nodes[start+mblen]
			cand := unkScore + till
			if t.start == -1 || cand > t.score {
				t.score = cand
				t.start = int32(start)
				t.id = m.unkID
			}
		}
		start += mblen
	}
	// Backtrack, then reverse in place.
	first := len(e.spans)
	for end := size; end > 0; {
		n := nodes[end]
		e.spans = append(e.spans, span{id: n.id, start: n.start, end: int32(end)})
		end = int(n.start)
	}
	s := e.spans[first:]
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// oneCharLen is sentencepiece's OneCharLen: the UTF-8 sequence length that
// the lead byte announces (1 for a stray continuation byte).
func oneCharLen(b byte) int {
	return int("\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x02\x02\x03\x04"[b>>4])
}

// emit appends the ids of a segmentation to dst: consecutive unknown pieces
// are fused into one <unk> (sentencepiece's behaviour), or, when the model
// has byte fallback, replaced by the <0xXX> pieces of their UTF-8 bytes.
func (m *model) emit(dst []int32, spans []span, norm string) []int32 {
	prevUnk := false
	for _, sp := range spans {
		if sp.id == m.unkID {
			if m.byteFallback {
				for i := sp.start; i < sp.end; i++ {
					dst = append(dst, m.bytePiece[norm[i]])
				}
				continue
			}
			if prevUnk {
				continue
			}
			prevUnk = true
			dst = append(dst, sp.id)
			continue
		}
		prevUnk = false
		dst = append(dst, sp.id)
	}
	return dst
}

// emitPieces is emit returning piece strings (the surface text for <unk>), for tests and debugging.
func (m *model) emitPieces(dst []string, spans []span, norm string) []string {
	prevUnk := false
	for _, sp := range spans {
		if sp.id == m.unkID {
			if m.byteFallback {
				for i := sp.start; i < sp.end; i++ {
					dst = append(dst, m.pieces[m.bytePiece[norm[i]]].text)
				}
				continue
			}
			if prevUnk {
				dst[len(dst)-1] += norm[sp.start:sp.end]
				continue
			}
			prevUnk = true
			dst = append(dst, norm[sp.start:sp.end])
			continue
		}
		prevUnk = false
		dst = append(dst, m.pieces[sp.id].text)
	}
	return dst
}
