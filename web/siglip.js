// siglip.js — SigLIP in the browser (and Node): zero-shot classification
// with sigmoid probabilities, image and text embeddings. The Go wasm module
// runs in a dedicated Web Worker (worker.js); this module is the public API.
//
//   import { SigLIP } from './siglip.js';
//   const model = await SigLIP.load('models/demo-q8.siglip', { onProgress });
//   const ranked = await model.classify(fileOrImage, ['cat', 'dog'], { template: 'This is a photo of {}.' });
//   model.dispose();

export const DEFAULT_TEMPLATE = 'This is a photo of {}.';

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

// ---------- transport to the worker ----------

class Channel {
  constructor(post, terminate) {
    this.post = post;
    this.terminate = terminate;
    this.nextId = 1;
    this.pending = new Map();
    this.broken = null;
    this.onBusy = null; // (busy: boolean) => void
  }
  settle(id) {
    this.pending.delete(id);
    if (this.pending.size === 0) this.onBusy?.(false);
  }
  receive(msg) {
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.settle(msg.id);
    if (msg.ok) p.resolve(msg.result); else p.reject(new Error(msg.error));
  }
  fail(err) {
    this.broken = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.onBusy?.(false);
  }
  call(op, args = {}, transfer = []) {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.onBusy?.(true);
      this.pending.set(id, { resolve, reject });
      try {
        this.post({ id, op, ...args }, transfer);
      } catch (err) {
        this.settle(id);
        reject(err);
      }
    });
  }
}

async function openChannel(mode) {
  const workerURL = new URL('./worker.js', import.meta.url);
  if (!isNode) {
    const w = new Worker(workerURL, { type: 'module', name: 'siglip' });
    // The worker's kernel workers (threads/) are started here, by the page,
    // and terminated with it: nested workers can outlive a terminated parent.
    const kh = await import('./threads/pool.mjs').then((m) => new m.KernelWorkerHost(), () => null);
    const ch = new Channel((m, t) => w.postMessage(m, t), () => { w.terminate(); kh?.terminateAll(); });
    w.onmessage = (e) => { if (!kh?.handle(e.data)) ch.receive(e.data); };
    w.onerror = (e) => {
      e.preventDefault?.();
      ch.fail(new Error(`the SigLIP worker failed to start: ${e.message || 'script error (is dist/siglip.wasm built?)'}`));
    };
    return ch;
  }
  if (mode === 'inprocess') {
    const { createHost } = await import(workerURL.href);
    const host = createHost();
    const ch = new Channel((m) => {
      host.handle(m).then((result) => ch.receive({ id: m.id, ok: true, result }),
        (err) => ch.receive({ id: m.id, ok: false, error: err?.message ?? String(err) }));
    }, () => {});
    return ch;
  }
  const wt = await import('node:worker_threads');
  const w = new wt.Worker(workerURL, { workerData: { siglipWorker: true } });
  const ch = new Channel((m, t) => w.postMessage(m, t), () => w.terminate());
  // An idle model does not keep Node alive; a pending call does.
  w.unref();
  ch.onBusy = (busy) => (busy ? w.ref() : w.unref());
  w.on('message', (m) => ch.receive(m));
  w.on('error', (e) => ch.fail(new Error(`the SigLIP worker failed: ${e.message}`)));
  w.on('exit', (code) => ch.fail(new Error(`the SigLIP worker stopped (exit code ${code})`)));
  return ch;
}

// ---------- model bytes ----------

// A model file reaches the Go heap in pieces of PIECE bytes, each copied
// into its place in the one buffer Go allocated for the whole file: the
// file is never held whole in JS as well (a second copy would double the
// tab's memory for a 600 MB model), and the caller's buffer is only read.
// The pieces are filled into buffers of a PiecePool, and the worker hands
// each buffer back (transferred) once Go has copied it, so one or two
// buffers carry the whole file: the tab does not fill with used pieces
// waiting for V8's collector (150–250 MB of them at the peak of a
// large-256 load, issue 13).
const PIECE = 4 << 20;

