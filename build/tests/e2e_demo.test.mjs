// End-to-end tests of the demo page in headless Chromium: the server's
// headers, the page shell, and (once web/models/demo-q8.siglip exists) real
// classification, tagging, search, offline reload and error recovery.
// One server and one browser for the whole file, to keep CI time short.
// Screenshots of each mode go to build/out/screenshots/ (gitignored).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServe } from './lib/serve.mjs';
import { rendererMemory } from './lib/procmem.mjs';
import { bombPNG, bigJPEG } from './lib/bigimages.mjs';
import { exposeDemoState } from './lib/demostate.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'build/package.json'));
const { chromium } = require('playwright-core');

const shots = path.join(root, 'build/out/screenshots');
const demoModel = path.join(root, 'web/models/demo-q8.siglip');
const samplesDir = path.join(root, 'web/samples');
const meta = JSON.parse(fs.readFileSync(path.join(root, 'testdata/demo/demo_meta.json'), 'utf8'));
const hasDemoModel = fs.existsSync(demoModel);
const needModel = hasDemoModel ? {} : { skip: 'web/models/demo-q8.siglip is not built yet (the modelfile work adds it)' };

let server, origin, tmp, ctx, page;
const requests = [];
const consoleErrors = [];

function trueLabel(file) {
  // sample_05_large_red_square_on_gray.png → "red square"
  const [, , , colour, shape] = file.replace(/\.png$/, '').split('_');
  return `${colour} ${shape}`;
}

async function startServer() {
  ({ server, origin } = await startServe(tmp));
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'siglip-e2e-'));
  fs.mkdirSync(shots, { recursive: true });
  await startServer();
  ctx = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  ctx.on('request', (r) => requests.push(r.url()));
  await exposeDemoState(ctx); // the page's live state, for the assertions
  page = ctx.pages()[0] ?? await ctx.newPage();
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
});

after(async () => {
  await ctx?.close();
  server?.kill();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('serve: isolation headers, strict CSP, MIME types, nothing outside index.html and web/', async () => {
  const res = await fetch(`${origin}/`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
  assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'|https?:|\*/);
  const wasm = await fetch(`${origin}/web/dist/siglip.wasm`);
  assert.equal(wasm.headers.get('content-type'), 'application/wasm');
  assert.deepEqual([...new Uint8Array(await wasm.arrayBuffer()).slice(0, 4)], [0, 0x61, 0x73, 0x6d]);
  assert.match((await fetch(`${origin}/web/siglip.js`)).headers.get('content-type'), /^text\/javascript/);
  for (const p of ['/go.mod', '/.git/HEAD', '/testdata/demo/demo_meta.json', '/web/../go.mod', '/build/serve.go']) {
    assert.equal((await fetch(`${origin}${p}`)).status, 404, p);
  }
  assert.equal((await fetch(`${origin}/`, { method: 'POST' })).status, 405);
});

test('page: loads isolated under the CSP, with no errors but the ones it explains', async () => {
  await page.goto(`${origin}/`);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  // The model either loads or fails with a message in the page.
  await page.waitForFunction(() => document.querySelector('#model-dot.ready, #model-dot.error'), null, { timeout: 120000 });
  if (!hasDemoModel) {
    assert.match(await page.textContent('#banner-text'), /Could not load the model .*demo-q8\.siglip/);
  }
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30000 });
  const csp = consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e));
  assert.deepEqual(csp, []);
  await page.screenshot({ path: path.join(shots, 'start.png') });
});

