// The "ours" side of the benchmark: the contract between the bench page and
// our engine. The page calls, once per case and before any timing:
//
//   const ours = await setupOurs({ tower, scheme, threads, feeds });
//     tower:   "vision" | "text"
//     scheme:  "q8" | "f32"        (the same model the peer runs: base256 int8 / fp32)
//     threads: number              (1 first; 2 and navigator.hardwareConcurrency later)
//     feeds:   { pixel_values: Float32Array [1,3,256,256] } for vision,
//              { input_ids: BigInt64Array [1,64] } for text
//              (the exact tensors onnxruntime-web gets)
//   await ours.run();               // one full forward pass of the tower on feeds;
//                                   // resolves when the embedding is computed (the page
//                                   // times it with performance.now())
//   ours.close?.();                 // optional: free the model before the next case
//   ours.output?.()                 // optional: the last pooled embedding (Float32Array), for sanity checks
//
// setupOurs throws an Error with .unavailable = true when our engine cannot
// run this case; the bench then prints ours_ms=n/a with the reason. It must
// never pretend: run() has to do the real work every call.
//
// Ours is the Go model package (build/bench/ours, built by the bench into
// /out/ours.wasm) on google/siglip-base-patch16-256's architecture with
// formula weights, fed the same tensors, in a Worker (ours_worker.mjs) with
// the kernels on `threads` threads (web/threads/; the page owns the kernel
// workers).
import { KernelWorkerHost } from '/web/threads/pool.mjs';

export async function setupOurs({ tower, scheme, threads, feeds }) {
  const unavailable = (why) => { const e = new Error(why); e.unavailable = true; return e; };
  const head = await fetch('/out/ours.wasm', { method: 'HEAD' });
  if (!head.ok) throw unavailable('/out/ours.wasm is not built (go run ./build bench builds it)');
  const config = await (await fetch('/bench/full_config.json')).text();
  const input = tower === 'vision' ? feeds.pixel_values : Int32Array.from(feeds.input_ids, Number);
  const w = new Worker(new URL('./ours_worker.mjs', import.meta.url), { type: 'module', name: 'ours' });
  const kh = new KernelWorkerHost();
  let pending = null;
  w.onmessage = ({ data }) => {
    if (kh.handle(data)) return;
    const p = pending; pending = null;
    if (data.ok) p?.resolve(data); else p?.reject(new Error(data.error));
  };
  w.onerror = (e) => { const p = pending; pending = null; p?.reject(new Error(`our worker failed: ${e.message}`)); };
  const call = (msg) => new Promise((resolve, reject) => { pending = { resolve, reject }; w.postMessage(msg); });
  const close = () => { w.terminate(); kh.terminateAll(); };
  try {
    await call({ op: 'setup', tower, scheme, threads, config, input });
  } catch (err) {
    close();
    throw err;
  }
  let last = null;
  return {
    async run() { last = (await call({ op: 'run' })).output; },
    close,
    output: () => last,
  };
}
