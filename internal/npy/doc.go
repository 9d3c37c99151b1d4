// Package npy is the command line's one reader (and header writer) of
// NumPy's .npy format, for `siglip embed --input-ids/--pixel-values` and
// `siglip preprocess`.
//
// The reader treats the file as hostile: the header is parsed by a strict
// parser of the few Python literals NumPy writes, and the declared shape is
// checked against a caller's maximum element count and against the file's
// actual size before anything proportional to it is allocated. Elements
// are then read a slice at a time, so an array larger than memory can
// still be streamed.
package npy
