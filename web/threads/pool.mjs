// A pool of kernel workers that run the simd128 kernels on Go's shared
// memory. The calling thread (the one running Go: a dedicated Worker in
// browsers, or Node) takes part: with T threads there are T−1 workers, and
// a split call runs part 0 itself, then Atomics.waits for the others.
// Atomics.wait is allowed there (never on a page's main thread). Go decides
// how a call splits (kernel/simd_split_js.go); the pool only runs the parts
// it is handed.
import { C, SLOT, SLOT_BASE_BYTES, MAX_THREADS, CTRL_BYTES, SPIN_MS, kernelFunctions } from './control.mjs';

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof WorkerGlobalScope === 'undefined';
const workerURL = new URL('./kernel_worker.mjs', import.meta.url);

// Live pools, so that tests (and pages) can check nothing is left behind.
export const livePools = new Set();

// createPool starts threads−1 workers, each instantiating kernelModule
// (and relaxedModule, when given) on memory, and resolves once all are
// ready. local / localRelaxed: the calling thread's instances' exports.
// options.timeoutMs: how long a split call waits for the workers before
// failing (a worker that died would otherwise hang Go).
// options.spawn(i) → endpoint: how worker i is started (default: a nested
// Worker of the calling thread; see hostSpawner for page-owned workers).
// An endpoint has post(msg), onMessage(fn), onError(fn), terminate(), and
// optionally onExit(fn), unref().
export async function createPool({ threads, memory, kernelModule, relaxedModule = null, local, localRelaxed = null, timeoutMs = 120000, startTimeoutMs = 20000, ...options }) {
  threads = Math.max(1, Math.min(MAX_THREADS, threads | 0));
  const ctrlBuf = new SharedArrayBuffer(CTRL_BYTES);
  const ctrl = new Int32Array(ctrlBuf);
  const slots = new Float64Array(ctrlBuf, SLOT_BASE_BYTES);
  const fns = kernelFunctions(kernelModule, local, relaxedModule, localRelaxed);
  const codes = new Map(fns.map(([mod, name], i) => [`${mod}.${name}`, i]));
  const workers = [];
  const ready = [];
  const stopped = [];
  const spawn = options.spawn ?? await nestedSpawner();
  for (let i = 1; i < threads; i++) {
    const w = spawn(i);
    workers.push(w);
    ready.push(new Promise((resolve, reject) => {
      w.onMessage((m) => {
        if (m.ready) resolve();
        else if (m.error) reject(new Error(`kernel worker ${i}: ${m.error}`));
      });
      w.onError((e) => reject(new Error(`kernel worker ${i}: ${e}`)));
    }));
    stopped.push(new Promise((resolve) => {
      w.onMessage((m) => { if (m.stopped) resolve(); });
      w.onExit?.(resolve);
    }));
    w.post({ memory, ctrl: ctrlBuf, index: i, kernelModule, relaxedModule });
  }
  let closed = false;
  let pool = null;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (pool) livePools.delete(pool);
    Atomics.store(ctrl, C.STOP, 1);
    Atomics.add(ctrl, C.GEN, 1);
    Atomics.notify(ctrl, C.GEN);
    // Let the workers leave their loop and close themselves; terminate
    // only those that have not within a second (e.g. stuck in a kernel).
    await Promise.race([Promise.all(stopped), new Promise((r) => setTimeout(r, 1000))]);
    await Promise.all(workers.map((w) => w.terminate()));
  };
  try {
    // A page-owned worker needs the page to answer (KernelWorkerHost):
    // without one, fail instead of waiting forever.
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`kernel workers did not start within ${startTimeoutMs} ms${options.spawn ? ' (does the page run a KernelWorkerHost?)' : ''}`)), startTimeoutMs);
    });
    await Promise.race([Promise.all(ready), timeout]).finally(() => clearTimeout(timer));
  } catch (err) {
    await close();
    throw err;
  }
  for (const w of workers) w.unref?.(); // an idle pool does not keep Node alive

  const stats = { split: 0, local: 0 };
  // code returns the number that names kernel module.name in a part.
  const code = (mod, name) => {
    const c = codes.get(`${mod}.${name}`);
    if (c === undefined) throw new Error(`kernel pool: no kernel ${mod}.${name}`);
    return c;
  };
  // run runs a split call: parts[i] is the list of [code, args] calls of
  // part i (at most one part per thread), part 0 on the calling thread.
  function run(parts) {
    if (closed) throw new Error('kernel pool is closed');
    if (parts.length > threads) throw new Error(`kernel pool: ${parts.length} parts for ${threads} threads`);
    stats.split++;
    Atomics.store(ctrl, C.DONE, 0);
    for (let w = 1; w < threads; w++) {
      let at = w * SLOT;
      const calls = parts[w] ?? [];
      slots[at++] = calls.length;
      for (const [c, args] of calls) {
        if (at + 2 + args.length > (w + 1) * SLOT) throw new Error(`kernel pool: part ${w} has more calls than a slot holds (${calls.length})`);
        slots[at++] = c;
        slots[at++] = args.length;
        for (const x of args) slots[at++] = x;
      }
    }
    Atomics.add(ctrl, C.GEN, 1); // publishes the slots (seq-cst)
    Atomics.notify(ctrl, C.GEN);
    for (const [c, args] of parts[0] ?? []) fns[c][2](...args);
    const want = threads - 1;
    let d = Atomics.load(ctrl, C.DONE);
    for (const until = performance.now() + SPIN_MS; d < want && performance.now() < until;) {
      for (let i = 0; i < 64 && d < want; i++) d = Atomics.load(ctrl, C.DONE);
    }
    const deadline = performance.now() + timeoutMs;
    for (; (d = Atomics.load(ctrl, C.DONE)) < want;) {
      if (Atomics.wait(ctrl, C.DONE, d, 1000) === 'timed-out' && performance.now() > deadline) {
        throw new Error(`kernel pool: ${want - d} worker(s) did not finish a split call within ${timeoutMs} ms`);
      }
    }
    const e = Atomics.exchange(ctrl, C.ERROR, 0);
    if (e) throw new Error(`kernel pool: a kernel trapped in kernel worker ${e - 1}`);
  }

  pool = { threads, run, code, close, stats, workers: workers.length };
  livePools.add(pool);
  return pool;
}

