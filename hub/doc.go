// Package hub downloads model files from the Hugging Face Hub (or any
// server laid out like it) into a local cache, for `siglip convert
// --in hf:OWNER/REPO[@REVISION]`. Native only: nothing in wasm/ imports it.
//
// A file is fetched from
//
//	{endpoint}/{OWNER}/{REPO}/resolve/{REVISION}/{FILE}
//
// where endpoint is https://huggingface.co unless HF_ENDPOINT says
// otherwise. As huggingface_hub does, a HEAD request first reads what the
// hub announces without following cross-host redirects: the ETag
// (X-Linked-Etag for LFS files, else ETag; quotes and a W/ prefix removed)
// and the size (X-Linked-Size, else Content-Length). For LFS files the ETag
// is the SHA-256 of the content (64 hex digits); for small files kept in git
// it is the git blob id (40 hex digits: SHA-1 of "blob {size}\x00" and the
// content). Both are checked after the download; a mismatch deletes the
// partial file and fails.
//
// Downloads go to {cache}/OWNER/REPO/REVISION/FILE.part and are renamed when
// complete and verified; an interrupted download resumes from the .part
// file with an HTTP Range request. The cache is $SIGLIP_CACHE, else
// $XDG_CACHE_HOME/siglip-wasm, else ~/.cache/siglip-wasm. A cached file
// whose recorded ETag (FILE.etag) still matches the hub's is used as is;
// when the hub cannot be reached, a cached file is used with a warning.
//
// Snapshot fetches config.json, the weights — model.safetensors, or for a
// sharded checkpoint model.safetensors.index.json and every shard it names
// (each its own verified, resumable download; shard names must be plain
// file names beside the index) — the optional preprocessor_config.json and
// the tokenizer. A repository with only pytorch_model.bin gets an error
// naming the fixes (a safetensors revision such as hf:OWNER/REPO@refs/pr/N,
// or converting the pickle elsewhere): pickles are never unpickled here.
//
// Progress is drawn on stderr (Client.Progress).
package hub
