// Package modelfile reads and writes siglip-wasm's single-file model format:
// the weights (quantized or not), the Hugging Face config.json and the
// tokenizer model in one safetensors file, so a browser fetches one URL per
// model and any safetensors reader can still open it.
//
// # Container
//
// A plain safetensors file (package safetensors): 8-byte little-endian
// header length, JSON header, data section. The header's __metadata__ holds
//
//	format          "siglip-wasm"
//	format_version  "2"              (readers also take "1", refuse others)
//	scheme          "f32" | "f16" | "q8" | "q4"
//	tokenizer       "spiece.model" | "tokenizer.json"
//	file_sha256     lowercase hex SHA-256 of the whole file, header included,
//	                computed with this value's own 64 digits read as ASCII
//	                '0': it covers the tensor table, every other metadata
//	                value, every tensor, the config and the tokenizer. The
//	                value must appear once in the header, as a plain string.
//	text            the text pipeline resolved from tokenizer_config.json
//	                (tokenizer.TextConfig as JSON: lowercase, max_length,
//	                pad, bos, eos, pad_left); absent in older files, which
//	                use tokenizer.DefaultText
//	q4_method       q4 files only: "rtn" (each weight rounded to its
//	                nearest grid point, RoundQ4) or "gptq" (calibrated,
//	                package gptq); the layout is the same, readers ignore it
//
// Open recomputes the hash and refuses a mismatch, so an edit to the
// header (two tensors' data_offsets swapped, a metadata value changed) is a
// clear error rather than a silently different model; Rehash makes a
// file's hash right again (tests, fuzzing). Duplicate JSON keys anywhere in
// the header are refused (safetensors.Parse), and float tensors (F32, the
// f16 weights, q8 and q4 scales) must be finite: a NaN logit_scale is
// refused at load with the tensor's name. Every dtype, shape and offset is
// also checked against the shapes config.json implies, by the model's own
// tensor table, which the caller hands over (Open and Write take a
// SpecsFunc; modelfile/weights.Specs is model.TensorSpecs): the SigLIP
// tensor names are written once, in package model.
//
// Version 1 (still read) had payload_sha256 instead: the SHA-256 of the
// data section only. Its header is unauthenticated (every dtype, shape and
// offset is still checked against the shapes config.json implies), and any
// refusal of a version-1 file says that it predates the header hash.
// Because version 1 is accepted, a header rewritten as version 1 with a
// right payload hash loads; `siglip convert` writes version 2.

// # Tensors
//
// Names are Hugging Face's (SiglipModel state dict). Two U8 tensors carry
// the side files byte for byte:
//
//	__config__     U8 [n]   the Hugging Face config.json
//	__tokenizer__  U8 [n]   spiece.model (SentencePiece protobuf) or tokenizer.json
//
// Float tensors — layer norms, biases, position embeddings, the vision head
// probe, logit_scale, logit_bias — are F32 in their Hugging Face shape under
// every scheme (they are 0.3% of the parameters and the most sensitive).
//
// Weights are the Linear weights W[N][K] (every *_proj.weight, mlp.fc1/fc2,
// text_model.head.weight, vision_model.head.attention.in_proj_weight, and
// the patch embedding seen as [hidden, channels·patch·patch]) and the token
// embedding table [vocab][hidden]. By scheme:
//
//	f32  NAME        F32 [N, K]   row-major (Hugging Face order)
//	f16  NAME        F16 [N, K]   row-major, round to nearest even
//	q8   NAME        I8  [⌈N/8⌉, ⌈K/2⌉, 8, 2]  kernel.PackedQ8's panel layout:
//	                      element (p, k2, j, e) = Q[8p+j][2·k2+e], 0 where padded
//	     NAME.scale  F32 [N]      (F16 with Options.Q8ScaleF16)
//	                 W[n][k] ≈ scale[n]·Q[n][k], scale = max_k|W[n][k]|/127,
//	                 Q = clamp(roundHalfEven(W/scale), ±127)
//	q4   NAME        U8  [N, ⌈K/32⌉, 16]  kernel.PackedQ4: byte j of block b of
//	                      row n = (Q[n][32b+2j]+8) | (Q[n][32b+2j+1]+8)<<4
//	     NAME.scale  F16 [N, ⌈K/32⌉]   W ≈ d·Q, Q ∈ [-8, 7]; d searched per block
//	                 for the least squared error (see Q4BlockScale), may be negative
//
// A q4 file stores three Linear weights as q8 instead (Q4KeepsQ8): the
// patch embedding, the text head and the vision head's attention — the
// first and last layers, whose error no residual stream dilutes (on the
// tiny model they alone cost more accuracy at 4 bits than all encoder
// layers). Readers tell the two forms apart by dtype (I8 vs U8).
//
// Under q8 the token embedding is stored row-major (I8 [vocab, hidden] and
// an F32 [vocab] scale) instead of in panels, so one row is gathered per
// token; under q4 it uses the Linear layout, which is row-major already.
//
// Storing q8 weights already in the kernel's packed layout makes loading
// zero-copy: the engine's PackedQ8 views the file's bytes, so a q8 model
// costs its file size plus activations, never a float32 copy.
//
// Tensor order (deterministic): packed q8 / q4 blocks (each a multiple of 16
// bytes), then F32, then F16, then the rest (q8 embedding rows, config,
// tokenizer). The data section starts 8-byte aligned, so every F32 and F16
// view is aligned and read in place.
package modelfile
