package refdata

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/sbinet/npyio"
	"github.com/sbinet/npyio/npz"
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

// Path resolves a path relative to the repository's testdata/ folder, from
// any package directory.
func Path(rel string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", rel)
}

// LoadNPZ reads every array of a .npz file (path relative to testdata/).
func LoadNPZ(rel string) (map[string]Array, error) {
	r, err := npz.Open(Path(rel))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := make(map[string]Array)
	for _, k := range r.Keys() {
		h := r.Header(k)
		a, err := readArray(h.Descr.Type, h.Descr.Shape, func(ptr any) error { return r.Read(k, ptr) })
		if err != nil {
			return nil, fmt.Errorf("%s[%s]: %w", rel, k, err)
		}
		if h.Descr.Fortran {
			a = a.fromFortran()
		}
		out[strings.TrimSuffix(k, ".npy")] = a
	}
	return out, nil
}

// LoadNPY reads one .npy file (path relative to testdata/).
func LoadNPY(rel string) (Array, error) {
	f, err := os.Open(Path(rel))
	if err != nil {
		return Array{}, err
	}
	defer f.Close()
	r, err := npyio.NewReader(f)
	if err != nil {
		return Array{}, err
	}
	a, err := readArray(r.Header.Descr.Type, r.Header.Descr.Shape, r.Read)
	if err == nil && r.Header.Descr.Fortran {
		a = a.fromFortran()
	}
	return a, err
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
		// column-major offset of idx
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

func readArray(dtype string, shape []int, read func(any) error) (Array, error) {
	a := Array{Shape: append([]int{}, shape...)}
	switch dtype[1:] {
	case "f8":
		return a, read(&a.F64)
	case "f4":
		var v []float32
		if err := read(&v); err != nil {
			return a, err
		}
		a.F64 = make([]float64, len(v))
		for i, x := range v {
			a.F64[i] = float64(x)
		}
		return a, nil
	case "i8", "i4", "i2", "i1", "u1", "u2", "u4", "b1":
		var v []int64
		if err := readInts(dtype[1:], read, &v); err != nil {
			return a, err
		}
		a.I64 = v
		a.F64 = make([]float64, len(v))
		for i, x := range v {
			a.F64[i] = float64(x)
		}
		return a, nil
	}
	return a, fmt.Errorf("unsupported dtype %q", dtype)
}

func readInts(kind string, read func(any) error, out *[]int64) error {
	conv := func(n int, at func(int) int64) {
		*out = make([]int64, n)
		for i := range *out {
			(*out)[i] = at(i)
		}
	}
	switch kind {
	case "i8":
		return read(out)
	case "i4":
		var v []int32
		err := read(&v)
		conv(len(v), func(i int) int64 { return int64(v[i]) })
		return err
	case "i2":
		var v []int16
		err := read(&v)
		conv(len(v), func(i int) int64 { return int64(v[i]) })
		return err
	case "i1":
		var v []int8
		err := read(&v)
		conv(len(v), func(i int) int64 { return int64(v[i]) })
		return err
	case "u1":
		var v []uint8
		err := read(&v)
		conv(len(v), func(i int) int64 { return int64(v[i]) })
		return err
	case "u2":
		var v []uint16
		err := read(&v)
		conv(len(v), func(i int) int64 { return int64(v[i]) })
		return err
	case "u4":
		var v []uint32
		err := read(&v)
		conv(len(v), func(i int) int64 { return int64(v[i]) })
		return err
	case "b1":
		var v []bool
		err := read(&v)
		conv(len(v), func(i int) int64 {
			if v[i] {
				return 1
			}
			return 0
		})
		return err
	}
	return fmt.Errorf("unsupported integer dtype %q", kind)
}

// String describes the array's shape and size, for logs.
func (a Array) String() string { return fmt.Sprintf("%v (%d values)", a.Shape, len(a.F64)) }