class PiecePool {
  constructor() { this.free = []; }
  take() { return this.free.pop() ?? new Uint8Array(PIECE); }
  give(bytes) {
    if (bytes?.buffer?.byteLength === PIECE && this.free.length < 2) this.free.push(new Uint8Array(bytes.buffer));
  }
}

async function* piecesOfBytes(bytes, pool) {
  for (let o = 0; o < bytes.length; o += PIECE) {
    // A copy (transferred to the worker): Buffer#slice would be a view.
    const k = Math.min(PIECE, bytes.length - o);
    const piece = pool.take();
    piece.set(bytes.subarray(o, o + k));
    yield piece.subarray(0, k);
  }
}

// piecesOfStream fills pieces from a byte stream: read straight into the
// piece where the stream allows it (a BYOB reader: fetch bodies and Blob
// streams in browsers), else by copying its (small) chunks.
async function* piecesOfStream(stream, pool) {
  let byob = null;
  try { byob = stream.getReader({ mode: 'byob' }); } catch { byob = null; }
  const reader = byob ?? stream.getReader();
  let piece = pool.take();
  let n = 0;
  for (;;) {
    if (byob) {
      // The read transfers the piece's buffer; value views it again.
      const { done, value } = await byob.read(new Uint8Array(piece.buffer, n, PIECE - n));
      if (value) { piece = new Uint8Array(value.buffer); n += value.byteLength; }
      if (done) break;
      if (n === PIECE) { yield piece; piece = pool.take(); n = 0; }
      continue;
    }
    const { done, value } = await reader.read();
    if (done) break;
    for (let o = 0; o < value.length;) {
      const k = Math.min(PIECE - n, value.length - o);
      piece.set(value.subarray(o, o + k), n);
      n += k;
      o += k;
      if (n === PIECE) { yield piece; piece = pool.take(); n = 0; }
    }
  }
  if (n) yield piece.subarray(0, n);
}

async function* piecesOfBlob(blob, pool) {
  if (typeof blob.stream === 'function') {
    yield* piecesOfStream(blob.stream(), pool);
    return;
  }
  for (let o = 0; o < blob.size; o += PIECE) {
    yield new Uint8Array(await blob.slice(o, Math.min(o + PIECE, blob.size)).arrayBuffer());
  }
}

async function* piecesOfFile(path, pool) {
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'r');
  try {
    for (;;) {
      const buf = pool.take();
      const { bytesRead } = await fh.read(buf, 0, PIECE, null);
      if (!bytesRead) break;
      yield bytesRead === PIECE ? buf : buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}

// The body's length when the response says it; not when it was sent
// compressed (content-length is then the compressed size).
function declaredLength(res) {
  if (res.headers.get('content-encoding')) return 0;
  return Number(res.headers.get('content-length')) || 0;
}

async function fetchOrExplain(url, { signal, fetch: fetchFn } = {}) {
  let res;
  try {
    res = await (fetchFn ?? fetch)(url, { signal });
  } catch (err) {
    throw new Error(`${DOWNLOAD_FAILED} ${url}: ${err.message}`);
  }
  if (!res.ok) throw new Error(`${DOWNLOAD_FAILED} ${url}: HTTP ${res.status}`);
  return res;
}

/** The start of the error a failed model download rejects with. */
export const DOWNLOAD_FAILED = 'cannot download the model from';

// modelSource → {size (0: unknown until the end), pieces}: what load()
// streams into the worker, from a URL, a path (Node), a Response, a Blob
// or bytes.
async function modelSource(source, options = {}, pool = new PiecePool()) {
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) {
    if (isDetached(source instanceof ArrayBuffer ? source : source.buffer)) {
      throw new TypeError('SigLIP.load: the model bytes are in a detached ArrayBuffer (transferred to a worker or another call): pass a buffer that is still readable');
    }
    const bytes = source instanceof ArrayBuffer ? new Uint8Array(source)
      : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    return { size: bytes.length, pieces: piecesOfBytes(bytes, pool) };
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) return { size: source.size, pieces: piecesOfBlob(source, pool) };
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!source.ok) throw new Error(`model download failed: HTTP ${source.status}`);
    if (source.bodyUsed) throw new TypeError('SigLIP.load: the Response body has been read already');
    if (!source.body) return { size: 0, pieces: piecesOfBytes(new Uint8Array(await source.arrayBuffer()), pool) };
    return { size: declaredLength(source), pieces: piecesOfStream(source.body, pool) };
  }
  if (typeof source === 'string' || source instanceof URL) {
    const s = String(source);
    if (isNode && !/^https?:/i.test(s)) {
      const path = s.startsWith('file:') ? new URL(s) : s;
      const { stat } = await import('node:fs/promises');
      let st;
      try { st = await stat(path); } catch (err) { throw new Error(`cannot read the model file ${s}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`); }
      if (!st.isFile()) throw new Error(`cannot read the model file ${s}: not a regular file`);
      return { size: st.size, pieces: piecesOfFile(path, pool) };
    }
    return modelSource(await fetchOrExplain(s, options), options, pool);
  }
  throw new TypeError('SigLIP.load: give a URL, a path, a Response, a Blob or the model bytes');
}

