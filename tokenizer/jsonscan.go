package tokenizer

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON scanner for the two big values of a BPE tokenizer.json
// (Gemma's: 262k vocab entries, 515k merges, 33 MB): encoding/json spends
// seconds on them natively and tens of seconds in wasm, so the loader
// splits the document with skipValue, decodes the small members with
// encoding/json and these two with scanVocab / scanMerges.

var errJSON = errors.New("malformed JSON")

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, error) {
	for i++; i < len(b); {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return 0, errJSON
		}
		if bs := bytes.IndexByte(b[i:i+q], '\\'); bs >= 0 {
			i += bs + 2 // skip the escaped byte, then look again
			continue
		}
		return i + q + 1, nil
	}
	return 0, errJSON
}

// skipValue returns the index after the value starting at b[i] (which is
// not whitespace). Nesting is bounded so a hostile file cannot recurse.
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errJSON
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				j, err := skipString(b, i)
				if err != nil {
					return 0, err
				}
				i = j - 1
			case '{', '[':
				if depth++; depth > 1000 {
					return 0, fmt.Errorf("JSON nested too deeply")
				}
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1, nil
				}
			}
		}
		return 0, errJSON
	default:
		j := i
		for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
			j++
		}
		if j == i {
			return 0, errJSON
		}
		return j, nil
	}
}

// objectMembers returns the raw values of an object's members by key
// (strings keys only as written, without escapes).
func objectMembers(b []byte) (map[string][]byte, error) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, fmt.Errorf("not a JSON object")
	}
	out := map[string][]byte{}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return out, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, errJSON
		}
		key, j, err := scanString(b, i)
		if err != nil {
			return nil, err
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return nil, errJSON
		}
		i = skipSpace(b, i+1)
		j, err = skipValue(b, i)
		if err != nil {
			return nil, err
		}
		out[key] = b[i:j]
		i = skipSpace(b, j)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' && skipSpace(b, i+1) == len(b) {
			return out, nil
		}
		return nil, errJSON
	}
}

// scanString decodes the JSON string at b[i] == '"', returning it and the
// index after it. Invalid escapes are an error; lone surrogates become
// U+FFFD, as encoding/json makes them.
func scanString(b []byte, i int) (string, int, error) {
	start := i + 1
	j := start
	for j < len(b) && b[j] != '"' && b[j] != '\\' && b[j] >= 0x20 {
		j++
	}
	if j < len(b) && b[j] == '"' {
		s := b[start:j]
		if utf8.Valid(s) {
			return string(s), j + 1, nil
		}
	}
	var out []byte
	out = append(out, b[start:j]...)
	for j < len(b) {
		c := b[j]
		switch {
		case c == '"':
			return string([]rune(string(out))), j + 1, nil // invalid UTF-8 → U+FFFD
		case c < 0x20:
			return "", 0, errJSON
		case c != '\\':
			out = append(out, c)
			j++
			continue
		}
		if j+1 >= len(b) {
			return "", 0, errJSON
		}
		j += 2
		switch b[j-1] {
		case '"', '\\', '/':
			out = append(out, b[j-1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(b, j)
			if !ok {
				return "", 0, errJSON
			}
			j += 4
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(-1), false
				if j+6 <= len(b) && b[j] == '\\' && b[j+1] == 'u' {
					r2, ok2 = hex4(b, j+2)
				}
				if d := utf16.DecodeRune(r, r2); ok2 && d != utf8.RuneError {
					r = d
					j += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", 0, errJSON
		}
	}
	return "", 0, errJSON
}

// scanStringView is scanString returning a string that aliases b when the
// JSON string has no escapes (no allocation); it must not outlive b.
func scanStringView(b []byte, i int) (string, int, error) {
	start := i + 1
	j := start
	for j < len(b) && b[j] != '"' && b[j] != '\\' && b[j] >= 0x20 {
		j++
	}
	if j < len(b) && b[j] == '"' && utf8.Valid(b[start:j]) {
		return unsafeString(b[start:j]), j + 1, nil
	}
	return scanString(b, i)
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[i:i+4]), 16, 16)
	return rune(v), err == nil
}

// scanVocab decodes {"token": id, ...}, calling add for each member.
func scanVocab(b []byte, add func(s string, id int64) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return fmt.Errorf("model BPE: vocab is not an object")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return fmt.Errorf("model BPE: vocab: %w", errJSON)
		}
		s, j, err := scanString(b, i)
		if err != nil {
			return fmt.Errorf("model BPE: vocab: %w", err)
		}
		i = skipSpace(b, j)
		if i >= len(b) || b[i] != ':' {
			return fmt.Errorf("model BPE: vocab: %w", errJSON)
		}
		i = skipSpace(b, i+1)
		j = i
		for j < len(b) && (b[j] == '-' || (b[j] >= '0' && b[j] <= '9')) {
			j++
		}
		id, err := strconv.ParseInt(string(b[i:j]), 10, 64)
		if err != nil {
			return fmt.Errorf("model BPE: vocab[%q] is not an integer id", s)
		}
		if err := add(s, id); err != nil {
			return err
		}
		i = skipSpace(b, j)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == '}' {
			return nil
		}
		return fmt.Errorf("model BPE: vocab: %w", errJSON)
	}
}

// scanMerges decodes merges written as ["a b", ...] or [["a", "b"], ...],
// calling add with each pair and its index (its rank). a and b may alias
// the input: add must not keep them.
func scanMerges(b []byte, add func(rank int, a, b string) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return fmt.Errorf("model BPE: merges is not a list")
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return nil
	}
	bad := func(rank int) error {
		return fmt.Errorf("model BPE: merges[%d] is neither \"a b\" nor [\"a\", \"b\"]", rank)
	}
	for rank := 0; ; rank++ {
		var x, y string
		var err error
		var j int
		switch {
		case i < len(b) && b[i] == '"':
			var s string
			if s, j, err = scanStringView(b, i); err != nil {
				return bad(rank)
			}
			k := -1
			for p := 0; p < len(s); p++ {
				if s[p] == ' ' {
					if k >= 0 {
						return fmt.Errorf("model BPE: merges[%d] %q is not two tokens separated by one space", rank, s)
					}
					k = p
				}
			}
			if k < 0 {
				return fmt.Errorf("model BPE: merges[%d] %q is not two tokens separated by one space", rank, s)
			}
			x, y = s[:k], s[k+1:]
		case i < len(b) && b[i] == '[':
			i = skipSpace(b, i+1)
			if i >= len(b) || b[i] != '"' {
				return bad(rank)
			}
			if x, j, err = scanStringView(b, i); err != nil {
				return bad(rank)
			}
			i = skipSpace(b, j)
			if i >= len(b) || b[i] != ',' {
				return bad(rank)
			}
			i = skipSpace(b, i+1)
			if i >= len(b) || b[i] != '"' {
				return bad(rank)
			}
			if y, j, err = scanStringView(b, i); err != nil {
				return bad(rank)
			}
			j = skipSpace(b, j)
			if j >= len(b) || b[j] != ']' {
				return bad(rank)
			}
			j++
		default:
			return bad(rank)
		}
		if err := add(rank, x, y); err != nil {
			return err
		}
		i = skipSpace(b, j)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
			continue
		}
		if i < len(b) && b[i] == ']' {
			return nil
		}
		return bad(rank + 1)
	}
}
