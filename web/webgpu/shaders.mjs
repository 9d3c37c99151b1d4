// WGSL for the WebGPU backend: every kernel the two towers need, in f32
// arithmetic (shader-f16 is not required: f16 scales and weights are read
// with unpack2x16float, which core WGSL has). Weights are read in the model
// file's own layouts (modelfile/doc.go) and dequantised in the shader:
//
//   f32  W[n][k] row-major            f16  W[n][k] row-major halves
//   q8   kernel.PackedQ8 panels: byte ((n/8·⌈K/2⌉ + k/2)·8 + n%8)·2 + k%2,
//        times the per-row scale (F32 or F16)
//   q4   kernel.PackedQ4 blocks: byte (n·⌈K/32⌉ + k/32)·16 + (k%32)/2, low
//        nibble for even k, minus 8, times the F16 scale of the block
//   q8rows (the q8 token embedding only) row-major bytes, F32 row scale
//
// Each kernel declares its bindings (name, kind) next to its source, so the
// JS builds explicit bind group layouts from the same list.

// wload(fmt) is a WGSL function w(n, k) → f32 reading W (array<u32>) and S
// (the scales, array<u32>) in that format; K is the row length.
function wload(fmt, scaleF16) {
  const scale = scaleF16
    ? 'fn rowScale(n: u32) -> f32 { return unpack2x16float(S[n >> 1u])[n & 1u]; }'
    : 'fn rowScale(n: u32) -> f32 { return bitcast<f32>(S[n]); }';
  const byteAt = `fn byteAt(i: u32) -> u32 { return (W[i >> 2u] >> ((i & 3u) * 8u)) & 0xffu; }
fn sbyte(b: u32) -> f32 { return f32(bitcast<i32>(b << 24u) >> 24u); }`;
  switch (fmt) {
    case 'f32':
      return 'fn w(n: u32, k: u32, K: u32) -> f32 { return bitcast<f32>(W[n * K + k]); }';
    case 'f16':
      return `fn w(n: u32, k: u32, K: u32) -> f32 { let i = n * K + k; return unpack2x16float(W[i >> 1u])[i & 1u]; }`;
    case 'q8':
      return `${byteAt}\n${scale}
fn w(n: u32, k: u32, K: u32) -> f32 {
  let k2 = (K + 1u) >> 1u;
  let i = (((n >> 3u) * k2 + (k >> 1u)) * 8u + (n & 7u)) * 2u + (k & 1u);
  return sbyte(byteAt(i)) * rowScale(n);
}`;
    case 'q8rows':
      return `${byteAt}\n${scale}
fn w(n: u32, k: u32, K: u32) -> f32 { return sbyte(byteAt(n * K + k)) * rowScale(n); }`;
    case 'q4':
      return `${byteAt}
fn w(n: u32, k: u32, K: u32) -> f32 {
  let kb = (K + 31u) >> 5u;
  let blk = n * kb + (k >> 5u);
  let b = byteAt(blk * 16u + ((k & 31u) >> 1u));
  let q = f32(i32((b >> ((k & 1u) * 4u)) & 15u) - 8);
  return q * unpack2x16float(S[blk >> 1u])[blk & 1u];
}`;
  }
  throw new Error(`webgpu: no shader for weight format ${fmt}`);
}

const hasScales = (fmt) => fmt === 'q8' || fmt === 'q4' || fmt === 'q8rows';

// gelu(act) is the WGSL activation; tanh and erf are written out (WGSL's
// builtin tanh is not accurate enough everywhere, erf is not a builtin).
const GELU = {
  gelu_tanh: `fn act(v: f32) -> f32 {
  let u = 0.7978845608028654 * (v + 0.044715 * v * v * v);
  let t = exp(-2.0 * abs(u));
  let th = sign(u) * (1.0 - t) / (1.0 + t);
  return 0.5 * v * (1.0 + th);
}`,
  // erf from erfc's Chebyshev fit (Numerical Recipes erfcc, |rel err| < 1.2e-7)
  gelu_erf: `fn act(v: f32) -> f32 {
  let z = abs(v) * 0.7071067811865476;
  let t = 1.0 / (1.0 + 0.5 * z);
  let r = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277)))))))));
  let e = sign(v) * (1.0 - r);
  return 0.5 * v * (1.0 + e);
}`,
};

