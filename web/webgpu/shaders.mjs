// WGSL for the WebGPU backend: every kernel the two towers need, in f32
// arithmetic (shader-f16 is not required: f16 scales and weights are read
// with unpack2x16float, which core WGSL has) except the q8/q4 products,
// which reproduce the wasm kernels' int8 semantics (matmul, quantize).
// Weights are read in the model file's own layouts (modelfile/doc.go):
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
// runs as fast), reading W four k at a time in its stored layout.
//
// f32 and f16 weights: f32 activations and arithmetic. q8 and q4 weights:
// the semantics of kernel.RefMatMulQ8 / RefMatMulQ4 (kernel/doc.go, "Int8
// matmul semantics"), so the GPU gives the wasm path's numbers: X is the
// activations as `quantize` left them (int8, four to a u32, with their
// scales A: one per row for q8, one per row and block of 32 for q4), the
// products are summed exactly in i32 (dot4I8Packed where the WGSL language
// feature packed_4x8_integer_dot_product exists, `dot4` true; otherwise
// the four byte products in i32: the same sums), and each sum is scaled in
// f32 in the reference's order:
//
//   q8  Y = f32(acc)·(sa·sw[n]) + bias
//   q4  y = 0; per block b: y = y + f32(acc_b)·(sa_b·sw[n][b]); Y = y + bias
//
// each operation rounded to f32 (WGSL's +, · and f32(i32 < 2^24) are
// exact or correctly rounded; a compiler that fused a·b + c into one fma
// would differ in the last bit: SwiftShader does not).
export function matmul(fmt, op, activation, scaleF16, dot4 = false) {
  const int = fmt === 'q8' || fmt === 'q4';
  const bindings = [['X', 'read']];
  if (int) bindings.push(['A', 'read']);
  bindings.push(['W', 'read']);
  if (hasScales(fmt)) bindings.push(['S', 'read']);
  bindings.push(['B', 'read'], ['Y', 'rw']);
  if (op === 'pos') bindings.push(['E', 'read']);
  bindings.push(['p', 'uniform']);
  const decl = declare(bindings, { X: int ? 'array<u32>' : 'array<vec4<f32>>', A: 'array<f32>', W: fmt === 'f32' ? 'array<vec4<f32>>' : 'array<u32>', S: 'array<u32>', B: 'array<f32>', Y: 'array<f32>', E: 'array<f32>' },
    'struct Params { M: u32, N: u32, K: u32, rowOff: u32, biasOff: u32, S: u32, _a: u32, _b: u32 }');
  let store;
  switch (op) {
    case 'store': store = 'Y[idx] = v;'; break;
    case 'act': store = 'Y[idx] = act(v);'; break;
    case 'residual': store = 'Y[idx] = Y[idx] + v;'; break;
    case 'pos': store = 'Y[idx] = v + E[(m % p.S) * p.N + n];'; break;
    default: throw new Error(`webgpu: matmul op ${op}`);
  }
  const epilogue = (value) => `for (var i = 0u; i < 4u; i++) {
    let m = m0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 2u; j++) {
      let n = n0 + j;
      if (n >= p.N) { break; }
      let v = ${value};
      let idx = m * p.N + n;
      ${store}
    }
  }`;
  // the stored rows a, b read (b = a where n0 + 1 is past N; q8 panels are padded)
  const head = `@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let n0 = g.x * 2u;
  let m0 = g.y * 4u;
  if (n0 >= p.N || m0 >= p.M) { return; }
  let a = n0 + p.rowOff;
  let b = select(a, a + 1u, n0 + 1u < p.N || ${fmt === 'q8' ? 'true' : 'false'});
  let r0 = min(m0, p.M - 1u);
  let r1 = min(m0 + 1u, p.M - 1u);
  let r2 = min(m0 + 2u, p.M - 1u);
  let r3 = min(m0 + 3u, p.M - 1u);`;
  const act = op === 'act' ? GELU[activation] : '';
  if (int) return { code: `${decl}\n${intMatmulBody(fmt, scaleF16, dot4, head, epilogue)}\n${act}`, bindings, perInvocation: [2, 4] };
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
    default: throw new Error(`webgpu: no matmul for weight format ${fmt}`);
  }
  const code = `${decl}
${wpair}
${act}
${head}
  let kq = p.K >> 2u;
  let x0 = r0 * kq;
  let x1 = r1 * kq;
  let x2 = r2 * kq;
  let x3 = r3 * kq;
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
  ${epilogue('acc[i][j] + B[n + p.biasOff]')}
}`;
  return { code, bindings, perInvocation: [2, 4] };
}

