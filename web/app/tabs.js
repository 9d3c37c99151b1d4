// The Classify / Tag / Search tabs.

import { $ } from './dom.js';

export function currentTab() {
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