async function readAllWithProgress(res, onProgress) {
  const total = declaredLength(res);
  const chunks = [];
  let loaded = 0;
  onProgress?.({ loaded: 0, total, phase: 'download' });
  for await (const piece of piecesOfStream(res.body, new PiecePool())) { // kept: never recycled
    chunks.push(piece);
    loaded += piece.length;
    onProgress?.({ loaded, total, phase: 'download' });
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(loaded);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

/**
 * Reads model bytes from a URL, path (Node), Response, Blob or buffer, whole
 * (SigLIP.load does not need this: it streams the file into the worker).
 */
export async function fetchModelBytes(source, { onProgress, signal, fetch: fetchFn } = {}) {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    onProgress?.({ loaded: 0, total: source.size, phase: 'read' });
    const b = new Uint8Array(await source.arrayBuffer());
    onProgress?.({ loaded: b.length, total: b.length, phase: 'read' });
    return b;
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!source.ok) throw new Error(`model download failed: HTTP ${source.status}`);
    if (!source.body) return new Uint8Array(await source.arrayBuffer());
    return readAllWithProgress(source, onProgress);
  }
  if (typeof source === 'string' || source instanceof URL) {
    const s = String(source);
    if (isNode && !/^https?:/i.test(s)) {
      const { readFile } = await import('node:fs/promises');
      const path = s.startsWith('file:') ? new URL(s) : s;
      return new Uint8Array(await readFile(path));
    }
    return readAllWithProgress(await fetchOrExplain(s, { signal, fetch: fetchFn }), onProgress);
  }
  throw new TypeError('SigLIP.load: give a URL, a path, a Response, a Blob or the model bytes');
}

// ---------- images ----------

// isDetached: the buffer was transferred away (its bytes are gone).
function isDetached(buffer) {
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  try { new Uint8Array(buffer, 0, 0); return false; } catch { return true; }
}

// ownBytes copies the bytes of a buffer or view (the copy is transferred to
// the worker, so the caller's stays usable); what names it in errors.
function ownBytes(src, what) {
  const buffer = src instanceof ArrayBuffer ? src : src.buffer;
  if (isDetached(buffer)) throw new TypeError(`${what} is in a detached ArrayBuffer (transferred to a worker or another call): pass a buffer that is still readable`);
  const view = src instanceof ArrayBuffer ? new Uint8Array(src) : new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  return new Uint8Array(view); // a copy, also of a Node Buffer
}

// bitmapOf makes an ImageBitmap of a decoded image, with the API's own
// message for what the DOM would report as a bare InvalidStateError.
async function bitmapOf(source, what, width, height) {
  if (!(width > 0 && height > 0)) throw new Error(`${what} is ${width}×${height} pixels: nothing to embed (is it drawn/loaded yet?)`);
  try {
    return await createImageBitmap(source);
  } catch (err) {
    throw new Error(`cannot read ${what}: ${err?.message ?? err}`);
  }
}

