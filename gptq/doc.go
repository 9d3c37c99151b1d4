// Package gptq chooses a q4 model file's 4-bit weights by GPTQ (Frantar et
// al., "GPTQ: Accurate Post-Training Quantization for Generative
// Pre-trained Transformers", 2022) instead of rounding each weight to its
// nearest grid point.
//
// Why: rounding to nearest leaves every weight its own error, step²/12 on
// the 4-bit grid, about 6.7% of each matrix product even on the reference
// formula weights (uniform, the easiest case for a uniform grid). Summed
// over twelve layers, base-256 ended at embedding cosine 0.981 / 0.980
// against transformers, short of the 0.99 issue 5 asks; no better
// rounding of the weights alone at these 4.5 bits per weight closes that
// (it would need about half the noise power). GPTQ
// minimises the error of each Linear's output instead of its weights:
// column by column it rounds, and carries the error into the columns still
// to come, weighted by how the inputs co-vary (their second moment
// H = XᵀX over calibration activations). A transformer's inputs co-vary
// strongly (a shared component dominates the residual stream), so most of
// the error cancels in the product. Measured on base-256 (formula weights,
// the goldens' images and texts, which are not in the calibration set):
// cosine 0.9968 (image) and 0.9967 (text), logits within 0.035; the file
// is byte for byte the same size and layout, and the engine runs it
// unchanged.
//
// How: Calibrate loads the model in float, runs it once on the
// calibration images and once on the calibration texts, and quantizes
// each Linear when the forward pass reaches it, from the activations that
// really arrive there (the earlier Linears already 4-bit: the paper's
// sequential mode). The Linears a q4 file keeps at 8 bits run as int8 and
// the token embedding (a lookup, with no inputs to weigh) as its rounded
// 4-bit table. Block scales follow RoundQ4's rule on the weights as
// updated when each block of 32 is reached. The factorisation is the LDL
// form of Chee et al. ("QuIP", 2023): one Cholesky factorisation of the
// damped H per input, no inverse.
//
// The built-in calibration set (DefaultInputs: 16 drawn pictures, 48
// label-like texts) needs no files; real photographs of a model's domain
// (Inputs.AddImage, the CLI's --calib-images) serve a photo model better.
// Images and texts are turned into the model's inputs as the file being
// written will have the engine do it (DefaultInputsStored: its stored
// preprocessor_config, e.g. SigLIP 2's bilinear resize, and text pipeline).
// Results are deterministic: same weights and inputs, same bytes.
//
// Cost: with the native kernels (package kernel's assembly forms) and the
// float64 loops here in assembly (linalg_amd64.s), base-256 calibrated in
// 343 s of CPU time (TestCalibrateSpeed, SIGLIP_GPTQ_SPEED=full, measured
// on a heavily shared 2-core machine before the four-column factorisation,
// which halves its largest part): about 3 minutes on two idle cores, from
// more than 9 before. Per 3072-wide input the Cholesky factorisation and
// the N·K²/2 column updates dominate, then the K×K Gram matrix (on the f32
// matmul kernel) and the forward passes; memory is the float model plus
// one K×K float64 matrix.
package gptq
