// Reads what the GPU needs from a model file (modelfile/doc.go): the
// safetensors header's tensor table (dtype, shape, byte range in the file)
// and config.json. The Go module has already checked the file (payload
// hash, every dtype and shape against the config) before this runs, so
// this only locates bytes; it still refuses what it cannot read.

export function readModelFile(bytes) {
  if (bytes.length < 8) throw new Error('webgpu: model file too short');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n <= 0 || 8 + n > bytes.length) throw new Error('webgpu: bad safetensors header length');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const base = 8 + n;
  const meta = header.__metadata__ ?? {};
  const tensors = new Map();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const [lo, hi] = t.data_offsets;
    tensors.set(name, { name, dtype: t.dtype, shape: t.shape, offset: base + lo, length: hi - lo });
  }
  const cfgT = tensors.get('__config__');
  if (!cfgT) throw new Error('webgpu: the model file has no __config__');
  const config = JSON.parse(new TextDecoder().decode(bytes.subarray(cfgT.offset, cfgT.offset + cfgT.length)));
  return { scheme: meta.scheme, config, tensors };
}

// weightFormat names how a Linear (or the token embedding) is stored, from
// its dtype and the scheme (modelfile/doc.go): f32, f16, q8 (panels), q4,
// or q8rows (the q8 token embedding: I8 [vocab, hidden], not 4-D panels).
export function weightFormat(t) {
  switch (t.dtype) {
    case 'F32': return 'f32';
    case 'F16': return 'f16';
    case 'I8': return t.shape.length === 2 ? 'q8rows' : 'q8';
    case 'U8': return 'q4';
  }
  throw new Error(`webgpu: tensor ${t.name} has dtype ${t.dtype}, which the GPU backend does not read`);
}
