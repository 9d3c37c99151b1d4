package kernel

import (
	"math/rand/v2"
	"testing"
)

func TestPackLayouts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sz := range [][2]int{{1, 1}, {8, 2}, {9, 3}, {17, 33}} {
		n, k := sz[0], sz[1]
		w := make([]float32, n*k)
		q := make([]int8, n*k)
		for i := range w {
			w[i] = rng.Float32()
			q[i] = int8(rng.IntN(255) - 127)
		}
		pf, err := PackF32(w, n, k)
		if err != nil {
			t.Fatal(err)
		}
		pq, err := PackQ8(q, make([]float32, n), n, k)
		if err != nil {
			t.Fatal(err)
		}
		if len(pq.Data)%16 != 0 || len(pf.Data)%PanelRows != 0 {
			t.Fatalf("%v: packed lengths %d %d", sz, len(pq.Data), len(pf.Data))
		}
		for r := 0; r < n; r++ {
			for c := 0; c < k; c++ {
				if pf.At(r, c) != w[r*k+c] || pq.At(r, c) != q[r*k+c] {
					t.Fatalf("%v: [%d][%d] mismatch", sz, r, c)
				}
			}
		}
	}
	if _, err := PackQ8([]int8{-128}, []float32{1}, 1, 1); err == nil {
		t.Fatal("-128 must be refused")
	}
	if _, err := PackF32(make([]float32, 5), 2, 3); err == nil {
		t.Fatal("size mismatch must be refused")
	}
}

func TestRefQ8CloseToF32(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m, n, k := 3, 10, 37
	a := make([]float32, m*k)
	w := make([]float32, n*k)
	for i := range a {
		a[i] = rng.Float32()*2 - 1
	}
	for i := range w {
		w[i] = rng.Float32()*2 - 1
	}
	q := make([]int8, n*k)
	sc := make([]float32, n)
	for r := 0; r < n; r++ {
		sc[r] = QuantizeRow(q[r*k:(r+1)*k], w[r*k:(r+1)*k])
	}
	pf, _ := PackF32(w, n, k)
	pq, _ := PackQ8(q, sc, n, k)
	y1 := make([]float32, m*n)
	y2 := make([]float32, m*n)
	RefMatMulF32(y1, a, m, pf, nil)
	RefMatMulQ8(y2, a, m, pq, nil)
	for i := range y1 {
		if d := y1[i] - y2[i]; d > 0.1 || d < -0.1 {
			t.Fatalf("q8 vs f32 at %d: %v vs %v", i, y2[i], y1[i])
		}
	}
}
