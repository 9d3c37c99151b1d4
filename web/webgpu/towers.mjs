// The two SigLIP towers on WebGPU (model/vision.go, encoder.go, text.go
// are the definition; this is the same forward pass as a static list of
// compute dispatches over buffers made once).
//
// GPUTowers.create(tensors, copy, config) uploads every weight the towers
// read, in their stored (quantized) layouts, straight from the Go module's
// copy of the model file into mapped GPU buffers, compiles the
// kernels of shaders.mjs, and records the vision program (one image) and,
// per text batch size, a text program. A forward pass is one command
// buffer: the dispatches, a copy of the embeddings into a mappable buffer,
// one submit, one readback.
import * as W from './shaders.mjs';
import { weightFormat } from './modelfile.mjs';

const U = typeof GPUBufferUsage !== 'undefined' ? GPUBufferUsage : { STORAGE: 0x80, UNIFORM: 0x40, COPY_DST: 0x8, COPY_SRC: 0x4, MAP_READ: 0x1 };

// maxTexts: the largest text batch one program runs (bigger lists loop).
export const MAX_TEXTS = 16;

const activationOf = (name) => {
  if (name === 'gelu_pytorch_tanh' || name === 'gelu_new') return 'gelu_tanh';
  if (name === 'gelu') return 'gelu_erf';
  throw new Error(`webgpu: hidden_act ${name} is not supported`);
};

export class GPUTowers {
  /**
   * tensors: Map name → {name, dtype, shape, length} of the towers' tensors
   * as stored; copy(names, dsts) fills each Uint8Array with its tensor's
   * bytes (the Go module's gpuCopyTensors); config: the parsed config
   * (Go's, defaults filled in); gpu: navigator.gpu. onLost(info) is called
   * once if the device is lost. actQMax: kernel.ActQMax() (needed for q8
   * and q4 weights); dot4: false forces the i32 form of the int8 dot
   * product (tests). Throws (with a message saying why) where
   * the GPU cannot run this model.
   */
  static async create(tensors, copy, config, { gpu = globalThis.navigator?.gpu, onLost, adapter, actQMax, dot4 } = {}) {
    if (!gpu) throw new Error('webgpu: this browser has no WebGPU (navigator.gpu)');
    adapter = adapter ?? await gpu.requestAdapter();
    if (!adapter) throw new Error('webgpu: no WebGPU adapter');
    const t = new GPUTowers(adapter, config, tensors);
    // The q8/q4 products quantize activations to ±actQMax (kernel.ActQMax,
    // from the Go module: the bound its MatMulQ8 uses on this host).
    t.actQMax = actQMax;
    // dot4I8Packed where WGSL has it (unless a test asks for the i32 form).
    t.dot4 = dot4 ?? !!gpu.wgslLanguageFeatures?.has('packed_4x8_integer_dot_product');
    await t._init(copy, onLost);
    return t;
  }

  constructor(adapter, config, tensors) {
    this.adapter = adapter;
    this.cfg = config;
    this.tensors = tensors;
    const i = adapter.info ?? {};
    this.adapterInfo = { vendor: i.vendor ?? '', architecture: i.architecture ?? '', device: i.device ?? '', description: i.description ?? '' };
    this.uploadedBytes = 0;
    this.compileMs = 0;
    this.lost = null;
    this._pipelines = new Map();
    this._textPrograms = new Map();
  }

