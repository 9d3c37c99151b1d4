// The WebGPU backend's place in the worker (web/worker.js): it picks the
// backend of each loaded model and wraps the Go module's API so that the
// towers of a model on 'webgpu' run on the GPU, while decoding,
// preprocessing, tokenising and scores stay in Go.
//
//   backend 'wasm'   the Go module alone (no GPU code runs)
//   backend 'webgpu' the GPU, or a load error saying why it cannot
//   backend 'auto'   the GPU only where an adapter exists and a short
//                    calibration on this model (one image through each
//                    path) says it is faster here and agrees with wasm
//
// A lost device (device.lost) or any GPU failure turns the model back to
// wasm for good, with a console note; the call in flight is retried on wasm.
import { GPUTowers } from './towers.mjs';

export const BACKENDS = ['auto', 'webgpu', 'wasm'];

const models = new Map(); // handle → {gpu: GPUTowers|null, backend, info}

// attach decides the backend of model `handle` (just loaded by the Go
// module) and returns the info fields to add: backend,
// backendReason, and where the GPU was tried, gpu {adapter, compileMs,
// uploadedBytes, fileBytes, int8Dot, actQMax} and calibration {gpuMs,
// wasmMs}.
export async function attach(api, handle, backend = 'auto', options = {}) {
  if (!BACKENDS.includes(backend)) throw new Error(`backend must be one of ${BACKENDS.map((b) => `'${b}'`).join(', ')} (got ${JSON.stringify(backend)})`);
  const entry = { gpu: null, backend: 'wasm', info: {} };
  models.set(handle, entry);
  if (backend === 'wasm') return (entry.info = { backend: 'wasm', backendReason: 'asked for wasm' });
  let gpu;
  try {
    if (!globalThis.navigator?.gpu) throw new Error('webgpu: this browser has no WebGPU (navigator.gpu)');
    const config = JSON.parse(await api.gpuConfig(handle));
    const table = JSON.parse(await api.gpuTensors(handle));
    const tensors = new Map(Object.entries(table).map(([name, t]) => [name, { name, ...t }]));
    const { actQMax } = JSON.parse(await api.gpuNumerics(handle));
    gpu = await GPUTowers.create(tensors, (names, dsts) => api.gpuCopyTensors(handle, names, dsts), config, {
      actQMax,
      dot4: options.dot4, // gpuOptions.dot4 false: the i32 form, to compare the two on one adapter
      onLost: (info) => {
        if (entry.gpu !== gpu) return;
        console.warn(`siglip: the WebGPU device was lost (${info.reason}: ${info.message}); running on wasm from now on`);
        fallBack(entry, `device lost (${info.reason})`);
      },
    });
  } catch (err) {
    if (backend === 'webgpu') throw new Error(`backend 'webgpu': ${err.message}`);
    return (entry.info = { backend: 'wasm', backendReason: err.message.replace(/^webgpu: /, '') });
  }
  const gpuInfo = {
    adapter: gpu.adapterInfo, compileMs: round(gpu.compileMs), uploadedBytes: gpu.uploadedBytes, fileBytes: options.fileBytes,
    int8Dot: gpu.dot4 ? 'dot4I8Packed' : 'i32', actQMax: gpu.actQMax,
  };
  if (options.testLoseDeviceAfterSubmits != null) {
    // Tests only: destroy the device right after that many forward passes
    // were submitted (a device loss while a call waits for its result).
    gpu.afterSubmit = () => { if (gpu.submits >= options.testLoseDeviceAfterSubmits) gpu.device.destroy(); };
  }
  entry.gpu = gpu;
  entry.backend = 'webgpu';
  if (backend === 'webgpu') return (entry.info = { backend: 'webgpu', backendReason: 'asked for webgpu', gpu: gpuInfo });
  const cal = await calibrate(api, handle, gpu);
  const faster = cal.gpuMs != null && cal.gpuMs < cal.wasmMs;
  const agrees = cal.gpuMs == null || cal.cosine >= 0.999;
  if (!faster || !agrees) {
    entry.gpu = null;
    entry.backend = 'wasm';
    gpu.destroy();
  }
  const backendReason = !agrees ? `the GPU's embedding disagrees with wasm's (cosine ${cal.cosine.toFixed(6)})`
    : cal.gpuMs == null ? `calibration: webgpu stopped after ${cal.gpuStoppedAfterMs} ms, wasm ${cal.wasmMs} ms per image`
      : `calibration: webgpu ${cal.gpuMs} ms, wasm ${cal.wasmMs} ms per image`;
  return (entry.info = { backend: entry.backend, backendReason, gpu: gpuInfo, calibration: cal });
}

export function detach(handle) {
  const e = models.get(handle);
  models.delete(handle);
  const g = e?.gpu;
  if (e) e.gpu = null; // a destroyed device is not a lost one: no note
  g?.destroy();
}

// note adds `backendInfo` (the model's new info fields) to the first
// result after a fallback, for siglip.js to update model.info.
export function note(handle, result) {
  const e = models.get(handle);
  if (!e?.changed || !result || typeof result !== 'object' || ArrayBuffer.isView(result)) return result;
  e.changed = false;
  return { ...result, backendInfo: e.info };
}

