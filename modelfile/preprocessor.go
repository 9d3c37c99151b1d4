package modelfile

// MetaPreprocessor is the metadata key holding the image preprocessing a
// model expects, as a preprocessor_config.json with every field explicit
// (size, resample, do_rescale, rescale_factor, do_normalize, image_mean,
// image_std: imageproc.Processing.JSON). The converter writes it from the
// snapshot's preprocessor_config.json (transformers' defaults where the
// snapshot has none); files without it (written before it existed) mean
// SigLIP's defaults: bicubic, rescale 1/255, mean and std 0.5.
const MetaPreprocessor = "preprocessor"

// Preprocessor returns the file's MetaPreprocessor JSON, or nil when the
// file has none (then SigLIP's defaults apply).
func (f *File) Preprocessor() []byte {
	s, ok := f.st.Metadata[MetaPreprocessor]
	if !ok {
		return nil
	}
	return []byte(s)
}
