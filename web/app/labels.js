// The labels and their prompt template: the chips, the presets, and the one
// place that trims labels and checks the template (promptSettings).

import { $, el } from './dom.js';
import { state } from './store.js';

/**
 * The labels to classify with (trimmed, empty ones dropped) and the
 * template; throws the page's message when there is nothing to use.
 */
export function promptSettings() {
  const labels = state.labels.map((l) => l.trim()).filter(Boolean);
  const template = $('template').value;
  if (!labels.length) throw new Error('There are no labels to compare the image with. Add a few labels (type one and press Enter).');
  if (!template.includes('{}')) throw new Error('The prompt template needs “{}” where the label goes, e.g. “This is a photo of {}.”');
  return { labels, template };
}

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

export function applyPreset(name) {
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

