// makeIntRef writes, through a throwaway Go main run inside this module,
// random q8 and q4 products and their results by kernel.RefMatMulQ8 and
// RefMatMulQ4 (the int8 semantics the WebGPU shaders must reproduce bit
// for bit), with the edge cases: an all-zero row (amax = 0), a row of
// exact rounding ties, sums past 2^24 (K = 3072 at full scale), N not a
// multiple of the 8-row panels, a q4 K cut inside a block. Each case:
// {fmt, M, N, K, qmax, a, bias, w (base64, the file's layout), s (base64
// scales: q8 F32, q4 F16), y (the result's float32 bits)}.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './tiny.mjs';

export function makeIntRef(tmp) {
  const dir = path.join(tmp, 'mkintref');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.go'), `package main

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand"
	"os"

	"github.com/siglip-wasm/siglip-wasm/kernel"
)

type tcase struct {
	Fmt     string    \`json:"fmt"\`
	M       int       \`json:"M"\`
	N       int       \`json:"N"\`
	K       int       \`json:"K"\`
	QMax    int       \`json:"qmax"\`
	A       []float32 \`json:"a"\`
	Bias    []float32 \`json:"bias"\`
	W       []byte    \`json:"w"\`
	S       []byte    \`json:"s"\`
	Y       []uint32  \`json:"y"\`
}

func acts(r *rand.Rand, m, k int) []float32 {
	a := make([]float32, m*k)
	for i := range a {
		a[i] = float32(r.NormFloat64() * 3)
	}
	for i := 0; i < k; i++ {
		a[k+i] = 0 // row 1: amax = 0
	}
	if m > 2 {
		// row 2: amax 127, so inv = 1 and the halves are exact ties
		for i := 0; i < k; i++ {
			a[2*k+i] = float32(i%254-127) + 0.5
		}
		a[2*k] = 127
	}
	if m > 3 {
		for i := 0; i < k; i++ { // row 3: full scale, sums past 2^24
			a[3*k+i] = 100 + float32(i%7)
		}
	}
	return a
}

func bits(y []float32) []uint32 {
	out := make([]uint32, len(y))
	for i, v := range y {
		out[i] = math.Float32bits(v)
	}
	return out
}

func q8(r *rand.Rand, m, n, k int) tcase {
	q := make([]int8, n*k)
	for i := range q {
		q[i] = int8(r.Intn(255) - 127)
	}
	for i := 0; i < k; i++ {
		q[i] = 127 // row 0 at full scale
	}
	sc := make([]float32, n)
	bias := make([]float32, n)
	for i := range sc {
		sc[i] = float32(r.Float64()*0.01 + 1e-4)
		bias[i] = float32(r.NormFloat64())
	}
	w, err := kernel.PackQ8(q, sc, n, k)
	check(err)
	a := acts(r, m, k)
	y := make([]float32, m*n)
	kernel.RefMatMulQ8(y, a, m, w, bias)
	wb := make([]byte, len(w.Data))
	for i, v := range w.Data {
		wb[i] = byte(v)
	}
	sb := make([]byte, 4*n)
	for i, v := range sc {
		binary.LittleEndian.PutUint32(sb[4*i:], math.Float32bits(v))
	}
	return tcase{"q8", m, n, k, kernel.ActQMax(), a, bias, wb, sb, bits(y)}
}

func q4(r *rand.Rand, m, n, k int) tcase {
	nb := (k + kernel.Q4Block - 1) / kernel.Q4Block
	data := make([]byte, n*nb*16)
	for row := 0; row < n; row++ {
		for kk := 0; kk < nb*kernel.Q4Block; kk++ {
			v := byte(8) // padding: Q = 0
			if kk < k {
				v = byte(r.Intn(16))
			}
			data[(row*nb+kk/32)*16+(kk%32)/2] |= v << (4 * uint(kk%2))
		}
	}
	sc := make([]uint16, n*nb)
	for i := range sc {
		sc[i] = uint16(0x2000 + r.Intn(0x1000)) // positive normal halves
	}
	bias := make([]float32, n)
	for i := range bias {
		bias[i] = float32(r.NormFloat64())
	}
	w, err := kernel.NewPackedQ4(data, sc, n, k)
	check(err)
	a := acts(r, m, k)
	y := make([]float32, m*n)
	kernel.RefMatMulQ4(y, a, m, w, bias)
	sb := make([]byte, 2*len(sc))
	for i, v := range sc {
		binary.LittleEndian.PutUint16(sb[2*i:], v)
	}
	return tcase{"q4", m, n, k, kernel.ActQMax(), a, bias, data, sb, bits(y)}
}

func main() {
	r := rand.New(rand.NewSource(17))
	cases := []tcase{q8(r, 6, 19, 3072), q8(r, 5, 8, 64), q4(r, 6, 7, 40), q4(r, 5, 20, 3072)}
	j, err := json.Marshal(cases)
	check(err)
	check(os.WriteFile(os.Args[1], j, 0o644))
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
`);
  const out = path.join(tmp, 'intref.json');
  execFileSync('go', ['run', path.join(dir, 'main.go'), out], { cwd: root, stdio: 'inherit' });
  return JSON.parse(fs.readFileSync(out, 'utf8'));
}
