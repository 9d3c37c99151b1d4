package tokenizer

import (
	"container/heap"
	"unicode/utf8"
)

// bpeModel is a Hugging Face tokenizers BPE model (the Gemma layout: a
// vocabulary, ranked merges, byte fallback, fused <unk>), encoding one
// pre-tokenized word as tokenizers' BPE::merge_word + Word::merge_all do.
type bpeModel struct {
	vocab  map[string]int32
	merges map[uint64]uint64 // pair (a<<32 | b) → rank<<32 | merged id

	unk          int32 // -1: no unk token
	byteFallback bool
	fuseUnk      bool
	ignoreMerges bool
	bytePiece    [256]int32 // <0xXX> ids, -1 where missing
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// bpeSymbol is one symbol of a word being merged: a token id and its
// neighbours (a doubly linked list over the word's initial characters).
type bpeSymbol struct {
	id         int32
	prev, next int32 // -1 at the ends
	dead       bool  // merged into its left neighbour
}

type bpeMerge struct {
	rank, pos, newID int32
}

// bpeQueue is a min-heap on (rank, pos): the lowest-ranked merge first, the
// leftmost among equal ranks, as tokenizers orders its merge queue.
type bpeQueue []bpeMerge

func (q bpeQueue) Len() int { return len(q) }
func (q bpeQueue) Less(i, j int) bool {
	if q[i].rank != q[j].rank {
		return q[i].rank < q[j].rank
	}
	return q[i].pos < q[j].pos
}
func (q bpeQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *bpeQueue) Push(x any)   { *q = append(*q, x.(bpeMerge)) }
func (q *bpeQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// bpeScratch is an encoder's reusable BPE state.
type bpeScratch struct {
	syms  []bpeSymbol
	queue bpeQueue
}

// word appends the ids of one pre-tokenized word (valid UTF-8) to dst.
func (m *bpeModel) word(dst []int32, w string, sc *bpeScratch) []int32 {
	if w == "" {
		return dst
	}
	if m.ignoreMerges {
		if id, ok := m.vocab[w]; ok {
			return append(dst, id)
		}
	}
	syms := sc.syms[:0]
	add := func(id int32) {
		syms = append(syms, bpeSymbol{id: id, prev: int32(len(syms)) - 1, next: int32(len(syms)) + 1})
	}
	unkPending := false
	for i := 0; i < len(w); {
		_, n := utf8.DecodeRuneInString(w[i:])
		ch := w[i : i+n]
		i += n
		if id, ok := m.vocab[ch]; ok {
			if unkPending {
				add(m.unk)
				unkPending = false
			}
			add(id)
			continue
		}
		if m.byteFallback && m.hasBytes(ch) {
			// As tokenizers does, a pending <unk> is not flushed here: it
			// lands after these bytes, before the next known character.
			for j := 0; j < len(ch); j++ {
				add(m.bytePiece[ch[j]])
			}
			continue
		}
		if m.unk < 0 {
			continue // no unk token: the character is dropped
		}
		if unkPending && !m.fuseUnk {
			add(m.unk)
		}
		unkPending = true
	}
	if unkPending {
		add(m.unk)
	}
	if len(syms) == 0 {
		sc.syms = syms
		return dst
	}
	syms[len(syms)-1].next = -1

	q := sc.queue[:0]
	for i := 0; i+1 < len(syms); i++ {
		if v, ok := m.merges[pairKey(syms[i].id, syms[i+1].id)]; ok {
			q = append(q, bpeMerge{rank: int32(v >> 32), pos: int32(i), newID: int32(uint32(v))})
		}
	}
	heap.Init(&q)
	for q.Len() > 0 {
		top := heap.Pop(&q).(bpeMerge)
		s := &syms[top.pos]
		if s.dead || s.next < 0 {
			continue
		}
		right := &syms[s.next]
		if v, ok := m.merges[pairKey(s.id, right.id)]; !ok || int32(uint32(v)) != top.newID {
			continue // stale: one side has changed since this merge was queued
		}
		s.id = top.newID
		right.dead = true
		s.next = right.next
		if s.next >= 0 {
			syms[s.next].prev = top.pos
		}
		if s.prev >= 0 {
			if v, ok := m.merges[pairKey(syms[s.prev].id, s.id)]; ok {
				heap.Push(&q, bpeMerge{rank: int32(v >> 32), pos: s.prev, newID: int32(uint32(v))})
			}
		}
		if s.next >= 0 {
			if v, ok := m.merges[pairKey(s.id, syms[s.next].id)]; ok {
				heap.Push(&q, bpeMerge{rank: int32(v >> 32), pos: top.pos, newID: int32(uint32(v))})
			}
		}
	}
	for i := int32(0); i >= 0; i = syms[i].next {
		dst = append(dst, syms[i].id)
	}
	sc.syms, sc.queue = syms, q
	return dst
}

func (m *bpeModel) hasBytes(ch string) bool {
	for j := 0; j < len(ch); j++ {
		if m.bytePiece[ch[j]] < 0 {
			return false
		}
	}
	return true
}