// nestedSpawner: kernel workers as Workers of the calling thread (browser
// module Workers, or Node worker_threads).
async function nestedSpawner() {
  if (isNode) {
    const { Worker: WT } = await import('node:worker_threads');
    return () => {
      const w = new WT(workerURL);
      return {
        post: (m) => w.postMessage(m),
        onMessage: (fn) => w.on('message', fn),
        onError: (fn) => w.once('error', (e) => fn(e?.message ?? e)),
        onExit: (fn) => w.once('exit', fn),
        terminate: () => w.terminate(),
        unref: () => w.unref(),
      };
    };
  }
  return (i) => {
    const w = new Worker(workerURL, { type: 'module', name: `siglip-kernels-${i}` });
    return {
      post: (m) => w.postMessage(m),
      onMessage: (fn) => w.addEventListener('message', (ev) => fn(ev.data)),
      onError: (fn) => w.addEventListener('error', (ev) => fn(ev?.message ?? 'failed to start')),
      terminate: () => w.terminate(),
    };
  };
}

// hostSpawner: kernel workers that the page owns. In Chromium, nested
// workers (started by the Go worker) whose parent is terminated while
// other workers start can outlive it (build/tests/threads_chromium.test.mjs
// measures this), so the page starts them and terminates them together
// with the Go worker. The calling worker posts
// {siglipKernelWorker: port} through hostPort (its `self`); the page hands
// the port to a new kernel worker (see KernelWorkerHost), and the two
// sides speak over the port as with a nested worker. terminate() cannot
// reach a page-owned worker: it leaves on the pool's stop flag, and the
// page terminates what is left.
export function hostSpawner(hostPort = globalThis) {
  return () => {
    const ch = new MessageChannel();
    hostPort.postMessage({ siglipKernelWorker: ch.port2 }, [ch.port2]);
    const port = ch.port1;
    const fns = [];
    port.onmessage = (ev) => { for (const f of fns) f(ev.data); };
    return {
      post: (m) => port.postMessage(m),
      onMessage: (fn) => fns.push(fn),
      onError: () => {},
      terminate: () => port.close(),
    };
  };
}

// KernelWorkerHost runs on the page (whoever owns the Go worker): it starts
// the kernel workers that a hostSpawner asks for and terminates them with
// terminateAll() — call it when terminating the Go worker.
//   const kh = new KernelWorkerHost();
//   goWorker.onmessage = (ev) => { if (kh.handle(ev.data)) return; … };
//   … goWorker.terminate(); kh.terminateAll();
export class KernelWorkerHost {
  constructor() { this.live = new Set(); }
  handle(msg) {
    const port = msg?.siglipKernelWorker;
    if (!port) return false;
    const w = new Worker(workerURL, { type: 'module', name: 'siglip-kernels' });
    this.live.add(w);
    w.onmessage = (ev) => { if (ev.data?.closed) { this.live.delete(w); w.terminate(); } };
    w.postMessage({ port }, [port]);
    return true;
  }
  get count() { return this.live.size; }
  terminateAll() {
    for (const w of this.live) w.terminate();
    this.live.clear();
  }
}
