// The tiny model's goldens from transformers hold through the public JS API
// (web/siglip.js: the Go wasm module with the simd128 kernels, in a dedicated
// Web Worker) in headless Chromium, as they do natively and under Node
// (api_node.test.mjs). The page is served by `build serve` (COOP/COEP, strict
// CSP) and loads the model file and images same-origin from a scratch
// folder under web/dist/ (gitignored), removed afterwards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, readNPZ, makeTinyModelFile } from './lib/tiny.mjs';
import { startServe } from './lib/serve.mjs';

const require = createRequire(path.join(root, 'build/package.json'));
const { chromium } = require('playwright-core');

const chromiumPath = '/usr/bin/chromium';
const meta = JSON.parse(fs.readFileSync(path.join(root, 'testdata/tiny/golden_meta.json'), 'utf8'));
const imageNames = meta.images.slice(0, 2); // the third entry names the image processor
const fixturesName = `test-fixtures-${process.pid}`;
const fixtures = path.join(root, 'web/dist', fixturesName);

// The held-out JPEG set (testdata/jpeg/, PIL's decode of each kept as an
// RGB PNG), when this tree has it.
const jpegManifest = path.join(root, 'testdata/jpeg/manifest.json');
const jpegSet = fs.existsSync(jpegManifest) ? JSON.parse(fs.readFileSync(jpegManifest, 'utf8')).images.map((im) => im.name) : [];

// readNPYu8 reads a C-ordered uint8 .npy: {shape, data}.
function readNPYu8(file) {
  const b = fs.readFileSync(file);
  const hlen = b.readUInt16LE(8);
  const header = b.toString('latin1', 10, 10 + hlen);
  assert.match(header, /'descr': '\|u1'/);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  return { shape, data: new Uint8Array(b.subarray(10 + hlen)) };
}

let tmp, made, server, origin, ctx, page;
const requests = [];
const pageErrors = [];
const failed = [];

async function startServer() {
  ({ server, origin } = await startServe(tmp, ['-no-build'], 60000));
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'siglip-chromium-'));
  made = makeTinyModelFile(tmp);
  if (made.skip || !fs.existsSync(chromiumPath)) return;
  execFileSync('go', ['run', './build', 'wasm'], { cwd: root, stdio: 'inherit' });
  fs.mkdirSync(fixtures, { recursive: true });
  fs.copyFileSync(made.file, path.join(fixtures, 'tiny-f32.siglip'));
  for (const name of imageNames) fs.copyFileSync(path.join(root, 'testdata/images', name), path.join(fixtures, name));
  fs.copyFileSync(path.join(root, 'testdata/images/coco_39769_q90.jpg'), path.join(fixtures, 'coco_39769_q90.jpg'));
  for (const name of jpegSet) {
    fs.copyFileSync(path.join(root, 'testdata/jpeg', `${name}.jpg`), path.join(fixtures, `${name}.jpg`));
    fs.copyFileSync(path.join(root, 'testdata/jpeg', `${name}.rgb.png`), path.join(fixtures, `${name}.rgb.png`));
  }
  // An empty page to run the API in: same origin, same headers as the demo.
  // The data: icon keeps Chromium from asking for /favicon.ico (a 404).
  fs.writeFileSync(path.join(fixtures, 'blank.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>siglip api test</title>\n');
  await startServer();
  ctx = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  ctx.on('request', (r) => requests.push(r.url()));
  ctx.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
  page = ctx.pages()[0] ?? await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
});

