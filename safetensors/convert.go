package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"

	"github.com/x448/float16"
)

// Float32s decodes an F32, F16 or BF16 tensor into float32s. For F32 data
// that happens to be 4-byte aligned on a little-endian machine (every
// machine Go targets that we run on, wasm included) the result aliases the
// file's bytes instead of copying them; callers must treat it as read-only.
func (t Tensor) Float32s() ([]float32, error) {
	n := t.NumElements()
	switch t.DType {
	case F32:
		if n == 0 {
			return []float32{}, nil
		}
		if uintptr(unsafe.Pointer(&t.Data[0]))%4 == 0 {
			return unsafe.Slice((*float32)(unsafe.Pointer(&t.Data[0])), n), nil
		}
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
		}
		return out, nil
	case F16:
		out := make([]float32, n)
		for i := range out {
			out[i] = float16.Frombits(binary.LittleEndian.Uint16(t.Data[2*i:])).Float32()
		}
		return out, nil
	case BF16:
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(t.Data[2*i:])) << 16)
		}
		return out, nil
	}
	return nil, fmt.Errorf("tensor %q: dtype %s is not a float type (want F32, F16 or BF16)", t.Name, t.DType)
}

// Int8s views an I8 tensor's bytes as int8s (no copy).
func (t Tensor) Int8s() ([]int8, error) {
	if t.DType != I8 {
		return nil, fmt.Errorf("tensor %q: dtype %s, want I8", t.Name, t.DType)
	}
	if len(t.Data) == 0 {
		return []int8{}, nil
	}
	return unsafe.Slice((*int8)(unsafe.Pointer(&t.Data[0])), len(t.Data)), nil
}

// F32Bytes encodes float32s as little-endian bytes.
func F32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// F16Bytes rounds float32s to IEEE half precision (nearest even) and encodes them.
func F16Bytes(v []float32) []byte {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(float16.Fromfloat32(x)))
	}
	return b
}