  async _init(copy, onLost) {
    const { tensors } = this;
    let largest = 0;
    for (const t of tensors.values()) largest = Math.max(largest, t.length);
    const v = this.cfg.vision_config, tc = this.cfg.text_config;
    const S = (v.image_size / v.patch_size) ** 2;
    const act = Math.max(S * Math.max(v.intermediate_size, 3 * v.hidden_size), MAX_TEXTS * tc.max_position_embeddings * tc.intermediate_size) * 4;
    const need = Math.max(largest, act);
    const lim = this.adapter.limits;
    if (need > lim.maxStorageBufferBindingSize || need > lim.maxBufferSize) {
      throw new Error(`webgpu: the model needs a ${need}-byte buffer, the adapter binds at most ${lim.maxStorageBufferBindingSize}`);
    }
    if (v.hidden_size / v.num_attention_heads > W.ATTENTION_MAX_HEAD_DIM || tc.hidden_size / tc.num_attention_heads > W.ATTENTION_MAX_HEAD_DIM) {
      throw new Error(`webgpu: attention heads over ${W.ATTENTION_MAX_HEAD_DIM} wide are not supported`);
    }
    const dev = await this.adapter.requestDevice({
      requiredLimits: { maxStorageBufferBindingSize: need, maxBufferSize: need },
    });
    this.device = dev;
    dev.lost.then((info) => {
      this.lost = info;
      onLost?.(info);
    });
    dev.pushErrorScope('validation');
    dev.pushErrorScope('out-of-memory');
    await this._upload(copy);
    await this._compileAll();
    this._vision = this._buildVision();
    const oom = await dev.popErrorScope();
    const bad = await dev.popErrorScope();
    if (oom || bad) throw new Error(`webgpu: ${(oom || bad).message}`);
  }

  // ---------- buffers ----------

  async _upload(copy) {
    this.weights = new Map();
    const v = this.cfg.vision_config, tc = this.cfg.text_config;
    const names = [], dsts = [];
    for (const [name, t] of this.tensors) {
      const buf = this.device.createBuffer({ label: name, size: Math.max(4, Math.ceil(t.length / 4) * 4), usage: U.STORAGE, mappedAtCreation: true });
      names.push(name);
      dsts.push(new Uint8Array(buf.getMappedRange()));
      this.weights.set(name, { t, buf });
      this.uploadedBytes += t.length;
    }
    try {
      await copy(names, dsts);
    } finally {
      for (const { buf } of this.weights.values()) buf.unmap();
    }
    const h = v.hidden_size, S = (v.image_size / v.patch_size) ** 2;
    const th = tc.hidden_size, T = MAX_TEXTS * tc.max_position_embeddings;
    const f = (n, label) => this.device.createBuffer({ label, size: Math.max(4, n * 4), usage: U.STORAGE | U.COPY_SRC | U.COPY_DST });
    // the int8 activations of a q8/q4 product (four to a word, rows padded
    // to blocks of 32) and their scales (per row, or per row and block)
    const kmax = (c, extra = 0) => Math.ceil(Math.max(c.hidden_size, c.intermediate_size, extra) / 32);
    const vk = kmax(v, v.num_channels * v.patch_size * v.patch_size), tk = kmax(tc);
    this.vb = {
      pixels: f(v.num_channels * v.image_size * v.image_size, 'pixels'),
      patches: f(S * v.num_channels * v.patch_size * v.patch_size, 'patches'),
      x: f(S * h, 'v.x'), h: f(S * h, 'v.h'), q: f(S * h, 'v.q'), k: f(S * h, 'v.k'), v: f(S * h, 'v.v'),
      att: f(S * h, 'v.att'), mlp: f(S * v.intermediate_size, 'v.mlp'), kv: f(S * 2 * h, 'v.kv'),
      xq: f(S * vk * 8, 'v.xq'), xs: f(S * vk, 'v.xs'),
      probe: f(h, 'probeQ'), att1: f(h, 'v.att1'), pooled: f(h, 'v.pooled'), h1: f(h, 'v.h1'), mlp1: f(v.intermediate_size, 'v.mlp1'),
      read: this.device.createBuffer({ label: 'v.read', size: h * 4, usage: U.MAP_READ | U.COPY_DST }),
    };
    this.tb = {
      ids: f(T, 'ids'), x: f(T * th, 't.x'), h: f(T * th, 't.h'), q: f(T * th, 't.q'), k: f(T * th, 't.k'), v: f(T * th, 't.v'),
      att: f(T * th, 't.att'), mlp: f(T * tc.intermediate_size, 't.mlp'), last: f(MAX_TEXTS * th, 't.last'),
      xq: f(T * tk * 8, 't.xq'), xs: f(T * tk, 't.xs'),
      pooled: f(MAX_TEXTS * tc.projection_size, 't.pooled'),
      read: this.device.createBuffer({ label: 't.read', size: MAX_TEXTS * tc.projection_size * 4, usage: U.MAP_READ | U.COPY_DST }),
    };
  }

