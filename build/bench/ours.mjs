// The "ours" side of the benchmark: the contract between the bench page and
// our engine. The page calls, once per case and before any timing:
//
//   const ours = await setupOurs({ tower, scheme, threads, feeds });
//     tower:   "vision" | "text"
//     scheme:  "q8" | "f32"        (the same model the peer runs: base256 int8 / fp32)
//     threads: number              (1 first; 2 and navigator.hardwareConcurrency later)
//     norelaxed: bool              (our loader's relaxed-SIMD forms off: go run ./build bench -cpu norelaxed)
//     feeds:   { pixel_values: Float32Array [1,3,256,256] } for vision,
//              { input_ids: BigInt64Array [1,64] } for text
//              (the exact tensors onnxruntime-web gets)
//   await ours.run();               // one full forward pass of the tower on feeds;
//                                   // resolves when the embedding is computed (the page
//                                   // times it with performance.now())
//   ours.close?.();                 // optional: free the model before the next case
//   ours.output?.()                 // optional: the last pooled embedding (Float32Array), for sanity checks
//   ours.forms                      // optional: the kernel forms that ran (printed in the bench line)
//
// setupOurs throws an Error with .unavailable = true when our engine cannot
// run this case; the bench then prints ours_ms=n/a with the reason. It must
// never pretend: run() has to do the real work every call.
//
// Our engine here is build/bench/ourswasm (Go, GOOS=js, -tags simd), which
// bench.go builds into build/out/bench/ours.wasm (served as /out/ours.wasm,
// next to Go's wasm_exec.js) and instantiates with the simd128 kernels
// through web/kernels/loader.mjs. It generates the base-256 formula weights
// in the page (model.FormulaSource; quantized to int8 at load for q8) from
// the configuration bench.go serves as /bench/siglip_config.json.
import { instantiateWithKernels } from '/web/kernels/loader.mjs';

// The least cosine with transformers' embedding each scheme must reach.
// Measured on the formula weights: f32 1.000000, q8 0.9997–0.9998, q4
// 0.976–0.980 (the bench's rounding to nearest; GPTQ files do better).
const Q_COSINE = { f32: 0.9999, q8: 0.999, q4: 0.97 };

let goStarted = null; // one Go instance per page (the bench runs one case per page)

async function startGo(norelaxed) {
  if (!goStarted) {
    goStarted = (async () => {
      await import('/out/wasm_exec.js'); // defines globalThis.Go
      const go = new globalThis.Go();
      const { instance, relaxed } = await instantiateWithKernels(fetch('/out/ours.wasm'), go, norelaxed ? { relaxed: null } : {});
      go.run(instance); // runs main, which registers globalThis.siglipBench and blocks
      if (!globalThis.siglipBench) throw new Error('ours.wasm did not register globalThis.siglipBench');
      return { api: globalThis.siglipBench, relaxed };
    })();
  }
  return goStarted;
}

function cosine(a, b) {
  if (a.length !== b.length) return NaN;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}

// call unwraps the {value} / {error} objects the Go side returns.
function call(api, name, ...args) {
  const r = api[name](...args);
  if (r.error !== undefined) throw new Error(`ours.wasm ${name}: ${r.error}`);
  return r.value;
}

