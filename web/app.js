// The demo page: Classify, Tag and Search, all inference in the SigLIP
// worker. Models are kept in the Cache API (offline on the next visit),
// search embeddings in IndexedDB. No inline scripts, no eval, no requests
// outside this origin.
import { SigLIP, formatPrompt, DOWNLOAD_FAILED } from './siglip.js';

const $ = (id) => document.getElementById(id);
const MODEL_CACHE = 'siglip-models-v1';
const DEMO_MODEL = 'web/models/demo-q8.siglip';
const SHOWN_RESULTS = 12;

const state = {
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
// For the tests and the curious: the page's live state.
globalThis.siglipDemo = state;

// ---------- small helpers ----------

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k in e) e[k] = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

function mb(n) { return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`; }
function pct(p) { return p >= 0.995 ? '100%' : p < 0.001 ? '<0.1%' : `${(p * 100).toFixed(p < 0.1 ? 1 : 0)}%`; }
function errText(err) { return (err && err.message) ? err.message : String(err); }

function showError(message) {
  $('banner').classList.remove('info');
  $('banner-text').textContent = message;
  $('banner').hidden = false;
}
function showInfo(message) {
  showError(message);
  $('banner').classList.add('info');
}
function clearBanner() { $('banner').hidden = true; }
$('banner-close').addEventListener('click', clearBanner);

function setProgress(prefix, fraction, label) {
  const fill = $(`${prefix}-bar`);
  if (fraction == null) fill.classList.add('indeterminate');
  else { fill.classList.remove('indeterminate'); fill.style.width = `${Math.round(fraction * 100)}%`; }
  if (label != null) $(`${prefix}-label`).textContent = label;
}

function downloadFile(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Accepts File/Blob; rejects obvious non-images early with a plain message
// (the Go decoder has the last word).
function imageFilesFrom(list) {
  return [...list].filter((f) => !f.type || f.type.startsWith('image/') || /\.(png|jpe?g|gif|webp|bmp)$/i.test(f.name));
}

// ---------- model loading, kept in the Cache API ----------

async function openModelCache() {
  if (!('caches' in globalThis)) return null;
  try { return await caches.open(MODEL_CACHE); } catch { return null; }
}

function modelKeyFor(urlOrFile) {
  if (typeof urlOrFile === 'string') return new URL(urlOrFile, location.href).href;
  return new URL(`web/models/local/${encodeURIComponent(urlOrFile.name)}`, location.href).href;
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
function loadModel(source) {
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

async function ensureModel() {
  if (state.model) return state.model;
  const m = await state.loading;
  if (!m && !state.model) throw new Error('No model is loaded. Open “Model” at the top to load one.');
  return state.model;
}

async function renderCachedModels() {
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

function isDemoModel() { return state.modelKey === modelKeyFor(DEMO_MODEL); }

function onModelChanged() {
  // The label preset follows the model unless the user made their own list.
  if (!state.labelsEdited) applyPreset(isDemoModel() ? 'demo' : 'general');
  $('results').textContent = '';
  $('classify-status').textContent = '';
  tag.reset();
  search.load();
  if (state.image) runClassify();
  else warmPrompts();
}

// warmPrompts embeds the current labels in the background right after a
// model loads, so the first classification only has the image left to do.
async function warmPrompts() {
  const model = state.model;
  const template = $('template').value;
  if (!model || !template.includes('{}') || !state.labels.length) return;
  const status = $('classify-status');
  try {
    await model.embedText(state.labels.map((l) => formatPrompt(template, l)), {
      onProgress: (done, total) => { if (!state.image) status.textContent = `Preparing the labels… ${done} of ${total}`; },
    });
    if (!state.image) status.textContent = 'Ready: choose an image.';
  } catch {
    if (!state.image) status.textContent = '';
  }
}

// ---------- labels, presets ----------

function renderChips() {
  const box = $('chips');
  const input = $('chip-input');
  for (const c of [...box.querySelectorAll('.chip')]) c.remove();
  state.labels.forEach((label, i) => {
    const x = el('button', { type: 'button', 'aria-label': `Remove ${label}`, title: 'Remove' }, '×');
    x.addEventListener('click', () => { state.labels.splice(i, 1); labelsEdited(); });
    box.insertBefore(el('span', { class: 'chip' }, label, x), input);
  });
}

function labelsEdited() {
  state.labelsEdited = true;
  $('preset').value = '';
  renderChips();
}

function addLabels(text) {
  const added = text.split(/[,\n;]/).map((s) => s.trim()).filter(Boolean);
  const have = new Set(state.labels);
  let n = 0;
  for (const l of added) if (!have.has(l)) { state.labels.push(l); have.add(l); n++; }
  if (n) labelsEdited();
}

function applyPreset(name) {
  const p = state.presets[name];
  if (!p) return;
  state.labels = [...p.labels];
  state.template = p.template;
  state.presetName = name;
  state.labelsEdited = false;
  $('template').value = p.template;
  $('preset').value = name;
  renderChips();
}

$('chip-input').addEventListener('keydown', (e) => {
  const input = e.target;
  if ((e.key === 'Enter' || e.key === ',') && input.value.trim()) {
    e.preventDefault();
    addLabels(input.value);
    input.value = '';
  } else if (e.key === 'Backspace' && !input.value && state.labels.length) {
    state.labels.pop();
    labelsEdited();
  }
});
$('chip-input').addEventListener('paste', (e) => {
  const t = e.clipboardData.getData('text');
  if (/[,\n;]/.test(t)) { e.preventDefault(); e.stopPropagation(); addLabels(t); }
});
$('chips').addEventListener('click', (e) => { if (e.target.id === 'chips') $('chip-input').focus(); });
$('labels-clear').addEventListener('click', () => { state.labels = []; labelsEdited(); $('chip-input').focus(); });
$('preset').addEventListener('change', (e) => { if (e.target.value) applyPreset(e.target.value); });
$('template').addEventListener('change', (e) => { state.template = e.target.value; });

// ---------- classify ----------

function showDropHint(message) {
  $('preview').hidden = true;
  $('drop-hint').hidden = false;
  $('drop-note').textContent = message || 'PNG, JPEG, GIF, WebP or BMP · stays on this device';
}
$('preview').addEventListener('error', () => {
  if ($('preview').src) showDropHint(`Cannot show “${state.image?.name ?? 'this file'}”: it does not look like an image.`);
});

// setImage shows and classifies an image once its header has passed the
// model's size limits (read without decoding it): the preview <img> would
// otherwise make the page decode an image the model refuses.
async function setImage(blob, name) {
  const seq = ++state.imageSeq;
  try {
    const model = await ensureModel();
    await model.imageInfo(blob);
  } catch (err) {
    if (seq !== state.imageSeq) return;
    state.image = null;
    $('results').textContent = '';
    $('classify-status').textContent = '';
    showDropHint(`“${name}” is not an image this page can read. Try another file.`);
    showError(`“${name}” could not be read as an image: ${errText(err)}`);
    return;
  }
  if (seq !== state.imageSeq) return;
  const prev = $('preview').src;
  state.image = { blob, name };
  $('preview').src = URL.createObjectURL(blob);
  $('preview').alt = name;
  $('preview').hidden = false;
  $('drop-hint').hidden = true;
  $('drop-note').textContent = '';
  if (prev.startsWith('blob:')) URL.revokeObjectURL(prev);
  for (const b of document.querySelectorAll('.samples button')) b.classList.toggle('active', b.dataset.file === name);
  runClassify();
}

async function runClassify() {
  const seq = ++state.classifySeq;
  const status = $('classify-status');
  const results = $('results');
  if (!state.image) { status.textContent = 'Choose an image first.'; return; }
  const labels = state.labels.map((l) => l.trim()).filter(Boolean);
  if (!labels.length) {
    results.textContent = '';
    showError('There are no labels to compare the image with. Add a few labels (type one and press Enter).');
    return;
  }
  const template = $('template').value;
  if (!template.includes('{}')) {
    showError('The prompt template needs “{}” where the label goes, e.g. “This is a photo of {}.”');
    return;
  }
  status.textContent = state.model ? 'Classifying…' : 'Waiting for the model…';
  $('classify').disabled = true;
  try {
    const model = await ensureModel();
    const t0 = performance.now();
    const before = model.stats.textCacheHits;
    const prompts = labels.map((l) => formatPrompt(template, l));
    const texts = await model.embedText(prompts, {
      onProgress: (done, total) => { if (seq === state.classifySeq) status.textContent = `Reading the labels… ${done} of ${total}`; },
    });
    if (seq === state.classifySeq) status.textContent = 'Looking at the image…';
    const t1 = performance.now();
    let img;
    try {
      img = await model.embedImage(state.image.blob);
    } catch (err) {
      showDropHint(`“${state.image.name}” is not an image this page can read. Try another file.`);
      throw new Error(`“${state.image.name}” could not be read as an image: ${errText(err)}`);
    }
    const { probs, logits } = await model.scores(img, texts);
    const t2 = performance.now();
    if (seq !== state.classifySeq) return; // a newer request superseded this one
    const ranked = labels.map((label, i) => ({ label, score: probs[i], logit: logits[i] })).sort((a, b) => b.score - a.score);
    state.lastResults = ranked;
    state.lastClassified = { name: state.image.name, top: ranked[0].label, ms: t2 - t0 };
    renderResults(ranked);
    const cached = model.stats.textCacheHits - before;
    status.textContent = `${Math.round(t2 - t0)} ms · image ${Math.round(t2 - t1)} ms · ${labels.length} labels${cached ? ` (${cached} cached)` : ''}`;
    status.dataset.top = ranked[0].label;
    clearBannerIfError();
  } catch (err) {
    if (seq !== state.classifySeq) return;
    results.textContent = '';
    status.textContent = '';
    delete status.dataset.top;
    showError(errText(err));
  } finally {
    if (seq === state.classifySeq) $('classify').disabled = false;
  }
}

function clearBannerIfError() { if (!$('banner').classList.contains('info')) clearBanner(); }

function renderResults(ranked, all = false) {
  const ol = $('results');
  ol.textContent = '';
  const shown = all ? ranked : ranked.slice(0, SHOWN_RESULTS);
  for (const r of shown) {
    const fill = el('div');
    fill.style.width = `${Math.max(0.5, r.score * 100)}%`;
    ol.append(el('li', { title: `logit ${r.logit.toFixed(3)}` },
      el('span', { class: 'name' }, r.label), el('div', { class: 'track' }, fill), el('span', { class: 'pct' }, pct(r.score))));
  }
  if (!all && ranked.length > shown.length) {
    const more = el('button', { type: 'button', class: 'secondary small' }, `Show all ${ranked.length}`);
    more.addEventListener('click', () => renderResults(ranked, true));
    ol.append(el('li', { class: 'more' }, more));
  }
}

$('classify').addEventListener('click', runClassify);
const drop = $('drop');
drop.addEventListener('click', () => $('image-file').click());
drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('image-file').click(); } });
$('image-file').addEventListener('change', (e) => {
  const f = e.target.files[0];
  e.target.value = '';
  if (f) setImage(f, f.name);
});
// Files dropped anywhere go to the open tab (and never make the browser
// navigate away to the file); the drop zones only light up.
function routeFiles(files) {
  const tab = currentTab();
  if (tab === 'tag') tag.run(files);
  else if (tab === 'search') search.add(files);
  else setImage(files[0], files[0].name || 'pasted image');
}
for (const zone of [drop, $('panel-tag'), $('panel-search')]) {
  zone.addEventListener('dragover', () => zone.classList.add('over'));
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', () => zone.classList.remove('over'));
}
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => {
  e.preventDefault();
  const files = [...(e.dataTransfer?.files ?? [])];
  if (files.length) routeFiles(files);
});
document.addEventListener('paste', (e) => {
  if (e.target instanceof HTMLInputElement && e.target.type !== 'file') return;
  const files = [...(e.clipboardData?.files ?? [])];
  if (!files.length) return;
  e.preventDefault();
  routeFiles(files);
});

async function sampleBlob(s) {
  const res = await fetch(`web/samples/${s.file}`);
  if (!res.ok) throw new Error(`sample ${s.file}: HTTP ${res.status}`);
  return res.blob();
}

function renderSamples() {
  const box = $('samples');
  for (const s of state.samples) {
    const b = el('button', { type: 'button', title: s.caption, dataset: { file: s.file }, 'aria-label': `Sample: ${s.caption}` },
      el('img', { src: `web/samples/${s.file}`, alt: '', loading: 'lazy', width: 64, height: 64 }));
    b.addEventListener('click', async () => {
      try { setImage(await sampleBlob(s), s.file); } catch (err) { showError(errText(err)); }
    });
    box.append(b);
  }
}

// ---------- tabs ----------

function currentTab() {
  return document.querySelector('.tabs [aria-selected=true]').id.replace('tab-', '');
}
for (const t of document.querySelectorAll('.tabs button')) {
  t.addEventListener('click', () => {
    for (const o of document.querySelectorAll('.tabs button')) {
      o.setAttribute('aria-selected', String(o === t));
      $(o.getAttribute('aria-controls')).hidden = o !== t;
    }
    history.replaceState(null, '', `#${t.id.replace('tab-', '')}`);
  });
  t.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const all = [...document.querySelectorAll('.tabs button')];
    const next = all[(all.indexOf(t) + (e.key === 'ArrowRight' ? 1 : all.length - 1)) % all.length];
    next.click();
    next.focus();
  });
}

