package tokenizer

import "unicode/utf8"

const spaceSymbol = "\u2581" // ▁, sentencepiece's escaped space

// normPrefix normalizes the first unit of s as sentencepiece's
// Normalizer::NormalizePrefix does: a user-defined piece passes through
// untouched; otherwise the charsmap's longest match; otherwise one UTF-8
// character as is, or U+FFFD for one malformed byte.
func (m *model) normPrefix(s string) (string, int) {
	if m.hasUser {
		if n := m.userTrie.longest(s); n > 0 {
			return s[:n], n
		}
	}
	if m.cmap != nil {
		if repl, n := m.cmap.longestPrefix(s); n > 0 {
			return repl, n
		}
	}
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n <= 1 {
		return "\uFFFD", 1
	}
	return s[:n], n
}

// normalize appends the sentencepiece normalization of s to dst, following
// normalizer.cc: drop heading spaces, add the dummy prefix, collapse runs of
// spaces, escape spaces as ▁, drop trailing spaces.
func (m *model) normalize(dst []byte, s string, dummyPrefix bool) []byte {
	if m.removeExtraWhitespaces {
		for len(s) > 0 {
			r, n := m.normPrefix(s)
			if r != " " {
				break
			}
			s = s[n:]
		}
	}
	if len(s) == 0 {
		return dst
	}
	start := len(dst)
	space := " "
	if m.escapeWhitespaces {
		space = spaceSymbol
	}
	if dummyPrefix {
		dst = append(dst, space...)
	}
	isPrevSpace := m.removeExtraWhitespaces
	for len(s) > 0 {
		r, n := m.normPrefix(s)
		if isPrevSpace {
			for len(r) > 0 && r[0] == ' ' {
				r = r[1:]
			}
		}
		if len(r) > 0 {
			for i := 0; i < len(r); i++ {
				if r[i] == ' ' && m.escapeWhitespaces {
					dst = append(dst, spaceSymbol...)
				} else {
					dst = append(dst, r[i])
				}
			}
			isPrevSpace = r[len(r)-1] == ' '
		}
		s = s[n:]
		if !m.removeExtraWhitespaces {
			isPrevSpace = false
		}
	}
	if m.removeExtraWhitespaces {
		for len(dst)-start >= len(space) && string(dst[len(dst)-len(space):]) == space {
			dst = dst[:len(dst)-len(space)]
		}
	}
	return dst
}
