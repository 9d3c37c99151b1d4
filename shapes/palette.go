package shapes

// Colour is a named RGB colour with components in [0, 1].
type Colour struct {
	Name    string
	R, G, B float32
}

// Colours are gen.py's COLORS, in order (shape colours and prompt order).
var Colours = []Colour{
	{"red", 0.86, 0.12, 0.12}, {"green", 0.12, 0.67, 0.24}, {"blue", 0.12, 0.27, 0.86},
	{"yellow", 0.94, 0.86, 0.16}, {"orange", 0.96, 0.55, 0.08}, {"purple", 0.55, 0.2, 0.71},
	{"white", 0.96, 0.96, 0.96}, {"black", 0.08, 0.08, 0.08},
}

// Backgrounds are gen.py's BGS: the shape colours plus gray.
var Backgrounds = append(append([]Colour(nil), Colours...), Colour{"gray", 0.5, 0.5, 0.5})

// Shapes are gen.py's SHAPES, in order.
var Shapes = []string{"circle", "square", "triangle", "diamond", "cross", "ring"}

// HeldOut are the colour/shape pairs the demo model never saw in training.
var HeldOut = [][2]string{{"orange", "diamond"}, {"purple", "triangle"}, {"white", "cross"}, {"yellow", "ring"}}

// Prompts returns the 48 zero-shot prompts "a photo of a {colour} {shape}",
// colour-major, in the order of demo_meta.json's "prompts".
func Prompts() []string {
	out := make([]string, 0, len(Colours)*len(Shapes))
	for _, c := range Colours {
		for _, s := range Shapes {
			out = append(out, "a photo of a "+c.Name+" "+s)
		}
	}
	return out
}

// PromptIndex is the index in Prompts() of a colour/shape pair (by index).
func PromptIndex(colour, shape int) int { return colour*len(Shapes) + shape }

func isHeldOut(c, s int) bool {
	for _, h := range HeldOut {
		if Colours[c].Name == h[0] && Shapes[s] == h[1] {
			return true
		}
	}
	return false
}