  _w(name) {
    const w = this.weights.get(name);
    if (!w) throw new Error(`webgpu: the model file has no tensor ${name}`);
    return w;
  }

  _uniform(words) {
    const buf = this.device.createBuffer({ size: words.length * 4, usage: U.UNIFORM, mappedAtCreation: true });
    const u = new Uint32Array(buf.getMappedRange());
    const fl = new Float32Array(u.buffer);
    words.forEach((x, i) => { if (typeof x === 'object') fl[i] = x.f; else u[i] = x; });
    buf.unmap();
    return buf;
  }

  // ---------- kernels ----------

  _kernelKeys() {
    const keys = new Set(['layernorm', 'attention', 'patches']);
    const linears = [];
    for (const [name, { t }] of this.weights) {
      if (t.dtype === 'F32' && !name.endsWith('.weight') && !name.endsWith('in_proj_weight')) continue;
      if (name.endsWith('.scale') || name.includes('layer_norm') || name.includes('layernorm') || name.endsWith('position_embedding.weight')) continue;
      if (name === 'vision_model.head.probe') continue;
      linears.push(name);
    }
    for (const name of linears) {
      const { fmt, scaleF16 } = this._fmt(name);
      if (name === 'text_model.embeddings.token_embedding.weight') { keys.add(`embed:${fmt}:${scaleF16}`); continue; }
      const tower = name.startsWith('vision_model.') ? this.cfg.vision_config : this.cfg.text_config;
      const a = activationOf(tower.hidden_act);
      for (const op of ['store', 'act', 'residual', 'pos']) keys.add(this._matmulKey(fmt, op, a, scaleF16));
      if (fmt === 'q8' || fmt === 'q4') keys.add('quantize');
    }
    return keys;
  }

  _matmulKey(fmt, op, a, scaleF16) {
    const int = fmt === 'q8' || fmt === 'q4';
    return `matmul:${fmt}:${op}:${a}:${scaleF16}:${int && this.dot4}`;
  }

  _fmt(name) {
    const { t } = this._w(name);
    const fmt = weightFormat(t);
    const s = this.weights.get(name + '.scale');
    return { fmt, scaleF16: !!s && s.t.dtype === 'F16' };
  }

  _source(key) {
    const [kind, ...a] = key.split(':');
    switch (kind) {
      case 'matmul': return W.matmul(a[0], a[1], a[2], a[3] === 'true', a[4] === 'true');
      case 'quantize': return W.quantize();
      case 'embed': return W.embed(a[0], a[1] === 'true');
      case 'layernorm': return W.layernorm();
      case 'attention': return W.attention();
      case 'patches': return W.patches();
    }
    throw new Error(`webgpu: unknown kernel ${key}`);
  }

  async _compileAll() {
    const t0 = performance.now();
    const keys = [...this._kernelKeys()];
    await Promise.all(keys.map(async (key) => {
      const src = this._source(key);
      const module = this.device.createShaderModule({ label: key, code: src.code });
      const layout = this.device.createBindGroupLayout({
        label: key,
        entries: src.bindings.map(([, kind], i) => ({
          binding: i, visibility: GPUShaderStage.COMPUTE,
          buffer: { type: kind === 'uniform' ? 'uniform' : kind === 'rw' ? 'storage' : 'read-only-storage' },
        })),
      });
      let pipeline;
      try {
        pipeline = await this.device.createComputePipelineAsync({
          label: key, layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
          compute: { module, entryPoint: 'main' },
        });
      } catch (err) {
        const info = await module.getCompilationInfo?.();
        const msgs = info?.messages?.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
        throw new Error(`webgpu: kernel ${key} does not compile: ${msgs || err.message}`);
      }
      this._pipelines.set(key, { pipeline, layout, bindings: src.bindings });
    }));
    this.compileMs = performance.now() - t0;
  }

