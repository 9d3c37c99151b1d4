// The page's small DOM helpers: element building, number formats, the
// banner, progress bars, downloads.

export const $ = (id) => document.getElementById(id);

export function el(tag, props = {}, ...children) {
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

export function mb(n) { return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`; }
export function pct(p) { return p >= 0.995 ? '100%' : p < 0.001 ? '<0.1%' : `${(p * 100).toFixed(p < 0.1 ? 1 : 0)}%`; }
export function errText(err) { return (err && err.message) ? err.message : String(err); }

export function showError(message) {
  $('banner').classList.remove('info');
  $('banner-text').textContent = message;
  $('banner').hidden = false;
}
export function showInfo(message) {
  showError(message);
  $('banner').classList.add('info');
}
export function clearBanner() { $('banner').hidden = true; }
$('banner-close').addEventListener('click', clearBanner);

export function setProgress(prefix, fraction, label) {
  const fill = $(`${prefix}-bar`);
  if (fraction == null) fill.classList.add('indeterminate');
  else { fill.classList.remove('indeterminate'); fill.style.width = `${Math.round(fraction * 100)}%`; }
  if (label != null) $(`${prefix}-label`).textContent = label;
}

export function downloadFile(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Accepts File/Blob; rejects obvious non-images early with a plain message
// (the Go decoder has the last word).
export function imageFilesFrom(list) {
  return [...list].filter((f) => !f.type || f.type.startsWith('image/') || /\.(png|jpe?g|gif|webp|bmp)$/i.test(f.name));
}

export function clearBannerIfError() { if (!$('banner').classList.contains('info')) clearBanner(); }
