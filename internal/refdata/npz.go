package refdata

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
)

// Array is one NumPy array: its shape and its values widened to float64
// (every reference value is exactly representable that way) plus, for
// integer arrays, the values as int64.
type Array struct {
	Shape []int
	F64   []float64
	I64   []int64 // only for integer and bool dtypes
}

// F32 returns the values rounded to float32.
func (a Array) F32() []float32 {
	out := make([]float32, len(a.F64))
	for i, v := range a.F64 {
		out[i] = float32(v)
	}
	return out
}

// Ints returns integer values as int.
func (a Array) Ints() []int {
	out := make([]int, len(a.I64))
	for i, v := range a.I64 {
		out[i] = int(v)
	}
	return out
}

// String describes the array's shape and size, for logs.
func (a Array) String() string { return fmt.Sprintf("%v (%d values)", a.Shape, len(a.F64)) }

// Path resolves a path relative to the repository's testdata/ folder, from
// any package directory.
func Path(rel string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", rel)
}

// LoadNPZ reads every array of a .npz file (path relative to testdata/).
// Keys lose their ".npy" suffix.
func LoadNPZ(rel string) (map[string]Array, error) {
	b, err := os.ReadFile(Path(rel))
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	out := make(map[string]Array)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s[%s]: %w", rel, f.Name, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s[%s]: %w", rel, f.Name, err)
		}
		a, err := ParseNPY(data)
		if err != nil {
			return nil, fmt.Errorf("%s[%s]: %w", rel, f.Name, err)
		}
		out[strings.TrimSuffix(f.Name, ".npy")] = a
	}
	return out, nil
}

// LoadNPY reads one .npy file (path relative to testdata/).
func LoadNPY(rel string) (Array, error) {
	b, err := os.ReadFile(Path(rel))
	if err != nil {
		return Array{}, err
	}
	a, err := ParseNPY(b)
	if err != nil {
		return Array{}, fmt.Errorf("%s: %w", rel, err)
	}
	return a, nil
}

var (
	descrRE   = regexp.MustCompile(`'descr':\s*'([<>|=]?)([a-z])(\d+)'`)
	fortranRE = regexp.MustCompile(`'fortran_order':\s*(True|False)`)
	shapeRE   = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
)

// ParseNPY decodes a NumPy .npy file (format versions 1–3, little-endian
// or byte-sized dtypes f2/f4/f8, i1–i8, u1–u8, b1). It is written by hand,
// not with npyio, because npyio's reflection-based reader takes minutes
// for a megabyte under js/wasm.
func ParseNPY(b []byte) (Array, error) {
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		return Array{}, fmt.Errorf("not a .npy file")
	}
	var hlen, start int
	switch b[6] {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(b[8:10])), 10
	case 2, 3:
		if len(b) < 12 {
			return Array{}, fmt.Errorf("truncated .npy header")
		}
		hlen, start = int(binary.LittleEndian.Uint32(b[8:12])), 12
	default:
		return Array{}, fmt.Errorf(".npy version %d unsupported", b[6])
	}
	if start+hlen > len(b) {
		return Array{}, fmt.Errorf("truncated .npy header")
	}
	hdr := string(b[start : start+hlen])
	data := b[start+hlen:]
	dm := descrRE.FindStringSubmatch(hdr)
	sm := shapeRE.FindStringSubmatch(hdr)
	fm := fortranRE.FindStringSubmatch(hdr)
	if dm == nil || sm == nil || fm == nil {
		return Array{}, fmt.Errorf("cannot parse .npy header %q", hdr)
	}
	if dm[1] == ">" {
		return Array{}, fmt.Errorf("big-endian .npy unsupported")
	}
	a := Array{Shape: []int{}}
	n := 1
	for _, s := range strings.Split(sm[1], ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		d, err := strconv.Atoi(s)
		if err != nil || d < 0 {
			return Array{}, fmt.Errorf("bad shape %q", sm[1])
		}
		a.Shape = append(a.Shape, d)
		n *= d
	}
	size, _ := strconv.Atoi(dm[3])
	if len(data) < n*size {
		return Array{}, fmt.Errorf("%d data bytes for %d elements of %s%s", len(data), n, dm[2], dm[3])
	}
	a.F64 = make([]float64, n)
	kind := dm[2] + dm[3]
	isInt := dm[2] == "i" || dm[2] == "u" || dm[2] == "b"
	if isInt {
		a.I64 = make([]int64, n)
	}
	le := binary.LittleEndian
	for i := 0; i < n; i++ {
		p := data[i*size:]
		var iv int64
		switch kind {
		case "f8":
			a.F64[i] = math.Float64frombits(le.Uint64(p))
		case "f4":
			a.F64[i] = float64(math.Float32frombits(le.Uint32(p)))
		case "i8":
			iv = int64(le.Uint64(p))
		case "i4":
			iv = int64(int32(le.Uint32(p)))
		case "i2":
			iv = int64(int16(le.Uint16(p)))
		case "i1":
			iv = int64(int8(p[0]))
		case "u8":
			iv = int64(le.Uint64(p))
		case "u4":
			iv = int64(le.Uint32(p))
		case "u2":
			iv = int64(le.Uint16(p))
		case "u1", "b1":
			iv = int64(p[0])
		default:
			return Array{}, fmt.Errorf("unsupported dtype %q", kind)
		}
		if isInt {
			a.I64[i] = iv
			a.F64[i] = float64(iv)
		}
	}
	if fm[1] == "True" {
		a = a.fromFortran()
	}
	return a, nil
}

// fromFortran reorders column-major values into row-major order.
func (a Array) fromFortran() Array {
	n := len(a.F64)
	f64 := make([]float64, n)
	var i64 []int64
	if a.I64 != nil {
		i64 = make([]int64, n)
	}
	idx := make([]int, len(a.Shape))
	for c := 0; c < n; c++ { // c walks row-major order
		off, stride := 0, 1
		for d := 0; d < len(a.Shape); d++ {
			off += idx[d] * stride
			stride *= a.Shape[d]
		}
		f64[c] = a.F64[off]
		if i64 != nil {
			i64[c] = a.I64[off]
		}
		for d := len(a.Shape) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < a.Shape[d] {
				break
			}
			idx[d] = 0
		}
	}
	return Array{Shape: a.Shape, F64: f64, I64: i64}
}