async function toImageInput(image) {
  if (image == null) throw new TypeError('no image given');
  if (image instanceof ArrayBuffer || (ArrayBuffer.isView(image) && !(image instanceof Uint8ClampedArray))) {
    const bytes = ownBytes(image, 'the image');
    if (!bytes.length) throw new Error('the image is empty (0 bytes)');
    return { msg: { kind: 'encoded', bytes }, transfer: [bytes.buffer] };
  }
  if (typeof Blob !== 'undefined' && image instanceof Blob) {
    let bytes;
    try {
      bytes = new Uint8Array(await image.arrayBuffer());
    } catch (err) {
      throw new Error(`cannot read the image file${image.name ? ` “${image.name}”` : ''}: ${err?.message ?? err}`);
    }
    if (!bytes.length) throw new Error(`the image${image.name ? ` “${image.name}”` : ''} is empty (0 bytes)`);
    return { msg: { kind: 'encoded', bytes }, transfer: [bytes.buffer] };
  }
  // ImageData, or anything shaped like it ({data, width, height}: RGBA bytes).
  if (image.data && typeof image.width === 'number' && typeof image.height === 'number') {
    if (!ArrayBuffer.isView(image.data)) throw new TypeError('the image\'s data must be RGBA bytes (a Uint8ClampedArray or Uint8Array)');
    const rgba = ownBytes(image.data, 'the image\'s RGBA data');
    return { msg: { kind: 'rgba', rgba, width: image.width, height: image.height }, transfer: [rgba.buffer] };
  }
  if (typeof ImageBitmap !== 'undefined' && image instanceof ImageBitmap) {
    // A clone, so the caller's bitmap stays usable.
    const bitmap = await bitmapOf(image, 'the ImageBitmap (closed?)', image.width, image.height);
    return { msg: { kind: 'bitmap', bitmap }, transfer: [bitmap] };
  }
  if (typeof HTMLImageElement !== 'undefined' && image instanceof HTMLImageElement) {
    if (!image.complete) {
      try { await image.decode(); } catch (err) { throw new Error(`the <img> element's image could not be decoded (${image.src ? 'broken or not an image' : 'it has no src'}): ${err?.message ?? err}`); }
    }
    const bitmap = await bitmapOf(image, 'the <img> element', image.naturalWidth, image.naturalHeight);
    return { msg: { kind: 'bitmap', bitmap }, transfer: [bitmap] };
  }
  if ((typeof HTMLCanvasElement !== 'undefined' && image instanceof HTMLCanvasElement) ||
      (typeof OffscreenCanvas !== 'undefined' && image instanceof OffscreenCanvas)) {
    const bitmap = await bitmapOf(image, 'the canvas', image.width, image.height);
    return { msg: { kind: 'bitmap', bitmap }, transfer: [bitmap] };
  }
  throw new TypeError('image must be an HTMLImageElement, ImageBitmap, ImageData, canvas, Blob, or the bytes of an encoded image');
}

// ---------- text ----------

/** Fills a prompt template: every "{}" becomes the label. */
export function formatPrompt(template, label) {
  if (typeof template !== 'string' || !template.includes('{}')) {
    throw new Error(`the prompt template must contain "{}" where the label goes (got ${JSON.stringify(template)})`);
  }
  return template.split('{}').join(label);
}

function checkLabels(labels) {
  if (!Array.isArray(labels)) throw new TypeError('labels must be an array of strings');
  const out = labels.map((l) => (typeof l === 'string' ? l.trim() : l));
  if (out.some((l) => typeof l !== 'string')) throw new TypeError('every label must be a string');
  if (out.length === 0 || out.every((l) => l === '')) throw new Error('no labels: give at least one label to classify against');
  if (out.some((l) => l === '')) throw new Error('a label is empty: remove it or type a word');
  return out;
}