function fallBack(entry, reason) {
  const g = entry.gpu;
  entry.changed = true;
  entry.gpu = null;
  entry.backend = 'wasm';
  entry.info = { ...entry.info, backend: 'wasm', backendReason: reason };
  try { g?.destroy(); } catch { /* already gone */ }
}

const round = (x) => Math.round(x * 100) / 100;

// calibrate times one image (a fixed gradient) through the wasm tower
// (twice, best) and the GPU tower (a first run, then twice more, best). The
// GPU's first run gets at most 4× the wasm time plus 250 ms (pipelines
// warming up): past that it is stopped (the caller destroys the device) and
// gpuMs is null, so 'auto' on a slow software adapter costs a few wasm
// images at load, not minutes.
export const CALIBRATION_SLACK_MS = 250;
async function calibrate(api, handle, gpu) {
  const v = gpu.cfg.vision_config;
  const n = v.num_channels * v.image_size * v.image_size;
  const px = new Float32Array(n);
  for (let i = 0; i < n; i++) px[i] = ((i * 7919) % 2001) / 1000 - 1;
  let wasmMs = Infinity, a;
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    a = (await api.embedPixels(handle, px)).data;
    wasmMs = Math.min(wasmMs, performance.now() - t0);
  }
  const limit = 4 * wasmMs + CALIBRATION_SLACK_MS;
  let t0 = performance.now();
  const first = gpu.embedPixels(px);
  first.catch(() => {}); // rejected once the device is destroyed
  let timer;
  const b0 = await Promise.race([first, new Promise((r) => { timer = setTimeout(() => r(null), limit); })]);
  clearTimeout(timer);
  if (!b0) return { gpuMs: null, gpuStoppedAfterMs: round(limit), wasmMs: round(wasmMs) };
  let gpuMs = performance.now() - t0;
  const firstMs = gpuMs;
  let b = b0;
  for (let i = 0; i < 2; i++) {
    t0 = performance.now();
    b = await gpu.embedPixels(px);
    gpuMs = Math.min(gpuMs, performance.now() - t0);
  }
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
  return { gpuMs: round(gpuMs), wasmMs: round(wasmMs), gpuFirstMs: round(firstMs), cosine: dot / Math.sqrt(na * nb) };
}

// wrap returns the Go API with the tower calls of GPU models on the GPU.
export function wrap(api) {
  if (api.__gpuWrapped) return api;
  const viaGPU = async (handle, wasmCall, gpuCall) => {
    const e = models.get(handle);
    if (!e?.gpu) return wasmCall();
    const gpu = e.gpu;
    let out;
    try {
      out = await gpuCall(gpu);
    } catch (err) {
      if (err?.inputError) throw err.inputError;
      console.warn(`siglip: the WebGPU backend failed (${err?.message ?? err}); retrying on wasm, and staying there`);
      if (e.gpu === gpu) fallBack(e, gpu.lost ? `device lost (${gpu.lost.reason})` : `GPU error: ${err?.message ?? err}`);
      return wasmCall();
    }
    return out;
  };
  // Go's own errors (a bad image, an empty text) are the caller's, not the GPU's.
  const input = async (p) => { try { return await p; } catch (err) { throw Object.assign(new Error('input'), { inputError: err }); } };
  const images = (handle, list, pixelsOf) => async (gpu) => {
    const dim = gpu.cfg.vision_config.hidden_size;
    const data = new Float32Array(list.length * dim);
    for (let i = 0; i < list.length; i++) data.set(await gpu.embedPixels(await input(pixelsOf(list[i]))), i * dim);
    return { data, dim };
  };
  // One image as the Go API takes it: encoded bytes, or {rgba, width, height}.
  const pixelsOf = (handle) => (im) => (ArrayBuffer.isView(im) ? api.pixelsEncoded(handle, im) : api.pixelsRGBA(handle, im.rgba, im.width, im.height));
  const gpuTexts = (handle, texts) => async (gpu) => {
    const { ids, seq } = await input(api.tokenizeIds(handle, texts));
    return { data: await gpu.embedIds(ids, texts.length, seq), dim: gpu.cfg.text_config.projection_size };
  };
  return {
    ...api,
    __gpuWrapped: true,
    // Each image: encoded bytes, or {rgba, width, height} the browser decoded.
    embedImages: (handle, list) => viaGPU(handle, () => api.embedImages(handle, list),
      images(handle, list, pixelsOf(handle))),
    embedTexts: (handle, texts) => viaGPU(handle, () => api.embedTexts(handle, texts), gpuTexts(handle, texts)),
    // The one-call classify: new texts and the image on the GPU, the scores in Go.
    classify: (handle, image, known, texts, dim) => viaGPU(handle, () => api.classify(handle, image, known, texts, dim), async (gpu) => {
      const embedded = texts.length ? (await gpuTexts(handle, texts)(gpu)).data : new Float32Array(0);
      const img = (await images(handle, [image], pixelsOf(handle))(gpu)).data;
      const all = new Float32Array(known.length + embedded.length);
      all.set(known);
      all.set(embedded, known.length);
      const { logits, probs } = await input(api.scores(handle, img, all, dim));
      return { logits, probs, texts: embedded, dim };
    }),
  };
}

/** The GPU towers of a model (tests and the bench), or null. */
export function towersOf(handle) { return models.get(handle)?.gpu ?? null; }
