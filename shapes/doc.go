// Package shapes draws the procedural pictures the demo SigLIP model
// (testdata/demo) was trained on: a circle, square, triangle, diamond, cross
// or ring in one of eight colours on a shaded background of another colour,
// small or large, turned a little, with Gaussian noise. It is a port of
// render() in testdata/gen.py — same geometry, colours, sizes, shading, noise
// amplitude, clamping and 1/255 quantisation — with math/rand/v2 standing in
// for torch's generator, so the pictures follow the same distribution but are
// not the same pictures for a given seed.
package shapes
