// Micro-benchmark of the simd128 matmuls alone (no Go), under Node or in
// headless Chromium:
//
//   node build/wasmexec/bench_kernels.mjs [reps]            # Node
//   node build/wasmexec/bench_kernels.mjs [reps] --chromium # /usr/bin/chromium via playwright-core
//
// SHAPES='[[M,K,N],...]' overrides the shapes. Prints best-of-reps GFLOP/s
// (best-of, because dev and CI machines are shared: the minimum time is the
// least disturbed run).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// benchKernels runs in Node or, serialised with toString(), in a page: it
// must not close over anything.
async function benchKernels(simdBytes, relaxedBytes, shapes, reps, blockBytes) {
  const out = [];
  const mem = new WebAssembly.Memory({ initial: 2048 }); // 128 MiB
  const env = { env: { mem } };
  const k = { ...(await WebAssembly.instantiate(new Uint8Array(simdBytes), env)).instance.exports };
  let fused = false;
  if (relaxedBytes && WebAssembly.validate(new Uint8Array(relaxedBytes))) {
    Object.assign(k, (await WebAssembly.instantiate(new Uint8Array(relaxedBytes), env)).instance.exports);
    fused = true;
  }
  out.push(`f32 product: ${fused ? 'relaxed SIMD fused multiply-add' : 'plain simd128 mul+add'}`);
  let top = 1 << 16;
  const alloc = (n) => { const p = top; top += (n + 63) & ~63; return p; };
  const f32 = (p, n) => new Float32Array(mem.buffer, p, n);
  const i8 = (p, n) => new Int8Array(mem.buffer, p, n);
  const best = (fn) => {
    let t = Infinity;
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now(); fn(); t = Math.min(t, performance.now() - t0);
    }
    return t;
  };
  for (const [M, K, N] of shapes) {
    top = 1 << 16;
    const a = alloc(M * K * 4), dst = alloc(M * N * 4), bias = alloc(N * 4), scales = alloc(N * 4);
    const q = alloc(M * K * 2), sa = alloc(M * 4), wq = alloc(N * K), wf = alloc(N * K * 4);
    f32(a, M * K).forEach((_, i, arr) => { arr[i] = Math.sin(i) * 2; });
    f32(bias, N).fill(0.1); f32(scales, N).fill(0.01);
    i8(wq, N * K).forEach((_, i, arr) => { arr[i] = (i * 37) % 255 - 127; });
    f32(wf, N * K).forEach((_, i, arr) => { arr[i] = Math.cos(i); });
    const flop = 2 * M * N * K;
    // row blocks as kernel/simd_js.go makes them: rows whose activations
    // fit in blockBytes, a multiple of the 5-row tile
    const rb = (bytesPerRow) => Math.max(5, Math.floor(blockBytes / bytesPerRow / 5) * 5);
    const tq = best(() => {
      k.quantize_rows(a, M, K, K, q, sa);
      for (let r0 = 0, b = rb(K * 2); r0 < M; r0 += b) {
        k.matmul_q8(dst + r0 * N * 4, q + r0 * K * 2, sa + r0 * 4, Math.min(b, M - r0), wq, scales, bias, N, K);
      }
    });
    const tf = best(() => {
      for (let r0 = 0, b = rb(K * 4); r0 < M; r0 += b) {
        k.gemm_f32(dst + r0 * N * 4, a + r0 * K * 4, wf, Math.min(b, M - r0), N, K, K, 8, 8 * K, N, 1, bias, 1);
      }
    });
    out.push(`[${M}x${K}]·[${K}x${N}]  int8 ${(flop / tq / 1e6).toFixed(1)} GFLOP/s (${tq.toFixed(1)} ms)   f32 ${(flop / tf / 1e6).toFixed(1)} GFLOP/s (${tf.toFixed(1)} ms)`);
  }
  return out;
}

const args = process.argv.slice(2);
const reps = Number(args.find((a) => /^\d+$/.test(a)) || 10);
const shapes = process.env.SHAPES ? JSON.parse(process.env.SHAPES) : [[256, 768, 3072], [256, 3072, 768]];
const blockBytes = Number(process.env.BLOCK_BYTES || 512 << 10); // kernel/simd_js.go's simdBlockBytes
const simdBytes = [...readFileSync(new URL('../../web/kernels/simd.wasm', import.meta.url))];
const relaxedBytes = [...readFileSync(new URL('../../web/kernels/simd_relaxed.wasm', import.meta.url))];

if (args.includes('--chromium')) {
  const require = createRequire(new URL('../package.json', import.meta.url));
  const { chromium } = require('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    console.log(`Chromium ${browser.version()}`);
    const lines = await page.evaluate(
      async ([src, s, r, sh, n, bb]) => (0, eval)(`(${src})`)(s, r, sh, n, bb),
      [benchKernels.toString(), simdBytes, relaxedBytes, shapes, reps, blockBytes]);
    for (const l of lines) console.log(l);
  } finally {
    await browser.close();
  }
} else {
  console.log(`Node ${process.version}`);
  for (const l of await benchKernels(simdBytes, relaxedBytes, shapes, reps, blockBytes)) console.log(l);
}
