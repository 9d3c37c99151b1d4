// The SigLIP worker: hosts the Go wasm module (dist/siglip.wasm) off the
// page's main thread and answers requests from siglip.js.
//
// It runs as a module Web Worker in browsers, as a worker_threads Worker in
// Node, or in-process in Node (siglip.js imports `createHost` directly).
//
// Protocol (one request at a time per model is enough; requests queue):
//   → {id, op, ...args}
//   ← {id, ok: true, result} | {id, ok: false, error: "message"}
// ops: load {bytes} → {handle, info}; unload {handle};
//      embedImages {handle, images: [{kind:'encoded', bytes} | {kind:'rgba', rgba, width, height}
//                   | {kind:'bitmap', bitmap}]} → {data: Float32Array, dim};
//      embedTexts {handle, texts} → {data, dim};
//      scores {handle, images: Float32Array, texts: Float32Array, dim} → {logits, probs}.
// info also says whether the simd128 kernels run (simd, relaxedSimd).
import './dist/wasm_exec.js';
import * as gpuBackend from './webgpu/backend.mjs';

// Must equal bindingVersion in wasm/engine.go.
const BINDING_VERSION = 1;

const isNode = typeof process !== 'undefined' && !!process.versions?.node &&
  typeof WorkerGlobalScope === 'undefined';

async function wasmBytes() {
  const url = new URL('./dist/siglip.wasm', import.meta.url);
  if (isNode) {
    const { readFile } = await import('node:fs/promises');
    return readFile(url);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cannot fetch ${url.pathname}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

// instantiate runs Go's module with the simd128 kernels (web/kernels/,
// via its loader's trampolines) when they are there, else without: a
// module built with -tags simd then gets a "simd" import object whose
// `available` answers 0, and Go keeps to its pure-Go kernels.
//
// With threads ≠ 1 it first tries web/threads/ (the kernels split over
// kernel workers on a shared memory; one thread, with a console note, when
// the page is not cross-origin isolated). In browsers the page owns the
// kernel workers (siglip.js's KernelWorkerHost), so terminating this worker
// takes them along.
async function instantiate(bytes, go, threads) {
  if (threads !== 1) {
    let th = null;
    try {
      th = await import('./threads/threaded.mjs');
    } catch {
      th = null;
    }
    if (th) {
      const inBrowser = typeof WorkerGlobalScope !== 'undefined';
      try {
        const r = await th.instantiateThreaded(bytes, go, { threads: threads ?? undefined, kernelWorkers: inBrowser ? 'host' : 'nested' });
        return { instance: r.instance, simd: r.kernels, relaxedSimd: r.relaxed, threads: r.threads };
      } catch (err) {
        if (/stale simd\.wasm/.test(err?.message)) throw err;
        console.warn(`siglip: multi-threaded kernels unavailable (${err?.message ?? err}); running on one thread`);
      }
    }
  }
  let loader = null;
  try {
    loader = await import('./kernels/loader.mjs');
  } catch {
    loader = null;
  }
  if (loader) {
    try {
      const r = await loader.instantiateWithKernels(bytes, go);
      return { instance: r.instance, simd: !!r.kernels, relaxedSimd: !!r.relaxed, threads: 1 };
    } catch (err) {
      if (/stale simd\.wasm/.test(err?.message)) throw err;
      const r = await loader.instantiateWithKernels(bytes, go, { kernels: null });
      return { instance: r.instance, simd: false, relaxedSimd: false, threads: 1 };
    }
  }
  const module = await WebAssembly.compile(bytes);
  const simd = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== 'simd' || imp.kind !== 'function') continue;
    simd[imp.name] = (imp.name === 'available' || imp.name === 'relaxed') ? () => 0 : () => {
      throw new Error(`simd.${imp.name} called without the simd kernels`);
    };
  }
  const instance = await WebAssembly.instantiate(module, { ...go.importObject, simd });
  return { instance, simd: false, relaxedSimd: false, threads: 1 };
}

// startGo instantiates the Go module and resolves with its API object
// (globalThis.siglipGo) once main() has installed it.
async function startGo(threads) {
  const go = new globalThis.Go();
  const ready = new Promise((resolve) => { globalThis.siglipGoReady = resolve; });
  const { instance, simd, relaxedSimd, threads: gotThreads } = await instantiate(await wasmBytes(), go, threads);
  let exited = null;
  const run = go.run(instance).then(
    () => { exited = new Error('the Go module exited'); },
    (e) => { exited = new Error(`the Go module crashed: ${e?.message ?? e}`); });
  const api = await Promise.race([ready, run.then(() => { throw exited; })]);
  if (api.version !== BINDING_VERSION) {
    throw new Error(`dist/siglip.wasm speaks binding version ${api.version}, this worker.js ${BINDING_VERSION}: rebuild with "go run ./build wasm"`);
  }
  return { api, dead: () => exited, runtime: { simd, relaxedSimd, threads: gotThreads } };
}

