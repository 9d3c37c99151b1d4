package shapes

import (
	"math"
	"math/rand/v2"
)

// Sample is one rendered picture and what it shows.
type Sample struct {
	W, H int
	Pix  []uint8 // H×W×3 RGB, rows top to bottom

	Colour, Shape, Background string
	ColourIndex, ShapeIndex   int // into Colours and Shapes
	BackgroundIndex           int // into Backgrounds
	Large                     bool
}

// Prompt is the sample's true zero-shot prompt, "a photo of a {colour} {shape}".
func (s Sample) Prompt() string { return "a photo of a " + s.Colour + " " + s.Shape }

// Render draws n pictures of size×size pixels, like gen.py's render(n, size,
// gen, allow_held_out). Unless allowHeldOut, a held-out colour/shape pair is
// moved to the next colour, as in training.
func Render(rng *rand.Rand, n, size int, allowHeldOut bool) []Sample {
	out := make([]Sample, n)
	for i := range out {
		out[i] = renderOne(rng, size, allowHeldOut)
	}
	return out
}

func renderOne(rng *rand.Rand, H int, allowHeldOut bool) Sample {
	nC, nS := len(Colours), len(Shapes)
	s := rng.IntN(nS)
	c := rng.IntN(nC)
	if !allowHeldOut && isHeldOut(c, s) {
		c = (c + 1) % nC
	}
	b := rng.IntN(len(Backgrounds) - 1)
	if b >= c { // the background differs from the shape's colour
		b++
	}
	large := rng.IntN(2) == 1
	u := func() float32 { return rng.Float32() }
	var r float32
	if large {
		r = 0.36 + 0.18*u()
	} else {
		r = 0.16 + 0.10*u()
	}
	cx := (u()*2 - 1) * (1 - r - 0.04)
	cy := (u()*2 - 1) * (1 - r - 0.04)
	jitter := (u() - 0.5) * float32(20*math.Pi/180)
	var base float32
	switch Shapes[s] {
	case "diamond":
		base = math.Pi / 4 // a square turned 45 degrees
	case "triangle":
		base = u() * 2 * math.Pi
	}
	th := float64(base + jitter)
	ct, st := float32(math.Cos(th)), float32(math.Sin(th))

	col := Colours[c]
	bgc := Backgrounds[b]
	k := 0.85 + 0.3*u()
	cr, cg, cb := clamp01(col.R*k), clamp01(col.G*k), clamp01(col.B*k)
	gx, gy := (u()-0.5)*0.3, (u()-0.5)*0.3

	const sq3 = float32(1.7320508075688772)
	pix := make([]uint8, H*H*3)
	for py := 0; py < H; py++ {
		yy := (float32(py)+0.5)/float32(H)*2 - 1
		for px := 0; px < H; px++ {
			xx := (float32(px)+0.5)/float32(H)*2 - 1
			dx, dy := (xx-cx)/r, (yy-cy)/r
			uu := dx*ct + dy*st
			vv := -dx*st + dy*ct
			rr := float32(math.Sqrt(float64(uu*uu + vv*vv)))
			au, av := abs32(uu), abs32(vv)
			var in bool
			switch Shapes[s] {
			case "circle":
				in = rr <= 1
			case "square", "diamond":
				in = max(au, av) <= 0.8
			case "triangle":
				in = vv >= -0.5 && sq3*uu+vv <= 1 && -sq3*uu+vv <= 1
			case "cross":
				in = (au <= 0.28 && av <= 0.9) || (av <= 0.28 && au <= 0.9)
			case "ring":
				in = rr <= 1 && rr >= 0.55
			}
			shade := 1 + gx*xx + gy*yy
			v := [3]float32{bgc.R * shade, bgc.G * shade, bgc.B * shade}
			if in {
				v = [3]float32{cr, cg, cb}
			}
			o := (py*H + px) * 3
			for ch := 0; ch < 3; ch++ {
				x := v[ch] + 0.03*float32(rng.NormFloat64())
				pix[o+ch] = uint8(math.RoundToEven(float64(clamp01(x) * 255)))
			}
		}
	}
	return Sample{W: H, H: H, Pix: pix,
		Colour: col.Name, Shape: Shapes[s], Background: bgc.Name,
		ColourIndex: c, ShapeIndex: s, BackgroundIndex: b, Large: large}
}

func clamp01(x float32) float32 { return min(max(x, 0), 1) }

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}
