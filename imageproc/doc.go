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
// Exactness: for lossless inputs (PNG, BMP, GIF, lossless WebP, raw RGBA) and
// for JPEG the resized uint8 array is bit-identical to PIL's and the pixel
// values are bit-identical to transformers' (bicubic and bilinear). Resize is
// a faithful port of Pillow's libImaging/Resample.c (double-precision
// coefficients normalised to 22-bit fixed point, horizontal pass on only the
// rows the vertical pass needs, uint8 clipping between passes).
//
// JPEG decodes to libjpeg-turbo's pixels (PIL's decoder): ljpeg, a fork of
// Go's image/jpeg, runs libjpeg's accurate integer IDCT, and ToRGB replays
// libjpeg's upsampling (jdsample.c: triangle filters for h2v1, h2v2 and h1v2
// as jinit_upsampler picks them with fancy upsampling on, replication for
// narrow planes and 4:1:1/4:1:0) and the fixed-point YCbCr→RGB tables of
// jdcolor.c. Tested equal to PIL on testdata/jpeg (every sampling layout,
// progressive, grey) and coco_39769_q90.jpg. A file cut short without EOI is
// an error, as in PIL. Known departures on damaged files PIL accepts: a
// progressive JPEG whose last scans are missing but which ends in EOI decodes
// without libjpeg's block smoothing (measured: up to 17 levels from PIL), and
// one cut inside a scan then closed with EOI is an error here (libjpeg warns
// and zero-fills). Lossy WebP uses Go's conversion and is further from libwebp.
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
