// Multi-threaded kernels in headless Chromium (web/threads/): Go's memory
// rewritten to a shared WebAssembly.Memory, the simd128 kernels split over
// kernel workers.
//   - the kernel conformance tests (go test ./kernel/, -tags simd) pass
//     in a cross-origin-isolated page's worker with 2 threads, every
//     kernel call split (int8 bit-identical to the reference, f32 within
//     1e-5), and the split calls really happened;
//   - split calls give the same bits as single-threaded calls (Go's
//     TestSplitSameBits: every kernel of every form, by rows and by panels);
//   - a page that is not cross-origin isolated runs on one thread and says so;
//   - 20 start/stop cycles leave no kernel worker and no memory behind.
// Skips until the simd128 kernels (web/kernels/simd.wasm) are on the branch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'build/package.json'));
const haveKernels = fs.existsSync(path.join(root, 'web/kernels/simd.wasm')) &&
  fs.existsSync(path.join(root, 'kernel/simd_js.go'));
const skip = haveKernels ? {} : { skip: 'web/kernels/simd.wasm and kernel/simd_js.go are not here yet (simd branch)' };
const haveDemo = haveKernels && fs.existsSync(path.join(root, 'web/models/demo-q8.siglip')) && fs.existsSync(path.join(root, 'web/siglip.js'));

let server, origin, tmp, browser;

// SIGLIP_THREADS_BENCH=N times the base-256 vision tower (q8) N times per
// round at 1 and 2 threads, rounds interleaved (slow: off by default).
const benchRuns = Number(process.env.SIGLIP_THREADS_BENCH || 0);

const types = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

// The page and the Go worker are served by the test; everything else from
// the repository, or /x/ from the temporary directory (the test binary,
// wasm_exec.js). /plain/ serves the same without the isolation headers.
const goWorker = `
import '/x/wasm_exec.js';
import { instantiateThreaded } from '/web/threads/threaded.mjs';
self.onmessage = async ({ data }) => {
  const lines = [];
  const log = console.log;
  console.log = (...a) => { lines.push(a.join(' ')); };
  const notes = [];
  console.info = (...a) => { notes.push(a.join(' ')); };
  try {
    const go = new Go();
    go.argv = ['kernel.test', ...data.argv];
    let code = null;
    go.exit = (c) => { code = c; };
    Object.assign(globalThis, data.globals ?? {});
    const bytes = new Uint8Array(await (await fetch('/x/' + (data.binary ?? 'kernel.test.wasm'))).arrayBuffer());
    const r = await instantiateThreaded(bytes, go, { threads: data.threads, minWork: data.minWork, kernelWorkers: data.kernelWorkers });
    self.postMessage({ started: true, threads: r.threads });
    await go.run(r.instance);
    // A test binary exits; a Go timer still pending then (the runtime's
    // own, e.g. the scavenger's) would fire into the exited program and
    // throw "Go program has already exited" (wasm_exec.js does not cancel
    // them on exit). Runs right after exit, before any timer task.
    for (const t of go._scheduledTimeouts?.values() ?? []) clearTimeout(t);
    go._scheduledTimeouts?.clear();
    const stats = r.pool ? { ...r.pool.stats } : null;
    await r.close();
    const shared = typeof SharedArrayBuffer !== 'undefined' && r.memory.buffer instanceof SharedArrayBuffer;
    self.postMessage({ code, lines, notes, threads: r.threads, stats, shared });
  } catch (err) {
    self.postMessage({ error: String(err?.stack ?? err), lines });
  }
};
`;

// Runs a function's source in a module worker (Atomics.wait is not allowed
// on the page's main thread).
const evalWorker = `
self.onmessage = async ({ data }) => {
  try { self.postMessage({ ok: await (0, eval)('(' + data + ')')() }); }
  catch (err) { self.postMessage({ error: String(err?.stack ?? err) }); }
};
`;

// Runs in the page: one Go worker per call, terminated afterwards.
const pageHelpers = `
const khReady = import('/web/threads/pool.mjs');
// goWorker: a Go worker whose page-owned kernel workers die with it
window.goWorker = async () => {
  const { KernelWorkerHost } = await khReady;
  const w = new Worker('/__t/go_worker.mjs', { type: 'module' });
  const kh = new KernelWorkerHost();
  w.addEventListener('message', (ev) => kh.handle(ev.data));
  const terminate = w.terminate.bind(w);
  w.terminate = () => { terminate(); kh.terminateAll(); };
  return w;
};
window.inWorker = (src) => new Promise((resolve, reject) => {
  const w = new Worker('/__t/eval_worker.mjs', { type: 'module' });
  w.onmessage = ({ data }) => { w.terminate(); data.error ? reject(new Error(data.error)) : resolve(data.ok); };
  w.onerror = (e) => { w.terminate(); reject(new Error(e.message)); };
  w.postMessage(src);
});
window.runGo = (opts) => new Promise(async (resolve) => {
  const w = await goWorker();
  w.onmessage = ({ data }) => { if (data.started || data.siglipKernelWorker) return; w.terminate(); resolve(data); };
  w.onerror = (e) => { w.terminate(); resolve({ error: e.message }); };
  w.postMessage(opts);
});
`;