// The integer helpers of the q8/q4 matmuls: dot4(x, w), the exact i32 sum
// of the four signed byte products; i2f(acc), f32(acc) rounded to nearest
// even (the sum of two exact halves, so not left to the i32 → f32
// conversion, whose rounding WGSL does not pin down past 2^24).
function intHelpers(dot4) {
  const d = dot4
    ? 'fn dot4(x: u32, w: u32) -> i32 { return dot4I8Packed(x, w); }'
    : `fn dot4(x: u32, w: u32) -> i32 {
  let a = bitcast<i32>(x);
  let c = bitcast<i32>(w);
  return extractBits(a, 0u, 8u) * extractBits(c, 0u, 8u) + extractBits(a, 8u, 8u) * extractBits(c, 8u, 8u) +
    extractBits(a, 16u, 8u) * extractBits(c, 16u, 8u) + extractBits(a, 24u, 8u) * extractBits(c, 24u, 8u);
}`;
  return `${d}
fn i2f(a: i32) -> f32 { return f32(a >> 16u) * 65536.0 + f32(a & 0xffff); }`;
}

function intMatmulBody(fmt, scaleF16, dot4, head, epilogue) {
  const scale = scaleF16
    ? 'fn rowScale(n: u32) -> f32 { return unpack2x16float(S[n >> 1u])[n & 1u]; }'
    : 'fn rowScale(n: u32) -> f32 { return bitcast<f32>(S[n]); }';
  if (fmt === 'q8') {
    // Panels of 8 rows (a even, b = a+1): the 16 bytes of k-pair k/2 hold
    // (row j, k even), (j, k odd) for j = 0..7, so word (a%8)/2 of pairs
    // k/2 and k/2+1 hold rows a and b at k..k+3, repacked here as one
    // word per row, bytes in k order (as X's).
    return `${intHelpers(dot4)}
${scale}
${head}
  let kq = p.K >> 2u;
  let x0 = r0 * kq;
  let x1 = r1 * kq;
  let x2 = r2 * kq;
  let x3 = r3 * kq;
  let k2n = (p.K + 1u) >> 1u;
  let wi = (a >> 3u) * k2n * 4u + ((a & 7u) >> 1u);
  var acc0 = vec2<i32>();
  var acc1 = vec2<i32>();
  var acc2 = vec2<i32>();
  var acc3 = vec2<i32>();
  for (var q = 0u; q < kq; q++) {
    let w0 = W[wi + q * 8u];
    let w1 = W[wi + q * 8u + 4u];
    let wa = (w0 & 0xffffu) | (w1 << 16u);
    let wb = (w0 >> 16u) | (w1 & 0xffff0000u);
    let xa = X[x0 + q];
    let xb = X[x1 + q];
    let xc = X[x2 + q];
    let xd = X[x3 + q];
    acc0 += vec2<i32>(dot4(xa, wa), dot4(xa, wb));
    acc1 += vec2<i32>(dot4(xb, wa), dot4(xb, wb));
    acc2 += vec2<i32>(dot4(xc, wa), dot4(xc, wb));
    acc3 += vec2<i32>(dot4(xd, wa), dot4(xd, wb));
  }
  let acc = array<vec2<i32>, 4>(acc0, acc1, acc2, acc3);
  let sa = array<f32, 4>(A[r0], A[r1], A[r2], A[r3]);
  ${epilogue('i2f(acc[i][j]) * (sa[i] * rowScale(n + p.rowOff)) + B[n + p.biasOff]')}
}`;
  }
  // q4: row n, block blk: 16 bytes (4 words of 8 nibbles, low first), one
  // F16 scale; nib(h) spreads 4 nibbles (16 bits) into 4 signed bytes
  // (nibble − 8), bytes in k order (as X's: 8 words per block).
  return `${intHelpers(dot4)}
fn nib(h: u32) -> u32 {
  let u = (h & 0xfu) | ((h & 0xf0u) << 4u) | ((h & 0xf00u) << 8u) | ((h & 0xf000u) << 12u);
  return ((u | 0x80808080u) - 0x08080808u) ^ 0x80808080u;
}
fn wscale(blk: u32) -> f32 { return unpack2x16float(S[blk >> 1u])[blk & 1u]; }
${head}
  let kb = (p.K + 31u) >> 5u;
  let x0 = r0 * kb * 8u;
  let x1 = r1 * kb * 8u;
  let x2 = r2 * kb * 8u;
  let x3 = r3 * kb * 8u;
  var y0 = vec2<f32>();
  var y1 = vec2<f32>();
  var y2 = vec2<f32>();
  var y3 = vec2<f32>();
  for (var blk = 0u; blk < kb; blk++) {
    var c0 = vec2<i32>();
    var c1 = vec2<i32>();
    var c2 = vec2<i32>();
    var c3 = vec2<i32>();
    let ba = a * kb + blk;
    let bb = b * kb + blk;
    for (var j = 0u; j < 4u; j++) {
      let ua = W[ba * 4u + j];
      let ub = W[bb * 4u + j];
      let al = nib(ua & 0xffffu);
      let ah = nib(ua >> 16u);
      let bl = nib(ub & 0xffffu);
      let bh = nib(ub >> 16u);
      let q = blk * 8u + 2u * j;
      c0 += vec2<i32>(dot4(X[x0 + q], al) + dot4(X[x0 + q + 1u], ah), dot4(X[x0 + q], bl) + dot4(X[x0 + q + 1u], bh));
      c1 += vec2<i32>(dot4(X[x1 + q], al) + dot4(X[x1 + q + 1u], ah), dot4(X[x1 + q], bl) + dot4(X[x1 + q + 1u], bh));
      c2 += vec2<i32>(dot4(X[x2 + q], al) + dot4(X[x2 + q + 1u], ah), dot4(X[x2 + q], bl) + dot4(X[x2 + q + 1u], bh));
      c3 += vec2<i32>(dot4(X[x3 + q], al) + dot4(X[x3 + q + 1u], ah), dot4(X[x3 + q], bl) + dot4(X[x3 + q + 1u], bh));
    }
    let sw = vec2<f32>(wscale(ba), wscale(bb));
    y0 = y0 + vec2<f32>(i2f(c0.x), i2f(c0.y)) * (A[r0 * kb + blk] * sw);
    y1 = y1 + vec2<f32>(i2f(c1.x), i2f(c1.y)) * (A[r1 * kb + blk] * sw);
    y2 = y2 + vec2<f32>(i2f(c2.x), i2f(c2.y)) * (A[r2 * kb + blk] * sw);
    y3 = y3 + vec2<f32>(i2f(c3.x), i2f(c3.y)) * (A[r3 * kb + blk] * sw);
  }
  let acc = array<vec2<f32>, 4>(y0, y1, y2, y3);
  ${epilogue('acc[i][j] + B[n + p.biasOff]')}
}`;
}

