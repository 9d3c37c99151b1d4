// Browser memory for a big model (issue 13): google/siglip-large-patch16-256
// at full depth with formula weights, converted here to q8 and q4, loaded
// through the public API (SigLIP.load(url)) in headless Chromium, then one
// text and one image embedded. The renderer's peak resident memory (VmHWM
// of its process, which holds the page, the SigLIP worker and its Go heap)
// must stay within the bounds below. SIGLIP_LARGE=1 runs it (CI does);
// it writes about 1 GB under web/dist/ and removes it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root } from './lib/tiny.mjs';
import { startServe } from './lib/serve.mjs';
import { rendererMemory } from './lib/procmem.mjs';
import { makeFormulaModelFile } from './lib/formula.mjs';

const require = createRequire(path.join(root, 'build/package.json'));
const { chromium } = require('playwright-core');

const chromiumPath = '/usr/bin/chromium';
const large = process.env.SIGLIP_LARGE === '1';
const skip = !large ? 'set SIGLIP_LARGE=1 to run the large-256 browser memory check'
  : !fs.existsSync(chromiumPath) ? `${chromiumPath} is not installed` : null;
const fixturesName = `test-large-${process.pid}`;
const fixtures = path.join(root, 'web/dist', fixturesName);
// The bound is 1.5× the file. Measured (shared 2-core machine,
// load 11–13): before the streaming load 3.34× (q8) and 2.60× (q4); with
// it 1.43×/1.59× (a78693f), then 1.74–1.83×/2.02–2.42× as the load got
// faster and used 4 MB pieces piled up in the page and the worker waiting
// for V8's collector (150–250 MB at the peak). The pieces now go back to
// the page to carry the next one, and a plan's towers share their encoder
// buffers: 1.35–1.38× (q8) and 1.60–1.62× (q4, four runs).
// q4 cannot reach 1.5× this way: before the first model byte arrives the
// renderer already holds 190–250 MB (the blank page 112 MB, the worker
// with the compiled Go module and a kernel worker 80–130 MB), 0.53–0.70×
// of the 356 MiB q4 file. So q8 is held to 1.5× and q4 to 1.7× (measured
// +0.08 of noise); what loading adds above the idle renderer's peak is
// held to 1.5× the file for both (measured 1.17×, 1.28×).
const bounds = { q8: 1.5, q4: 1.7 };
const aboveIdleBound = 1.5;

let tmp, server, origin;

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'siglip-large-'));
  fs.mkdirSync(fixtures, { recursive: true });
  fs.copyFileSync(path.join(root, 'testdata/images/coco_39769.png'), path.join(fixtures, 'coco.png'));
  fs.writeFileSync(path.join(fixtures, 'blank.html'),
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>siglip large test</title>\n');
  ({ server, origin } = await startServe(tmp, [], 120000));
});

after(() => {
  server?.kill();
  fs.rmSync(fixtures, { recursive: true, force: true });
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

for (const scheme of ['q8', 'q4']) {
  test(`large-256 ${scheme}: renderer peak ≤ ${bounds[scheme]}× the model file`, { timeout: 600000, skip: skip ?? false }, async (t) => {
    const name = `large-${scheme}.siglip`;
    const file = makeFormulaModelFile(tmp, 'large', scheme, path.join(fixtures, name));
    const fileMB = fs.statSync(file).size / 2 ** 20;
    const profile = path.join(tmp, `profile-${scheme}`);
    const ctx = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const errors = [];
    try {
      const page = ctx.pages()[0] ?? await ctx.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${origin}/web/dist/${fixturesName}/blank.html`);
      const idle = rendererMemory(profile);
      const r = await page.evaluate(async ({ dir, name, backend }) => {
        const { SigLIP } = await import('/web/siglip.js');
        const t0 = performance.now();
        const model = await SigLIP.load(`${dir}/${name}`, { backend }); // the wasm engine's memory
        const loadMs = performance.now() - t0;
        const txt = await model.embedText('a photo of a cat');
        const t1 = performance.now();
        const img = await model.embedImage(await (await fetch(`${dir}/coco.png`)).blob());
        const imageMs = performance.now() - t1;
        globalThis.keep = model; // measured while loaded
        return { loadMs, imageMs, dim: img.length, tdim: txt.length, info: { ...model.info } };
      }, { dir: `/web/dist/${fixturesName}`, name, backend: 'wasm' });
      const m = rendererMemory(profile);
      const ratio = m.peakMB / fileMB;
      t.diagnostic(`large-256 ${scheme}: file ${fileMB.toFixed(0)} MiB; renderer idle ${idle.rssMB.toFixed(0)} MiB, peak ${m.peakMB.toFixed(0)} MiB ` +
        `(${ratio.toFixed(2)}× the file; ${((m.peakMB - idle.peakMB) / fileMB).toFixed(2)}× above the idle renderer's peak), resident after ${m.rssMB.toFixed(0)} MiB; load ${Math.round(r.loadMs)} ms, ` +
        `one image ${Math.round(r.imageMs)} ms (${r.info.threads} threads, simd ${r.info.simd}, backend ${r.info.backend})`);
      assert.equal(r.dim, 1024);
      assert.equal(r.tdim, 1024);
      assert.equal(r.info.quantization, scheme);
      assert.deepEqual(errors, []);
      assert.ok(ratio <= bounds[scheme], `renderer peak ${m.peakMB.toFixed(0)} MiB is ${ratio.toFixed(2)}× the ${fileMB.toFixed(0)} MiB file (bound ${bounds[scheme]}×)`);
      const above = (m.peakMB - idle.peakMB) / fileMB;
      assert.ok(above <= aboveIdleBound, `loading added ${above.toFixed(2)}× the file above the idle renderer's peak (bound ${aboveIdleBound}×)`);
    } finally {
      await ctx.close();
      fs.rmSync(file, { force: true });
    }
  });
}
