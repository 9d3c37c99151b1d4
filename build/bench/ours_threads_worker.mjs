// Our bench engine (build/bench/ourswasm) on several threads: Go runs here,
// in a Worker (the kernel workers block in Atomics.wait, which a page's
// main thread may not), with the simd128 kernels split over kernel workers
// on a shared memory (web/threads/). The page owns the kernel workers
// (ours.mjs runs a KernelWorkerHost). Messages:
//   → {op:'start', threads, norelaxed} ← {ok, simd, threads}
//   → {op:'call', name, args} ← {ok, result}   (siglipBench[name](...args))
//   → {op:'run'} ← {ok, result: the output() result after run()}
import { instantiateThreaded } from '/web/threads/threaded.mjs';

let api = null;

self.onmessage = async ({ data: msg }) => {
  try {
    let reply;
    if (msg.op === 'start') {
      await import('/out/wasm_exec.js');
      const go = new globalThis.Go();
      const r = await instantiateThreaded(await fetch('/out/ours.wasm'), go, { threads: msg.threads, kernelWorkers: 'host', ...(msg.norelaxed ? { relaxed: null } : {}) });
      go.run(r.instance);
      api = globalThis.siglipBench;
      if (!api) throw new Error('ours.wasm did not register globalThis.siglipBench');
      reply = { simd: api.simd, threads: r.threads, relaxed: r.relaxed };
    } else if (msg.op === 'call') {
      reply = { result: api[msg.name](...msg.args) };
    } else if (msg.op === 'run') {
      const r = api.run();
      reply = { result: r.error !== undefined ? r : api.output() };
    } else {
      throw new Error(`unknown op ${msg.op}`);
    }
    self.postMessage({ ok: true, ...reply });
  } catch (err) {
    self.postMessage({ ok: false, error: String(err?.message ?? err) });
  }
};
