// Copyright 2026 The siglip-wasm Authors. New file in this fork of Go's
// image/jpeg (BSD licence, LICENSE in this folder).

// Package ljpeg decodes JPEG to the same samples as libjpeg-turbo, the
// decoder behind PIL (and so behind transformers' SiglipImageProcessor).
//
// It is a fork of the Go standard library's image/jpeg decoder (Go 1.26;
// reader.go, huffman.go and scan.go keep the Go Authors' copyright and BSD
// licence header; LICENSE is Go's licence). Entropy decoding, markers,
// progressive refinement and restart handling are Go's. What changed:
//
//   - idct.go (new): libjpeg's accurate integer IDCT (jpeg_idct_islow) with
//     its level shift and range-limit table, in place of Go's IDCT and clip.
//     This was the only difference left between Go's planes and libjpeg's.
//   - No encoder, no image.RegisterFormat (imageproc calls Decode directly,
//     the standard decoder stays registered for other users).
//   - YCbCrK uses color.YCbCrToRGB (Go's internal imageutil is not importable).
//
// Decode returns Go's types: *image.Gray, *image.YCbCr with the chroma planes
// at their stored resolution (padded to whole MCUs), *image.RGBA for Adobe
// RGB, *image.CMYK. The upsampling and YCbCr→RGB steps of libjpeg (fancy
// upsampling, jdcolor.c's tables) are in imageproc's ToRGB, which needs the
// planes, not converted pixels.
package ljpeg
