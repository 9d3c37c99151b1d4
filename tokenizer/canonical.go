package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// canonicalize appends SigLIP's canonical form of text to dst, as
// transformers' SiglipTokenizer makes it: ▁ becomes a space, Python's
// str.lower(), ASCII string.punctuation deleted, runs of Python whitespace
// (re's \s) collapsed to one space, then stripped. Malformed UTF-8 (including
// WTF-8 lone surrogates from JS strings) becomes U+FFFD, one per bad byte.
func canonicalize(dst []byte, text string) []byte { return canonicalizeCase(dst, text, true) }

// canonicalizeCase is canonicalize, lowercasing only when lower is set
// (SiglipTokenizer's do_lower_case).
func canonicalizeCase(dst []byte, text string, lower bool) []byte {
	pendingSpace := false
	start := len(dst)
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError && n <= 1 {
			n = 1
		}
		switch {
		case r < utf8.RuneSelf && isASCIIPunct(byte(r)):
			// deleted; does not break a run of whitespace
		case isPySpace(r) || r == '\u2581':
			pendingSpace = true
		default:
			if pendingSpace && len(dst) > start {
				dst = append(dst, ' ')
			}
			pendingSpace = false
			switch {
			case !lower:
				dst = utf8.AppendRune(dst, r)
			case r < utf8.RuneSelf:
				if 'A' <= r && r <= 'Z' {
					r += 'a' - 'A'
				}
				dst = append(dst, byte(r))
			case r == '\u0130': // İ: Python's full lowercase mapping gives i + combining dot above
				dst = append(dst, "i\u0307"...)
			case r == '\u03a3': // Σ: Python applies the Final_Sigma rule
				if finalSigma(text, i, i+n) {
					dst = utf8.AppendRune(dst, '\u03c2')
				} else {
					dst = utf8.AppendRune(dst, '\u03c3')
				}
			default:
				dst = utf8.AppendRune(dst, unicode.ToLower(r))
			}
		}
		i += n
	}
	return dst
}

// isASCIIPunct reports whether c is in Python's string.punctuation.
func isASCIIPunct(c byte) bool {
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~')
}

// isPySpace is Python's str.isspace (what re's \s and str.strip use): Go's
// White_Space set plus the ASCII information separators U+001C..U+001F.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// finalSigma reports whether the Σ at text[i:j] is in Unicode's Final_Sigma
// context, as CPython's handle_capital_sigma decides it: preceded by a cased
// letter (skipping case-ignorables) and not followed by one.
func finalSigma(text string, i, j int) bool {
	k := i
	before := false
	for k > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:k])
		k -= n
		if !isCaseIgnorable(r) {
			before = isCased(r)
			break
		}
	}
	if !before {
		return false
	}
	for k = j; k < len(text); {
		r, n := utf8.DecodeRuneInString(text[k:])
		k += n
		if !isCaseIgnorable(r) {
			return !isCased(r)
		}
	}
	return true
}

func isCased(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsLower(r) || unicode.IsTitle(r) ||
		unicode.Is(unicode.Other_Lowercase, r) || unicode.Is(unicode.Other_Uppercase, r)
}

func isCaseIgnorable(r rune) bool {
	switch r {
	case '\'', '.', ':', '^', '`', 0xb7, 0x387, 0x55f, 0x5f4, 0x2018, 0x2019, 0x2024, 0x2027,
		0xfe13, 0xfe52, 0xfe55, 0xff07, 0xff0e, 0xff1a:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk)
}
