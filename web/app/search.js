// The Search tab: images embedded once and kept in IndexedDB (per model),
// ranked for a text query.

import { $, el, pct, errText, showError, showInfo, setProgress, imageFilesFrom } from './dom.js';
import { state, ensureModel, sampleBlob } from './store.js';

// Search embeddings belong to one model: named by its file's SHA-256, so a
// changed file never meets embeddings from its previous version.
function searchKey() { return state.model?.info.sha256 || state.modelKey; }

export const search = (() => {
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

