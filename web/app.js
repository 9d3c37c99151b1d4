// The demo page: Classify, Tag and Search, all inference in the SigLIP
// worker, each calling the public API (web/siglip.js). Models are kept in
// the Cache API (offline on the next visit), search embeddings in
// IndexedDB. No inline scripts, no eval, no requests outside this origin.
// The modules under app/ hold one concern each: dom (helpers), store (the
// model and the page's state), labels (chips, presets, the prompt
// settings), classify, tag, search, tabs; this file wires them and starts.
import { $, el, errText, showError } from './app/dom.js';
import { state, DEMO_MODEL, loadModel, openModelCache, onModelChange, isDemoModel } from './app/store.js';
import { applyPreset } from './app/labels.js';
import { runClassify, warmPrompts, renderSamples } from './app/classify.js';
import { tag } from './app/tag.js';
import { search } from './app/search.js';

onModelChange(() => {
  // The label preset follows the model unless the user made their own list.
  if (!state.labelsEdited) applyPreset(isDemoModel() ? 'demo' : 'general');
  $('results').textContent = '';
  $('classify-status').textContent = '';
  tag.reset();
  search.load();
  if (state.image) runClassify();
  else warmPrompts();
});


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
