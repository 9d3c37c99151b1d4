// The JS API (web/siglip.js) under Node: in-process and in a worker_threads
// Worker, as the npm package installed into a scratch project, and (once a
// tiny model file can be made) the tiny model's goldens from transformers
// through the JS API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readNPZ, makeTinyModelFile } from './lib/tiny.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let tmp;
let SigLIP;
let formatPrompt;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'siglip-api-'));
  execFileSync('go', ['run', './build', 'wasm'], { cwd: root, stdio: 'inherit' });
  ({ SigLIP, formatPrompt } = await import(pathToFileURL(path.join(root, 'web/siglip.js')).href));
});
after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

// A Go error, passed through unchanged, not a JavaScript slip.
const notAJsSlip = /before initialization|is not defined|is not a function|Cannot read prop|\[object/;

for (const worker of ['inprocess', 'worker']) {
  test(`load (${worker}): bad model bytes reject with the Go module's message`, async () => {
    await assert.rejects(SigLIP.load(new Uint8Array(10), { worker }), /model file is 10 bytes: too small/);
    const err = await SigLIP.load(new Uint8Array(4096).fill(7), { worker }).then(() => null, (e) => e);
    assert.ok(err instanceof Error, 'loading garbage must fail');
    assert.doesNotMatch(err.message, notAJsSlip);
    await assert.rejects(SigLIP.load(path.join(tmp, 'missing.siglip'), { worker }), /ENOENT|no such file/);
    await assert.rejects(SigLIP.load(42, { worker }), /give a URL, a path/);
  });
}

const demoModel = path.join(root, 'web/models/demo-q8.siglip');
for (const worker of ['inprocess', 'worker']) {
  test(`load (${worker}): the caller's Buffer stays whole; buffers, views, Blobs and paths load; detached buffers get a clear error`, async () => {
    const b = fs.readFileSync(demoModel);
    const sum = (u8) => u8.reduce((a, v, i) => (a + v * ((i % 251) + 1)) % 1000000007, 0);
    const before = sum(b);
    for (let i = 0; i < 2; i++) {
      const m = await SigLIP.load(b, { worker });
      assert.equal(m.info.bytes, b.length);
      m.dispose();
    }
    assert.equal(b.length, fs.statSync(demoModel).size, 'load emptied the caller\'s Buffer');
    assert.equal(sum(b), before, 'load changed the caller\'s bytes');
    // A view at an offset into a larger buffer, an ArrayBuffer, a Blob, a
    // path: the same file, the same hash.
    const big = new Uint8Array(b.length + 100);
    big.set(b, 37);
    const shas = [];
    for (const src of [big.subarray(37, 37 + b.length), new Uint8Array(b).buffer, new Blob([b]), demoModel]) {
      const m = await SigLIP.load(src, { worker });
      shas.push(m.info.sha256);
      m.dispose();
    }
    assert.equal(new Set(shas).size, 1, `different files: ${shas}`);
    const gone = new Uint8Array(b).buffer;
    structuredClone(gone, { transfer: [gone] });
    await assert.rejects(SigLIP.load(gone, { worker }), /detached ArrayBuffer/);
    // An image in a detached buffer, a non-image object: the API's errors.
    const m = await SigLIP.load(b, { worker });
    try {
      const img = new Uint8Array(fs.readFileSync(path.join(root, 'web/samples', fs.readdirSync(path.join(root, 'web/samples'))[0]))).buffer;
      structuredClone(img, { transfer: [img] });
      await assert.rejects(m.embedImage(img), /image.*detached ArrayBuffer/);
      await assert.rejects(m.embedImage({ width: 2, height: 2 }), /image must be/);
      await assert.rejects(m.embedImage({ data: new Uint8Array(4), width: 0, height: 0 }), (e) => /0×0|empty|positive/.test(e.message) && !notAJsSlip.test(e.message));
    } finally {
      m.dispose();
    }
  });
}

test('formatPrompt fills every {} and rejects templates without one', () => {
  assert.equal(formatPrompt('This is a photo of {}.', 'a cat'), 'This is a photo of a cat.');
  assert.equal(formatPrompt('{} or {}', 'x'), 'x or x');
  assert.throws(() => formatPrompt('a photo', 'cat'), /must contain "\{\}"/);
});

test('npm package: packs, installs offline into a scratch project, imports under Node', async () => {
  const packDir = path.join(tmp, 'pack');
  fs.mkdirSync(packDir);
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: path.join(root, 'web'), encoding: 'utf8' });
  const [info] = JSON.parse(out);
  const files = info.files.map((f) => f.path).sort();
  for (const f of ['siglip.js', 'worker.js', 'siglip.d.ts', 'dist/siglip.wasm', 'dist/wasm_exec.js', 'package.json']) {
    assert.ok(files.includes(f), `${f} missing from the package (${files.join(', ')})`);
  }
  for (const f of files) assert.doesNotMatch(f, /^(samples|models|app\.|sw\.js|presets)/, `${f} does not belong in the package`);
  if (fs.existsSync(path.join(root, 'web/kernels/loader.mjs'))) {
    for (const f of ['kernels/loader.mjs', 'kernels/simd.wasm']) assert.ok(files.includes(f), `${f} missing from the package`);
  }
  const proj = path.join(tmp, 'proj');
  fs.mkdirSync(proj);
  fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', path.join(packDir, info.filename)], { cwd: proj, stdio: 'inherit' });
  const installed = path.join(proj, 'node_modules/siglip-wasm');
  assert.ok(fs.existsSync(path.join(installed, 'siglip.d.ts')));
  fs.writeFileSync(path.join(proj, 'main.mjs'), `
    import { SigLIP } from 'siglip-wasm';
    import Default from 'siglip-wasm';
    if (Default !== SigLIP) throw new Error('default export differs');
    try { await SigLIP.load(new Uint8Array(10)); console.log('LOADED?'); }
    catch (e) { console.log('REJECTED: ' + e.message); }
    if (process.argv[2]) {
      const model = await SigLIP.load(process.argv[2]);
      const e = await model.embedText('a photo of 2 cats');
      console.log('EMBEDDED ' + e.length + ' simd=' + model.info.simd);
      model.dispose();
    }
  `);
  const made = makeTinyModelFile(tmp);
  const res = execFileSync('node', ['main.mjs', ...(made.file ? [made.file] : [])], { cwd: proj, encoding: 'utf8', timeout: 60000 });
  assert.match(res, /REJECTED: model file is 10 bytes: too small/);
  if (made.file) assert.match(res, /EMBEDDED 64 simd=true/);
});

