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
// Not wired yet: the wasm binding (web/siglip.js + the Go wasm module) and a
// base256 model file (formula weights, q8 and f32) do not exist on this
// branch. Whoever lands them replaces the body below, loading only from this
// page's origin (e.g. /web/siglip.js and a model file the bench serves).
export async function setupOurs({ tower, scheme, threads }) {
  const e = new Error(`our wasm binding is not wired into build/bench/ours.mjs yet (${tower} ${scheme}, ${threads} thread(s))`);
  e.unavailable = true;
  throw e;
}
