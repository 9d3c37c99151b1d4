// The Classify tab: one image (picked, dropped, pasted or a sample) against
// the labels, through SigLIP.classify.

import { formatPrompt } from '../siglip.js';
import { $, el, pct, errText, showError, clearBannerIfError } from './dom.js';
import { state, ensureModel, sampleBlob } from './store.js';
import { promptSettings } from './labels.js';
import { currentTab } from './tabs.js';
import { tag } from './tag.js';
import { search } from './search.js';

const SHOWN_RESULTS = 12;

// warmPrompts embeds the current labels in the background right after a
// model loads, so the first classification only has the image left to do.
export async function warmPrompts() {
  const model = state.model;
  let settings;
  try { settings = promptSettings(); } catch { return; }
  if (!model) return;
  const status = $('classify-status');
  try {
    await model.embedText(settings.labels.map((l) => formatPrompt(settings.template, l)), {
      onProgress: (done, total) => { if (!state.image) status.textContent = `Preparing the labels… ${done} of ${total}`; },
    });
    if (!state.image) status.textContent = 'Ready: choose an image.';
  } catch {
    if (!state.image) status.textContent = '';
  }
}

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
    for (const b of document.querySelectorAll('.samples button')) b.classList.remove('active');
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

export async function runClassify() {
  const seq = ++state.classifySeq;
  const status = $('classify-status');
  const results = $('results');
  if (!state.image) { status.textContent = 'Choose an image first.'; return; }
  let labels, template;
  try {
    ({ labels, template } = promptSettings());
  } catch (err) {
    results.textContent = '';
    showError(errText(err));
    return;
  }
  status.textContent = state.model ? 'Classifying…' : 'Waiting for the model…';
  $('classify').disabled = true;
  try {
    const model = await ensureModel();
    const t0 = performance.now();
    const before = model.stats.textCacheHits;
    const image = state.image;
    let ranked;
    try {
      ranked = await model.classify(image.blob, labels, {
        template,
        onProgress: (done, total) => { if (seq === state.classifySeq) status.textContent = `Reading the labels… ${done} of ${total}`; },
      });
    } catch (err) {
      throw new Error(`Could not classify “${image.name}”: ${errText(err)}`);
    }
    const ms = performance.now() - t0;
    if (seq !== state.classifySeq) return; // a newer request superseded this one
    state.lastResults = ranked;
    state.lastClassified = { name: image.name, top: ranked[0].label, ms };
    renderResults(ranked);
    const cached = model.stats.textCacheHits - before;
    status.textContent = `${Math.round(ms)} ms · ${labels.length} labels${cached ? ` (${cached} cached)` : ''}`;
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

export function renderSamples() {
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

