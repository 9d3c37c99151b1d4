// Package weights runs the model on a model file: it serves an opened
// modelfile.File as a model.WeightSource, so package model computes with
// the file's weights in the form they are stored in.
//
//	q8   model.Q8Linear over the file's bytes (kernel.PackedQ8 panels, zero
//	     copy; kernel.MatMulQ8); token table gathered row by row from int8
//	q4   model.Q4Linear over the file's bytes (kernel.PackedQ4, zero copy;
//	     kernel.MatMulQ4); token table dequantized one row at a time
//	f16  widened to float32 at load (there are no half-precision kernels)
//	     and packed for kernel.MatMulF32; token table read as f16 rows
//	f32  packed for kernel.MatMulF32; token table aliased
//
// It lives apart from package modelfile so the format itself never imports
// the model (DESIGN.md).
package weights
