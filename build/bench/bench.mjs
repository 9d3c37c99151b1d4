// The benchmark page: onnxruntime-web (wasm backend, simd, no proxy worker)
// and our engine (ours.mjs) on the same tower, input and thread count,
// interleaved runs, medians. Results go to the driver (run.mjs) through
// window.benchReport, which playwright exposes; opened by hand, they go to
// the console and the page.
import * as ort from '/build/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs';
import { setupOurs } from './ours.mjs';

const pageStart = performance.now();
const logEl = document.getElementById('log');
logEl.textContent = '';
function log(s) { logEl.textContent += s + '\n'; }
async function report(o) {
  log(JSON.stringify(o));
  if (window.benchReport) await window.benchReport(o);
  else console.log('BENCH', JSON.stringify(o));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.arrayBuffer();
}

async function loadFeeds(c) {
  const feeds = {}, raw = {};
  for (const inp of c.inputs) {
    const buf = await fetchBytes(inp.url);
    const n = inp.dims.reduce((a, b) => a * b, 1);
    const data = inp.dtype === 'float32' ? new Float32Array(buf) : inp.dtype === 'int64' ? new BigInt64Array(buf) : null;
    if (!data) throw new Error(`${c.name}: input ${inp.name} has unsupported dtype ${inp.dtype}`);
    if (data.length !== n) throw new Error(`${c.name}: input ${inp.name} has ${data.length} values, dims ${inp.dims} need ${n}`);
    feeds[inp.name] = new ort.Tensor(inp.dtype, data, inp.dims);
    raw[inp.name] = data;
  }
  return { feeds, raw };
}

async function main() {
  const params = new URLSearchParams(location.search);
  const tp = params.get('threads') || '1';
  const threads = tp === 'max' ? navigator.hardwareConcurrency : Number(tp);
  if (!(threads >= 1)) throw new Error(`bad threads=${tp}`);
  if (threads > 1 && !crossOriginIsolated) throw new Error('threads > 1 need cross-origin isolation (COOP/COEP headers)');

  const cfg = await (await fetch('/bench/config.json')).json();
  const c = cfg.cases.find((x) => x.name === params.get('case'));
  if (!c) throw new Error(`unknown case=${params.get('case')} (config has ${cfg.cases.map((x) => x.name)})`);
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.simd = true;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = '/build/node_modules/onnxruntime-web/dist/';
  ort.env.logLevel = 'error';
  const pageLoad = performance.now() - pageStart;
  await report({ type: 'mark', name: 'base' });
  const { feeds, raw } = await loadFeeds(c);

  const t0 = performance.now();
  const opts = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
  if (c.dataPath) opts.externalData = [{ path: c.dataPath, data: c.dataURL }];
  const session = await ort.InferenceSession.create(c.model, opts);
  const peerSetup = performance.now() - t0;
  // onnxruntime-web silently falls back to 1 thread without cross-origin
  // isolation; a thread count it did not honour would make the case a lie.
  if (ort.env.wasm.numThreads !== threads) {
    throw new Error(`onnxruntime-web runs ${ort.env.wasm.numThreads} thread(s), the case asked for ${threads}`);
  }
  const want = c.inputs.map((i) => i.name).sort().join(',');
  if ([...session.inputNames].sort().join(',') !== want) {
    throw new Error(`${c.model}: inputs are [${session.inputNames}], the bench feeds [${want}]`);
  }
  let lastOut;
  const peer = async () => { lastOut = await session.run(feeds); };
  await report({ type: 'mark', name: 'peer-ready' });

  let ours = null, oursError = '', oursSetup = null;
  if (cfg.mode === 'bench') {
    const t1 = performance.now();
    try {
      ours = await setupOurs({ tower: c.tower, scheme: c.scheme, threads, feeds: raw, norelaxed: params.get('norelaxed') === '1' });
      oursSetup = performance.now() - t1;
      await report({ type: 'mark', name: 'ours-ready' });
    } catch (e) {
      if (!e.unavailable) throw e;
      oursError = e.message;
    }
  }

  for (let i = 0; i < cfg.warmup; i++) {
    if (ours) await ours.run();
    await peer();
  }
  await report({ type: 'mark', name: 'timing' });
  const oursRuns = [], peerRuns = [];
  for (let i = 0; i < cfg.runs; i++) {
    if (ours) {
      const a = performance.now();
      await ours.run();
      oursRuns.push(performance.now() - a);
    }
    const b = performance.now();
    await peer();
    peerRuns.push(performance.now() - b);
  }

  const outputs = {};
  for (const [name, t] of Object.entries(lastOut)) {
    const v = Array.from(t.data, Number);
    if (!v.every(Number.isFinite)) throw new Error(`${c.name}: onnxruntime-web output ${name} is not finite`);
    outputs[name] = v;
  }
  if (ours && ours.output) {
    const v = ours.output();
    if (!v || !v.length || !Array.from(v).every(Number.isFinite)) throw new Error(`${c.name}: our output is empty or not finite`);
  }
  if (c.output && !outputs[c.output]) throw new Error(`${c.name}: no output ${c.output} (got ${Object.keys(outputs)})`);
  await report({
    type: 'result', case: c.name, threads, page_load_ms: pageLoad,
    peer_ms: median(peerRuns), peer_runs: peerRuns, peer_setup_ms: peerSetup,
    ours_ms: ours ? median(oursRuns) : null, ours_runs: oursRuns, ours_setup_ms: oursSetup, ours_error: oursError, ours_forms: ours?.forms,
    outputs: c.output ? { [c.output]: outputs[c.output] } : undefined,
  });
  // No release: the driver closes the page after the result, which frees
  // both sides' memory (a wasm heap never shrinks anyway).
}

main().catch((e) => report({ type: 'error', message: String(e && e.stack || e) }));