  // _step makes one recorded dispatch: the kernel key, its buffers by
  // binding name, the uniform words, the workgroup counts.
  _step(key, bufs, words, groups) {
    const k = this._pipelines.get(key);
    if (!k) throw new Error(`webgpu: kernel ${key} was not compiled`);
    const u = this._uniform(words);
    const entries = k.bindings.map(([name, kind], i) => {
      const b = kind === 'uniform' ? u : bufs[name];
      if (!b) throw new Error(`webgpu: ${key}: no buffer for ${name}`);
      return { binding: i, resource: { buffer: b } };
    });
    return { pipeline: k.pipeline, bind: this.device.createBindGroup({ layout: k.layout, entries }), groups };
  }

  // linear records Y (op)= X·Wᵀ + b over M rows. For q8/q4 weights, X is
  // first quantized into qb.xq / qb.xs (the tower's buffers), unless
  // reuseQ and the step before quantized the same X the same way (q, k
  // and v share their input).
  _linear(steps, wname, bname, X, Y, M, N, K, op, { rowOff = 0, biasOff = 0, E = null, S = 0, tower, qb, reuseQ = false } = {}) {
    const { fmt, scaleF16 } = this._fmt(wname);
    const a = activationOf(tower.hidden_act);
    const bufs = { X, W: this._w(wname).buf, B: this._w(bname).buf, Y };
    if (K % 4 !== 0) throw new Error(`webgpu: ${wname} has rows of ${K} values; the GPU kernels need a multiple of 4`);
    if (fmt === 'q8' || fmt === 'q4') {
      if (!(this.actQMax > 0)) throw new Error('webgpu: no activation bound (actQMax) for the q8/q4 products');
      bufs.S = this._w(wname + '.scale').buf;
      const block = fmt === 'q8' ? K : 32, groups = Math.ceil(K / block);
      const q = { X, M, K, block };
      const last = steps.lastQ;
      if (!(reuseQ && last && last.X === X && last.M === M && last.K === K && last.block === block)) {
        const n = M * groups;
        steps.push(this._step('quantize', { X, Q: qb.xq, A: qb.xs }, [M, K, block, groups, { f: this.actQMax }, groups * block / 4, 0, 0],
          [Math.min(Math.ceil(n / 64), 65535), Math.ceil(Math.ceil(n / 64) / 65535), 1]));
      }
      steps.lastQ = q;
      bufs.X = qb.xq;
      bufs.A = qb.xs;
    } else {
      steps.lastQ = null;
    }
    if (E) bufs.E = E;
    steps.push(this._step(this._matmulKey(fmt, op, a, scaleF16), bufs, [M, N, K, rowOff, biasOff, S, 0, 0], [Math.ceil(N / 128), Math.ceil(M / 4), 1]));
  }

  _layernorm(steps, prefix, X, Y, rows, dim, eps, step = 1, off = 0) {
    steps.push(this._step('layernorm', { X, G: this._w(prefix + '.weight').buf, Bt: this._w(prefix + '.bias').buf, Y },
      [rows, dim, step, off, { f: eps }, 0, 0, 0], [Math.ceil(rows / 64), 1, 1]));
  }

  _encoder(steps, prefix, tower, b, n, seq) {
    const h = tower.hidden_size, I = tower.intermediate_size, T = n * seq;
    const hd = h / tower.num_attention_heads;
    for (let l = 0; l < tower.num_hidden_layers; l++) {
      const p = `${prefix}.layers.${l}.`;
      const o = { tower, qb: b };
      this._layernorm(steps, p + 'layer_norm1', b.x, b.h, T, h, tower.layer_norm_eps);
      this._linear(steps, p + 'self_attn.q_proj.weight', p + 'self_attn.q_proj.bias', b.h, b.q, T, h, h, 'store', o);
      this._linear(steps, p + 'self_attn.k_proj.weight', p + 'self_attn.k_proj.bias', b.h, b.k, T, h, h, 'store', { ...o, reuseQ: true });
      this._linear(steps, p + 'self_attn.v_proj.weight', p + 'self_attn.v_proj.bias', b.h, b.v, T, h, h, 'store', { ...o, reuseQ: true });
      steps.push(this._step('attention', { Q: b.q, K: b.k, V: b.v, O: b.att }, [seq, seq, hd, h, h, h, 0, 0], [Math.ceil(seq / 64), tower.num_attention_heads, n]));
      this._linear(steps, p + 'self_attn.out_proj.weight', p + 'self_attn.out_proj.bias', b.att, b.x, T, h, h, 'residual', o);
      this._layernorm(steps, p + 'layer_norm2', b.x, b.h, T, h, tower.layer_norm_eps);
      this._linear(steps, p + 'mlp.fc1.weight', p + 'mlp.fc1.bias', b.h, b.mlp, T, I, h, 'act', o);
      this._linear(steps, p + 'mlp.fc2.weight', p + 'mlp.fc2.bias', b.mlp, b.x, T, h, I, 'residual', o);
    }
  }