const TEXT_CACHE_LIMIT = 50000;

// ---------- the model ----------

export class SigLIP {
  /**
   * Loads a model file (our single quantized file, e.g. models/demo-q8.siglip).
   * options.onProgress({loaded, total, phase}) reports the download and the load.
   * options.worker: 'worker' (default) or, in Node only, 'inprocess'.
   * options.threads: threads for the kernels (default: the cores, at most 8;
   * 1 = single-threaded). More than one needs a cross-origin-isolated page
   * (COOP/COEP headers); otherwise it runs on one thread. info.threads says
   * what it got.
   * options.backend: 'auto' (default: WebGPU where an adapter exists and a
   * short calibration says it is faster), 'webgpu' or 'wasm'. info.backend
   * says which runs the towers, info.backendReason why, info.calibration
   * the timings 'auto' compared.
   */
  static async load(source, options = {}) {
    const { onProgress } = options;
    const pool = new PiecePool();
    const { size, pieces } = await modelSource(source, options, pool);
    const ch = await openChannel(options.worker ?? 'worker');
    let loader = 0;
    try {
      // The worker copies each piece into the buffer Go allocated for the
      // file (size 0: unknown, Go gathers the pieces); one piece in flight
      // at a time, its buffer handed back for the next, so JS never holds
      // more than a piece or two.
      ({ loader } = await ch.call('loadBegin', { size, threads: options.threads }));
      let loaded = 0;
      onProgress?.({ loaded, total: size, phase: 'download' });
      for await (const piece of pieces) {
        const k = piece.length; // before the transfer detaches it
        const r = await ch.call('loadPiece', { loader, bytes: piece }, [piece.buffer]);
        pool.give(r?.bytes);
        loaded += k;
        onProgress?.({ loaded, total: size, phase: 'download' });
      }
      onProgress?.({ loaded, total: loaded, phase: 'load' });
      const { handle, info } = await ch.call('load', { loader, backend: options.backend ?? 'auto', gpuOptions: options.gpuOptions });
      onProgress?.({ loaded, total: loaded, phase: 'ready' });
      return new SigLIP(ch, handle, info);
    } catch (err) {
      // In-process (Node) the Go module outlives this call: free the buffer.
      if (loader) await ch.call('loadAbort', { loader }).catch(() => {});
      ch.terminate();
      throw err;
    }
  }

  constructor(channel, handle, info) {
    this._ch = channel;
    this._handle = handle;
    /** Model description: imageSize, embedDim, maxTextTokens, name, ... */
    this.info = Object.freeze(info);
    this._texts = new Map(); // prompt → Float32Array, per model
    this._inflight = new Map(); // prompt → Promise of the batch embedding it
    this.stats = { textCacheHits: 0, textCacheMisses: 0 };
  }

  async _call(op, args, transfer) {
    if (!this._ch) throw new Error('this model has been disposed');
    const r = await this._ch.call(op, { handle: this._handle, ...args }, transfer);
    // The worker's WebGPU backend fell back to wasm (webgpu/backend.mjs).
    if (r?.backendInfo) {
      this.info = Object.freeze({ ...this.info, ...r.backendInfo });
      this.onBackendChange?.(this.info);
    }
    return r;
  }

  /** Embeds one image; returns its L2-normalised embedding. */
  async embedImage(image) {
    return (await this.embedImages([image]))[0];
  }

  /**
   * Decodes an image as the model sees it: {rgb, width, height}, 8-bit RGB
   * rows top to bottom (alpha dropped, as PIL's convert("RGB") does).
   */
  async decodeImage(image) {
    const { msg, transfer } = await toImageInput(image);
    return this._call('decodeImage', { image: msg }, transfer);
  }

