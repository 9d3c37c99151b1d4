// Package safetensors reads and writes the safetensors container
// (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON header, then the raw little-endian tensor bytes.
//
// The header maps each tensor name to {"dtype", "shape", "data_offsets":
// [begin, end]} (offsets relative to the byte after the header) and may hold
// a "__metadata__" object of string→string pairs.
//
// Reading is zero-copy: Parse keeps the caller's byte slice and every Tensor
// is a view into it, so a 200 MB model is never duplicated on load. Every
// offset, size and shape is validated against the buffer before any view is
// made, so a truncated or hostile file is an error, never a panic.
//
// Both Hugging Face's model.safetensors and our own single-file model format
// (package modelfile) sit on this container.
package safetensors
