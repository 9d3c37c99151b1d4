// The SigLIP worker: hosts the Go wasm module (dist/siglip.wasm) off the
// page's main thread and answers requests from siglip.js.
//
// It runs as a module Web Worker in browsers, as a worker_threads Worker in
// Node, or in-process in Node (siglip.js imports `createHost` directly).
//
// Protocol (one request at a time per model is enough; requests queue):
//   → {id, op, ...args}
//   ← {id, ok: true, result} | {id, ok: false, error: "message"}
// ops: loadBegin {size, threads} → {loader}; loadPiece {loader, bytes} → {bytes}
//      (in order; Go copies each into the file's one buffer, and the bytes
//      come back, transferred, to carry the next piece); loadAbort {loader};
//      load {loader} → {handle, info}; unload {handle};
//      embedImages {handle, images: [{kind:'encoded', bytes} | {kind:'rgba', rgba, width, height}
//                   | {kind:'bitmap', bitmap}]} → {data: Float32Array, dim};
//      embedTexts {handle, texts} → {data, dim};
//      tokenize {handle, texts} → [[id, ...], ...] (the ids embedTexts uses);
//      decodeImage {image} → {rgb, width, height} (the RGB the engine sees);
//      imageHeader {bytes} → {format, width, height} (checked against the limits);
//      scores {handle, images: Float32Array, texts: Float32Array, dim} → {logits, probs};
//      classify {handle, image, known: Float32Array, texts, dim} → {logits, probs, texts, dim}:
//        texts not cached are embedded, and the image scored against known ++ texts,
//        in one Go call (the new embeddings come back for the caller's cache).
// Embeddings are flat row-major Float32Arrays with their dimension.
// info also says whether the simd128 kernels run (simd, relaxedSimd).
import './dist/wasm_exec.js';
import * as gpuBackend from './webgpu/backend.mjs';

// Must equal bindingVersion in wasm/engine.go.
const BINDING_VERSION = 4;

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
// module built with -tags simd then gets kernel imports whose
// `kernelhost.simd` answers 0, and Go keeps to its pure-Go kernels.
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
  // kernelhost answers 0 (no kernels), so Go never calls the others
  const kernels = { kernelhost: {}, simd: {}, simd_relaxed: {} };
  for (const imp of WebAssembly.Module.imports(module)) {
    if (!(imp.module in kernels) || imp.kind !== 'function') continue;
    kernels[imp.module][imp.name] = imp.module === 'kernelhost' ? () => 0 : () => {
      throw new Error(`${imp.module}.${imp.name} called without the simd kernels`);
    };
  }
  const instance = await WebAssembly.instantiate(module, { ...go.importObject, ...kernels });
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

// ---------- decoding ----------
//
// Every encoded image's header is read first, by Go (imageproc.DecodeHeader:
// PNG IHDR, JPEG SOF, GIF, WebP, BMP), and checked against the one set of
// limits there; only then is it decoded, so an image that will be refused
// never gets a bitmap. Where the browser has a decoder (createImageBitmap
// and OffscreenCanvas: browsers, not Node) it decodes JPEG, WebP and BMP:
// Chromium's JPEG is libjpeg-turbo with the accurate integer IDCT and fancy
// upsampling, exactly PIL's RGB. PNG and GIF stay with Go's decoders, which
// reproduce PIL's own conversions a canvas cannot (16-bit grey saturating,
// a GIF's transparent colour kept under alpha 0); so does any image the
// browser gives with alpha below 255 (a 2D canvas premultiplies, which
// loses the colour under alpha that PIL's convert("RGB") keeps).
const BROWSER_FORMATS = new Set(['jpeg', 'webp', 'bmp']);
const hasBrowserDecoder = typeof createImageBitmap === 'function' && typeof OffscreenCanvas !== 'undefined';

// bitmapToRGBA reads a decoded bitmap's pixels, after checking its size
// against the limits (the RGBA costs width×height×4 bytes).
async function bitmapToRGBA(api, bitmap, what) {
  if (typeof OffscreenCanvas === 'undefined') throw new Error('cannot read an ImageBitmap here (no OffscreenCanvas)');
  await api.checkImageSize(bitmap.width, bitmap.height, what);
  const c = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = c.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  return { rgba: new Uint8Array(d.data.buffer), width: d.width, height: d.height };
}

