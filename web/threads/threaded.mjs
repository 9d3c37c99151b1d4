// instantiateThreaded: Go's js/wasm program with the simd128 kernels split
// over Web Workers, on one shared memory. The multi-threaded twin of
// web/kernels/loader.mjs's instantiateWithKernels, with the same inputs.
//
//   import { instantiateThreaded } from './threads/threaded.mjs';
//   const go = new Go();
//   const r = await instantiateThreaded(bytes, go, { threads: 4 });
//   go.run(r.instance);   // … r.close() when the Go program is done with
//
// Steps: rewrite Go's binary to import a shared memory (sharemem.mjs, the
// twin of build/wasmshare), create that WebAssembly.Memory, rewrite the
// kernels' memory import to shared, start threads−1 kernel workers on it
// (pool.mjs), and give Go its kernel imports plus "kernelhost" ones that
// tell it the number of threads and run the split calls it makes: Go
// decides every split (kernel/simd_split_js.go) and records each part's
// kernel calls between split_begin and split_end; the pool runs part i on
// thread i. This file decides nothing about kernels.
//
// One thread — no pool, Go's own memory, exactly instantiateWithKernels —
// when threads ≤ 1, when the page is not cross-origin isolated
// (SharedArrayBuffer is withheld; a console note says so), or when the
// kernels are not available.
import { instantiateWithKernels, loadKernelBytes, kernelHostImports, kernelTrampolines } from '../kernels/loader.mjs';
import { shareMemory, MAX_PAGES } from './sharemem.mjs';
import { patchGlueForSharedMemory } from './glue.mjs';
import { createPool, hostSpawner } from './pool.mjs';
import { MAX_THREADS } from './control.mjs';

// defaultThreads: the cores the host reports (navigator.hardwareConcurrency,
// or Node's os.availableParallelism()), at most 8.
export async function defaultThreads() {
  let n = globalThis.navigator?.hardwareConcurrency;
  if (!n && globalThis.process?.versions?.node) {
    const os = await import('node:os');
    n = os.availableParallelism?.() ?? os.cpus().length;
  }
  return Math.max(1, Math.min(8, (n ?? 1) | 0));
}

// sharedMemoryAllowed: SharedArrayBuffer (and shared WebAssembly.Memory)
// exist — in browsers only on cross-origin isolated pages and workers.
export function sharedMemoryAllowed() {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  if (globalThis.crossOriginIsolated === false) return false;
  return true;
}

// onPageMainThread: a browser window's own thread, where Atomics.wait throws.
function onPageMainThread() {
  return typeof window !== 'undefined' && typeof WorkerGlobalScope === 'undefined';
}

async function toBytes(x) {
  if (x instanceof Uint8Array) return x;
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  if (typeof Response !== 'undefined' && x instanceof Response) return new Uint8Array(await x.arrayBuffer());
  return null; // a WebAssembly.Module cannot be rewritten
}

