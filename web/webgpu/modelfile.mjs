// What the GPU code knows of the model file format (modelfile/doc.go):
// the tensor table comes from the Go module (gpuTensors: dtype, shape and
// byte length of each tower tensor as stored); this names the layouts.

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
