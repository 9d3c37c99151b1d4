package tokenizer

import (
	"fmt"
	"math"
	"strings"
)

// model is a loaded SentencePiece unigram model with its normalizer: the
// engine that both loaders (spiece.model and tokenizer.json) build.
type model struct {
	pieces []rawPiece
	index  map[string]int32 // every piece's id (first occurrence)

	trie     pieceTrie // NORMAL, USER_DEFINED and UNUSED pieces, as sentencepiece's
	userTrie pieceTrie // USER_DEFINED pieces only: the normalizer leaves them untouched

	unkID        int32
	byteFallback bool
	bytePiece    [256]int32
	unkSurface   string
	minScore     float32
	maxScore     float32
	hasUser      bool

	// bpe is set for a BPE model (spbpe.go): its merges replace viterbi;
	// virtual holds the characters that have ids past the pieces there.
	bpe     *bpeModel
	virtual []string

	cmap                   *charsmap
	addDummyPrefix         bool
	removeExtraWhitespaces bool
	escapeWhitespaces      bool
}

func newModel(s *spec) (*model, error) {
	if s.modelType != 1 && s.modelType != 2 {
		return nil, fmt.Errorf("model_type %d is not supported: only UNIGRAM (1) and BPE (2) are", s.modelType)
	}
	if len(s.pieces) == 0 {
		return nil, fmt.Errorf("the model has no pieces")
	}
	if len(s.pieces) > math.MaxInt32/2 {
		return nil, fmt.Errorf("the model has too many pieces (%d)", len(s.pieces))
	}
	if s.whitespaceAsSuffix {
		return nil, fmt.Errorf("treat_whitespace_as_suffix is not supported")
	}
	m := &model{
		pieces:                 s.pieces,
		index:                  make(map[string]int32, len(s.pieces)),
		unkID:                  -1,
		byteFallback:           s.byteFallback,
		unkSurface:             s.unkSurface,
		addDummyPrefix:         s.addDummyPrefix,
		removeExtraWhitespaces: s.removeExtraWhitespaces,
		escapeWhitespaces:      s.escapeWhitespaces,
		minScore:               math.MaxFloat32,
		maxScore:               math.SmallestNonzeroFloat32, // sentencepiece starts from FLT_MIN
	}
	for i := range m.bytePiece {
		m.bytePiece[i] = -1
	}
	cm, err := parseCharsmap(s.charsmap)
	if err != nil {
		return nil, err
	}
	m.cmap = cm
	var all, user []trieKey
	for i, p := range s.pieces {
		id := int32(i)
		if p.text == "" {
			return nil, fmt.Errorf("piece %d is empty", i)
		}
		if _, dup := m.index[p.text]; dup {
			return nil, fmt.Errorf("piece %d %q is duplicated", i, p.text)
		}
		m.index[p.text] = id
		switch p.typ {
		case TypeNormal:
			m.minScore = min(m.minScore, p.score)
			m.maxScore = max(m.maxScore, p.score)
			all = append(all, trieKey{p.text, id})
		case TypeUserDefined:
			all = append(all, trieKey{p.text, id})
			user = append(user, trieKey{p.text, id})
			m.hasUser = true
		case TypeUnused:
			all = append(all, trieKey{p.text, id})
		case TypeUnknown:
			if m.unkID >= 0 {
				return nil, fmt.Errorf("pieces %d and %d are both UNKNOWN", m.unkID, i)
			}
			m.unkID = id
		case TypeControl:
		case TypeByte:
			if !s.byteFallback {
				return nil, fmt.Errorf("piece %d %q is a BYTE piece but byte_fallback is off", i, p.text)
			}
			b, ok := parseBytePiece(p.text)
			if !ok {
				return nil, fmt.Errorf("piece %d %q is a BYTE piece not of the form <0xXX>", i, p.text)
			}
			m.bytePiece[b] = id
		default:
			return nil, fmt.Errorf("piece %d %q has unknown type %d", i, p.text, p.typ)
		}
	}
	if m.unkID < 0 {
		return nil, fmt.Errorf("the model has no UNKNOWN piece")
	}
	if s.byteFallback {
		for b, id := range m.bytePiece {
			if id < 0 {
				return nil, fmt.Errorf("byte_fallback is on but piece <0x%02X> is missing", b)
			}
		}
	}
	m.trie = buildTrie(all)
	m.userTrie = buildTrie(user)
	if m.minScore == math.MaxFloat32 { // no NORMAL piece
		m.minScore = 0
	}
	if s.modelType == 2 {
		if m.bpe, err = newSPBPE(m); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func parseBytePiece(s string) (byte, bool) {
	if len(s) != 6 || !strings.HasPrefix(s, "<0x") || s[5] != '>' {
		return 0, false
	}
	var v byte
	for _, c := range []byte(s[3:5]) {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | (c - '0')
		case c >= 'A' && c <= 'F':
			v = v<<4 | (c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return v, true
}