test('errors: a corrupt model file is reported and the page keeps working', async () => {
  await page.click('#model-button');
  await page.setInputFiles('#model-file', { name: 'broken.siglip', mimeType: 'application/octet-stream', buffer: Buffer.alloc(4096, 7) });
  await page.waitForFunction(() => /Could not load the model “broken\.siglip”/.test(document.querySelector('#banner-text').textContent) && !document.querySelector('#banner').hidden);
  // The message is the Go module's, not a JavaScript slip.
  assert.doesNotMatch(await page.textContent('#banner-text'), /before initialization|is not defined|is not a function|undefined|\[object/);
  await page.screenshot({ path: path.join(shots, 'error-model.png') });
  await page.click('#banner-close');
  await page.click('#model-button');
});

test('classify: top-1 of each of the 12 demo samples is the label in its file name', needModel, async (t) => {
  await page.waitForSelector('#model-dot.ready');
  assert.equal(await page.inputValue('#template'), 'a photo of a {}');
  const labels = await page.evaluate(() => siglipDemo.labels);
  assert.equal(labels.length, 48);
  assert.deepEqual(labels.map((l) => `a photo of a ${l}`), meta.prompts);
  const times = [];
  for (const file of meta.samples) {
    await page.click(`.samples button[data-file="${file}"]`);
    const top = await page.waitForFunction((f) => siglipDemo.lastClassified?.name === f && siglipDemo.lastClassified.top, file, { timeout: 60000 });
    assert.equal(await top.jsonValue(), trueLabel(file), file);
    times.push(Math.round(await page.evaluate(() => siglipDemo.lastClassified.ms)));
  }
  t.diagnostic(`page classify times (ms, 48 labels, first includes the prompts): ${times.join(' ')}`);
  assert.match(await page.textContent('#classify-status'), /\d+ ms/);
  await page.screenshot({ path: path.join(shots, 'classify.png') });
});

test('API in the page: HTMLImageElement, ImageBitmap, ImageData, Blob and bytes give the same embedding', needModel, async (t) => {
  const file = meta.samples[3];
  const r = await page.evaluate(async (file) => {
    const { SigLIP } = await import('/web/siglip.js');
    const model = await SigLIP.load('/web/models/demo-q8.siglip');
    try {
      const blob = await (await fetch(`/web/samples/${file}`)).blob();
      const img = new Image();
      img.src = URL.createObjectURL(blob);
      await img.decode();
      const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
      const c = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d');
      c.drawImage(bitmap, 0, 0);
      const imageData = c.getImageData(0, 0, bitmap.width, bitmap.height);
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const ref = await model.embedImage(blob);
      const cos = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
      const out = { dim: ref.length, info: model.info };
      for (const [name, input] of [['img', img], ['bitmap', bitmap], ['imageData', imageData], ['bytes', bytes], ['buffer', bytes.buffer]]) {
        out[name] = cos(ref, await model.embedImage(input));
      }
      out.bitmapStillUsable = bitmap.width > 0;
      const top = await model.classify(img, ['red square', 'white triangle', 'blue circle'], { template: 'a photo of a {}' });
      out.top = top[0].label;
      out.sorted = top.every((t, i) => i === 0 || t.score <= top[i - 1].score);
      await model.classify(blob, []).then(() => { out.empty = 'no error'; }, (e) => { out.empty = e.message; });
      return out;
    } finally {
      model.dispose();
    }
  }, file);
  t.diagnostic(`cosine to the Blob path: img ${r.img}, bitmap ${r.bitmap}, imageData ${r.imageData}, bytes ${r.bytes}; simd ${r.info.simd}`);
  assert.equal(r.dim, 128);
  for (const k of ['img', 'bitmap', 'imageData', 'bytes', 'buffer']) assert.ok(r[k] > 0.999, `${k}: cosine ${r[k]} to the Blob path`);
  assert.equal(r.bytes, r.buffer);
  assert.ok(r.bitmapStillUsable);
  assert.equal(r.top, 'white triangle');
  assert.ok(r.sorted);
  assert.match(r.empty, /no labels/);
});

test('classify: an image dropped on the page, then one pasted, is classified', needModel, async () => {
  for (const [kind, file] of [['drop', meta.samples[8]], ['paste', meta.samples[4]]]) {
    await page.evaluate(async ({ kind, file }) => {
      const blob = await (await fetch(`/web/samples/${file}`)).blob();
      const dt = new DataTransfer();
      dt.items.add(new File([blob], file, { type: 'image/png' }));
      if (kind === 'drop') document.querySelector('#drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      else document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, { kind, file });
    const top = await page.waitForFunction((f) => siglipDemo.lastClassified?.name === f && siglipDemo.lastClassified.top, file, { timeout: 60000 });
    assert.equal(await top.jsonValue(), trueLabel(file), kind);
  }
});

test('errors: a text file given as an image is reported, the next classification works', needModel, async () => {
  await page.setInputFiles('#image-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('this is not an image\n') });
  await page.waitForFunction(() => !document.querySelector('#banner').hidden && /notes\.txt.*could not be read as an image/.test(document.querySelector('#banner-text').textContent));
  await page.screenshot({ path: path.join(shots, 'error-image.png') });
  // No labels: a plain message, and the labels come back with the preset.
  await page.click('#labels-clear');
  await page.click(`.samples button[data-file="${meta.samples[2]}"]`);
  await page.waitForFunction(() => /no labels/i.test(document.querySelector('#banner-text').textContent) && !document.querySelector('#banner').hidden);
  await page.selectOption('#preset', 'demo');
  const file = meta.samples[5];
  await page.click(`.samples button[data-file="${file}"]`);
  const top = await page.waitForFunction((f) => siglipDemo.lastClassified?.name === f && siglipDemo.lastClassified.top, file);
  assert.equal(await top.jsonValue(), trueLabel(file));
  assert.equal(await page.isHidden('#banner'), true, `banner still shows: ${await page.textContent('#banner-text')}`);
});

test('limits: a 249 KB PNG declaring 16000×16000, dropped three times, and a 40 MP photo are refused from their headers', needModel, async (t) => {
  const bomb = bombPNG(16000, 16000);
  const photo = bigJPEG(tmp, 7300, 5480); // 40.0 MP, above the 36 MP limit
  const profile = path.join(tmp, 'profile');
  const drop = (name, type, bytes) => page.evaluate(async ({ name, type, b64 }) => {
    document.querySelector('#banner').hidden = true;
    const bin = atob(b64);
    const u8 = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([u8], name, { type }));
    const t0 = performance.now();
    document.querySelector('#drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    await new Promise((resolve) => {
      const check = () => (!document.querySelector('#banner').hidden ? resolve() : setTimeout(check, 5));
      check();
    });
    return { ms: performance.now() - t0, banner: document.querySelector('#banner-text').textContent, image: siglipDemo.image?.name ?? null };
  }, { name, type, b64: bytes.toString('base64') });
  await page.waitForSelector('#model-dot.ready');
  const before = rendererMemory(profile);
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await drop('bomb.png', 'image/png', bomb));
  runs.push(await drop('photo-40mp.jpg', 'image/jpeg', photo));
  await new Promise((r) => setTimeout(r, 500));
  const after = rendererMemory(profile);
  t.diagnostic(`PNG ${bomb.length} B declaring 16000×16000, 3 drops: ${runs.slice(0, 3).map((r) => `${Math.round(r.ms)} ms`).join(', ')}; ` +
    `JPEG ${photo.length} B of 7300×5480: ${Math.round(runs[3].ms)} ms; renderer RSS ${before.rssMB.toFixed(0)} MB before, ${after.rssMB.toFixed(0)} MB after (peak ${after.peakMB.toFixed(0)} MB)`);
  for (const [i, r] of runs.entries()) {
    assert.match(r.banner, /could not be read as an image.*16000×16000|could not be read as an image.*7300×5480/, `drop ${i}`);
    assert.match(r.banner, /megapixels/, `drop ${i}`);
    assert.equal(r.image, null, `drop ${i}: the refused image became the page's image`);
    assert.ok(r.ms < 3000, `drop ${i} took ${r.ms} ms: decoded?`);
  }
  assert.ok(after.rssMB - before.rssMB < 100, `renderer RSS grew by ${(after.rssMB - before.rssMB).toFixed(0)} MB`);
  assert.equal(await page.isHidden('#preview'), true);
});

test('errors: a truncated model file is reported, the loaded model stays in use', needModel, async () => {
  const bytes = fs.readFileSync(demoModel);
  await page.click('#model-button');
  await page.setInputFiles('#model-file', { name: 'truncated.siglip', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, bytes.length >> 1) });
  await page.waitForFunction(() => /Could not load the model “truncated\.siglip”.*still using/.test(document.querySelector('#banner-text').textContent));
  await page.click('#model-button');
  const file = meta.samples[0];
  await page.click(`.samples button[data-file="${file}"]`);
  const top = await page.waitForFunction((f) => siglipDemo.lastClassified?.name === f && siglipDemo.lastClassified.top, file);
  assert.equal(await top.jsonValue(), trueLabel(file));
});

test('tag: three samples, exported JSON holds their labels above the threshold', needModel, async () => {
  await page.click('#tab-tag');
  const three = [meta.samples[1], meta.samples[5], meta.samples[10]];
  await page.setInputFiles('#tag-files', three.map((f) => path.join(samplesDir, f)));
  await page.waitForFunction(() => !document.querySelector('#tag-export-json').disabled && document.querySelectorAll('#tag-grid .card .tags, #tag-grid .card .none').length === 3 && ![...document.querySelectorAll('#tag-grid .none')].some((e) => e.textContent === 'waiting…'), null, { timeout: 60000 });
  await page.fill('#tag-threshold', '0.05');
  await page.dispatchEvent('#tag-threshold', 'input');
  await page.screenshot({ path: path.join(shots, 'tag.png') });
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tag-export-json')]);
  const data = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  assert.equal(data.threshold, 0.05);
  assert.equal(data.labels.length, 48);
  assert.deepEqual(data.images.map((i) => i.file), three);
  for (const im of data.images) {
    assert.ok(im.tags.length >= 1, `${im.file} has no tag above 0.05`);
    assert.equal(im.tags[0].label, trueLabel(im.file));
    for (let i = 0; i < im.tags.length; i++) {
      assert.ok(im.tags[i].score >= 0.05 && im.tags[i].score <= 1);
      if (i) assert.ok(im.tags[i].score <= im.tags[i - 1].score);
    }
  }
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#tag-export-csv')]);
  const lines = fs.readFileSync(await csv.path(), 'utf8').trim().split('\n');
  assert.equal(lines[0], 'file,label,score');
  assert.equal(lines.length - 1, data.images.reduce((n, im) => n + im.tags.length, 0));
});

test('search: the samples, "a red square" ranks the red square first', needModel, async () => {
  await page.click('#tab-search');
  await page.click('#search-clear');
  await page.setInputFiles('#search-files', meta.samples.map((f) => path.join(samplesDir, f)));
  await page.waitForFunction(() => /^12 images indexed/.test(document.querySelector('#search-count').textContent), null, { timeout: 60000 });
  await page.fill('#search-query', 'a red square');
  await page.press('#search-query', 'Enter');
  const top = await page.waitForFunction(() => document.querySelector('#search-status').dataset.top);
  assert.equal(await top.jsonValue(), 'sample_05_large_red_square_on_gray.png');
  await page.screenshot({ path: path.join(shots, 'search.png') });
  // The embeddings persist in IndexedDB across reloads.
  await page.reload();
  await page.waitForSelector('#model-dot.ready');
  await page.click('#tab-search');
  await page.waitForFunction(() => /^12 images indexed/.test(document.querySelector('#search-count').textContent));
});

test('update: a model kept on this device is replaced when the server has a newer one', needModel, async () => {
  await page.click('#tab-classify');
  await page.reload();
  await page.waitForSelector('#model-dot.ready');
  assert.equal(await page.evaluate(() => siglipDemo.modelFromCache), true);
  const later = new Date(Date.now() + 2000);
  fs.utimesSync(demoModel, later, later); // same bytes, newer Last-Modified
  await page.reload();
  await page.waitForFunction(() => /Updated demo-q8\.siglip/.test(document.querySelector('#banner-text').textContent), null, { timeout: 60000 });
  assert.equal(await page.evaluate(() => siglipDemo.modelFromCache), false);
});

test('offline: with every request blocked and the server stopped, the model loads from the cache and classifies', needModel, async () => {
  await page.click('#tab-classify');
  const blocked = [];
  await ctx.route('**/*', (route) => { blocked.push(`${route.request().method()} ${route.request().url()}`); return route.abort(); });
  server.kill();
  await page.reload();
  await page.waitForSelector('#model-dot.ready', { timeout: 60000 });
  assert.equal(await page.evaluate(() => siglipDemo.modelFromCache), true);
  // The page may ask (HEAD) whether the model changed; it never downloads it.
  assert.deepEqual(blocked.filter((u) => u.startsWith('GET ') && u.endsWith('.siglip')), [], 'the model was requested from the network');
  const file = meta.samples[7];
  await page.click(`.samples button[data-file="${file}"]`);
  const top = await page.waitForFunction((f) => siglipDemo.lastClassified?.name === f && siglipDemo.lastClassified.top, file, { timeout: 60000 });
  assert.equal(await top.jsonValue(), trueLabel(file));
  await page.screenshot({ path: path.join(shots, 'offline.png') });
  await ctx.unroute('**/*');
});

test('every request the page made stayed on its own origin', () => {
  assert.ok(requests.length > 5);
  const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
});