  /**
   * Reads an encoded image's header only: {format, width, height}. Rejects,
   * without decoding anything, an image the model would refuse (unknown
   * format, corrupt header, over the size limits), so a page can check a
   * file before it shows it.
   */
  async imageInfo(image) {
    const { msg, transfer } = await toImageInput(image);
    if (msg.kind !== 'encoded') throw new TypeError('imageInfo takes the bytes of an encoded image (a Blob, File or buffer)');
    return this._call('imageHeader', { bytes: msg.bytes }, transfer);
  }

  /**
   * Embeds several images, info.imageBatch per worker call (the engine runs
   * them as one batch); onProgress(done, total) after each call.
   */
  async embedImages(images, { onProgress } = {}) {
    if (!Array.isArray(images)) throw new TypeError('embedImages takes an array of images');
    const out = [];
    const batch = this.info.imageBatch;
    for (let i = 0; i < images.length; i += batch) {
      const msgs = [];
      const transfer = [];
      for (const im of images.slice(i, i + batch)) {
        const t = await toImageInput(im);
        msgs.push(t.msg);
        transfer.push(...t.transfer);
      }
      const { data, dim } = await this._call('embedImages', { images: msgs }, transfer);
      for (let j = 0; j < msgs.length; j++) out.push(data.slice(j * dim, (j + 1) * dim));
      onProgress?.(out.length, images.length);
    }
    return out;
  }

