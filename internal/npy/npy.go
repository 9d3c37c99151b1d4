package npy

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/x448/float16"
)

// MaxHeaderBytes bounds the header dictionary. NumPy itself refuses
// headers above 10 000 bytes unless asked; a real one is under 200.
const MaxHeaderBytes = 1 << 16

// Header is a parsed .npy header.
type Header struct {
	Descr string // as written, e.g. "<f4"
	Shape []int  // empty for a scalar
	Kind  byte   // 'f' float, 'i' signed, 'u' unsigned, 'b' bool
	Size  int    // bytes per element
	order binary.ByteOrder
}

// Elements is the product of the shape.
func (h *Header) Elements() int64 {
	n := int64(1)
	for _, d := range h.Shape {
		n *= int64(d)
	}
	return n
}

// Reader reads a .npy array's elements in order, a slice at a time, so
// callers never need the whole array in memory.
type Reader struct {
	Header
	r    *bufio.Reader
	left int64 // elements not read yet
	buf  []byte
}

// NewReader reads and checks the header of a .npy file of size bytes
// (the file's length: a header that declares more or less data than the
// file holds is an error) whose array may hold at most maxElements
// elements. Nothing proportional to the declared shape is allocated here.
func NewReader(r io.Reader, size, maxElements int64) (*Reader, error) {
	br := bufio.NewReader(r)
	var pre [8]byte
	if _, err := io.ReadFull(br, pre[:]); err != nil {
		return nil, fmt.Errorf("not a .npy file: %d bytes, too short for its header", size)
	}
	if string(pre[:6]) != "\x93NUMPY" {
		return nil, errors.New("not a .npy file (no \\x93NUMPY magic at the start)")
	}
	major := pre[6]
	var hlen int64
	prefix := int64(10)
	switch major {
	case 1:
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return nil, errors.New(".npy header is truncated")
		}
		hlen = int64(binary.LittleEndian.Uint16(l[:]))
	case 2, 3:
		var l [4]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return nil, errors.New(".npy header is truncated")
		}
		hlen = int64(binary.LittleEndian.Uint32(l[:]))
		prefix = 12
	default:
		return nil, fmt.Errorf(".npy format version %d.%d is not supported (want 1.0, 2.0 or 3.0)", major, pre[7])
	}
	if hlen > MaxHeaderBytes {
		return nil, fmt.Errorf(".npy header says it is %d bytes long; at most %d (corrupt file?)", hlen, MaxHeaderBytes)
	}
	if size >= 0 && prefix+hlen > size {
		return nil, fmt.Errorf(".npy header says it is %d bytes long but the file has only %d bytes after the magic (truncated file)", hlen, size-prefix)
	}
	dict := make([]byte, hlen)
	if _, err := io.ReadFull(br, dict); err != nil {
		return nil, errors.New(".npy header is truncated")
	}
	h, err := parseHeader(string(dict))
	if err != nil {
		return nil, fmt.Errorf(".npy header: %v", err)
	}
	n := int64(1)
	for _, d := range h.Shape {
		if d > 0 && n > maxElements/int64(d) {
			return nil, fmt.Errorf(".npy array has shape %s, more than the %d elements allowed here", ShapeString(h.Shape), maxElements)
		}
		n *= int64(d)
	}
	if n > maxElements {
		return nil, fmt.Errorf(".npy array has shape %s, more than the %d elements allowed here", ShapeString(h.Shape), maxElements)
	}
	if size >= 0 {
		data := size - prefix - hlen
		if want := n * int64(h.Size); data != want {
			return nil, fmt.Errorf(".npy array of %s %s needs %d data bytes, the file holds %d (truncated or not what its header says)", h.Descr, ShapeString(h.Shape), want, data)
		}
	}
	return &Reader{Header: h, r: br, left: n}, nil
}

// ShapeString writes a shape as NumPy does: (2, 3), (5,), ().
func ShapeString(shape []int) string {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	t := strings.Join(dims, ", ")
	if len(shape) == 1 {
		t += ","
	}
	return "(" + t + ")"
}

// Left is the number of elements not read yet.
func (r *Reader) Left() int64 { return r.left }

func (r *Reader) next(n int) ([]byte, error) {
	if int64(n) > r.left {
		return nil, fmt.Errorf(".npy array: asked for %d more elements, %d left", n, r.left)
	}
	if need := n * r.Size; cap(r.buf) < need {
		r.buf = make([]byte, need)
	}
	b := r.buf[:n*r.Size]
	if _, err := io.ReadFull(r.r, b); err != nil {
		return nil, fmt.Errorf(".npy array data is truncated (%v)", err)
	}
	r.left -= int64(n)
	return b, nil
}

// ReadFloat32s fills dst with the next len(dst) elements, converted to
// float32 (any dtype; integers above 2^24 lose precision as in NumPy).
func (r *Reader) ReadFloat32s(dst []float32) error {
	b, err := r.next(len(dst))
	if err != nil {
		return err
	}
	for i := range dst {
		if r.Kind == 'f' {
			dst[i] = float32(r.float(b[i*r.Size:]))
		} else {
			dst[i] = float32(r.int(b[i*r.Size:]))
		}
	}
	return nil
}

// ReadInt64s fills dst with the next len(dst) elements of an integer or
// bool array.
func (r *Reader) ReadInt64s(dst []int64) error {
	if r.Kind == 'f' {
		return fmt.Errorf(".npy array has dtype %s; want integers", r.Descr)
	}
	b, err := r.next(len(dst))
	if err != nil {
		return err
	}
	for i := range dst {
		dst[i] = r.int(b[i*r.Size:])
	}
	return nil
}