// ---------- tiny model goldens through the JS API ----------

test('npz reader: the tiny goldens parse with their documented shapes', () => {
  const g = readNPZ(path.join(root, 'testdata/tiny/golden.npz'));
  assert.deepEqual(g['fp32/image_embeds'].shape, [2, 64]);
  assert.deepEqual(g['fp32/text_embeds'].shape, [4, 64]);
  assert.deepEqual(g['fp32/logits_per_image'].shape, [2, 4]);
  const meta = JSON.parse(fs.readFileSync(path.join(root, 'testdata/tiny/golden_meta.json'), 'utf8'));
  // Fortran order was undone: fp64 logits match the meta file's row-major copy.
  assert.ok(Math.abs(g['fp64/logits_per_image'].data[1] - meta.logits_per_image_fp64[0][1]) < 1e-12);
});

test('tiny model goldens hold through the JS API', async (t) => {
  const made = makeTinyModelFile(tmp);
  if (made.skip) { t.skip(made.skip); return; }
  const g = readNPZ(path.join(root, 'testdata/tiny/golden.npz'));
  const meta = JSON.parse(fs.readFileSync(path.join(root, 'testdata/tiny/golden_meta.json'), 'utf8'));
  const model = await SigLIP.load(made.file);
  try {
    const dim = 64;
    assert.equal(model.info.embedDim, dim);
    const texts = await model.embedText(meta.texts);
    const imgs = [];
    for (const name of meta.images.slice(0, 2)) imgs.push(await model.embedImage(fs.readFileSync(path.join(root, 'testdata/images', name))));
    const maxDiff = (rows, golden) => {
      let m = 0;
      rows.forEach((r, i) => r.forEach((v, j) => { m = Math.max(m, Math.abs(v - golden.data[i * dim + j])); }));
      return m;
    };
    const dText = maxDiff(texts, g['fp64/text_embeds']);
    const dImg = maxDiff(imgs, g['fp64/image_embeds']);
    t.diagnostic(`max |JS - fp64| text_embeds ${dText.toExponential(2)}, image_embeds ${dImg.toExponential(2)}`);
    // fp32 sits ~1.3e-7 from fp64 (golden_meta.json); allow a few times that.
    assert.ok(dText < 2e-6, `text_embeds differ by ${dText}`);
    assert.ok(dImg < 2e-6, `image_embeds differ by ${dImg}`);
    const { logits } = await model.scores(imgs, texts);
    let dl = 0;
    logits.forEach((v, k) => { dl = Math.max(dl, Math.abs(v - g['fp64/logits_per_image'].data[k])); });
    t.diagnostic(`max |JS - fp64| logits ${dl.toExponential(2)}`);
    assert.ok(dl < 2e-5, `logits differ by ${dl}`);
    // Repeated labels come from the per-model cache.
    const hits = model.stats.textCacheHits;
    await model.embedText(meta.texts);
    assert.equal(model.stats.textCacheHits, hits + meta.texts.length);
    // Input guards.
    await assert.rejects(model.classify(imgs[0] ? fs.readFileSync(path.join(root, 'testdata/images', meta.images[0])) : null, []), /no labels/);
    await assert.rejects(model.embedImage(Buffer.from('not an image')), (e) => !notAJsSlip.test(e.message));
    // More labels than one worker call takes (info.textBatch): split into
    // batches, one result per label. (10 000 labels work the same way; at
    // ~10-40 ms a text for this model that is minutes, too long for CI.)
    const n = model.info.textBatch + 40;
    const many = Array.from({ length: n }, (_, i) => `label ${i}`);
    const t0 = performance.now();
    const ranked = await model.classify(fs.readFileSync(path.join(root, 'testdata/images', meta.images[0])), many);
    t.diagnostic(`${n} labels classified in ${Math.round(performance.now() - t0)} ms`);
    assert.equal(ranked.length, n);
    assert.equal(new Set(ranked.map((r) => r.label)).size, n);
    const bad = await model.embedText('bad \ud800 surrogate');
    assert.equal(bad.length, dim);
  } finally {
    model.dispose();
  }
});
