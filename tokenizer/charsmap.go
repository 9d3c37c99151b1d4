package tokenizer

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// charsmap is sentencepiece's precompiled normalization map: a little-endian
// uint32 trie size, a darts-clone double-array trie of that many bytes whose
// values are offsets into the NUL-separated replacement strings that follow.
type charsmap struct {
	units      []uint32
	normalized string
}

func parseCharsmap(b []byte) (*charsmap, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if len(b) < 4 {
		return nil, errors.New("precompiled_charsmap: shorter than its 4-byte header")
	}
	n := binary.LittleEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) || n%4 != 0 || n == 0 {
		return nil, fmt.Errorf("precompiled_charsmap: trie size %d does not fit the %d-byte blob", n, len(b))
	}
	units := make([]uint32, n/4)
	for i := range units {
		units[i] = binary.LittleEndian.Uint32(b[4+4*i:])
	}
	return &charsmap{units: units, normalized: string(b[4+n:])}, nil
}

// longestPrefix returns the replacement for the longest key that prefixes s,
// and that key's length (0 when nothing matches). It walks the double array
// as darts-clone's commonPrefixSearch does, with bounds checks so that a
// corrupt map ends the search instead of panicking.
func (c *charsmap) longestPrefix(s string) (repl string, n int) {
	u := c.units
	pos := uint32(0)
	unit := u[0]
	pos ^= dartsOffset(unit)
	for i := 0; i < len(s); i++ {
		ch := uint32(s[i])
		pos ^= ch
		if pos >= uint32(len(u)) {
			break
		}
		unit = u[pos]
		if unit&((1<<31)|0xff) != ch { // label
			break
		}
		pos ^= dartsOffset(unit)
		if (unit>>8)&1 == 1 { // has leaf
			if pos >= uint32(len(u)) {
				break
			}
			v := int(u[pos] & (1<<31 - 1))
			if v < len(c.normalized) {
				end := v
				for end < len(c.normalized) && c.normalized[end] != 0 {
					end++
				}
				repl, n = c.normalized[v:end], i+1
			}
		}
	}
	return repl, n
}

func dartsOffset(unit uint32) uint32 {
	return (unit >> 10) << ((unit & (1 << 9)) >> 6)
}
