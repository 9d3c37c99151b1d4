// The WebGPU backend (web/webgpu/) in headless Chromium on SwiftShader (a
// software Vulkan GPU; flags below): the tiny model's goldens from
// transformers through backend 'webgpu'; the base-256 architecture cut to
// 2 layers per tower as a q8 file against our wasm path on the same file
// and against the f32 model on the same formula weights (our native Go
// engine: transformers cannot run the cut, see lib/cut2.mjs); 'auto'
// without an adapter picks wasm; a device lost in the middle of classify
// still answers, on wasm.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, readNPZ, makeTinyModelFile } from './lib/tiny.mjs';
import { startServe } from './lib/serve.mjs';
import { makeCut2 } from './lib/cut2.mjs';

const require = createRequire(path.join(root, 'build/package.json'));
const { chromium } = require('playwright-core');

const chromiumPath = '/usr/bin/chromium';
export const swiftshaderArgs = ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--use-webgpu-adapter=swiftshader'];
const baseArgs = ['--headless', '--no-sandbox', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const meta = JSON.parse(fs.readFileSync(path.join(root, 'testdata/tiny/golden_meta.json'), 'utf8'));
const imageNames = meta.images.slice(0, 2);
const fixturesName = `test-webgpu-${process.pid}`;
const fixtures = path.join(root, 'web/dist', fixturesName);
const dir = `/web/dist/${fixturesName}`;

let tmp, made, cut, server, origin, ctx, page, noGPU;
const pageErrors = [];
const consoleLines = [];

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'siglip-webgpu-'));
  made = makeTinyModelFile(tmp);
  if (made.skip || !fs.existsSync(chromiumPath)) return;
  execFileSync('go', ['run', './build', 'wasm'], { cwd: root, stdio: 'inherit' });
  fs.mkdirSync(fixtures, { recursive: true });
  fs.copyFileSync(made.file, path.join(fixtures, 'tiny-f32.siglip'));
  cut = makeCut2(tmp);
  fs.copyFileSync(cut.file, path.join(fixtures, 'cut2-q8.siglip'));
  for (const name of imageNames) fs.copyFileSync(path.join(root, 'testdata/images', name), path.join(fixtures, name));
  fs.writeFileSync(path.join(fixtures, 'blank.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>siglip webgpu test</title>\n');
  ({ server, origin } = await startServe(tmp, ['-no-build'], 60000));
  ctx = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: chromiumPath, headless: true, args: [...baseArgs, ...swiftshaderArgs],
  });
  page = ctx.pages()[0] ?? await ctx.newPage();
  page.on('console', (m) => { consoleLines.push(`${m.type()}: ${m.text()}`); if (m.type() === 'error') pageErrors.push(m.text()); });
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  await page.goto(`${origin}${dir}/blank.html`);
});

after(async () => {
  await ctx?.close();
  await noGPU?.close();
  server?.kill();
  fs.rmSync(fixtures, { recursive: true, force: true });
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const skipReason = () => made?.skip ?? (!fs.existsSync(chromiumPath) ? `${chromiumPath} is not installed` : null);

const maxDiff = (rows, golden, dim) => {
  let m = 0;
  rows.forEach((r, i) => {
    assert.equal(r.length, dim);
    r.forEach((v, j) => { m = Math.max(m, Math.abs(v - golden.data[i * dim + j])); });
  });
  return m;
};

const cosine = (a, b) => {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return d / Math.sqrt(na * nb);
};

test('tiny model through backend webgpu: transformers fp64 goldens (SwiftShader)', { timeout: 120000 }, async (t) => {
  if (skipReason()) { t.skip(skipReason()); return; }
  const g = readNPZ(path.join(root, 'testdata/tiny/golden.npz'));
  const r = await page.evaluate(async ({ dir, texts, images }) => {
    const { SigLIP } = await import('/web/siglip.js');
    const model = await SigLIP.load(`${dir}/tiny-f32.siglip`, { backend: 'webgpu' });
    try {
      const arr = (a) => Array.from(a);
      const text = (await model.embedText(texts)).map(arr);
      const image = [];
      for (const name of images) image.push(arr(await model.embedImage(new Uint8Array(await (await fetch(`${dir}/${name}`)).arrayBuffer()))));
      const { logits } = await model.scores(image.map((x) => new Float32Array(x)), text.map((x) => new Float32Array(x)));
      return { info: JSON.parse(JSON.stringify(model.info)), text, image, logits: arr(logits) };
    } finally {
      model.dispose();
    }
  }, { dir, texts: meta.texts, images: imageNames });
  const gi = r.info.gpu;
  t.diagnostic(`adapter ${JSON.stringify(gi.adapter)}; ${gi.uploadedBytes} bytes uploaded of a ${gi.fileBytes}-byte file; kernels compiled in ${gi.compileMs} ms`);
  assert.equal(r.info.backend, 'webgpu');
  const dText = maxDiff(r.text, g['fp64/text_embeds'], 64);
  const dImg = maxDiff(r.image, g['fp64/image_embeds'], 64);
  let dLogits = 0;
  r.logits.forEach((v, k) => { dLogits = Math.max(dLogits, Math.abs(v - g['fp64/logits_per_image'].data[k])); });
  t.diagnostic(`max |webgpu - fp64|: text_embeds ${dText.toExponential(2)}, image_embeds ${dImg.toExponential(2)}, logits ${dLogits.toExponential(2)}`);
  assert.ok(dText < 1e-5, `text_embeds differ by ${dText}`);
  assert.ok(dImg < 1e-5, `image_embeds differ by ${dImg}`);
  assert.ok(dLogits < 1e-4, `logits differ by ${dLogits}`);
  assert.deepEqual(pageErrors, []);
});
