// Smoke test of the benchmark harness (go run ./build bench -tiny): the Go
// server, the Node/playwright driver and the page run onnxruntime-web 1.30 in
// headless Chromium on testdata/tinyonnx (weights included), with no request
// outside the page's origin, and its logits_per_image must match
// onnxruntime's (testdata/tinyonnx/onnx_meta.json) within 1e-3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

test('bench harness runs onnxruntime-web on the tiny ONNX model in headless Chromium', { timeout: 120_000 }, () => {
  const r = spawnSync('go', ['run', './build', 'bench', '-tiny', '-timeout', '90s'], { cwd: root, encoding: 'utf8', timeout: 110_000 });
  assert.equal(r.status, 0, `go run ./build bench -tiny failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
  for (const name of ['tiny-q8', 'tiny-f32']) {
    const m = new RegExp(`^${name}/1t peer_ms=([0-9.]+) .*max_abs_diff=(\\S+)$`, 'm').exec(r.stdout);
    assert.ok(m, `no ${name} line in:\n${r.stdout}`);
    assert.ok(Number(m[1]) > 0, `${name}: peer_ms ${m[1]} is not a time`);
    const diff = Number(m[2]);
    assert.ok(diff <= 1e-3, `${name}: max |logits - onnx_meta.json| = ${m[2]} > 1e-3`);
  }
});
