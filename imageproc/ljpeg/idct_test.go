package ljpeg

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// noShortcutIdct is idctIslow without its all-zero-AC shortcuts.
func noShortcutIdct(b *block, dst []byte) {
	for c := 0; c < 8; c++ {
		t10, t11, t12, t13, t0, t1, t2, t3 := idct1D(b[c], b[8+c], b[16+c], b[24+c], b[32+c], b[40+c], b[48+c], b[56+c])
		const sh = constBits - pass1Bits
		r := func(x int32) int32 { return (x + 1<<(sh-1)) >> sh }
		b[c], b[56+c], b[8+c], b[48+c] = r(t10+t3), r(t10-t3), r(t11+t2), r(t11-t2)
		b[16+c], b[40+c], b[24+c], b[32+c] = r(t12+t1), r(t12-t1), r(t13+t0), r(t13-t0)
	}
	for y := 0; y < 8; y++ {
		w := b[8*y:]
		t10, t11, t12, t13, t0, t1, t2, t3 := idct1D(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
		const sh = constBits + pass1Bits + 3
		r := func(x int32) uint8 { return rangeLimit((x + 1<<(sh-1)) >> sh) }
		o := dst[8*y:]
		o[0], o[7], o[1], o[6] = r(t10+t3), r(t10-t3), r(t11+t2), r(t11-t2)
		o[2], o[5], o[3], o[4] = r(t12+t1), r(t12-t1), r(t13+t0), r(t13-t0)
	}
}

// floatIdct is the textbook 2-D IDCT (T.81 A.3.3) in float64, level-shifted
// and clamped: the independent reference.
func floatIdct(b *block, dst []byte) {
	for y := 0; y < 8; y++ {
		for x := 0; x < 8; x++ {
			s := 0.0
			for v := 0; v < 8; v++ {
				for u := 0; u < 8; u++ {
					cu, cv := 1.0, 1.0
					if u == 0 {
						cu = 1 / math.Sqrt2
					}
					if v == 0 {
						cv = 1 / math.Sqrt2
					}
					s += cu * cv * float64(b[8*v+u]) *
						math.Cos(float64(2*x+1)*float64(u)*math.Pi/16) * math.Cos(float64(2*y+1)*float64(v)*math.Pi/16)
				}
			}
			dst[8*y+x] = uint8(min(max(math.Round(s/4)+128, 0), 255))
		}
	}
}

// TestIdctIslow: within one level of the exact IDCT on random blocks of
// photo-like spectra (IEEE 1180's bound, which libjpeg's islow meets), and
// the DC-only shortcuts give exactly what the general path gives.
func TestIdctIslow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	worst := 0
	for n := 0; n < 3000; n++ {
		var b block
		b[0] = int32(rng.IntN(2048) - 1024)
		if n%3 != 0 { // a third DC-only, the rest with decaying AC terms
			for i := 1; i < 64; i++ {
				if rng.IntN(3) == 0 {
					amp := 300 / (1 + i/4)
					b[i] = int32(rng.IntN(2*amp+1) - amp)
				}
			}
		}
		if n%5 == 1 { // whole zero columns and rows besides DC
			for r := 1; r < 8; r++ {
				b[8*r+3], b[8*r+5] = 0, 0
			}
			for c := 1; c < 8; c++ {
				b[16+c] = 0
			}
		}
		a, c, f := b, b, b
		got, ref, want := make([]byte, 64), make([]byte, 64), make([]byte, 64)
		idctIslow(&a, got, 8)
		noShortcutIdct(&c, ref)
		floatIdct(&f, want)
		if !bytes.Equal(got, ref) {
			t.Fatalf("block %d: shortcut path %v, general path %v", n, got, ref)
		}
		for i := range got {
			worst = max(worst, abs(int(got[i])-int(want[i])))
		}
	}
	t.Logf("worst difference from the float64 IDCT: %d", worst)
	if worst > 1 {
		t.Errorf("islow is %d levels from the exact IDCT, want ≤ 1", worst)
	}
}

func abs(x int) int { return max(x, -x) }

// TestRangeLimit: libjpeg's post-IDCT table, clamping near the centre and
// wrapping mod 1024 beyond ±512.
func TestRangeLimit(t *testing.T) {
	for _, c := range []struct {
		x    int32
		want uint8
	}{{-128, 0}, {-129, 0}, {0, 128}, {127, 255}, {128, 255}, {511, 255}, {-512, 0}, {512, 0}, {1024 - 1, 127}, {1024, 128}, {-1024 + 5, 133}} {
		if got := rangeLimit(c.x); got != c.want {
			t.Errorf("rangeLimit(%d) = %d, want %d", c.x, got, c.want)
		}
	}
}