  _buildVision() {
    const v = this.cfg.vision_config, b = this.vb;
    const h = v.hidden_size, g = v.image_size / v.patch_size, S = g * g, pv = v.num_channels * v.patch_size * v.patch_size;
    const o = { tower: v, qb: b };
    // The probe's query projection is the same for every image: once, now.
    const once = [];
    this._linear(once, 'vision_model.head.attention.in_proj_weight', 'vision_model.head.attention.in_proj_bias',
      this._w('vision_model.head.probe').buf, b.probe, 1, h, h, 'store', o);
    this._run(once);
    const steps = [];
    const total = S * pv;
    steps.push(this._step('patches', { X: b.pixels, P: b.patches }, [v.image_size, v.patch_size, g, v.num_channels, total, 0, 0, 0],
      [Math.min(Math.ceil(total / 256), 65535), Math.ceil(Math.ceil(total / 256) / 65535), 1]));
    this._linear(steps, 'vision_model.embeddings.patch_embedding.weight', 'vision_model.embeddings.patch_embedding.bias',
      b.patches, b.x, S, h, pv, 'pos', { ...o, E: this._w('vision_model.embeddings.position_embedding.weight').buf, S });
    this._encoder(steps, 'vision_model.encoder', v, b, 1, S);
    this._layernorm(steps, 'vision_model.post_layernorm', b.x, b.h, S, h, v.layer_norm_eps);
    // Keys and values of the head: in_proj rows h..3h (the query is the probe's).
    this._linear(steps, 'vision_model.head.attention.in_proj_weight', 'vision_model.head.attention.in_proj_bias',
      b.h, b.kv, S, 2 * h, h, 'store', { ...o, rowOff: h, biasOff: h });
    steps.push(this._step('attention', { Q: b.probe, K: b.kv, V: b.kv, O: b.att1 }, [S, 1, h / v.num_attention_heads, h, h, 2 * h, 0, h],
      [1, v.num_attention_heads, 1]));
    this._linear(steps, 'vision_model.head.attention.out_proj.weight', 'vision_model.head.attention.out_proj.bias', b.att1, b.pooled, 1, h, h, 'store', o);
    this._layernorm(steps, 'vision_model.head.layernorm', b.pooled, b.h1, 1, h, v.layer_norm_eps);
    this._linear(steps, 'vision_model.head.mlp.fc1.weight', 'vision_model.head.mlp.fc1.bias', b.h1, b.mlp1, 1, v.intermediate_size, h, 'act', o);
    this._linear(steps, 'vision_model.head.mlp.fc2.weight', 'vision_model.head.mlp.fc2.bias', b.mlp1, b.pooled, 1, h, v.intermediate_size, 'residual', o);
    return { steps, out: b.pooled, read: b.read, bytes: h * 4 };
  }

  _buildText(n, seq) {
    const c = this.cfg.text_config, b = this.tb;
    const h = c.hidden_size, T = n * seq;
    const steps = [];
    const { fmt, scaleF16 } = this._fmt('text_model.embeddings.token_embedding.weight');
    const tok = this._w('text_model.embeddings.token_embedding.weight');
    const bufs = { I: b.ids, W: tok.buf, E: this._w('text_model.embeddings.position_embedding.weight').buf, Y: b.x };
    if (fmt !== 'f32' && fmt !== 'f16') bufs.S = this._w('text_model.embeddings.token_embedding.weight.scale').buf;
    const wg = Math.ceil(T * h / 256);
    steps.push(this._step(`embed:${fmt}:${scaleF16}`, bufs, [T, h, seq, 0], [Math.min(wg, 65535), Math.ceil(wg / 65535), 1]));
    this._encoder(steps, 'text_model.encoder', c, b, n, seq);
    // final_layer_norm on the last token of each sequence (what the head reads)
    this._layernorm(steps, 'text_model.final_layer_norm', b.x, b.last, n, h, c.layer_norm_eps, seq, seq - 1);
    this._linear(steps, 'text_model.head.weight', 'text_model.head.bias', b.last, b.pooled, n, c.projection_size, h, 'store', { tower: c, qb: b });
    return { steps, out: b.pooled, read: b.read, bytes: n * c.projection_size * 4 };
  }