// matmul: Y[m][n] (op)= X[m][k]·W[n + rowOff][k] + bias[n + biasOff], for
// m < M, n < N, k < K (K % 4 = 0). op: 'store', 'act' (GELU), 'residual'
// (Y +=), 'pos' (+ E[(m % S)][n], the position embedding). Each invocation
// computes 4 rows m × 2 outputs n, n+1 straight from storage (no workgroup
// memory: on SwiftShader this compiles ~100× faster than a tiled kernel and
// runs as fast), reading W four k at a time in its stored layout; q8's row
// scale is applied once per output.
export function matmul(fmt, op, activation, scaleF16) {
  const bindings = [['X', 'read'], ['W', 'read']];
  if (hasScales(fmt)) bindings.push(['S', 'read']);
  bindings.push(['B', 'read'], ['Y', 'rw']);
  if (op === 'pos') bindings.push(['E', 'read']);
  bindings.push(['p', 'uniform']);
  const decl = declare(bindings, { X: 'array<vec4<f32>>', W: fmt === 'f32' ? 'array<vec4<f32>>' : 'array<u32>', S: 'array<u32>', B: 'array<f32>', Y: 'array<f32>', E: 'array<f32>' },
    'struct Params { M: u32, N: u32, K: u32, rowOff: u32, biasOff: u32, S: u32, _a: u32, _b: u32 }');
  let store;
  switch (op) {
    case 'store': store = 'Y[idx] = v;'; break;
    case 'act': store = 'Y[idx] = act(v);'; break;
    case 'residual': store = 'Y[idx] = Y[idx] + v;'; break;
    case 'pos': store = 'Y[idx] = v + E[(m % p.S) * p.N + n];'; break;
    default: throw new Error(`webgpu: matmul op ${op}`);
  }
  const scale = scaleF16
    ? 'fn rowScale(n: u32) -> f32 { return unpack2x16float(S[n >> 1u])[n & 1u]; }'
    : 'fn rowScale(n: u32) -> f32 { return bitcast<f32>(S[n]); }';
  const sb = 'fn sb(w: u32, i: u32) -> f32 { return f32(bitcast<i32>(w << (24u - 8u * i)) >> 24u); }';
  // wpair(a, b, k): rows a and b (stored row indices), k..k+3, as the two
  // columns of a mat2x4.
  let wpair;
  switch (fmt) {
    case 'f32':
      wpair = `fn wpair(a: u32, b: u32, k: u32) -> mat2x4<f32> { return mat2x4<f32>(W[(a * p.K + k) >> 2u], W[(b * p.K + k) >> 2u]); }`;
      break;
    case 'f16':
      wpair = `fn h4(n: u32, k: u32) -> vec4<f32> { let i = (n * p.K + k) >> 1u; return vec4<f32>(unpack2x16float(W[i]), unpack2x16float(W[i + 1u])); }
fn wpair(a: u32, b: u32, k: u32) -> mat2x4<f32> { return mat2x4<f32>(h4(a, k), h4(b, k)); }`;
      break;
    case 'q8':
      // panels of 8 rows (a even, b = a+1): the 16 bytes of k-pair k2 hold
      // (row j, k even), (j, k odd) for j = 0..7; word a%8/2 is rows a, a+1
      wpair = `${sb}\n${scale}
fn wpair(a: u32, b: u32, k: u32) -> mat2x4<f32> {
  let k2n = (p.K + 1u) >> 1u;
  let i = ((a >> 3u) * k2n + (k >> 1u)) * 4u + ((a & 7u) >> 1u);
  let w0 = W[i];
  let w1 = W[i + 4u];
  return mat2x4<f32>(vec4<f32>(sb(w0, 0u), sb(w0, 1u), sb(w1, 0u), sb(w1, 1u)),
                     vec4<f32>(sb(w0, 2u), sb(w0, 3u), sb(w1, 2u), sb(w1, 3u)));
}`;
      break;
    case 'q4':
      // row n, block k/32: 16 bytes (4 words, 8 nibbles each, low first), one F16 scale
      wpair = `fn q4(n: u32, k: u32) -> vec4<f32> {
  let blk = n * ((p.K + 31u) >> 5u) + (k >> 5u);
  let w = W[blk * 4u + ((k & 31u) >> 3u)] >> ((k & 7u) * 4u);
  let q = vec4<f32>(f32(w & 15u), f32((w >> 4u) & 15u), f32((w >> 8u) & 15u), f32((w >> 12u) & 15u)) - vec4<f32>(8.0);
  return q * unpack2x16float(S[blk >> 1u])[blk & 1u];
}
fn wpair(a: u32, b: u32, k: u32) -> mat2x4<f32> { return mat2x4<f32>(q4(a, k), q4(b, k)); }`;
      break;
    default: throw new Error(`webgpu: no matmul for weight format ${fmt}`);
  }
  const rs = fmt === 'q8' ? ' * rowScale(n + p.rowOff)' : '';
  const code = `${decl}
${wpair}
${op === 'act' ? GELU[activation] : ''}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let n0 = g.x * 2u;
  let m0 = g.y * 4u;
  if (n0 >= p.N || m0 >= p.M) { return; }
  // the stored rows read (b = a where n0 + 1 is past N; q8 panels are padded)
  let a = n0 + p.rowOff;
  let b = select(a, a + 1u, n0 + 1u < p.N || ${fmt === 'q8' ? 'true' : 'false'});
  let kq = p.K >> 2u;
  let x0 = min(m0, p.M - 1u) * kq;
  let x1 = min(m0 + 1u, p.M - 1u) * kq;
  let x2 = min(m0 + 2u, p.M - 1u) * kq;
  let x3 = min(m0 + 3u, p.M - 1u) * kq;
  var acc0 = vec2<f32>();
  var acc1 = vec2<f32>();
  var acc2 = vec2<f32>();
  var acc3 = vec2<f32>();
  for (var k = 0u; k < p.K; k += 4u) {
    let w = wpair(a, b, k);
    let q = k >> 2u;
    acc0 += X[x0 + q] * w;
    acc1 += X[x1 + q] * w;
    acc2 += X[x2 + q] * w;
    acc3 += X[x3 + q] * w;
  }
  let acc = array<vec2<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 2u; j++) {
      let n = n0 + j;
      if (n >= p.N) { break; }
      let v = acc[i][j]${rs} + B[n + p.biasOff];
      let idx = m * p.N + n;
      ${store}
    }
  }
}`;
  return { code, bindings, perInvocation: [2, 4] };
}