  /**
   * The input ids the model embeds for each text (its tokenizer and the
   * text pipeline stored in the model file): an array of rows of ids, each
   * padded to the model's text length. For checking against a reference
   * tokenizer; embedText does not need it.
   */
  async tokenize(texts) {
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) throw new TypeError('tokenize takes an array of strings');
    return this._call('tokenize', { texts });
  }

  /**
   * Embeds text: a string gives one Float32Array, an array gives an array.
   * Embeddings are cached per model, so repeated labels cost nothing.
   */
  async embedText(texts, { onProgress } = {}, retried = false) {
    const single = typeof texts === 'string';
    const list = single ? [texts] : texts;
    if (!Array.isArray(list) || list.some((t) => typeof t !== 'string')) throw new TypeError('embedText takes a string or an array of strings');
    if (list.length === 0) return [];
    const unique = [...new Set(list)];
    const missing = unique.filter((t) => !this._texts.has(t) && !this._inflight.has(t));
    const waiting = unique.filter((t) => this._inflight.has(t));
    this.stats.textCacheHits += list.length - missing.length;
    this.stats.textCacheMisses += missing.length;
    const batch = this.info.textBatch;
    let done = 0;
    const batches = [];
    const local = new Map();
    for (let i = 0; i < missing.length; i += batch) {
      const part = missing.slice(i, i + batch);
      // Texts in flight are shared: a second caller (e.g. the page's
      // warm-up and a click) waits for the same batch instead of redoing it.
      const p = this._call('embedTexts', { texts: part }).then(({ data, dim }) => {
        part.forEach((t, j) => {
          const emb = data.slice(j * dim, (j + 1) * dim);
          local.set(t, emb);
          this._remember(t, emb);
        });
        done += part.length;
        onProgress?.(done, missing.length);
      }).finally(() => part.forEach((t) => this._inflight.delete(t)));
      part.forEach((t) => this._inflight.set(t, p));
      batches.push(p);
    }
    await Promise.all([...batches, ...new Set(waiting.map((t) => this._inflight.get(t)))]);
    const get = (t) => local.get(t) ?? this._texts.get(t);
    if (!retried && list.some((t) => !get(t))) {
      // The cache dropped an entry another caller embedded (over
      // TEXT_CACHE_LIMIT texts): embed what is left, once.
      return this.embedText(texts, { onProgress }, true);
    }
    const out = list.map(get);
    return single ? out[0] : out;
  }

  _remember(text, emb) {
    if (this._texts.size >= TEXT_CACHE_LIMIT) this._texts.delete(this._texts.keys().next().value);
    this._texts.set(text, emb);
  }

  /**
   * Scores image embeddings against text embeddings with the model's own
   * logit scale and bias. Returns {logits, probs}, row-major
   * [images × texts], probs = sigmoid(logits).
   */
  async scores(imageEmbeddings, textEmbeddings) {
    const images = this._pack(imageEmbeddings, 'image');
    const texts = this._pack(textEmbeddings, 'text');
    return this._call('scores', { images, texts, dim: this.info.embedDim }, [images.buffer, texts.buffer]);
  }

  // _pack copies embeddings (one Float32Array of whole rows, or an array of
  // rows) into one flat Float32Array to transfer.
  _pack(rows, what) {
    const dim = this.info.embedDim;
    if (rows instanceof Float32Array) {
      if (rows.length === 0 || rows.length % dim) throw new Error(`the ${what} embeddings hold ${rows.length} values, not whole rows of the model's ${dim}`);
      return rows.slice();
    }
    if (!Array.isArray(rows)) throw new TypeError(`${what} embeddings must be a Float32Array or an array of them`);
    const out = new Float32Array(rows.length * dim);
    rows.forEach((r, i) => {
      if (r?.length !== dim) throw new Error(`${what} embedding ${i} has ${r?.length} values, the model's have ${dim}`);
      out.set(r, i * dim);
    });
    return out;
  }

  /**
   * Zero-shot classification: each label is put in the template, and gets
   * its own sigmoid probability (they need not sum to 1).
   * Returns [{label, score, logit}] sorted by score, highest first.
   */
  async classify(image, labels, { template = DEFAULT_TEMPLATE, onProgress } = {}) {
    const clean = checkLabels(labels);
    const prompts = clean.map((l) => formatPrompt(template, l));
    const unique = [...new Set(prompts)];
    // Texts another call is embedding are waited for; more new texts than
    // one call takes go through embedText (batches, progress). Then one
    // worker call embeds what is left, the image, and scores them all.
    const inflight = [...new Set(unique.filter((t) => this._inflight.has(t)).map((t) => this._inflight.get(t)))];
    if (inflight.length) await Promise.all(inflight);
    let missing = unique.filter((t) => !this._texts.has(t));
    if (missing.length > this.info.textBatch) {
      await this.embedText(missing, { onProgress });
      missing = unique.filter((t) => !this._texts.has(t));
    }
    const cached = unique.filter((t) => this._texts.has(t));
    this.stats.textCacheHits += prompts.length - missing.length;
    this.stats.textCacheMisses += missing.length;
    const known = cached.length ? this._pack(cached.map((t) => this._texts.get(t)), 'text') : new Float32Array(0);
    const { msg, transfer } = await toImageInput(image);
    const r = await this._call('classify', { image: msg, known, texts: missing, dim: this.info.embedDim }, [...transfer, known.buffer]);
    missing.forEach((t, j) => this._remember(t, r.texts.slice(j * r.dim, (j + 1) * r.dim)));
    if (missing.length) onProgress?.(missing.length, missing.length);
    const column = new Map([...cached, ...missing].map((t, i) => [t, i]));
    return clean.map((label, i) => {
      const k = column.get(prompts[i]);
      return { label, score: r.probs[k], logit: r.logits[k] };
    }).sort((a, b) => b.score - a.score);
  }

  /**
   * Ranks image embeddings for a text query: [{index, score, logit}] sorted
   * by score, highest first.
   */
  async rank(query, imageEmbeddings) {
    if (typeof query !== 'string' || query.trim() === '') throw new Error('type a query to search for');
    if (!imageEmbeddings.length) return [];
    const t = await this.embedText(query);
    const { logits, probs } = await this.scores(imageEmbeddings, [t]);
    return Array.from(probs, (score, index) => ({ index, score, logit: logits[index] }))
      .sort((a, b) => b.score - a.score);
  }

  /** Frees the model and its worker. */
  dispose() {
    if (!this._ch) return;
    const ch = this._ch;
    this._ch = null;
    this._texts.clear();
    ch.call('unload', { handle: this._handle }).catch(() => {}).finally(() => ch.terminate());
  }
}

export default SigLIP;
