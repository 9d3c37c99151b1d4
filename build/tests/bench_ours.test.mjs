// Smoke test of our side of the benchmark on the full base-256 text tower:
// the same page runs our wasm engine (simd kernels, q8 formula weights) and
// onnxruntime-web; the page itself fails the run if our text embedding's
// cosine with transformers' (testdata/full/golden.npz) is below 0.999 for
// q8. One timed run only: this checks that the benchmark works, not speed,
// under two CPU profiles: native, and norelaxed, whose loader switch must
// leave our plain simd128 forms running (ours_forms).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('bench: ours and onnxruntime-web on the base-256 text tower (q8), one page', { timeout: 300_000 }, () => {
  const r = spawnSync('go', ['run', './build', 'bench', '-cases', 'text-q8', '-cpu', 'native,norelaxed', '-runs', '1', '-warmup', '0', '-timeout', '240s'],
    { cwd: root, encoding: 'utf8', timeout: 280_000 });
  assert.equal(r.status, 0, `go run ./build bench failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^cpu: .+\nv8: CPU features: .*SSE4_1=/m);
  for (const profile of ['native', 'norelaxed']) {
    const m = new RegExp(`^text-q8/1t/${profile} ours_ms=([0-9.]+) peer_ms=([0-9.]+) ratio=([0-9.]+).* ours_forms=(\\S+)`, 'm').exec(r.stdout);
    assert.ok(m, `no text-q8 ${profile} line with both times in:\n${r.stdout}\n${r.stderr}`);
    assert.ok(Number(m[1]) > 0 && Number(m[2]) > 0, `times ${m[1]} / ${m[2]}`);
    if (profile === 'norelaxed') assert.equal(m[4], 'wasm-simd128,wasm-simd128', 'norelaxed runs the plain simd128 forms');
  }
});