// quantize: the activations of a q8/q4 product as kernel.QuantizeRow
// quantizes them (kernel/doc.go): per group of `block` values of a row
// (the whole row for q8, 32 for q4, the last one cut at K), amax = max |x|,
// sa = amax / qmax, inv = qmax / amax (both correctly rounded: div below),
// q = clamp(round(x·inv), −qmax, qmax) (WGSL's round is half to even, as
// math.RoundToEven), sa = inv = 0 where amax = 0. qmax is kernel.ActQMax()
// as the Go module reports it (gpuNumerics), never a constant here. Writes
// the bytes four to a u32 word (k order, low byte first), rowWords words a
// row (the group's tail past K zero), and the scale of group e of row r at
// A[r·groups + e]. One invocation per (row, group): no barriers.
export function quantize() {
  const bindings = [['X', 'read'], ['Q', 'rw'], ['A', 'rw'], ['p', 'uniform']];
  const decl = declare(bindings, { X: 'array<f32>', Q: 'array<u32>', A: 'array<f32>' },
    'struct Params { M: u32, K: u32, block: u32, groups: u32, qmax: f32, rowWords: u32, _a: u32, _b: u32 }');
  const code = `${decl}
// div(n, d): n / d correctly rounded (IEEE, as Go's float32 division), by
// long division of the significands; WGSL's own / may be 2.5 ulp off.
// For positive normal n, d and a normal quotient (otherwise plain /).
fn div(n: f32, d: f32) -> f32 {
  let nb = bitcast<u32>(n);
  let db = bitcast<u32>(d);
  let en = i32(nb >> 23u);
  let ed = i32(db >> 23u);
  if (en == 0 || ed == 0 || en >= 255 || ed >= 255) { return n / d; }
  var r = (nb & 0x7fffffu) | 0x800000u;
  let md = (db & 0x7fffffu) | 0x800000u;
  var e = en - ed + 127;
  if (r < md) { r <<= 1u; e -= 1; }
  var q = 0u;
  for (var i = 0u; i < 24u; i++) {
    q <<= 1u;
    if (r >= md) { r -= md; q |= 1u; }
    r <<= 1u;
  }
  // r is now twice the remainder: the next bit is r ≥ md, the rest sticky
  let half = r >= md;
  let rest = select(r, r - md, half);
  if (half && (rest != 0u || (q & 1u) != 0u)) { q += 1u; }
  if (q == 0x1000000u) { q >>= 1u; e += 1; }
  if (e <= 0 || e >= 255) { return n / d; }
  return bitcast<f32>((u32(e) << 23u) | (q & 0x7fffffu));
}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let e = g.x + g.y * 65535u * 64u;
  if (e >= p.M * p.groups) { return; }
  let r = e / p.groups;
  let lo = (e % p.groups) * p.block;
  let hi = min(lo + p.block, p.K);
  let x0 = r * p.K;
  var amax = 0.0;
  for (var k = lo; k < hi; k++) { amax = max(amax, abs(X[x0 + k])); }
  var sa = 0.0;
  var inv = 0.0;
  if (amax > 0.0) {
    sa = div(amax, p.qmax);
    inv = div(p.qmax, amax);
  }
  A[e] = sa;
  let w0 = r * p.rowWords + lo / 4u;
  for (var j = 0u; j < p.block / 4u; j++) {
    var word = 0u;
    for (var i = 0u; i < 4u; i++) {
      let k = lo + 4u * j + i;
      if (k < hi) {
        let q = i32(clamp(round(X[x0 + k] * inv), -p.qmax, p.qmax));
        word |= (bitcast<u32>(q) & 0xffu) << (8u * i);
      }
    }
    Q[w0 + j] = word;
  }
}`;
  return { code, bindings };
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