// ---------- tag ----------

const tag = (() => {
  let items = [];      // {name, url, probs, error}
  let labels = [];
  let template = '';
  let runId = 0;
  const grid = $('tag-grid');
  const threshold = () => Number($('tag-threshold').value);

  function tagsOf(it) {
    if (!it.probs) return [];
    return labels.map((label, i) => ({ label, score: it.probs[i] }))
      .filter((t) => t.score >= threshold()).sort((a, b) => b.score - a.score);
  }

  function card(it) {
    const body = el('div', { class: 'body' }, el('div', { class: 'fname', title: it.name }, it.name));
    if (it.error) body.append(el('div', { class: 'errtext' }, it.error));
    else if (!it.probs) body.append(el('div', { class: 'none' }, 'waiting…'));
    else {
      const tags = tagsOf(it);
      body.append(tags.length
        ? el('div', { class: 'tags' }, ...tags.map((t) => el('span', { class: 'tag', title: pct(t.score) }, `${t.label} ${pct(t.score)}`)))
        : el('div', { class: 'none' }, 'no label above the threshold'));
    }
    return el('div', { class: `card${it.error ? ' err' : ''}`, dataset: { name: it.name } },
      it.url ? el('img', { src: it.url, alt: it.name, decoding: 'async' }) : el('div', { class: 'noimg' }), body);
  }

  function render() {
    grid.textContent = '';
    if (!items.length) {
      grid.append(el('div', { class: 'empty' }, 'Pick images or a folder: each gets the labels from the Classify tab that score above the threshold.'));
    }
    for (const it of items) grid.append(card(it));
    const done = items.some((it) => it.probs);
    $('tag-export-json').disabled = !done;
    $('tag-export-csv').disabled = !done;
  }

  async function run(files) {
    files = imageFilesFrom(files);
    if (!files.length) { showError('None of those files look like images.'); return; }
    const id = ++runId;
    try {
      const model = await ensureModel();
      labels = state.labels.map((l) => l.trim()).filter(Boolean);
      template = $('template').value;
      if (!labels.length) throw new Error('There are no labels to tag with. Add labels in the Classify tab.');
      if (!template.includes('{}')) throw new Error('The prompt template needs “{}” where the label goes.');
      for (const it of items) if (it.url) URL.revokeObjectURL(it.url);
      // Headers first: a file over the size limits is never shown (an <img>
      // would decode it) nor embedded.
      items = [];
      for (const f of files) {
        const it = { name: f.webkitRelativePath || f.name, file: f, url: '', probs: null, error: '' };
        try {
          await model.imageInfo(f);
          it.url = URL.createObjectURL(f);
        } catch (err) {
          it.error = `Not readable as an image: ${errText(err)}`;
        }
        items.push(it);
      }
      if (id !== runId) return;
      render();
      $('tag-progress').hidden = false;
      $('tag-cancel').hidden = false;
      setProgress('tag', 0, `Preparing ${labels.length} labels…`);
      const texts = await model.embedText(labels.map((l) => formatPrompt(template, l)));
      const t0 = performance.now();
      for (let i = 0; i < items.length; i++) {
        if (id !== runId) return;
        const it = items[i];
        if (it.error) continue;
        setProgress('tag', i / items.length, `Tagging ${i + 1} of ${items.length}: ${it.name}`);
        try {
          const emb = await model.embedImage(it.file);
          it.probs = (await model.scores(emb, texts)).probs;
        } catch (err) {
          it.error = `Not readable as an image: ${errText(err)}`;
        }
        grid.children[i]?.replaceWith(card(it));
      }
      const ms = performance.now() - t0;
      $('tag-cancel').hidden = true;
      setProgress('tag', 1, `Tagged ${items.length} image${items.length === 1 ? '' : 's'} in ${ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`}`);
      render();
    } catch (err) {
      showError(errText(err));
    } finally {
      if (id === runId) setTimeout(() => { if (id === runId) $('tag-progress').hidden = true; }, 1200);
    }
  }

  function exportData() {
    return {
      model: state.modelName, template, threshold: threshold(), labels,
      images: items.map((it) => (it.error ? { file: it.name, error: it.error } : { file: it.name, tags: tagsOf(it).map((t) => ({ label: t.label, score: +t.score.toFixed(6) })) })),
    };
  }

  $('tag-files').addEventListener('change', (e) => { const fs = [...e.target.files]; e.target.value = ''; if (fs.length) run(fs); });
  $('tag-folder').addEventListener('change', (e) => { const fs = [...e.target.files]; e.target.value = ''; if (fs.length) run(fs); });
  $('tag-samples').addEventListener('click', async () => {
    try {
      run(await Promise.all(state.samples.map(async (s) => new File([await sampleBlob(s)], s.file, { type: 'image/png' }))));
    } catch (err) { showError(errText(err)); }
  });
  $('tag-cancel').addEventListener('click', () => { runId++; $('tag-progress').hidden = true; render(); });
  $('tag-threshold').addEventListener('input', () => {
    $('tag-threshold-out').textContent = threshold().toFixed(2);
    render();
  });
  $('tag-export-json').addEventListener('click', () => downloadFile('siglip-tags.json', 'application/json', JSON.stringify(exportData(), null, 2)));
  $('tag-export-csv').addEventListener('click', () => {
    const q = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
    const rows = ['file,label,score'];
    for (const im of exportData().images) {
      if (im.error) rows.push(`${q(im.file)},,`);
      else if (!im.tags.length) rows.push(`${q(im.file)},,`);
      else for (const t of im.tags) rows.push(`${q(im.file)},${q(t.label)},${t.score}`);
    }
    downloadFile('siglip-tags.csv', 'text/csv', `${rows.join('\n')}\n`);
  });

  return { run, render, reset() { runId++; for (const it of items) if (it.url) URL.revokeObjectURL(it.url); items = []; render(); }, exportData };
})();

// ---------- search (embeddings kept in IndexedDB) ----------

// Search embeddings belong to one model: named by its file's SHA-256, so a
// changed file never meets embeddings from its previous version.
function searchKey() { return state.model?.info.sha256 || state.modelKey; }

const search = (() => {
  let entries = [];   // {id, model, name, blob, embedding, url}
  let dbp = null;
  const grid = $('search-grid');

  function db() {
    if (!dbp) {
      dbp = new Promise((resolve, reject) => {
        const r = indexedDB.open('siglip-search', 1);
        r.onupgradeneeded = () => {
          const s = r.result.createObjectStore('images', { keyPath: 'id', autoIncrement: true });
          s.createIndex('model', 'model');
        };
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    }
    return dbp;
  }
  const tx = async (mode, fn) => {
    const d = await db();
    return new Promise((resolve, reject) => {
      const t = d.transaction('images', mode);
      const out = fn(t.objectStore('images'));
      t.oncomplete = () => resolve(out?.result ?? out);
      t.onerror = () => reject(t.error);
    });
  };

  function card(e, score, top) {
    return el('div', { class: `card${top ? ' best' : ''}`, dataset: { name: e.name } },
      el('img', { src: e.url, alt: e.name, decoding: 'async' }),
      el('div', { class: 'body' }, el('div', { class: 'fname', title: e.name }, e.name),
        score == null ? null : el('div', { class: 'rank' }, el('span', {}, 'match'), el('strong', {}, pct(score)))));
  }

  function renderAll() {
    grid.textContent = '';
    $('search-count').textContent = entries.length ? `${entries.length} image${entries.length === 1 ? '' : 's'} indexed for this model` : '';
    if (!entries.length) grid.append(el('div', { class: 'empty' }, 'Add images: each is embedded once and kept on this device; then search them by describing what you look for.'));
    for (const e of entries) grid.append(card(e));
  }

  async function load() {
    for (const e of entries) URL.revokeObjectURL(e.url);
    entries = [];
    try {
      const rows = await tx('readonly', (s) => s.index('model').getAll(searchKey()));
      entries = rows.map((r) => ({ ...r, url: URL.createObjectURL(r.blob) }));
    } catch (err) {
      showInfo(`Saved search images could not be read (${errText(err)}).`);
    }
    $('search-status').textContent = '';
    renderAll();
  }

  async function add(files) {
    files = imageFilesFrom(files);
    if (!files.length) { showError('None of those files look like images.'); return; }
    try {
      const model = await ensureModel();
      const key = searchKey();
      const have = new Set(entries.map((e) => `${e.name}:${e.blob.size}`));
      const todo = files.filter((f) => !have.has(`${f.name}:${f.size}`));
      $('search-progress').hidden = false;
      const failed = [];
      for (let i = 0; i < todo.length; i++) {
        const f = todo[i];
        setProgress('search', i / todo.length, `Embedding ${i + 1} of ${todo.length}: ${f.name}`);
        let embedding;
        try { embedding = await model.embedImage(f); } catch (err) { failed.push(`${f.name} (${errText(err)})`); continue; }
        if (key !== searchKey()) return;
        const row = { model: key, name: f.name, blob: new Blob([f], { type: f.type }), embedding, added: Date.now() };
        row.id = await tx('readwrite', (s) => s.add(row));
        entries.push({ ...row, url: URL.createObjectURL(row.blob) });
      }
      if (failed.length) showError(`Not added — not readable as images: ${failed.join('; ')}`);
      renderAll();
      $('search-status').textContent = todo.length ? `Added ${todo.length - failed.length} image(s).` : 'Those images are already indexed.';
      if ($('search-query').value.trim()) runSearch();
    } catch (err) {
      showError(errText(err));
    } finally {
      $('search-progress').hidden = true;
    }
  }

  async function runSearch() {
    const q = $('search-query').value.trim();
    if (!q) { renderAll(); return; }
    if (!entries.length) { $('search-status').textContent = 'Add some images first.'; return; }
    try {
      const model = await ensureModel();
      const t0 = performance.now();
      const ranked = await model.rank(q, entries.map((e) => e.embedding));
      const ms = performance.now() - t0;
      grid.textContent = '';
      ranked.forEach((r, i) => grid.append(card(entries[r.index], r.score, i === 0)));
      $('search-status').textContent = `${entries.length} images ranked for “${q}” in ${Math.round(ms)} ms`;
      $('search-status').dataset.top = entries[ranked[0].index].name;
    } catch (err) {
      showError(errText(err));
    }
  }

  $('search-files').addEventListener('change', (e) => { const fs = [...e.target.files]; e.target.value = ''; if (fs.length) add(fs); });
  $('search-samples').addEventListener('click', async () => {
    try {
      add(await Promise.all(state.samples.map(async (s) => new File([await sampleBlob(s)], s.file, { type: 'image/png' }))));
    } catch (err) { showError(errText(err)); }
  });
  $('search-clear').addEventListener('click', async () => {
    try {
      await tx('readwrite', (s) => { for (const e of entries) s.delete(e.id); });
    } catch (err) { showError(errText(err)); }
    load();
  });
  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); runSearch(); });

  return { load, add, runSearch };
})();

// ---------- start ----------

async function start() {
  if ('serviceWorker' in navigator) {
    // The service worker keeps the page itself available offline; models
    // live in the Cache API (above), search embeddings in IndexedDB.
    navigator.serviceWorker.register('web/sw.js', { scope: './' }).catch(() => {});
  }
  try {
    const res = await fetch('web/presets.json');
    const data = await res.json();
    state.presets = data.presets;
    state.samples = data.samples;
  } catch (err) {
    showError(`The page's label presets could not be read (${errText(err)}).`);
  }
  for (const [name, p] of Object.entries(state.presets)) $('preset').append(el('option', { value: name }, p.title));
  $('preset').append(el('option', { value: '' }, 'Custom'));
  applyPreset('general');
  renderSamples();
  tag.render();
  const tabFromHash = $(`tab-${location.hash.slice(1)}`);
  if (tabFromHash) tabFromHash.click();
  const cache = await openModelCache();
  const lastSource = async () => {
    let last = null;
    try { last = JSON.parse(localStorage.getItem('siglip.model') || 'null'); } catch { /* ignore */ }
    if (!(last?.key && cache && await cache.match(last.key))) return DEMO_MODEL;
    return last.key.includes('/web/models/local/')
      ? { name: last.name, arrayBuffer: async () => (await cache.match(last.key)).arrayBuffer() }
      : last.key;
  };
  $('model-backend').value = state.backend;
  $('model-backend').addEventListener('change', async () => {
    state.backend = $('model-backend').value;
    localStorage.setItem('siglip.backend', state.backend);
    await state.loading;
    loadModel(await lastSource()).catch(() => {});
  });
  const source = await lastSource();
  loadModel(source).catch(() => {
    if (source !== DEMO_MODEL) loadModel(DEMO_MODEL).catch(() => {});
  });
}

start();