before(async () => {
  if (!haveKernels) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'siglip-threads-'));
  execFileSync('go', ['test', '-c', '-tags', 'simd', '-o', path.join(tmp, 'kernel.test.wasm'), './kernel/'], {
    cwd: root, stdio: 'inherit', env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' },
  });
  if (benchRuns) {
    execFileSync('go', ['build', '-tags', 'simd', '-o', path.join(tmp, 'visionbench.wasm'), './build/wasmshare/testdata/visionbench'], {
      cwd: root, stdio: 'inherit', env: { ...process.env, GOOS: 'js', GOARCH: 'wasm' },
    });
  }
  if (haveDemo) {
    execFileSync('go', ['run', './build', 'wasm', '-o', path.join(tmp, 'dist')], { cwd: root, stdio: 'inherit' });
  }
  const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  fs.copyFileSync(path.join(goroot, 'lib/wasm/wasm_exec.js'), path.join(tmp, 'wasm_exec.js'));
  server = http.createServer((req, res) => {
    let url = new URL(req.url, 'http://x').pathname;
    const isolated = !url.startsWith('/plain/');
    if (!isolated) url = url.slice('/plain'.length);
    const headers = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    let body = null, file = null;
    if (url === '/' || url === '/index.html') body = `<!doctype html><meta charset=utf-8><script>${pageHelpers}</script>`;
    else if (url === '/__t/go_worker.mjs') body = goWorker;
    else if (url === '/__t/eval_worker.mjs') body = evalWorker;
    else if (url.startsWith('/x/')) file = path.join(tmp, path.basename(url));
    else if (url.startsWith('/web/dist/')) file = path.join(tmp, 'dist', path.basename(url));
    else file = path.join(root, path.normalize(url));
    if (file && (!file.startsWith(root) && !file.startsWith(tmp) || !fs.existsSync(file))) {
      res.writeHead(404, headers); res.end(); return;
    }
    const ext = path.extname(url) || '.html';
    res.writeHead(200, { ...headers, 'Content-Type': types[ext] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(body ?? fs.readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${server.address().port}`;
  const { chromium } = require('playwright-core');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--js-flags=--expose-gc'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function isolatedPage() {
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  return page;
}

test('kernel conformance with 2 threads in a cross-origin-isolated worker, every call split', skip, async () => {
  const page = await isolatedPage();
  try {
    const r = await page.evaluate(() => runGo({ argv: ['-test.v', '-test.run', 'Conformance'], threads: 2, minWork: 0 }));
    assert.ok(!r.error, r.error + '\n' + (r.lines ?? []).join('\n'));
    const out = r.lines.join('\n');
    assert.equal(r.code, 0, out);
    assert.match(out, /--- PASS: TestConformanceMatMulQ8/);
    assert.match(out, /--- PASS: TestConformanceMatMulF32/);
    assert.doesNotMatch(out, /--- FAIL/);
    assert.equal(r.threads, 2);
    assert.equal(r.shared, true);
    assert.ok(r.stats.split > 20, `only ${r.stats.split} split calls`);
  } finally {
    await page.close();
  }
});

// Go decides every split (kernel/simd_split_js.go); its TestSplitSameBits
// runs each kernel of every host form (the relaxed-SIMD ones included, in
// Chromium) split and unsplit and compares the bits.
test('split calls give the same bits as one thread (every kernel of every form, rows and panels)', skip, async () => {
  const page = await isolatedPage();
  try {
    const r = await page.evaluate(() => runGo({ argv: ['-test.v', '-test.run', 'SplitSameBits'], threads: 2 }));
    assert.ok(!r.error, r.error + '\n' + (r.lines ?? []).join('\n'));
    const out = r.lines.join('\n');
    assert.equal(r.code, 0, out);
    assert.match(out, /--- PASS: TestSplitSameBits/);
    assert.equal(r.threads, 2);
    assert.ok(r.stats.split > 20, `only ${r.stats.split} split calls`);
  } finally {
    await page.close();
  }
});

test('a page that is not cross-origin isolated runs on one thread and says so', skip, async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/plain/`);
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    const r = await page.evaluate(async () => {
      const w = new Worker('/plain/__t/go_worker.mjs', { type: 'module' });
      return new Promise((resolve) => {
        w.onmessage = ({ data }) => { if (data.started) return; w.terminate(); resolve(data); };
        w.postMessage({ argv: ['-test.run', 'ConformanceMatMulQ8'], threads: 2 });
      });
    });
    assert.ok(!r.error, r.error);
    assert.equal(r.code, 0, r.lines.join('\n'));
    assert.equal(r.threads, 1);
    assert.equal(r.shared, false);
    assert.match(r.notes.join('\n'), /one thread.*not cross-origin isolated/);
  } finally {
    await page.close();
  }
});

// rendererState: the number of DedicatedWorker threads and the memory
// (Pss, kB) of this browser's renderer processes, read from /proc through
// the pids that CDP reports (other browsers on the machine are not counted).
async function rendererState() {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    let workers = 0, pssKB = 0;
    for (const p of processInfo) {
      if (p.type !== 'renderer') continue;
      try {
        for (const t of fs.readdirSync(`/proc/${p.id}/task`)) {
          if (fs.readFileSync(`/proc/${p.id}/task/${t}/comm`, 'utf8').startsWith('DedicatedWorker')) workers++;
        }
        const m = fs.readFileSync(`/proc/${p.id}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
        if (m) pssKB += Number(m[1]);
      } catch { /* the process ended */ }
    }
    return { workers, pssKB };
  } finally {
    await cdp.detach();
  }
}

async function settle(page) {
  for (let i = 0; i < 3; i++) {
    await page.evaluate(async () => { globalThis.gc?.(); await new Promise((r) => setTimeout(r, 100)); });
  }
}

test('20 start/stop cycles (half cancelled mid-run), page-owned kernel workers: no worker and no memory left behind', skip, async () => {
  const page = await isolatedPage();
  try {
    await settle(page);
    const base = await rendererState();
    let during = null;
    for (let i = 0; i < 20; i++) {
      if (i % 2 === 0) {
        const r = await page.evaluate(() => runGo({ argv: ['-test.run', 'ConformanceMatMulQ8'], threads: 2, kernelWorkers: 'host' }));
        assert.ok(!r.error && r.code === 0 && r.threads === 2, `cycle ${i}: ${r.error ?? r.lines?.join('\n')}`);
        continue;
      }
      // cancel: terminate the Go worker while its kernels run
      await page.evaluate(async () => {
        const w = await goWorker();
        await new Promise((resolve) => {
          w.onmessage = ({ data }) => { if (data.started) resolve(); };
          w.postMessage({ argv: ['-test.run', 'XXX', '-test.bench', 'MatMulQ8', '-test.benchtime', '200x'], threads: 2, kernelWorkers: 'host' });
        });
        await new Promise((r) => setTimeout(r, 300));
        window.cancelled = w;
      });
      const s = await rendererState();
      if (!during || s.workers > during.workers) during = s;
      await page.evaluate(() => { window.cancelled.terminate(); window.cancelled = null; });
    }
    // Terminated workers end asynchronously (Chromium tears their threads
    // down in the background): wait for them, up to 20 s.
    let end;
    for (let t = 0; t < 40; t++) {
      await settle(page);
      end = await rendererState();
      if (end.workers === base.workers) break;
    }
    console.log(`threads cycles: renderer Pss ${(base.pssKB / 1024).toFixed(0)} MiB before, ${(during.pssKB / 1024).toFixed(0)} MiB during a run, ${(end.pssKB / 1024).toFixed(0)} MiB after 20 cycles; worker threads ${base.workers} before, ${during.workers} during a run, ${end.workers} after`);
    assert.ok(during.workers - base.workers >= 2, 'a running Go worker and its kernel worker'); // (plus any still tearing down)
    assert.equal(end.workers, base.workers, 'worker threads left after the cycles');
    assert.ok(end.pssKB < base.pssKB + 64 * 1024, `renderer memory grew from ${base.pssKB} to ${end.pssKB} kB`);
  } finally {
    await page.close();
  }
});

test('base-256 vision tower q8: 2 threads at least 1.7x faster than 1 (SIGLIP_THREADS_BENCH=runs)',
  haveKernels && benchRuns ? {} : { skip: skip.skip ?? 'set SIGLIP_THREADS_BENCH=runs to time the vision tower' }, async () => {
    const page = await isolatedPage();
    try {
      const config = fs.readFileSync(path.join(root, 'testdata/full/config.json'), 'utf8');
      const times = { 1: [], 2: [] };
      const rounds = Number(process.env.SIGLIP_THREADS_BENCH_ROUNDS || 3);
      for (let round = 0; round < rounds; round++) {
        for (const threads of [1, 2]) {
          const r = await page.evaluate((o) => runGo(o), {
            binary: 'visionbench.wasm', argv: [], threads, kernelWorkers: 'host',
            globals: { benchConfig: config, benchRuns: benchRuns, benchF32: !!process.env.SIGLIP_THREADS_BENCH_F32 },
          });
          assert.ok(!r.error && r.code === 0, r.error ?? r.lines.join('\n'));
          assert.equal(r.threads, threads);
          for (const l of r.lines) { const m = l.match(/^run ([\d.]+) ms/); if (m) times[threads].push(Number(m[1])); }
        }
      }
      const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
      const m1 = med(times[1]), m2 = med(times[2]);
      console.log(`threads bench (Chromium, base-256 vision q8, median of ${times[1].length}): 1 thread ${m1.toFixed(1)} ms, 2 threads ${m2.toFixed(1)} ms, speed-up ${(m1 / m2).toFixed(2)}x; all: ${JSON.stringify(times)}`);
      assert.ok(m1 / m2 >= 1.7, `2 threads only ${(m1 / m2).toFixed(2)}x faster`);
    } finally {
      await page.close();
    }
  });

test('SigLIP API: 20 load/classify/dispose cycles on 2 threads (CYCLE_THREADS=n) (half disposed mid-classification) leave no worker and no memory behind',
  haveDemo ? {} : { skip: 'needs web/siglip.js and web/models/demo-q8.siglip' }, async () => {
    const page = await isolatedPage();
    try {
      await page.evaluate(async (t) => { window.SigLIP = (await import('/web/siglip.js')).SigLIP; window.cycleThreads = t; }, Number(process.env.CYCLE_THREADS || 2));
      await settle(page);
      const base = await rendererState();
      let during = null, mid = null;
      for (let i = 0; i < 20; i++) {
        const r = await page.evaluate(async (cancel) => {
          // The model's bytes are fetched once: Chromium keeps ~9 MiB of Pss
          // per fetch of this 6.9 MB file even with no SigLIP involved
          // (measured), which would hide what the cycles leave.
          window.modelBytes ??= new Uint8Array(await (await fetch('/web/models/demo-q8.siglip')).arrayBuffer());
          const m = await SigLIP.load(window.modelBytes, { threads: window.cycleThreads });
          const img = await (await fetch('/web/samples/sample_05_large_red_square_on_gray.png')).blob();
          const p = m.classify(img, ['red square', 'blue circle', 'green triangle']);
          if (cancel) { m.dispose(); p.catch(() => {}); return { threads: m.info.threads }; }
          const ranked = await p;
          window.lastModel = m;
          return { threads: m.info.threads, top: ranked[0].label };
        }, i % 2 === 1);
        assert.equal(r.threads, Number(process.env.CYCLE_THREADS || 2), `cycle ${i}`);
        if (r.top !== undefined) assert.equal(r.top, 'red square', `cycle ${i}`);
        if (i % 2 === 0) {
          const s = await rendererState();
          if (!during || s.workers > during.workers) during = s;
          await page.evaluate(() => { window.lastModel.dispose(); window.lastModel = null; });
        }
        // After 6, 8 and 10 cycles: the allocators' high-water mark, to tell
        // retention from a leak. The highest settled reading counts: one
        // reading alone can catch Pss at a low point (seen once in CI:
        // 97 MiB after 10 cycles where runs read 180, and 181 after 20).
        if (i === 5 || i === 7 || i === 9) {
          let s;
          for (let t = 0; t < 40; t++) { await settle(page); s = await rendererState(); if (s.workers === base.workers) break; }
          if (!mid || s.pssKB > mid.pssKB) mid = s;
        }
      }
      let end;
      for (let t = 0; t < 40; t++) {
        await settle(page);
        end = await rendererState();
        if (end.workers === base.workers) break;
      }
      const MiB = (kb) => (kb / 1024).toFixed(0);
      console.log(`SigLIP cycles (${process.env.CYCLE_THREADS || 2} threads): renderer Pss ${MiB(base.pssKB)} MiB before, ${MiB(during.pssKB)} MiB with a model loaded, ${MiB(mid.pssKB)} MiB high-water after 6–10 cycles, ${MiB(end.pssKB)} MiB after 20; worker threads ${base.workers} before, ${during.workers} with a model loaded, ${mid.workers} after 10 cycles, ${end.workers} after 20`);
      assert.ok(during.workers - base.workers >= Number(process.env.CYCLE_THREADS || 2), 'a loaded model has its Go worker and a kernel worker');
      assert.equal(end.workers, base.workers, 'worker threads left after the cycles');
      // Freed memory stays with Chromium's allocators (a high-water mark,
      // the same with one thread); a leak would keep growing after it.
      assert.ok(end.pssKB < mid.pssKB + 48 * 1024, `renderer memory grew from ${mid.pssKB} kB after 10 cycles to ${end.pssKB} kB after 20`);
    } finally {
      await page.close();
    }
  });