  // ---------- running ----------

  _encode(steps, enc) {
    const pass = enc.beginComputePass();
    for (const s of steps) {
      pass.setPipeline(s.pipeline);
      pass.setBindGroup(0, s.bind);
      pass.dispatchWorkgroups(...s.groups);
    }
    pass.end();
  }

  _run(steps) {
    const enc = this.device.createCommandEncoder();
    this._encode(steps, enc);
    this.device.queue.submit([enc.finish()]);
  }

  // _forward runs a program: one command buffer (dispatches + copy of the
  // embeddings), one submit, one readback.
  async _forward(prog) {
    if (this.lost) throw new Error(`webgpu: the device was lost (${this.lost.message || this.lost.reason})`);
    const enc = this.device.createCommandEncoder();
    this._encode(prog.steps, enc);
    enc.copyBufferToBuffer(prog.out, 0, prog.read, 0, prog.bytes);
    this.device.queue.submit([enc.finish()]);
    this.submits = (this.submits ?? 0) + 1;
    this.afterSubmit?.();
    await prog.read.mapAsync(GPUMapMode.READ, 0, prog.bytes);
    const out = new Float32Array(prog.read.getMappedRange(0, prog.bytes).slice(0));
    prog.read.unmap();
    return out;
  }

  /** Embeds one preprocessed image ([C][size][size] floats): L2-normalised. */
  async embedPixels(pixels) {
    const v = this.cfg.vision_config;
    if (pixels.length !== v.num_channels * v.image_size * v.image_size) throw new Error(`webgpu: ${pixels.length} pixel values, the model takes ${v.num_channels * v.image_size * v.image_size}`);
    this.device.queue.writeBuffer(this.vb.pixels, 0, pixels);
    return normalizeRows(await this._forward(this._vision), v.hidden_size);
  }

  /** Embeds n token sequences ids[n·seq] (seq ≤ max_position_embeddings): L2-normalised rows. */
  async embedIds(ids, n, seq) {
    const c = this.cfg.text_config, d = c.projection_size;
    if (!(seq >= 1 && seq <= c.max_position_embeddings) || ids.length !== n * seq) {
      throw new Error(`webgpu: ${ids.length} token ids for ${n} sequences of ${seq} (at most ${c.max_position_embeddings})`);
    }
    const out = new Float32Array(n * d);
    for (let lo = 0; lo < n; lo += MAX_TEXTS) {
      const m = Math.min(MAX_TEXTS, n - lo);
      for (let i = lo * seq; i < (lo + m) * seq; i++) {
        if (ids[i] < 0 || ids[i] >= c.vocab_size) throw new Error(`webgpu: token id ${ids[i]} is outside the vocabulary`);
      }
      let prog = this._textPrograms.get(`${m}:${seq}`);
      if (!prog) { prog = this._buildText(m, seq); this._textPrograms.set(`${m}:${seq}`, prog); }
      this.device.queue.writeBuffer(this.tb.ids, 0, new Uint32Array(ids.buffer, ids.byteOffset + lo * seq * 4, m * seq));
      out.set(normalizeRows(await this._forward(prog), d), lo * d);
    }
    return out;
  }

  destroy() {
    this.device?.destroy();
  }
}

// normalizeRows L2-normalises each row in place (as model.normalizeRows:
// the sum of squares in float64).
function normalizeRows(x, d) {
  for (let r = 0; r < x.length; r += d) {
    let s = 0;
    for (let i = r; i < r + d; i++) s += x[i] * x[i];
    const norm = Math.fround(Math.sqrt(s));
    for (let i = r; i < r + d; i++) x[i] = x[i] / norm;
  }
  return x;
}
