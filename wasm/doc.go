// Command wasm is the GOOS=js GOARCH=wasm main package: a thin binding from
// JavaScript to the Go model (in the spirit of whisper.cpp's wasm example).
//
// On start it installs one object on the global scope, globalThis.siglipGo,
// and then waits for calls forever. Every function returns a Promise; a Go
// error rejects it with an Error carrying the Go error's message.
//
//	load(bytes Uint8Array) -> Promise<handle number>
//	info(handle) -> Promise<{imageSize, embedDim, maxTextTokens, textBatch, name, ...}>
//	embedImagesRGBA(handle, [{rgba Uint8Array|Uint8ClampedArray, width, height}, ...]) -> Promise<{data Float32Array, dim}>
//	embedImagesEncoded(handle, [Uint8Array, ...]) -> Promise<{data Float32Array, dim}>
//	embedTexts(handle, [string, ...]) -> Promise<{data Float32Array, dim}>
//	tokenize(handle, [string, ...]) -> Promise<[[id, ...], ...]> (the ids embedTexts uses)
//	scores(handle, imageEmbeds Float32Array, textEmbeds Float32Array, dim) -> Promise<{logits Float32Array, probs Float32Array}>
//	unload(handle) -> Promise<undefined>
//
// Embeddings come back row-major, one row of dim float32 per input, already
// L2-normalised. scores gives, for each image (row) and text (column), the
// model's logit cos·exp(logit_scale)+logit_bias and its sigmoid.
//
// All decoding, preprocessing, tokenisation and inference live in the Go
// packages (imageproc, tokenizer, model, modelfile), tested natively; this
// package only converts between JS values and Go types and guards inputs.
// web/worker.js is its only caller.
package main