func (r *Reader) float(b []byte) float64 {
	switch r.Size {
	case 2:
		return float64(float16.Frombits(r.order.Uint16(b)).Float32())
	case 4:
		return float64(math.Float32frombits(r.order.Uint32(b)))
	}
	return math.Float64frombits(r.order.Uint64(b))
}

// int reads a signed or unsigned integer; a uint64 above MaxInt64 comes
// back as MaxInt64 (callers range-check, so it is refused, not wrapped).
func (r *Reader) int(b []byte) int64 {
	signed := r.Kind == 'i'
	switch r.Size {
	case 1:
		if signed {
			return int64(int8(b[0]))
		}
		return int64(b[0])
	case 2:
		if signed {
			return int64(int16(r.order.Uint16(b)))
		}
		return int64(r.order.Uint16(b))
	case 4:
		if signed {
			return int64(int32(r.order.Uint32(b)))
		}
		return int64(r.order.Uint32(b))
	}
	v := r.order.Uint64(b)
	if !signed && v > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}

// parseHeader parses the Python dict literal of a .npy header:
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
func parseHeader(s string) (Header, error) {
	p := &lit{s: strings.TrimRight(s, " \n\x00")}
	var h Header
	seen := map[string]bool{}
	if !p.eat('{') {
		return h, errors.New("not a Python dict")
	}
	for !p.eat('}') {
		key, err := p.str()
		if err != nil {
			return h, err
		}
		if seen[key] {
			return h, fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		if !p.eat(':') {
			return h, fmt.Errorf("no ':' after key %q", key)
		}
		switch key {
		case "descr":
			if h.Descr, err = p.str(); err != nil {
				return h, err
			}
		case "fortran_order":
			switch {
			case p.word("False"):
			case p.word("True"):
				return h, errors.New("Fortran-ordered arrays are not supported (save with np.ascontiguousarray)")
			default:
				return h, errors.New("fortran_order is not True or False")
			}
		case "shape":
			if h.Shape, err = p.tuple(); err != nil {
				return h, err
			}
		default:
			return h, fmt.Errorf("unknown key %q", key)
		}
		if !p.eat(',') {
			if !p.eat('}') {
				return h, errors.New("malformed dict (want ',' or '}')")
			}
			break
		}
	}
	if p.skip(); p.i != len(p.s) {
		return h, errors.New("trailing bytes after the dict")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("no %q", k)
		}
	}
	return h, h.dtype()
}

// dtype checks Descr and fills Kind, Size and the byte order.
func (h *Header) dtype() error {
	d := h.Descr
	if len(d) != 3 {
		return fmt.Errorf("dtype %q not supported (want a number type such as <f4 or <i8)", d)
	}
	switch d[0] {
	case '<', '|', '=':
		h.order = binary.LittleEndian
	case '>':
		h.order = binary.BigEndian
	default:
		return fmt.Errorf("dtype %q: unknown byte order", d)
	}
	h.Kind, h.Size = d[1], int(d[2]-'0')
	ok := false
	switch h.Kind {
	case 'f':
		ok = h.Size == 2 || h.Size == 4 || h.Size == 8
	case 'i', 'u':
		ok = h.Size == 1 || h.Size == 2 || h.Size == 4 || h.Size == 8
	case 'b':
		ok, h.Kind = h.Size == 1, 'u'
	}
	if !ok {
		return fmt.Errorf("dtype %q not supported (want float16/32/64, int8..64, uint8..64 or bool)", d)
	}
	return nil
}

// lit is a cursor over a Python literal.
type lit struct {
	s string
	i int
}

func (p *lit) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *lit) eat(c byte) bool {
	p.skip()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *lit) word(w string) bool {
	p.skip()
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

func (p *lit) str() (string, error) {
	p.skip()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", errors.New("expected a quoted string")
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", errors.New("unterminated string")
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, nil
}

// tuple parses (d0, d1, ...) of non-negative ints below 2^31.
func (p *lit) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, errors.New("shape is not a tuple")
	}
	shape := []int{}
	for !p.eat(')') {
		p.skip()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		d, err := strconv.ParseInt(p.s[p.i:j], 10, 32)
		if err != nil || j == p.i {
			return nil, fmt.Errorf("shape entry %q is not a dimension (want 0..%d)", clip(p.s[p.i:]), math.MaxInt32)
		}
		p.i = j
		shape = append(shape, int(d))
		if len(shape) > 32 {
			return nil, errors.New("shape has more than 32 dimensions")
		}
		if !p.eat(',') {
			if !p.eat(')') {
				return nil, errors.New("malformed shape tuple")
			}
			break
		}
	}
	return shape, nil
}

func clip(s string) string {
	if i := strings.IndexAny(s, ",)"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 24 {
		s = s[:24] + "…"
	}
	return s
}

// AppendHeader appends a NumPy format 1.0 header for a C-ordered array
// of dtype descr (e.g. "<f4", "|u1") and the given shape to b.
func AppendHeader(b []byte, descr string, shape ...int) []byte {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, ShapeString(shape))
	// magic(6) + version(2) + length(2) + dict + padding + '\n', a multiple of 64.
	total := (10 + len(dict) + 1 + 63) / 64 * 64
	b = append(b, "\x93NUMPY\x01\x00"...)
	b = binary.LittleEndian.AppendUint16(b, uint16(total-10))
	b = append(b, dict...)
	for range total - 11 - len(dict) {
		b = append(b, ' ')
	}
	return append(b, '\n')
}
