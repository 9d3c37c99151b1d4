// Runs build/bench/ours (Go, js/wasm: the towers on formula weights) in a
// Worker, with the simd128 kernels split over kernel workers on a shared
// memory (web/threads/). The page starts the kernel workers
// (KernelWorkerHost in ours.mjs), so closing the page's side takes them too.
// Protocol: → {op:'setup', tower, scheme, threads, config, input} ← {ok, threads, simd}
//           → {op:'run'} ← {ok, output: the pooled embedding}
import '/out/wasm_exec.js';
import { instantiateThreaded } from '/web/threads/threaded.mjs';

let api = null;

async function setup(msg) {
  const go = new Go();
  const ready = new Promise((resolve) => { globalThis.siglipBenchReady = resolve; });
  const bytes = new Uint8Array(await (await fetch('/out/ours.wasm')).arrayBuffer());
  const r = await instantiateThreaded(bytes, go, { threads: msg.threads, kernelWorkers: 'host' });
  if (msg.threads > 1 && r.threads !== msg.threads) {
    throw new Error(`our engine runs ${r.threads} thread(s), the case asked for ${msg.threads}`);
  }
  go.run(r.instance);
  await ready;
  api = globalThis.siglipBench;
  const err = api.setup(msg.tower, msg.scheme, msg.config, msg.input);
  if (err) throw new Error(err);
  return { threads: r.threads, simd: r.kernels };
}

self.onmessage = async ({ data: msg }) => {
  try {
    let result;
    if (msg.op === 'setup') result = await setup(msg);
    else if (msg.op === 'run') {
      const err = api.run();
      if (err) throw new Error(err);
      result = { output: api.output() }; // 768 floats: microseconds
    }
    else throw new Error(`unknown op ${msg.op}`);
    self.postMessage({ ok: true, ...result });
  } catch (err) {
    self.postMessage({ ok: false, error: String(err?.message ?? err) });
  }
};
