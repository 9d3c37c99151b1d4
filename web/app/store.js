// The model store: loading a model (a URL or a File), kept in the Cache API
// for offline use and revalidated against the server; the page's shared
// state lives here too.

import { SigLIP, DOWNLOAD_FAILED } from '../siglip.js';
import { $, el, mb, errText, showError, showInfo, clearBanner, setProgress } from './dom.js';

const MODEL_CACHE = 'siglip-models-v1';
export const DEMO_MODEL = 'web/models/demo-q8.siglip';

export const state = {
  model: null,          // SigLIP
  modelKey: '',         // Cache API key (absolute URL) of the loaded model
  modelName: '',
  loading: null,        // Promise of the model being loaded
  presets: {}, samples: [],
  labels: [], presetName: '', template: '',
  image: null,          // {blob, name}
  classifySeq: 0,
  imageSeq: 0,
  // where the towers run: 'auto' | 'webgpu' | 'wasm' (?backend= in the
  // address, else the model panel's choice, kept on this device)
  backend: pickBackend(),
};

// Who wants to know when a new model is in use (the page's modules).
const modelListeners = [];
export function onModelChange(fn) { modelListeners.push(fn); }
function onModelChanged() { for (const fn of modelListeners) fn(); }

export async function openModelCache() {
  if (!('caches' in globalThis)) return null;
  try { return await caches.open(MODEL_CACHE); } catch { return null; }
}

function pickBackend() {
  const ok = (b) => (['auto', 'webgpu', 'wasm'].includes(b) ? b : null);
  return ok(new URLSearchParams(location.search).get('backend')) ?? ok(localStorage.getItem('siglip.backend')) ?? 'auto';
}

// backendLabel says in the pill where the towers run, and why in its tooltip.
function backendLabel(info) {
  $('model-button').title = info.backendReason ? `runs on ${info.backend}: ${info.backendReason}` : '';
  return info.backend === 'webgpu' ? ' · WebGPU' : ' · wasm';
}

export function modelKeyFor(urlOrFile) {
  if (typeof urlOrFile === 'string') return new URL(urlOrFile, location.href).href;
  return new URL(`web/models/local/${encodeURIComponent(urlOrFile.name)}`, location.href).href;
}

function setModelPill(kind, name, detail) {
  $('model-dot').className = `dot ${kind}`;
  $('model-name').textContent = name;
  $('model-detail').textContent = detail || '';
}

// countingResponse passes a download through unchanged, reporting its
// progress: the file streams to the Cache API without being held in memory.
function countingResponse(res, onBytes) {
  if (!res.body) return res;
  let loaded = 0;
  const counter = new TransformStream({
    transform(chunk, ctl) { loaded += chunk.length; onBytes(loaded); ctl.enqueue(chunk); },
  });
  const headers = { 'content-type': 'application/octet-stream' };
  for (const k of ['content-length', 'last-modified', 'etag']) {
    const v = res.headers.get(k);
    if (v && !(k === 'content-length' && res.headers.get('content-encoding'))) headers[k] = v;
  }
  return new Response(res.body.pipeThrough(counter), { headers });
}

/**
 * Loads a model from a URL (string) or a local File. On failure the model in
 * use (if any) stays in use. The file is never held whole in the page: a
 * download streams into the Cache API, and the model streams from there (or
 * from the File) into the worker's Go heap, so the tab holds it once.
 */
export function loadModel(source) {
  const run = (async () => {
    const name = typeof source === 'string' ? source.split('/').pop() : source.name;
    const key = modelKeyFor(source);
    const prev = state.model ? [state.model, state.modelName] : null;
    $('load-progress').hidden = false;
    setModelPill('loading', `Loading ${name}`, '');
    setProgress('load', 0, `Loading ${name}…`);
    $('load-numbers').textContent = '';
    const cache = await openModelCache();
    let fromCache = false;
    let stored = false; // put into the cache by this call
    let hit = null;
    try {
      hit = cache && await cache.match(key);
      let input;
      if (hit) {
        fromCache = true;
        input = hit;
      } else if (typeof source === 'string') {
        let res;
        try {
          res = await fetch(source);
        } catch (err) {
          throw new Error(`${DOWNLOAD_FAILED} ${source}: ${errText(err)}`);
        }
        if (!res.ok) throw new Error(`${DOWNLOAD_FAILED} ${source}: HTTP ${res.status}`);
        const total = Number(res.headers.get('content-length')) || 0;
        const counted = countingResponse(res, (loaded) => {
          setProgress('load', total ? loaded / total : null, `Downloading ${name}…`);
          $('load-numbers').textContent = total ? `${mb(loaded)} of ${mb(total)}` : mb(loaded);
        });
        if (cache) {
          try {
            await cache.put(key, counted);
            stored = true;
            input = await cache.match(key);
          } catch (err) {
            showInfo(`The model works, but could not be kept for offline use (${errText(err)}).`);
          }
        }
        // No Cache API (or it failed): the download itself streams in.
        input ??= cache && !stored ? await fetch(source) : counted;
      } else {
        input = source;
        if (cache) {
          try {
            await cache.put(key, new Response(source, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(source.size) } }));
            stored = true;
          } catch (err) {
            showInfo(`The model works, but could not be kept for offline use (${errText(err)}).`);
          }
        }
      }
      const size = input.size ?? (Number(input.headers?.get('content-length')) || 0);
      setProgress('load', null, `${fromCache ? 'Reading' : 'Preparing'} ${name}${size ? ` (${mb(size)})` : ''}…`);
      $('load-numbers').textContent = '';
      const model = await SigLIP.load(input, {
        backend: state.backend,
        onProgress: ({ loaded, total, phase }) => {
          if (phase === 'download' && total) setProgress('load', loaded / total);
          else if (phase === 'load') setProgress('load', null, `Preparing ${name} (${mb(loaded)})…`);
        },
      });
      state.model?.dispose();
      state.model = model;
      state.modelKey = key;
      state.modelName = name;
      state.modelFromCache = fromCache;
      localStorage.setItem('siglip.model', JSON.stringify({ key, name }));
      const info = model.info;
      const detail = (i) => `${mb(i.bytes)}${i.quantization ? ` · ${i.quantization}` : ''}${backendLabel(i)}${i.simd ? ' · simd128' : ''}${i.threads > 1 ? ` · ${i.threads} threads` : ''} · ${fromCache ? 'from this device' : 'downloaded'}`;
      state.modelDetail = detail(info);
      setModelPill('ready', info.name || name, state.modelDetail);
      // a lost GPU device moves the model to wasm (webgpu/backend.mjs)
      model.onBackendChange = (i) => { state.modelDetail = detail(i); if (state.model === model) setModelPill('ready', i.name || name, state.modelDetail); };
      onModelChanged();
      if (fromCache && typeof source === 'string') revalidate(key, hit, name);
      return model;
    } catch (err) {
      if (fromCache || stored) {
        // A damaged (or now incompatible) file must not stick in the cache.
        await cache.delete(key).catch(() => {});
      }
      showError(`Could not load the model “${name}”: ${errText(err)}${prev ? ` — still using ${prev[1]}.` : ''}`);
      if (prev) setModelPill('ready', prev[0].info.name || prev[1], state.modelDetail);
      else setModelPill('error', 'No model', 'load failed');
      throw err;
    } finally {
      $('load-progress').hidden = true;
      renderCachedModels();
    }
  })();
  state.loading = run.catch(() => null);
  return run;
}

