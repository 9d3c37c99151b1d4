// A kernel worker: instantiates the simd128 kernels on the page's shared
// Go memory and runs its part of each split kernel call (see pool.mjs for
// the control block). Runs as a module Web Worker or a Node worker_threads
// Worker. It blocks in Atomics.wait between calls, so after start-up it
// never returns to its event loop; it ends when the pool sets the stop
// flag (or is terminated).
import { C, SLOT, SLOT_BASE_BYTES, SPIN_MS, kernelFunctions } from './control.mjs';

async function start(init, post) {
  const { memory, ctrl: ctrlBuf, index, kernelModule, relaxedModule } = init;
  const env = { env: { mem: memory } };
  const plain = (await WebAssembly.instantiate(kernelModule, env)).exports;
  const relaxed = relaxedModule ? (await WebAssembly.instantiate(relaxedModule, env)).exports : null;
  const fns = kernelFunctions(kernelModule, plain, relaxedModule, relaxed).map((f) => f[2]);
  const ctrl = new Int32Array(ctrlBuf);
  const slots = new Float64Array(ctrlBuf, SLOT_BASE_BYTES);
  const base = index * SLOT;
  // Read the generation before saying ready: the pool bumps it only after
  // every worker is ready, so no call can slip in between.
  let gen = Atomics.load(ctrl, C.GEN);
  post({ ready: true, index });
  for (;;) {
    // Spin briefly first: split calls come in quick succession, and waking
    // from Atomics.wait costs tens of microseconds each time.
    let g = Atomics.load(ctrl, C.GEN);
    for (const until = performance.now() + SPIN_MS; g === gen && performance.now() < until;) {
      for (let i = 0; i < 64 && g === gen; i++) g = Atomics.load(ctrl, C.GEN);
    }
    if (g === gen) {
      // a timeout, so that a worker whose pool vanished (its Go worker
      // terminated) still returns to a point where termination takes effect
      Atomics.wait(ctrl, C.GEN, gen, 1000);
      g = Atomics.load(ctrl, C.GEN);
      if (g === gen) continue;
    }
    gen = g;
    if (Atomics.load(ctrl, C.STOP)) break;
    // this worker's part: the calls Go recorded for it (control.mjs)
    try {
      const calls = slots[base];
      for (let c = 0, at = base + 1; c < calls; c++) {
        const fn = fns[slots[at]];
        const n = slots[at + 1];
        const args = new Array(n);
        for (let i = 0; i < n; i++) args[i] = slots[at + 2 + i];
        at += 2 + n;
        fn(...args);
      }
    } catch (err) {
      Atomics.store(ctrl, C.ERROR, index + 1);
    }
    Atomics.add(ctrl, C.DONE, 1);
    Atomics.notify(ctrl, C.DONE);
  }
  post({ stopped: true, index });
  // Leave by ourselves (a page-owned worker tells the page first).
  if (typeof WorkerGlobalScope !== 'undefined') {
    self.postMessage({ closed: true });
    self.close();
  }
}

if (typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope) {
  self.onmessage = ({ data }) => {
    if (data.port) { // page-owned (pool.mjs hostSpawner): the pool speaks over the port
      const port = data.port;
      port.onmessage = ({ data: init }) => {
        start(init, (m) => port.postMessage(m)).catch((err) => port.postMessage({ error: String(err?.message ?? err) }));
      };
      return;
    }
    start(data, (m) => self.postMessage(m)).catch((err) => self.postMessage({ error: String(err?.message ?? err) }));
  };
} else {
  const wt = await import('node:worker_threads');
  wt.parentPort.once('message', (data) => {
    start(data, (m) => wt.parentPort.postMessage(m)).catch((err) => wt.parentPort.postMessage({ error: String(err?.message ?? err) }));
  });
}
