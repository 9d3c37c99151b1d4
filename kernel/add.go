package kernel

// Add adds y to x element-wise, in place: x[i] += y[i] for i < len(x)
// (y must be at least as long). The residual connections of the encoder;
// every form gives the same bits (one float32 addition per element).
func Add(x, y []float32) {
	if active.add != nil {
		active.add(x, y)
		return
	}
	y = y[:len(x)]
	for i := range x {
		x[i] += y[i]
	}
}