function opaque(rgba) {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return false;
  return true;
}

// browserDecode decodes an encoded image whose header Go has checked;
// null where Go's decoder is the one to use.
async function browserDecode(api, bytes, header) {
  if (!hasBrowserDecoder || !BROWSER_FORMATS.has(header.format)) return null;
  let bmp;
  try {
    bmp = await createImageBitmap(new Blob([bytes]),
      { colorSpaceConversion: 'none', imageOrientation: 'none', premultiplyAlpha: 'none' });
  } catch (err) {
    throw new Error(`the ${header.format.toUpperCase()} image could not be decoded (corrupt or truncated?): ${err?.message ?? err}`);
  }
  try {
    if (bmp.width !== header.width || bmp.height !== header.height) {
      throw new Error(`the ${header.format.toUpperCase()} image decoded as ${bmp.width}×${bmp.height}, its header says ${header.width}×${header.height}`);
    }
    const rgba = await bitmapToRGBA(api, bmp, `the ${header.format.toUpperCase()} image`);
    return opaque(rgba.rgba) ? rgba : null;
  } finally {
    bmp.close();
  }
}

// toEngine turns one image message into what the engine takes: RGBA
// pixels ({rgba, width, height}) or, where Go decodes, the encoded bytes
// ({encoded}).
async function toEngine(api, im) {
  if (im.kind === 'encoded') {
    const header = await api.imageHeader(im.bytes); // refuses before any decode
    return (await browserDecode(api, im.bytes, header)) ?? { encoded: im.bytes };
  }
  if (im.kind === 'bitmap') {
    try { return await bitmapToRGBA(api, im.bitmap, 'the image'); } finally { im.bitmap.close?.(); }
  }
  if (im.kind === 'rgba') return { rgba: im.rgba, width: im.width, height: im.height };
  throw new Error(`unknown image kind ${im.kind}`);
}

// decodeImage gives the RGB the engine sees for one image (alpha dropped,
// as PIL's convert("RGB") does).
async function decodeImage(api, im) {
  const e = await toEngine(api, im);
  if (e.encoded) return api.decodeRGB(e.encoded);
  const n = e.width * e.height;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n * 4; i += 4, j += 3) {
    rgb[j] = e.rgba[i]; rgb[j + 1] = e.rgba[i + 1]; rgb[j + 2] = e.rgba[i + 2];
  }
  return { rgb, width: e.width, height: e.height };
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

  // engineImage: the engine's form of one image, encoded bytes (Go
  // decodes) or {rgba, width, height} (the browser decoded it).
  const engineImage = async (api, im) => {
    const e = await toEngine(api, im);
    return e.encoded ?? e;
  };

  async function run(msg) {
    const { api: goApi, runtime } = await ensure(msg.threads);
    const api = gpuBackend.wrap(goApi); // models on 'webgpu' run their towers there (webgpu/)
    switch (msg.op) {
      case 'loadBegin': return { loader: await api.loadBegin(msg.size) };
      case 'loadPiece': // Go has copied the piece: its buffer goes back for the next one
        await api.loadPiece(msg.loader, msg.bytes);
        return { bytes: msg.bytes };
      case 'loadAbort': return api.loadAbort(msg.loader);
      case 'load': {
        const handle = await api.load(msg.loader);
        const info = await api.info(handle);
        let be;
        try {
          be = await gpuBackend.attach(api, handle, msg.backend, { ...msg.gpuOptions, fileBytes: info.bytes });
        } catch (err) {
          await api.unload(handle);
          throw err;
        }
        return { handle, info: { ...info, ...runtime, ...be } };
      }
      case 'unload': gpuBackend.detach(msg.handle); return api.unload(msg.handle);
      case 'embedImages': {
        const images = [];
        for (const im of msg.images) images.push(await engineImage(api, im));
        return api.embedImages(msg.handle, images);
      }
      case 'classify':
        return api.classify(msg.handle, await engineImage(api, msg.image), msg.known, msg.texts, msg.dim);
      case 'decodeImage': return decodeImage(api, msg.image);
      case 'imageHeader': return api.imageHeader(msg.bytes);
      case 'embedTexts': return api.embedTexts(msg.handle, msg.texts);
      case 'tokenize': return api.tokenize(msg.handle, msg.texts);
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