// layernorm: Y[r] = LN(X[r·step + off]) for r < rows (torch.nn.LayerNorm:
// mean, biased variance, two passes), one invocation per row (no workgroup
// barriers: costly on SwiftShader).
export function layernorm() {
  const bindings = [['X', 'read'], ['G', 'read'], ['Bt', 'read'], ['Y', 'rw'], ['p', 'uniform']];
  const decl = declare(bindings, { X: 'array<f32>', G: 'array<f32>', Bt: 'array<f32>', Y: 'array<f32>' },
    'struct Params { rows: u32, dim: u32, step: u32, off: u32, eps: f32, _a: u32, _b: u32, _c: u32 }');
  const code = `${decl}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.x;
  if (r >= p.rows) { return; }
  let x0 = (r * p.step + p.off) * p.dim;
  var s = 0.0;
  for (var i = 0u; i < p.dim; i++) { s += X[x0 + i]; }
  let mean = s / f32(p.dim);
  var q = 0.0;
  for (var i = 0u; i < p.dim; i++) { let d = X[x0 + i] - mean; q += d * d; }
  let inv = inverseSqrt(q / f32(p.dim) + p.eps);
  for (var i = 0u; i < p.dim; i++) {
    Y[r * p.dim + i] = (X[x0 + i] - mean) * inv * G[i] + Bt[i];
  }
}`;
  return { code, bindings };
}