export async function setupOurs({ tower, scheme, threads, feeds, norelaxed = false }) {
  if (threads !== 1) return setupThreaded({ tower, scheme, threads, feeds, norelaxed });
  const { api, relaxed } = await startGo(norelaxed);
  if (!api.simd) throw new Error('ours.wasm runs without the simd128 kernels (the host lacks WebAssembly SIMD?)');
  const cfg = await (await fetch('/bench/siglip_config.json')).text();
  const input = tower === 'vision' ? feeds.pixel_values : feeds.input_ids;
  if (!input) throw new Error(`no input for the ${tower} tower in the feeds (${Object.keys(feeds)})`);
  const info = call(api, 'setup', tower, scheme, cfg, new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
  globalThis.oursSetupInfo = { ...info, relaxed };
  const opts = await (await fetch('/bench/ours_options.json')).json();
  if (opts.profile) {
    // console.error: run.mjs forwards the page's errors to stderr.
    console.error(`ours ${tower}-${scheme} setup ${JSON.stringify(globalThis.oursSetupInfo)}`);
    console.error(`ours ${tower}-${scheme} first runs ${JSON.stringify(call(api, 'first'))}`);
    console.error(`ours ${tower}-${scheme} profile ${JSON.stringify(call(api, 'profile', 3))}`);
  }
  const expected = new Float32Array(await (await fetch(`/bench/expected_${tower}.bin`)).arrayBuffer());
  return {
    forms: `${(scheme === 'q4' ? info.q4_form : info.q8_form) ?? 'go'},${info.f32_form ?? 'go'}`,
    async run() { call(api, 'run'); },
    // output also checks the embedding against transformers' for the same
    // input (testdata/full/golden.npz): the speed is only worth quoting if
    // the work is right. int8 loses some agreement by design.
    output() {
      const v = call(api, 'output');
      const cos = cosine(v, expected);
      const want = Q_COSINE[scheme];
      if (opts.profile) console.error(`ours ${tower}-${scheme} cosine with transformers' embedding: ${cos.toFixed(6)}`);
      if (!(cos >= want)) throw new Error(`our ${tower}-${scheme} embedding has cosine ${cos} with transformers' (want ≥ ${want})`);
      return v;
    },
    profile(runs = 3) { return call(api, 'profile', runs); },
    close() { call(api, 'close'); },
  };
}

// setupThreaded: the same engine on `threads` threads — Go in a Worker
// (ours_threads_worker.mjs) with the kernels split over kernel workers
// (web/threads/), which this page starts and stops (KernelWorkerHost).
// run() also fetches the output, so that output() stays synchronous.
async function setupThreaded({ tower, scheme, threads, feeds, norelaxed }) {
  const { KernelWorkerHost } = await import('/web/threads/pool.mjs');
  const w = new Worker(new URL('./ours_threads_worker.mjs', import.meta.url), { type: 'module', name: 'ours' });
  const kh = new KernelWorkerHost();
  let pending = null;
  w.onmessage = ({ data }) => {
    if (kh.handle(data)) return;
    const p = pending; pending = null;
    if (data.ok) p?.resolve(data); else p?.reject(new Error(`ours.wasm (threads): ${data.error}`));
  };
  w.onerror = (e) => { const p = pending; pending = null; p?.reject(new Error(`ours.wasm worker: ${e.message}`)); };
  const send = (msg) => new Promise((resolve, reject) => { pending = { resolve, reject }; w.postMessage(msg); });
  const unwrap = (name, r) => { if (r.error !== undefined) throw new Error(`ours.wasm ${name}: ${r.error}`); return r.value; };
  const callW = async (name, ...args) => unwrap(name, (await send({ op: 'call', name, args })).result);
  const close = () => { w.terminate(); kh.terminateAll(); };
  try {
    const started = await send({ op: 'start', threads, norelaxed });
    if (!started.simd) throw new Error('ours.wasm runs without the simd128 kernels (the host lacks WebAssembly SIMD?)');
    if (started.threads !== threads) throw new Error(`ours.wasm got ${started.threads} thread(s), the case asked for ${threads}`);
    const cfg = await (await fetch('/bench/siglip_config.json')).text();
    const input = tower === 'vision' ? feeds.pixel_values : feeds.input_ids;
    if (!input) throw new Error(`no input for the ${tower} tower in the feeds (${Object.keys(feeds)})`);
    const info = await callW('setup', tower, scheme, cfg, new Uint8Array(input.buffer, input.byteOffset, input.byteLength).slice());
    globalThis.oursSetupInfo = { ...info, relaxed: started.relaxed, threads };
    const opts = await (await fetch('/bench/ours_options.json')).json();
    if (opts.profile) {
      console.error(`ours ${tower}-${scheme} ${threads}t setup ${JSON.stringify(globalThis.oursSetupInfo)}`);
      console.error(`ours ${tower}-${scheme} ${threads}t first runs ${JSON.stringify(await callW('first'))}`);
      console.error(`ours ${tower}-${scheme} ${threads}t profile ${JSON.stringify(await callW('profile', 3))}`);
    }
    const expected = new Float32Array(await (await fetch(`/bench/expected_${tower}.bin`)).arrayBuffer());
    let last = null;
    return {
      forms: `${(scheme === 'q4' ? info.q4_form : info.q8_form) ?? 'go'},${info.f32_form ?? 'go'}`,
      async run() { last = unwrap('run', (await send({ op: 'run' })).result); },
      output() {
        if (!last) throw new Error('output before run');
        const cos = cosine(last, expected);
        const want = Q_COSINE[scheme];
        if (opts.profile) console.error(`ours ${tower}-${scheme} ${threads}t cosine with transformers' embedding: ${cos.toFixed(6)}`);
        if (!(cos >= want)) throw new Error(`our ${tower}-${scheme} embedding on ${threads} threads has cosine ${cos} with transformers' (want ≥ ${want})`);
        return last;
      },
      profile: (runs = 3) => callW('profile', runs),
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}