// options: threads (default defaultThreads(), capped at 16), kernels /
// relaxed (bytes of simd.wasm / simd_relaxed.wasm, as for the loader;
// null: none), maxPages (the shared memory's maximum, default 65536 = 4 GiB),
// minWork (multiply-adds below which Go keeps a call on its own thread;
// default: Go's, kernel/simd_split_js.go),
// quiet (no console note on fallback), kernelWorkers: 'nested' (default:
// Workers of this thread) or 'host' (the page starts them: pool.mjs
// hostSpawner / KernelWorkerHost — use it in browsers, where a terminated
// Go worker's nested workers can outlive it).
// Returns { instance, threads, relaxed, kernels: bool, memory, pool, close() }.
export async function instantiateThreaded(goWasm, go, options = {}) {
  const threads = Math.max(1, Math.min(MAX_THREADS, (options.threads ?? await defaultThreads()) | 0));
  const single = async (why) => {
    if (why && !options.quiet) console.info(`siglip: running on one thread (${why})`);
    const r = await instantiateWithKernels(goWasm, go, options);
    return { instance: r.instance, threads: 1, relaxed: r.relaxed, kernels: !!r.kernels, memory: r.instance.exports.mem, pool: null, close: async () => {} };
  };
  if (threads <= 1) return single(null);
  if (onPageMainThread()) return single('a page\'s main thread cannot block in Atomics.wait: run Go in a Worker');
  if (!sharedMemoryAllowed()) return single('the page is not cross-origin isolated, so SharedArrayBuffer is unavailable');
  if (options.kernels === null) return single('no simd128 kernels');
  const goBytes = await toBytes(goWasm);
  if (!goBytes) return single('Go was given as a compiled WebAssembly.Module, which cannot be rewritten for shared memory');

  let kernelBytes = options.kernels ?? await loadKernelBytes();
  if (!WebAssembly.validate(kernelBytes)) return single('this host has no WebAssembly SIMD');
  let relaxedBytes = options.relaxed;
  if (relaxedBytes === undefined) relaxedBytes = await loadKernelBytes(new URL('../kernels/simd_relaxed.wasm', import.meta.url)).catch(() => null);
  const maxPages = options.maxPages ?? MAX_PAGES;
  const shareOpts = { maxPages };
  const kernelModule = await WebAssembly.compile(shareMemory(kernelBytes, shareOpts).bytes);
  let relaxedModule = null;
  if (relaxedBytes) {
    const b = shareMemory(relaxedBytes, shareOpts).bytes;
    if (WebAssembly.validate(b)) relaxedModule = await WebAssembly.compile(b);
  }

  const shared = shareMemory(goBytes, shareOpts);
  const goModule = await WebAssembly.compile(shared.bytes);
  if (!WebAssembly.Module.imports(goModule).some((i) => i.module === 'kernelhost')) {
    // built without -tags simd: no kernel calls to split, so no workers
    return single('the Go module does not call the simd128 kernels (built without -tags simd?)');
  }
  let memory;
  try {
    memory = new WebAssembly.Memory({ initial: shared.minPages, maximum: maxPages, shared: true });
  } catch (err) {
    return single(`cannot create a shared memory of up to ${maxPages} pages: ${err.message}`);
  }
  patchGlueForSharedMemory();

  const env = { env: { mem: memory } };
  const local = (await WebAssembly.instantiate(kernelModule, env)).exports;
  const localRelaxed = relaxedModule ? (await WebAssembly.instantiate(relaxedModule, env)).exports : null;
  const spawn = options.kernelWorkers === 'host' ? hostSpawner() : undefined;
  const pool = await createPool({ threads, memory, kernelModule, relaxedModule, local, localRelaxed, spawn });

  // Go's kernel calls: run at once, or, between split_begin and split_end,
  // recorded as the parts of one split call (parts[i]: [code, args] list).
  let parts = null;
  const imports = kernelTrampolines(goModule, { simd: kernelModule, simd_relaxed: relaxedModule }, (mod, name) => {
    const fn = (mod === 'simd' ? local : localRelaxed)?.[name];
    if (!fn) return () => { throw new Error(`simd kernels: ${mod}.${name} called but that module is not available`); };
    const c = pool.code(mod, name);
    return (...args) => {
      if (parts) parts[parts.length - 1].push([c, args]);
      else { pool.stats.local++; return fn(...args); }
    };
  });
  imports.kernelhost = kernelHostImports({
    simd: () => 1,
    relaxed: () => (relaxedModule ? 1 : 0),
    threads: () => threads,
    minSplitWork: options.minWork ?? -1,
    split: {
      begin: () => { parts = [[]]; },
      next: () => { parts.push([]); },
      end: () => { const p = parts; parts = null; pool.run(p); },
    },
  });
  if (globalThis.process?.env?.SIGLIP_THREADS_PROFILE) { // dev: time per kernel on Go's thread
    const prof = pool.profile = {};
    for (const [mod, fns] of Object.entries(imports)) {
      for (const [name, fn] of Object.entries(fns)) {
        fns[name] = (...a) => { const t = performance.now(); const r = fn(...a); const p = prof[`${mod}.${name}`] ??= { n: 0, ms: 0 }; p.n++; p.ms += performance.now() - t; return r; };
      }
    }
  }
  const instance = await WebAssembly.instantiate(goModule, { ...go.importObject, ...env, ...imports });
  return { instance, threads, relaxed: !!relaxedModule, kernels: true, memory, pool, close: () => pool.close() };
}
