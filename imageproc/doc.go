// Package imageproc turns image bytes (or a browser canvas's RGBA pixels) into
// SigLIP pixel values exactly as Hugging Face's PIL-based SiglipImageProcessor
// does: decode → PIL convert("RGB") → PIL bicubic resize with antialiasing to a
// square of the model's image_size (aspect not kept, no crop) → rescale by 1/255
// → normalise with mean 0.5, std 0.5, channel-first [3,N,N] float32.
//
// Those are SigLIP's defaults. A model's own preprocessor_config.json
// (ParsePreprocessorConfig → Processing, stored in its model file) may say
// otherwise: resample 2 (PIL bilinear, antialiased: SigLIP 2) or 3
// (bicubic), do_rescale / rescale_factor, do_normalize, image_mean /
// image_std per channel; NewPreprocessor applies them with transformers'
// arithmetic. Values outside that are refused, never approximated.
//
// Exactness: for lossless inputs (PNG, BMP, GIF, lossless WebP, raw RGBA) the
// resized uint8 array is bit-identical to PIL's and the pixel values are
// bit-identical to transformers' (bicubic and bilinear). Resize is a faithful port of Pillow's
// libImaging/Resample.c (double-precision coefficients normalised to 22-bit
// fixed point, horizontal pass on only the rows the vertical pass needs,
// uint8 clipping between passes).
//
// Lossy formats are not bit-exact. For JPEG, ToRGB replays libjpeg's fancy
// chroma upsampling and YCbCr→RGB tables on Go's decoded planes, so only the
// IDCT rounding differs from PIL (coco_39769_q90.jpg: max 3, mean 0.04 levels;
// after the resize to 256, max 2, mean 0.05 levels). Lossy WebP uses Go's
// conversion and is further from libwebp.
//
// Colour conversion follows PIL's convert("RGB"): grey L is replicated, palette
// entries are looked up, alpha is dropped (not composited), 16-bit RGB/RGBA/LA
// keep the most significant byte, and 16-bit greyscale saturates at 255 (PIL
// opens it as mode I;16 and its I;16→RGB conversion clips rather than scales).
// A GIF's transparent palette entry keeps its colour (Go's decoder blanks it;
// Decode restores it, as PIL shows it). Known departures: a GIF whose first frame does not
// cover the logical screen is taken at the frame's size (PIL pastes it on the
// screen), and CMYK JPEGs use Go's CMYK→RGB.
//
// EXIF orientation is ignored, as transformers ignores it (it never calls
// ImageOps.exif_transpose), so a rotated phone photo is seen as stored.
//
// Decompression bombs are refused before decoding: the header's dimensions must
// be non-zero, each side at most MaxSide and the area at most MaxPixels.
package imageproc
