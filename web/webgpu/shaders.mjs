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
// m < M, n < N, k < K. op: 'store', 'act' (GELU), 'residual' (Y +=), 'pos'
// (+ E[(m % S)][n], the position embedding). 32×32 output tiles, 64
// invocations computing 4×4 each, K in steps of 16 through workgroup memory.
export function matmul(fmt, op, activation, scaleF16) {
  const bindings = [['X', 'read'], ['W', 'read']];
  if (hasScales(fmt)) bindings.push(['S', 'read']);
  bindings.push(['B', 'read'], ['Y', 'rw']);
  if (op === 'pos') bindings.push(['E', 'read']);
  bindings.push(['p', 'uniform']);
  const decl = declare(bindings, { X: 'array<f32>', W: 'array<u32>', S: 'array<u32>', B: 'array<f32>', Y: 'array<f32>', E: 'array<f32>' },
    'struct Params { M: u32, N: u32, K: u32, rowOff: u32, biasOff: u32, S: u32, _a: u32, _b: u32 }');
  let store;
  switch (op) {
    case 'store': store = 'Y[idx] = v;'; break;
    case 'act': store = 'Y[idx] = act(v);'; break;
    case 'residual': store = 'Y[idx] = Y[idx] + v;'; break;
    case 'pos': store = 'Y[idx] = v + E[(m % p.S) * p.N + n];'; break;
    default: throw new Error(`webgpu: matmul op ${op}`);
  }
  const code = `${decl}
${wload(fmt, scaleF16)}
${op === 'act' ? GELU[activation] : ''}
var<workgroup> xs: array<f32, 512>; // [16 k][32 m]
var<workgroup> ws: array<f32, 512>; // [16 k][32 n]
@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(local_invocation_index) li: u32) {
  let m0 = wg.y * 32u;
  let n0 = wg.x * 32u;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < p.K; k0 += 16u) {
    for (var i = 0u; i < 8u; i++) {
      let e = li + i * 64u;
      let r = e >> 4u;
      let c = e & 15u;
      let k = k0 + c;
      var xv = 0.0;
      if (m0 + r < p.M && k < p.K) { xv = X[(m0 + r) * p.K + k]; }
      xs[c * 32u + r] = xv;
      var wv = 0.0;
      if (n0 + r < p.N && k < p.K) { wv = w(n0 + r + p.rowOff, k, p.K); }
      ws[c * 32u + r] = wv;
    }
    workgroupBarrier();
    for (var c = 0u; c < 16u; c++) {
      let a = vec4<f32>(xs[c * 32u + lid.y * 4u], xs[c * 32u + lid.y * 4u + 1u], xs[c * 32u + lid.y * 4u + 2u], xs[c * 32u + lid.y * 4u + 3u]);
      let b = vec4<f32>(ws[c * 32u + lid.x * 4u], ws[c * 32u + lid.x * 4u + 1u], ws[c * 32u + lid.x * 4u + 2u], ws[c * 32u + lid.x * 4u + 3u]);
      acc[0] += a.x * b;
      acc[1] += a.y * b;
      acc[2] += a.z * b;
      acc[3] += a.w * b;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + lid.y * 4u + i;
    if (m >= p.M) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + lid.x * 4u + j;
      if (n >= p.N) { continue; }
      let v = acc[i][j] + B[n + p.biasOff];
      let idx = m * p.N + n;
      ${store}
    }
  }
}`;
  return { code, bindings, tile: 32 };
}

