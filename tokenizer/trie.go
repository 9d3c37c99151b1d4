package tokenizer

import (
	"slices"
	"strings"
)

// pieceTrie is a byte trie over piece strings in compressed-sparse-row form:
// node n's edges are labels[first[n]:first[n+1]] (sorted) with targets in
// child; the root's edges are also a direct 256-entry table. It is built
// once from the sorted pieces (no per-node allocations) and walked without
// allocating or hashing.
type pieceTrie struct {
	root   [256]int32 // child of the root by byte, or -1
	first  []int32
	labels []byte
	child  []int32
	value  []int32 // per node: piece id ending here, or -1
}

type trieKey struct {
	text string
	id   int32
}

// buildTrie builds the trie of keys (texts must be distinct).
func buildTrie(keys []trieKey) pieceTrie {
	slices.SortFunc(keys, func(a, b trieKey) int { return strings.Compare(a.text, b.text) })
	total := 1 // an upper bound on the node count: one per key byte, plus the root
	for _, k := range keys {
		total += len(k.text)
	}
	t := pieceTrie{first: make([]int32, 0, total+1), labels: make([]byte, 0, total),
		child: make([]int32, 0, total), value: make([]int32, 0, total)}
	type job struct{ lo, hi, depth int32 }
	queue := make([]job, 1, total) // queue[n] describes node n
	queue[0] = job{0, int32(len(keys)), 0}
	for n := 0; n < len(queue); n++ {
		j := queue[n]
		t.first = append(t.first, int32(len(t.labels)))
		lo := j.lo
		val := int32(-1)
		if lo < j.hi && len(keys[lo].text) == int(j.depth) {
			val = keys[lo].id
			lo++
		}
		t.value = append(t.value, val)
		for lo < j.hi {
			c := keys[lo].text[j.depth]
			hi := lo + 1
			for hi < j.hi && keys[hi].text[j.depth] == c {
				hi++
			}
			t.labels = append(t.labels, c)
			t.child = append(t.child, int32(len(queue)))
			queue = append(queue, job{lo, hi, j.depth + 1})
			lo = hi
		}
	}
	t.first = append(t.first, int32(len(t.labels)))
	for i := range t.root {
		t.root[i] = -1
	}
	for e := t.first[0]; e < t.first[1]; e++ {
		t.root[t.labels[e]] = t.child[e]
	}
	return t
}

// step follows byte c from node; ok is false when there is no such edge.
func (t *pieceTrie) step(node int32, c byte) (int32, bool) {
	if node == 0 {
		next := t.root[c]
		return next, next >= 0
	}
	lo, hi := int(t.first[node]), int(t.first[node+1])
	for hi-lo > 8 {
		mid := int(uint(lo+hi) >> 1)
		if t.labels[mid] < c {
			lo = mid + 1
		} else {
			hi = mid + 1 // labels[mid] may be c itself
		}
	}
	for ; lo < hi; lo++ {
		if l := t.labels[lo]; l >= c {
			if l == c {
				return t.child[lo], true
			}
			break
		}
	}
	return 0, false
}

// longest returns the length of the longest piece that prefixes s (0: none).
func (t *pieceTrie) longest(s string) int {
	if len(t.value) == 0 {
		return 0
	}
	node, best := int32(0), 0
	for i := 0; i < len(s); i++ {
		var ok bool
		if node, ok = t.step(node, s[i]); !ok {
			break
		}
		if t.value[node] >= 0 {
			best = i + 1
		}
	}
	return best
}
