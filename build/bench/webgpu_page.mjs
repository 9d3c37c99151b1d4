// The page of `go run ./build bench -backend webgpu` (build/bench_webgpu.go):
// our WebGPU backend and onnxruntime-web's WebGPU EP on the same adapter,
// the tiny SiglipModel (2 images, 4 texts → logits per run), interleaved.
// globalThis.runWebGPUBench() resolves with the result object.
import { SigLIP } from '/web/siglip.js';

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const maxErr = (a, g) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - g[i])), 0);

globalThis.runWebGPUBench = async () => {
  const cfg = await (await fetch(new URLSearchParams(location.search).get('config'))).json();
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter in this browser');
  const ai = adapter.info;
  const adapterName = [ai.vendor, ai.architecture, ai.device, ai.description].filter(Boolean).join(' / ');

  const ort = await import('/build/node_modules/onnxruntime-web/dist/ort.webgpu.min.mjs');
  ort.env.wasm.wasmPaths = '/build/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(cfg.peer.model, { executionProviders: ['webgpu'] });
  const feeds = {};
  for (const inp of cfg.peer.inputs) {
    const buf = await (await fetch(inp.url)).arrayBuffer();
    const data = inp.dtype === 'int64' ? new BigInt64Array(buf) : new Float32Array(buf);
    feeds[inp.name] = new ort.Tensor(inp.dtype, data, inp.dims);
  }
  const peer = async () => Array.from((await session.run(feeds)).logits_per_image.data);

  const model = await SigLIP.load(cfg.model, { backend: 'webgpu' });
  const images = await Promise.all(cfg.images.map(async (u) => new Uint8Array(await (await fetch(u)).arrayBuffer())));
  const ours = async () => {
    const img = [];
    for (const b of images) img.push(await model.embedImage(b));
    // the worker call itself: embedText would answer repeated texts from its cache
    const { data, dim } = await model._call('embedTexts', { texts: cfg.texts });
    const txt = cfg.texts.map((_, i) => data.slice(i * dim, (i + 1) * dim));
    return Array.from((await model.scores(img, txt)).logits);
  };

  const time = async (f) => { const t0 = performance.now(); const r = await f(); return [performance.now() - t0, r]; };
  const [oursFirstMs, oursOut] = await time(ours);
  const [peerFirstMs, peerOut] = await time(peer);
  for (let i = 0; i < cfg.warmup; i++) { await ours(); await peer(); }
  const o = [], p = [];
  for (let i = 0; i < cfg.runs; i++) { o.push((await time(ours))[0]); p.push((await time(peer))[0]); }
  const backend = model.info.backend;
  const gi = model.info.gpu ?? {};
  model.dispose();
  await session.release();
  return {
    type: 'result', adapter: adapterName, oursBackend: backend,
    compileMs: gi.compileMs, uploadedBytes: gi.uploadedBytes, fileBytes: gi.fileBytes, oursInt8Dot: gi.int8Dot,
    oursMs: median(o), peerMs: median(p), oursFirstMs, peerFirstMs,
    oursErr: maxErr(oursOut, cfg.golden), peerErr: maxErr(peerOut, cfg.golden),
  };
};