// revalidate asks the server, without downloading, whether a model kept
// on this device has changed there (Last-Modified / ETag); if so, the new
// file replaces it. Offline, or on any error, nothing happens.
async function revalidate(key, cached, name) {
  const was = { lm: cached.headers.get('last-modified'), et: cached.headers.get('etag') };
  if (!was.lm && !was.et) return;
  let res;
  try {
    res = await fetch(key, { method: 'HEAD', cache: 'no-store' });
  } catch {
    return;
  }
  if (!res.ok || state.modelKey !== key) return;
  const lm = res.headers.get('last-modified');
  const et = res.headers.get('etag');
  if ((et && was.et && et !== was.et) || (!(et && was.et) && lm && was.lm && lm !== was.lm)) {
    const cache = await openModelCache();
    await cache?.delete(key);
    showInfo(`A newer ${name} is on the server: updating…`);
    loadModel(key).then(() => showInfo(`Updated ${name} to the server's newer version.`), () => {});
  }
}

export async function ensureModel() {
  if (state.model) return state.model;
  const m = await state.loading;
  if (!m && !state.model) throw new Error('No model is loaded. Open “Model” at the top to load one.');
  return state.model;
}

export async function renderCachedModels() {
  const box = $('model-cached');
  box.textContent = '';
  const cache = await openModelCache();
  if (!cache) return;
  const keys = await cache.keys();
  if (!keys.length) return;
  box.append(el('span', { class: 'muted' }, 'On this device:'));
  for (const req of keys) {
    const name = decodeURIComponent(req.url.split('/').pop());
    const b = el('button', { type: 'button', class: 'secondary', title: req.url }, name);
    b.addEventListener('click', () => loadModel(req.url.startsWith(location.origin) && !req.url.includes('/web/models/local/') ? req.url : { name, arrayBuffer: async () => new Uint8Array(await (await cache.match(req)).arrayBuffer()).buffer }).catch(() => {}));
    const del = el('button', { type: 'button', class: 'secondary', title: `Forget ${name}`, 'aria-label': `Forget ${name}` }, '×');
    del.addEventListener('click', async () => { await cache.delete(req); renderCachedModels(); });
    box.append(el('span', { class: 'row' }, b, del));
  }
}

$('model-button').addEventListener('click', () => {
  const p = $('model-panel');
  p.hidden = !p.hidden;
  $('model-button').setAttribute('aria-expanded', String(!p.hidden));
  if (!p.hidden) renderCachedModels();
});
$('model-url-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const url = $('model-url').value.trim();
  if (!url) { showError('Type the address of a model file, e.g. web/models/demo-q8.siglip'); return; }
  let u;
  try { u = new URL(url, location.href); } catch { showError(`“${url}” is not a web address.`); return; }
  if (u.origin !== location.origin) {
    showError('This page only loads models from its own site (it makes no requests elsewhere). Download the file and use “Open file…”.');
    return;
  }
  clearBanner();
  loadModel(u.href).catch(() => {});
});
$('model-file').addEventListener('change', (e) => {
  const f = e.target.files[0];
  e.target.value = '';
  if (f) { clearBanner(); loadModel(f).catch(() => {}); }
});
$('model-demo').addEventListener('click', () => { clearBanner(); loadModel(DEMO_MODEL).catch(() => {}); });

export function isDemoModel() { return state.modelKey === modelKeyFor(DEMO_MODEL); }

// sampleBlob fetches one of the bundled sample images (presets.json).
export async function sampleBlob(s) {
  const res = await fetch(`web/samples/${s.file}`);
  if (!res.ok) throw new Error(`sample ${s.file}: HTTP ${res.status}`);
  return res.blob();
}