// attention: unmasked softmax(q·kᵀ/√hd)·v, one invocation per (query,
// head, sequence), keys in one pass with a running maximum (the online
// softmax: rescale the sum and the output when the maximum grows), so no
// workgroup barriers (costly on SwiftShader) and no score buffer. Query i of
// sequence b is Q[(b·nq + i)·qStride + head·hd]; key j is
// K[(b·seq + j)·kvStride + kOff + head·hd], value likewise at vOff; the
// output row is O[(b·nq + i)·hidden + head·hd]. hd ≤ 256.
export const ATTENTION_MAX_HEAD_DIM = 256;
export function attention() {
  const bindings = [['Q', 'read'], ['K', 'read'], ['V', 'read'], ['O', 'rw'], ['p', 'uniform']];
  const decl = declare(bindings, { Q: 'array<f32>', K: 'array<f32>', V: 'array<f32>', O: 'array<f32>' },
    'struct Params { seq: u32, nq: u32, hd: u32, hidden: u32, qStride: u32, kvStride: u32, kOff: u32, vOff: u32 }');
  const code = `${decl}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = g.x;
  let head = g.y;
  let b = g.z;
  if (i >= p.nq) { return; }
  let hd = p.hd;
  let q0 = (b * p.nq + i) * p.qStride + head * hd;
  let scale = 1.0 / sqrt(f32(hd));
  var acc: array<f32, ${ATTENTION_MAX_HEAD_DIM}>;
  var mx = -3.4e38;
  var sum = 0.0;
  for (var j = 0u; j < p.seq; j++) {
    let k0 = (b * p.seq + j) * p.kvStride + head * hd;
    var s = 0.0;
    for (var d = 0u; d < hd; d++) { s += Q[q0 + d] * K[k0 + p.kOff + d]; }
    s *= scale;
    if (s > mx) {
      let r = exp(mx - s);
      sum *= r;
      for (var d = 0u; d < hd; d++) { acc[d] *= r; }
      mx = s;
    }
    let e = exp(s - mx);
    sum += e;
    for (var d = 0u; d < hd; d++) { acc[d] += e * V[k0 + p.vOff + d]; }
  }
  let inv = 1.0 / sum;
  let o0 = (b * p.nq + i) * p.hidden + head * hd;
  for (var d = 0u; d < hd; d++) { O[o0 + d] = acc[d] * inv; }
}`;
  return { code, bindings };
}

// patches: P[s][(c·p + y)·p + x] = pixels[c][gy·p + y][gx·p + x] for the
// patch s = gy·grid + gx of one image ([C][size][size]).
export function patches() {
  const bindings = [['X', 'read'], ['P', 'rw'], ['p', 'uniform']];
  const decl = declare(bindings, { X: 'array<f32>', P: 'array<f32>' },
    'struct Params { size: u32, ps: u32, grid: u32, channels: u32, total: u32, _a: u32, _b: u32, _c: u32 }');
  const code = `${decl}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let e = g.x + g.y * 65535u * 256u;
  if (e >= p.total) { return; }
  let pv = p.channels * p.ps * p.ps;
  let s = e / pv;
  let r = e % pv;
  let c = r / (p.ps * p.ps);
  let y = (r / p.ps) % p.ps;
  let x = r % p.ps;
  let gy = s / p.grid;
  let gx = s % p.grid;
  P[e] = X[(c * p.size + gy * p.ps + y) * p.size + gx * p.ps + x];
}`;
  return { code, bindings };
}

// embed: Y[t][k] = token row ids[t] of the embedding table (in its stored
// format) + E[t % seq][k], for t < tokens.
export function embed(fmt, scaleF16) {
  const bindings = [['I', 'read'], ['W', 'read']];
  if (hasScales(fmt)) bindings.push(['S', 'read']);
  bindings.push(['E', 'read'], ['Y', 'rw'], ['p', 'uniform']);
  const decl = declare(bindings, { I: 'array<u32>', W: 'array<u32>', S: 'array<u32>', E: 'array<f32>', Y: 'array<f32>' },
    'struct Params { tokens: u32, dim: u32, seq: u32, _a: u32 }');
  const code = `${decl}
${wload(fmt, scaleF16)}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let e = g.x + g.y * 65535u * 256u;
  if (e >= p.tokens * p.dim) { return; }
  let t = e / p.dim;
  let k = e % p.dim;
  Y[e] = w(I[t], k, p.dim) + E[(t % p.seq) * p.dim + k];
}`;
  return { code, bindings };
}

function declare(bindings, types, paramsStruct) {
  const lines = [paramsStruct];
  bindings.forEach(([name, kind], i) => {
    if (kind === 'uniform') lines.push(`@group(0) @binding(${i}) var<uniform> ${name}: Params;`);
    else lines.push(`@group(0) @binding(${i}) var<storage, ${kind === 'rw' ? 'read_write' : 'read'}> ${name}: ${types[name]};`);
  });
  return lines.join('\n');
}
