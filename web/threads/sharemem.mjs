// shareMemory rewrites a WebAssembly binary so that its single linear
// memory is imported as env.mem with the shared flag and a maximum — the
// load-time twin of Go's build/wasmshare (see its doc; the test checks that
// both give identical bytes). Go's js/wasm binaries define their memory;
// the worker kernels need it to be a SharedArrayBuffer-backed
// WebAssembly.Memory that the host creates and posts to every worker.
// A module that already imports its memory (the simd128 kernels) keeps its
// import with shared limits.
//
// Returns { bytes: Uint8Array, minPages, maxPages, imported }.

export const MAX_PAGES = 65536; // 4 GiB, the 32-bit limit

export function shareMemory(input, { module = 'env', name = 'mem', maxPages = MAX_PAGES } = {}) {
  const bin = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (maxPages > MAX_PAGES) throw new Error(`shareMemory: maximum ${maxPages} pages is above ${MAX_PAGES}`);
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bin.length < 8 || magic.some((b, i) => bin[i] !== b)) throw new Error('shareMemory: not a WebAssembly binary');

  const uleb = (b, p) => {
    let v = 0, shift = 0, n = 0;
    for (;;) {
      if (p + n >= b.length) throw new Error('shareMemory: truncated LEB128');
      const c = b[p + n++];
      v += (c & 0x7f) * 2 ** shift;
      if (!(c & 0x80)) return [v, n];
      shift += 7;
      if (shift > 35) throw new Error('shareMemory: LEB128 too long');
    }
  };
  const enc = (v) => {
    const out = [];
    for (;;) {
      const c = v % 128;
      v = Math.floor(v / 128);
      if (v) out.push(c | 0x80); else { out.push(c); return out; }
    }
  };
  const limits = (b, p) => {
    const flag = b[p];
    const [min, n1] = uleb(b, p + 1);
    let n = 1 + n1;
    if (flag === 0x01 || flag === 0x03) n += uleb(b, p + n)[1];
    else if (flag !== 0x00) throw new Error(`shareMemory: unsupported limits flag ${flag}`);
    if (min > maxPages) throw new Error(`shareMemory: memory minimum ${min} pages is above the maximum ${maxPages}`);
    return [min, n];
  };
  const shared = (min) => [0x03, ...enc(min), ...enc(maxPages)];

  const secs = [];
  for (let p = 8; p < bin.length;) {
    const id = bin[p];
    const [size, n] = uleb(bin, p + 1);
    const start = p + 1 + n;
    if (start + size > bin.length) throw new Error(`shareMemory: section ${id} runs past the end`);
    secs.push({ id, body: bin.subarray(start, start + size) });
    p = start + size;
  }
  const importIdx = secs.findIndex((s) => s.id === 2);
  const memIdx = secs.findIndex((s) => s.id === 5);

  let imported = false, minPages = 0;
  const imports = [];
  if (importIdx >= 0) {
    const body = secs[importIdx].body;
    let [count, p] = uleb(body, 0);
    for (let i = 0; i < count; i++) {
      const start = p;
      for (let f = 0; f < 2; f++) { const [l, n] = uleb(body, p); p += n + l; }
      const kind = body[p++];
      if (kind === 0x00) p += uleb(body, p)[1];
      else if (kind === 0x01) p += 1 + limits(body, p + 1)[1];
      else if (kind === 0x02) {
        if (imported) throw new Error('shareMemory: the module imports more than one memory');
        const [min, n] = limits(body, p);
        imported = true; minPages = min;
        imports.push(Uint8Array.from([...body.subarray(start, p), ...shared(min)]));
        p += n;
        continue;
      } else if (kind === 0x03) p += 2;
      else throw new Error(`shareMemory: import ${i}: unknown kind ${kind}`);
      imports.push(body.subarray(start, p));
    }
    if (p !== body.length) throw new Error('shareMemory: import section has trailing bytes');
  }
  if (memIdx >= 0) {
    if (imported) throw new Error('shareMemory: the module both imports and defines a memory');
    const body = secs[memIdx].body;
    const [count, p] = uleb(body, 0);
    if (count !== 1) throw new Error(`shareMemory: the module defines ${count} memories, want 1`);
    const [min, n] = limits(body, p);
    if (p + n !== body.length) throw new Error('shareMemory: memory section has trailing bytes');
    minPages = min;
    const te = new TextEncoder();
    const m = te.encode(module), f = te.encode(name);
    imports.push(Uint8Array.from([...enc(m.length), ...m, ...enc(f.length), ...f, 0x02, ...shared(min)]));
  } else if (!imported) {
    throw new Error('shareMemory: the module has no memory');
  }

  const importBody = concat([Uint8Array.from(enc(imports.length)), ...imports]);
  const parts = [Uint8Array.from(magic)];
  let wrote = false;
  const emit = (id, body) => { parts.push(Uint8Array.from([id, ...enc(body.length)]), body); };
  secs.forEach((s, i) => {
    if (i === importIdx) { emit(2, importBody); wrote = true; return; }
    if (i === memIdx) return;
    if (!wrote && s.id > 2) { emit(2, importBody); wrote = true; }
    emit(s.id, s.body);
  });
  if (!wrote) emit(2, importBody);
  return { bytes: concat(parts), minPages, maxPages, imported };
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