after(async () => {
  await ctx?.close();
  server?.kill();
  fs.rmSync(fixtures, { recursive: true, force: true });
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const maxDiff = (rows, golden, dim) => {
  let m = 0;
  rows.forEach((r, i) => {
    assert.equal(r.length, dim);
    r.forEach((v, j) => { m = Math.max(m, Math.abs(v - golden.data[i * dim + j])); });
  });
  return m;
};

test('tiny model goldens hold through the JS API in headless Chromium (simd128, worker)', { timeout: 120000 }, async (t) => {
  if (made.skip) { t.skip(made.skip); return; }
  if (!fs.existsSync(chromiumPath)) { t.skip(`${chromiumPath} is not installed`); return; }
  const g = readNPZ(path.join(root, 'testdata/tiny/golden.npz'));
  await page.goto(`${origin}/web/dist/${fixturesName}/blank.html`);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  const t0 = performance.now();
  const r = await page.evaluate(async ({ dir, texts, images }) => {
    const { SigLIP } = await import('/web/siglip.js');
    const model = await SigLIP.load(`${dir}/tiny-f32.siglip`);
    try {
      const arr = (a) => Array.from(a);
      const textEmb = await model.embedText(texts);
      const imgEmb = [];
      const viaImageData = [];
      const viaBitmap = [];
      for (const name of images) {
        const blob = await (await fetch(`${dir}/${name}`)).blob();
        imgEmb.push(await model.embedImage(new Uint8Array(await blob.arrayBuffer())));
        // The canvas path: decoded by the browser, not by the Go module.
        // A 2D canvas premultiplies alpha; these PNGs are opaque, so the
        // RGBA bytes are the file's.
        const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
        viaBitmap.push(arr(await model.embedImage(bitmap)));
        const c = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
        c.drawImage(bitmap, 0, 0);
        viaImageData.push(arr(await model.embedImage(c.getImageData(0, 0, bitmap.width, bitmap.height))));
      }
      const { logits, probs } = await model.scores(imgEmb, textEmb);
      return {
        info: { ...model.info },
        text: textEmb.map(arr), image: imgEmb.map(arr), viaBitmap, viaImageData,
        logits: arr(logits), probs: arr(probs),
        isolated: crossOriginIsolated,
      };
    } finally {
      model.dispose();
    }
  }, { dir: `/web/dist/${fixturesName}`, texts: meta.texts, images: imageNames });
  const ms = Math.round(performance.now() - t0);

  const dim = 64;
  t.diagnostic(`info: simd ${r.info.simd}, relaxedSimd ${r.info.relaxedSimd}, quantization ${r.info.quantization}, embedDim ${r.info.embedDim}; load + ${meta.texts.length} texts + ${imageNames.length * 3} images + scores in ${ms} ms`);
  assert.equal(r.info.embedDim, dim);
  assert.equal(r.info.quantization, 'f32');
  assert.equal(r.info.simd, true, 'the simd128 kernels must run in Chromium');
  assert.equal(typeof r.info.relaxedSimd, 'boolean');
  assert.equal(r.text.length, meta.texts.length);
  assert.equal(r.image.length, imageNames.length);

  const dText = maxDiff(r.text, g['fp64/text_embeds'], dim);
  const dImg = maxDiff(r.image, g['fp64/image_embeds'], dim);
  const dBitmap = maxDiff(r.viaBitmap, g['fp64/image_embeds'], dim);
  const dImageData = maxDiff(r.viaImageData, g['fp64/image_embeds'], dim);
  let dLogits = 0;
  r.logits.forEach((v, k) => { dLogits = Math.max(dLogits, Math.abs(v - g['fp64/logits_per_image'].data[k])); });
  let dProbs = 0;
  r.probs.forEach((v, k) => { dProbs = Math.max(dProbs, Math.abs(v - 1 / (1 + Math.exp(-g['fp64/logits_per_image'].data[k])))); });
  t.diagnostic(`max |Chromium - fp64|: text_embeds ${dText.toExponential(2)}, image_embeds (PNG bytes) ${dImg.toExponential(2)}, ` +
    `(ImageBitmap) ${dBitmap.toExponential(2)}, (ImageData) ${dImageData.toExponential(2)}, logits ${dLogits.toExponential(2)}, probs ${dProbs.toExponential(2)}`);
  // fp32 sits ~1.3e-7 from fp64 (golden_meta.json); allow a few times that,
  // the same bounds as under Node.
  assert.equal(r.logits.length, imageNames.length * meta.texts.length);
  assert.ok(dText < 2e-6, `text_embeds differ by ${dText}`);
  assert.ok(dImg < 2e-6, `image_embeds (PNG bytes) differ by ${dImg}`);
  assert.ok(dBitmap < 2e-6, `image_embeds (ImageBitmap) differ by ${dBitmap}`);
  assert.ok(dImageData < 2e-6, `image_embeds (ImageData) differ by ${dImageData}`);
  assert.ok(dLogits < 2e-5, `logits differ by ${dLogits}`);
  assert.ok(dProbs < 2e-6, `probs differ by ${dProbs}`);
  assert.deepEqual(pageErrors, []);
});

test("JPEG pixels from the JS API in Chromium equal PIL's (the browser's own decoder, in the worker)", { timeout: 120000 }, async (t) => {
  if (made.skip) { t.skip(made.skip); return; }
  if (!fs.existsSync(chromiumPath)) { t.skip(`${chromiumPath} is not installed`); return; }
  const pil = readNPYu8(path.join(root, 'testdata/images/pil_decoded_coco_39769_q90.npy'));
  const r = await page.evaluate(async ({ dir, jpegs }) => {
    const { SigLIP } = await import('/web/siglip.js');
    const model = await SigLIP.load(`${dir}/tiny-f32.siglip`);
    const bytes = async (name) => new Uint8Array(await (await fetch(`${dir}/${name}`)).arrayBuffer());
    try {
      const coco = await model.decodeImage(await bytes('coco_39769_q90.jpg'));
      const set = [];
      for (const name of jpegs) {
        const got = await model.decodeImage(await bytes(`${name}.jpg`));
        // PIL's decode, kept as an RGB PNG: read by Go's PNG decoder (the
        // API's PNG path, bit-exact to PIL in the Go tests).
        const want = await model.decodeImage(await bytes(`${name}.rgb.png`));
        let max = want.width === got.width && want.height === got.height ? 0 : Infinity;
        for (let i = 0; i < want.rgb.length && max < Infinity; i++) max = Math.max(max, Math.abs(got.rgb[i] - want.rgb[i]));
        set.push({ name, max, size: `${got.width}×${got.height}` });
      }
      return { coco: { width: coco.width, height: coco.height, rgb: Array.from(coco.rgb) }, set };
    } finally {
      model.dispose();
    }
  }, { dir: `/web/dist/${fixturesName}`, jpegs: jpegSet });
  assert.deepEqual([r.coco.height, r.coco.width, 3], pil.shape);
  let max = 0;
  let differ = 0;
  r.coco.rgb.forEach((v, i) => { const d = Math.abs(v - pil.data[i]); if (d) differ++; max = Math.max(max, d); });
  t.diagnostic(`coco_39769_q90.jpg ${r.coco.width}×${r.coco.height}: max |Chromium - PIL| ${max}, ${differ} values differ; ` +
    `testdata/jpeg (${r.set.length}): ${r.set.map((s) => `${s.name} ${s.max}`).join(', ')}`);
  assert.equal(max, 0, 'coco_39769_q90.jpg differs from PIL');
  for (const s of r.set) assert.equal(s.max, 0, `${s.name} (${s.size}) differs from PIL by ${s.max}`);
  assert.deepEqual(pageErrors, []);
});

test('classify of one image against 48 cached labels is one worker round trip, with the same scores as embed + scores', { timeout: 120000 }, async (t) => {
  if (made.skip) { t.skip(made.skip); return; }
  if (!fs.existsSync(chromiumPath)) { t.skip(`${chromiumPath} is not installed`); return; }
  const r = await page.evaluate(async ({ dir, image }) => {
    const ops = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (msg, ...rest) {
      if (msg && typeof msg.op === 'string') ops.push(msg.op);
      return post.call(this, msg, ...rest);
    };
    const { SigLIP } = await import('/web/siglip.js');
    const model = await SigLIP.load(`${dir}/tiny-f32.siglip`);
    try {
      const labels = Array.from({ length: 48 }, (_, i) => `thing number ${i}`);
      const bytes = new Uint8Array(await (await fetch(`${dir}/${image}`)).arrayBuffer());
      const template = 'a photo of {}';
      const texts = await model.embedText(labels.map((l) => `a photo of ${l}`));
      const { probs } = await model.scores(await model.embedImage(bytes), texts);
      ops.length = 0;
      const ranked = await model.classify(bytes, labels, { template });
      const cachedOps = [...ops];
      ops.length = 0;
      // Five new labels among cached ones: still one call.
      const more = [...labels.slice(0, 10), 'a red square', 'a blue sky', 'x', 'y', 'z'];
      const ranked2 = await model.classify(bytes, more, { template });
      const newOps = [...ops];
      const byLabel = new Map(ranked.map((x) => [x.label, x.score]));
      let maxDiff = 0;
      labels.forEach((l, i) => { maxDiff = Math.max(maxDiff, Math.abs(byLabel.get(l) - probs[i])); });
      const sorted = ranked.every((x, i) => i === 0 || x.score <= ranked[i - 1].score);
      const again = await model.embedText(more.map((l) => `a photo of ${l}`));
      const { probs: p2 } = await model.scores(await model.embedImage(bytes), again);
      const by2 = new Map(ranked2.map((x) => [x.label, x.score]));
      let maxDiff2 = 0;
      more.forEach((l, i) => { maxDiff2 = Math.max(maxDiff2, Math.abs(by2.get(l) - p2[i])); });
      return { cachedOps, newOps, maxDiff, maxDiff2, sorted, n: ranked.length, n2: ranked2.length };
    } finally {
      Worker.prototype.postMessage = post;
      model.dispose();
    }
  }, { dir: `/web/dist/${fixturesName}`, image: imageNames[0] });
  t.diagnostic(`48 cached labels: worker messages ${JSON.stringify(r.cachedOps)}; 10 cached + 5 new: ${JSON.stringify(r.newOps)}; ` +
    `max |classify - (embed + scores)| ${r.maxDiff}, ${r.maxDiff2}`);
  assert.deepEqual(r.cachedOps, ['classify']);
  assert.deepEqual(r.newOps, ['classify']);
  assert.equal(r.n, 48);
  assert.equal(r.n2, 15);
  assert.ok(r.sorted);
  assert.equal(r.maxDiff, 0);
  assert.equal(r.maxDiff2, 0);
});

test("DOM and TypeError failures become the API's own errors (0×0 canvas, closed bitmap, broken <img>, detached buffers)", { timeout: 120000 }, async (t) => {
  if (made.skip) { t.skip(made.skip); return; }
  if (!fs.existsSync(chromiumPath)) { t.skip(`${chromiumPath} is not installed`); return; }
  const r = await page.evaluate(async ({ dir }) => {
    const { SigLIP } = await import('/web/siglip.js');
    const model = await SigLIP.load(`${dir}/tiny-f32.siglip`);
    const msg = (p) => p.then(() => 'no error', (e) => `${e.constructor.name}: ${e.message}`);
    try {
      const out = {};
      out.canvas = await msg(model.embedImage(Object.assign(document.createElement('canvas'), { width: 0, height: 0 })));
      out.offscreen = await msg(model.embedImage(new OffscreenCanvas(0, 5)));
      const bmp = await createImageBitmap(new ImageData(2, 2));
      bmp.close();
      out.closedBitmap = await msg(model.embedImage(bmp));
      const img = new Image();
      img.src = 'data:image/png;base64,bm90IGFuIGltYWdl';
      out.brokenImg = await msg(model.embedImage(img));
      const ab = new Uint8Array(100).buffer;
      structuredClone(ab, { transfer: [ab] });
      out.detachedImage = await msg(model.embedImage(ab));
      out.detachedModel = await msg(SigLIP.load(ab));
      const idata = new ImageData(2, 2);
      structuredClone(idata.data.buffer, { transfer: [idata.data.buffer] });
      out.detachedImageData = await msg(model.embedImage(idata));
      return out;
    } finally {
      model.dispose();
    }
  }, { dir: `/web/dist/${fixturesName}` });
  t.diagnostic(JSON.stringify(r));
  const raw = /InvalidStateError|DOMException|Cannot perform|is not a function|undefined|\[object/;
  for (const [k, v] of Object.entries(r)) {
    assert.notEqual(v, 'no error', `${k} was accepted`);
    assert.doesNotMatch(v, raw, `${k}: ${v}`);
  }
  assert.match(r.canvas, /canvas is 0×0 pixels/);
  assert.match(r.offscreen, /canvas is 0×5 pixels/);
  assert.match(r.closedBitmap, /ImageBitmap \(closed\?\) is 0×0/);
  assert.match(r.brokenImg, /<img> element's image could not be decoded/);
  assert.match(r.detachedImage, /detached ArrayBuffer/);
  assert.match(r.detachedModel, /detached ArrayBuffer/);
  assert.match(r.detachedImageData, /detached ArrayBuffer/);
});

test('every request the page made stayed on its own origin', (t) => {
  if (!page) { t.skip('no page was opened'); return; }
  assert.ok(requests.some((u) => u.endsWith('/tiny-f32.siglip')), 'the model was not fetched by the page');
  assert.ok(requests.some((u) => u.endsWith('/siglip.wasm')), 'the wasm module was not fetched');
  assert.ok(requests.some((u) => u.endsWith('/web/worker.js')), 'the API did not start its Web Worker');
  assert.ok(requests.some((u) => u.endsWith('/web/kernels/simd.wasm')), 'the simd128 kernels were not fetched');
  const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
  t.diagnostic(`${requests.length} requests, ${foreign.length} foreign: ${requests.map((u) => u.replace(origin, '')).join(' ')}`);
  assert.deepEqual(foreign, []);
  assert.deepEqual(failed, []);
});
