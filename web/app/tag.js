// The Tag tab: many images, each with the labels that score above the
// threshold; JSON and CSV export.

import { formatPrompt } from '../siglip.js';
import { $, el, pct, errText, showError, setProgress, downloadFile, imageFilesFrom } from './dom.js';
import { state, ensureModel, sampleBlob } from './store.js';
import { promptSettings } from './labels.js';

export const tag = (() => {
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
      ({ labels, template } = promptSettings());
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
      await model.embedText(labels.map((l) => formatPrompt(template, l))); // once, before the images
      const t0 = performance.now();
      for (let i = 0; i < items.length; i++) {
        if (id !== runId) return;
        const it = items[i];
        if (it.error) continue;
        setProgress('tag', i / items.length, `Tagging ${i + 1} of ${items.length}: ${it.name}`);
        try {
          const ranked = await model.classify(it.file, labels, { template });
          const score = new Map(ranked.map((r) => [r.label, r.score]));
          it.probs = labels.map((l) => score.get(l));
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