// Decoding in the browser is the fallback for formats the Go decoders do
// not read (e.g. WebP, AVIF, GIF); PNG and JPEG go through Go's decoders,
// which match PIL.
async function bitmapToRGBA(bitmap) {
  if (typeof OffscreenCanvas === 'undefined') throw new Error('cannot read an ImageBitmap here (no OffscreenCanvas)');
  const c = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = c.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  return { rgba: new Uint8Array(d.data.buffer), width: d.width, height: d.height };
}

async function browserDecode(bytes) {
  if (typeof createImageBitmap !== 'function') return null;
  try {
    const bmp = await createImageBitmap(new Blob([bytes]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    try { return await bitmapToRGBA(bmp); } finally { bmp.close(); }
  } catch {
    return null;
  }
}

function concatRows(parts) {
  const dim = parts[0].dim;
  const out = new Float32Array(parts.reduce((n, p) => n + p.data.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p.data, o); o += p.data.length; }
  return { data: out, dim };
}

// createHost returns an object with handle(msg) → Promise<result>. Calls run
// strictly one after another: a model's execution plan owns its buffers.
// One Go instance per JS realm: it installs itself on globalThis, so hosts
// in one realm (Node, in-process) share it and its queue; models are told
// apart by handle.
let goStarted = null;
let queue = Promise.resolve();

export function createHost() {
  // threads: the first request's (the Go instance, and its kernel workers,
  // start once per worker)
  const ensure = async (threads) => {
    if (!goStarted) {
      goStarted = startGo(threads);
      goStarted.catch(() => { goStarted = null; }); // a failed start may be retried
    }
    const g = await goStarted;
    const dead = g.dead();
    if (dead) throw dead;
    return g;
  };

  async function embedImages(api, handle, images) {
    const parts = [];
    for (const im of images) {
      let rgba = null;
      if (im.kind === 'encoded') {
        try {
          parts.push(await api.embedImagesEncoded(handle, [im.bytes]));
          continue;
        } catch (err) {
          rgba = await browserDecode(im.bytes);
          if (!rgba) throw err;
        }
      } else if (im.kind === 'bitmap') {
        rgba = await bitmapToRGBA(im.bitmap);
        im.bitmap.close?.();
      } else if (im.kind === 'rgba') {
        rgba = im;
      } else {
        throw new Error(`unknown image kind ${im.kind}`);
      }
      parts.push(await api.embedImagesRGBA(handle, [{ rgba: rgba.rgba, width: rgba.width, height: rgba.height }]));
    }
    return concatRows(parts);
  }

  async function run(msg) {
    const { api: goApi, runtime } = await ensure(msg.threads);
    const api = gpuBackend.wrap(goApi); // models on 'webgpu' run their towers there (webgpu/)
    switch (msg.op) {
      case 'start': return { version: api.version };
      case 'load': {
        const handle = await api.load(msg.bytes);
        const info = await api.info(handle);
        let be;
        try {
          be = await gpuBackend.attach(api, handle, msg.bytes, msg.backend, msg.gpuOptions);
        } catch (err) {
          await api.unload(handle);
          throw err;
        }
        return { handle, info: { ...info, ...runtime, ...be } };
      }
      case 'unload': gpuBackend.detach(msg.handle); return api.unload(msg.handle);
      case 'embedImages': return embedImages(api, msg.handle, msg.images);
      case 'embedTexts': return api.embedTexts(msg.handle, msg.texts);
      case 'scores': return api.scores(msg.handle, msg.images, msg.texts, msg.dim);
      default: throw new Error(`unknown op ${msg.op}`);
    }
  }

  return {
    handle(msg) {
      const p = queue.then(() => run(msg)).then((r) => gpuBackend.note(msg.handle, r));
      queue = p.catch(() => {});
      return p;
    },
  };
}

function transferables(result) {
  const out = [];
  if (result && typeof result === 'object') {
    for (const v of Object.values(result)) if (ArrayBuffer.isView(v)) out.push(v.buffer);
  }
  return out;
}

function errorMessage(err) {
  return (err && err.message) ? err.message : String(err);
}

// Install the message loop when running as a worker.
if (typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope) {
  const host = createHost();
  self.onmessage = async ({ data: msg }) => {
    try {
      const result = await host.handle(msg);
      self.postMessage({ id: msg.id, ok: true, result }, transferables(result));
    } catch (err) {
      self.postMessage({ id: msg.id, ok: false, error: errorMessage(err) });
    }
  };
} else if (isNode) {
  const wt = await import('node:worker_threads');
  if (!wt.isMainThread && wt.workerData?.siglipWorker) {
    const host = createHost();
    wt.parentPort.on('message', async (msg) => {
      try {
        const result = await host.handle(msg);
        wt.parentPort.postMessage({ id: msg.id, ok: true, result }, transferables(result));
      } catch (err) {
        wt.parentPort.postMessage({ id: msg.id, ok: false, error: errorMessage(err) });
      }
    });
  }
}
