package tokenizer

import (
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// lowercaseChars appends s lowercased character by character, as tokenizers'
// Lowercase normalizer does (Rust's char::to_lowercase): the full
// per-character mapping (İ → i + combining dot above) without the
// context-dependent Final_Sigma rule (Σ is always σ), unlike Python's
// str.lower() that the SigLIP (Unigram) path follows. s is valid UTF-8.
func lowercaseChars(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		i += n
		if r == '\u0130' {
			dst = append(dst, "i\u0307"...)
			continue
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

// unsafeString views b as a string; b must not change while it is used.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