// layernorm: Y[r] = LN(X[r·step + off]) for r < rows (torch.nn.LayerNorm:
// mean, biased variance, two passes), one workgroup of 256 per row.
export function layernorm() {
  const bindings = [['X', 'read'], ['G', 'read'], ['Bt', 'read'], ['Y', 'rw'], ['p', 'uniform']];
  const decl = declare(bindings, { X: 'array<f32>', G: 'array<f32>', Bt: 'array<f32>', Y: 'array<f32>' },
    'struct Params { rows: u32, dim: u32, step: u32, off: u32, eps: f32, _a: u32, _b: u32, _c: u32 }');
  const code = `${decl}
var<workgroup> red: array<f32, 256>;
fn total(li: u32, v: f32) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] += red[li + s]; }
    workgroupBarrier();
  }
  let t = red[0];
  workgroupBarrier();
  return t;
}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let r = wg.x + wg.y * 65535u;
  if (r >= p.rows) { return; }
  let x0 = (r * p.step + p.off) * p.dim;
  var s = 0.0;
  for (var i = li; i < p.dim; i += 256u) { s += X[x0 + i]; }
  let mean = total(li, s) / f32(p.dim);
  var q = 0.0;
  for (var i = li; i < p.dim; i += 256u) { let d = X[x0 + i] - mean; q += d * d; }
  let inv = inverseSqrt(total(li, q) / f32(p.dim) + p.eps);
  for (var i = li; i < p.dim; i += 256u) {
    Y[r * p.dim + i] = (X[x0 + i] - mean) * inv * G[i] + Bt[i];
  }
}`;
  return { code, bindings };
}

// attention: unmasked softmax(q·kᵀ/√hd)·v, one workgroup of 64 per (query,
// head, sequence). Query i of sequence b is Q[(b·nq + i)·qStride + head·hd];
// key j is K[(b·seq + j)·kvStride + kOff + head·hd], value likewise at vOff;
// the output row is O[(b·nq + i)·hidden + head·hd]. seq ≤ 1024.
export const ATTENTION_MAX_SEQ = 1024;
export function attention() {
  const bindings = [['Q', 'read'], ['K', 'read'], ['V', 'read'], ['O', 'rw'], ['p', 'uniform']];
  const decl = declare(bindings, { Q: 'array<f32>', K: 'array<f32>', V: 'array<f32>', O: 'array<f32>' },
    'struct Params { seq: u32, nq: u32, hd: u32, hidden: u32, qStride: u32, kvStride: u32, kOff: u32, vOff: u32 }');
  const code = `${decl}
var<workgroup> sc: array<f32, ${ATTENTION_MAX_SEQ}>;
var<workgroup> qv: array<f32, 256>;
var<workgroup> red: array<f32, 64>;
fn reduce(li: u32, v: f32, isMax: bool) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (li < s) { if (isMax) { red[li] = max(red[li], red[li + s]); } else { red[li] += red[li + s]; } }
    workgroupBarrier();
  }
  let t = red[0];
  workgroupBarrier();
  return t;
}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = wg.x;
  let head = wg.y;
  let b = wg.z;
  let hd = p.hd;
  let q0 = (b * p.nq + i) * p.qStride + head * hd;
  for (var d = li; d < hd; d += 64u) { qv[d] = Q[q0 + d]; }
  workgroupBarrier();
  let scale = 1.0 / sqrt(f32(hd));
  var mx = -3.4e38;
  for (var j = li; j < p.seq; j += 64u) {
    let k0 = (b * p.seq + j) * p.kvStride + p.kOff + head * hd;
    var s = 0.0;
    for (var d = 0u; d < hd; d++) { s += qv[d] * K[k0 + d]; }
    s *= scale;
    sc[j] = s;
    mx = max(mx, s);
  }
  let m = reduce(li, mx, true);
  var sum = 0.0;
  for (var j = li; j < p.seq; j += 64u) { let e = exp(sc[j] - m); sc[j] = e; sum += e; }
  let inv = 1.0 / reduce(li, sum, false);
  for (var d = li; d < hd; d += 64u) {
    var o = 0.0;
    for (var j = 0u; j < p.seq; j++) { o += sc[j] * V[(b * p.seq + j) * p.kvStride + p.vOff + head * hd + d]; }
    O[(b * p.nq + i) * p.hidden + head * hd + d] = o * inv;
  }
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
