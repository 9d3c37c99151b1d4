package tokenizer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A hand-written reader for the few protobuf wire-format fields of
// sentencepiece's ModelProto that encoding needs. Unknown fields are skipped,
// so models written by newer sentencepiece versions still load.

var errTruncated = errors.New("truncated protobuf")

type wireReader struct {
	b []byte
	i int
}

func (r *wireReader) done() bool { return r.i >= len(r.b) }

func (r *wireReader) varint() (uint64, error) {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if r.i >= len(r.b) {
			return 0, errTruncated
		}
		c := r.b[r.i]
		r.i++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("protobuf varint longer than 10 bytes")
}

// field reads one key and its value. For wire type 0 the value is in v, for
// types 1 and 5 the raw little-endian bits are in v, for type 2 the payload is
// in data (a sub-slice, not a copy).
func (r *wireReader) field() (num int, typ int, v uint64, data []byte, err error) {
	key, err := r.varint()
	if err != nil {
		return
	}
	num, typ = int(key>>3), int(key&7)
	if num == 0 {
		err = errors.New("protobuf field number 0")
		return
	}
	switch typ {
	case 0:
		v, err = r.varint()
	case 1:
		if len(r.b)-r.i < 8 {
			err = errTruncated
			return
		}
		v = binary.LittleEndian.Uint64(r.b[r.i:])
		r.i += 8
	case 5:
		if len(r.b)-r.i < 4 {
			err = errTruncated
			return
		}
		v = uint64(binary.LittleEndian.Uint32(r.b[r.i:]))
		r.i += 4
	case 2:
		var n uint64
		n, err = r.varint()
		if err != nil {
			return
		}
		if n > uint64(len(r.b)-r.i) {
			err = errTruncated
			return
		}
		data = r.b[r.i : r.i+int(n)]
		r.i += int(n)
	default:
		err = fmt.Errorf("unsupported protobuf wire type %d (field %d)", typ, num)
	}
	return
}

// Piece types of sentencepiece's ModelProto.SentencePiece.Type.
const (
	TypeNormal      = 1
	TypeUnknown     = 2
	TypeControl     = 3
	TypeUserDefined = 4
	TypeUnused      = 5
	TypeByte        = 6
)

// spec is the subset of a sentencepiece ModelProto that the encoder needs,
// whatever file it came from.
type spec struct {
	pieces []rawPiece

	modelType          int // TrainerSpec.ModelType: UNIGRAM=1, BPE=2, WORD=3, CHAR=4
	byteFallback       bool
	unkSurface         string
	whitespaceAsSuffix bool

	normName               string
	charsmap               []byte
	addDummyPrefix         bool
	removeExtraWhitespaces bool
	escapeWhitespaces      bool
}

type rawPiece struct {
	text  string
	score float32
	typ   int
}

// wireField is one field of a message as field reads it, with the offset
// of a type-2 payload in the message (the piece text is sliced from a string
// copy of the model at that offset).
type wireField struct {
	num, typ int
	v        uint64
	data     []byte
	off      int
}

// eachField calls fn with every field of the message b in order; it stops
// at the first error, fn's as it is and the wire format's as it is too.
func eachField(b []byte, fn func(f wireField) error) error {
	r := wireReader{b: b}
	for !r.done() {
		num, typ, v, data, err := r.field()
		if err != nil {
			return err
		}
		if err := fn(wireField{num, typ, v, data, r.i - len(data)}); err != nil {
			return err
		}
	}
	return nil
}

// parseModelProto decodes a serialized sentencepiece ModelProto.
func parseModelProto(b []byte) (*spec, error) {
	s := &spec{modelType: 1, unkSurface: " \u2047 ", addDummyPrefix: true, removeExtraWhitespaces: true, escapeWhitespaces: true}
	// Piece strings are slices of one copy of the whole model, not 32k
	// separate allocations.
	src := string(b)
	var named error // a nested message's error, already named
	err := eachField(b, func(f wireField) error {
		if f.typ != 2 {
			return nil
		}
		switch f.num {
		case 1:
			p, err := parsePiece(src[f.off:f.off+len(f.data)], f.data)
			if err != nil {
				named = fmt.Errorf("ModelProto.pieces[%d]: %w", len(s.pieces), err)
				return named
			}
			s.pieces = append(s.pieces, p)
		case 2:
			if err := s.parseTrainerSpec(f.data); err != nil {
				named = fmt.Errorf("ModelProto.trainer_spec: %w", err)
				return named
			}
		case 3:
			if err := s.parseNormalizerSpec(f.data); err != nil {
				named = fmt.Errorf("ModelProto.normalizer_spec: %w", err)
				return named
			}
		}
		return nil
	})
	if named != nil {
		return nil, named
	}
	if err != nil {
		return nil, fmt.Errorf("ModelProto: %w", err)
	}
	return s, nil
}

// parsePiece decodes a SentencePiece message; src is the same bytes as b,
// as a string to slice the piece text from.
func parsePiece(src string, b []byte) (rawPiece, error) {
	p := rawPiece{typ: TypeNormal}
	err := eachField(b, func(f wireField) error {
		switch {
		case f.num == 1 && f.typ == 2:
			p.text = src[f.off : f.off+len(f.data)]
		case f.num == 2 && f.typ == 5:
			p.score = math.Float32frombits(uint32(f.v))
		case f.num == 3 && f.typ == 0:
			p.typ = int(f.v)
		}
		return nil
	})
	return p, err
}

func (s *spec) parseTrainerSpec(b []byte) error {
	return eachField(b, func(f wireField) error {
		switch {
		case f.num == 3 && f.typ == 0:
			s.modelType = int(f.v)
		case f.num == 24 && f.typ == 0:
			s.whitespaceAsSuffix = f.v != 0
		case f.num == 35 && f.typ == 0:
			s.byteFallback = f.v != 0
		case f.num == 44 && f.typ == 2:
			s.unkSurface = string(f.data)
		}
		return nil
	})
}

func (s *spec) parseNormalizerSpec(b []byte) error {
	return eachField(b, func(f wireField) error {
		switch {
		case f.num == 1 && f.typ == 2:
			s.normName = string(f.data)
		case f.num == 2 && f.typ == 2:
			s.charsmap = f.data
		case f.num == 3 && f.typ == 0:
			s.addDummyPrefix = f.v != 0
		case f.num == 4 && f.typ == 0:
			s.removeExtraWhitespaces = f.v != 0
		case f.num == 5 && f.typ == 0:
			s.escapeWhitespaces = f.v != 0
		}
		return nil
	})
}
