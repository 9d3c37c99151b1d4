// Package ref64 is an independent float64 SigLIP forward pass for tests:
// the oracle that the engine (package model, float32 and int8 kernels) is
// checked against at shapes no transformers golden covers (so400m's
// 27×27 patch grid, for one).
//
// It shares no code with the engine on purpose: plain loops over Hugging
// Face tensor names and row-major HF layouts, every activation and sum in
// float64, the weights taken as given (float32) and widened. The layer
// order follows transformers' modeling_siglip.py: pre-norm encoder layers,
// the patch embedding as a stride-patch_size convolution without padding
// (floor(image_size/patch_size) patches per side), the attention-pooling
// head, the text tower's last token, and logits = cos · exp(logit_scale) +
// logit_bias.
package ref64
