// The kernel and model tests under Node with the simd128 kernels split over
// 2 kernel worker threads on a shared memory (web/threads/, runner
// build/wasmshare/exec/go_js_wasm_exec), every call split however small
// (SIGLIP_THREADS_MIN_WORK=0): int8 results bit-identical to the reference
// kernels, f32 within the conformance bounds, the model goldens hold, and
// q8 and q4 model files (modelfile/weights) meet their golden bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const haveKernels = fs.existsSync(path.join(root, 'web/kernels/simd.wasm')) && fs.existsSync(path.join(root, 'kernel/simd_js.go'));

test('kernel and model tests with 2 threads under Node, every kernel call split', haveKernels ? {} : { skip: 'no simd128 kernels here yet' }, () => {
  const out = execFileSync('go', ['test', '-count=1', '-short', '-v', '-tags', 'simd',
    `-exec=${path.join(root, 'build/wasmshare/exec/go_js_wasm_exec')}`, './kernel/', './model/', './modelfile/weights/'], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GOOS: 'js', GOARCH: 'wasm', SIGLIP_THREADS: '2', SIGLIP_THREADS_MIN_WORK: '0', SIGLIP_THREADS_STATS: '1' },
  });
  assert.match(out, /^ok\s+\S+\/kernel\b/m);
  assert.match(out, /^ok\s+\S+\/model\b/m);
  assert.match(out, /^ok\s+\S+\/modelfile\/weights\b/m);
  assert.match(out, /--- PASS: TestConformanceMatMulQ8/);
  assert.match(out, /--- PASS: TestConformanceMatMulQ4/);
  assert.match(out, /--- PASS: TestTinyGolden/);
  assert.doesNotMatch(out, /--- FAIL/);
  const splits = [...out.matchAll(/threads: 2, split calls (\d+)/g)].map((m) => Number(m[1]));
  assert.equal(splits.length, 3, 'all three test binaries ran on 2 threads');
  for (const n of splits) assert.ok(n > 50, `only ${n} split calls`);
});
