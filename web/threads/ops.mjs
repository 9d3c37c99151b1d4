// How each simd128 kernel (web/kernels/simd.wat) splits across threads.
// Every split is by whole output rows (or, for gemm_f32 with few rows, by
// whole 8-column panels), so each output element is computed by exactly
// the same instructions as on one thread: int8 results stay bit-identical
// and f32 results identical too.
//
// split(args, parts, minWork) → null (run on the calling thread) or an
// array of argument lists, one per part. floats: indices of f32 arguments.

const TILE = 5; // the kernels' row tile: parts start on tile boundaries
const PANEL = 8;

// BLOCK_BYTES: the activations one matmul call sweeps per weight panel
// should stay in L2 (kernel/simd_js.go's simdBlockBytes). With threads, Go
// makes one call for all rows (kernel/simd_threads_js.go) and each part
// walks its rows in blocks of this size (run below).
const BLOCK_BYTES = 512 << 10;
const rowBlock = (rowBytes) => Math.max(TILE, Math.floor(BLOCK_BYTES / rowBytes / TILE) * TILE);

// runOp runs one part (or a whole call) of kernel `name` with the kernel
// exports k: ops with a run() walk row blocks, the others call k[name].
export function runOp(k, name, args) {
  const op = OPS[name];
  return op?.run ? op.run(k, args) : k[name](...args);
}

function rowParts(m, parts) {
  const per = Math.ceil(m / parts / TILE) * TILE;
  const out = [];
  for (let r0 = 0; r0 < m; r0 += per) out.push([r0, Math.min(m, r0 + per)]);
  return out;
}

export const OPS = {
  // matmul_q8(dst, q, sa, m, w, scales, bias, n, kp)
  matmul_q8: {
    code: 1,
    floats: [],
    run(k, a) {
      const [dst, q, sa, m, w, scales, bias, n, kp] = a;
      for (let r0 = 0, rb = rowBlock(2 * kp); r0 < m; r0 += rb) {
        k.matmul_q8(dst + r0 * n * 4, q + r0 * kp * 2, sa + r0 * 4, Math.min(rb, m - r0), w, scales, bias, n, kp);
      }
    },
    split(a, parts, minWork) {
      const [dst, q, sa, m, , , , n, kp] = a;
      if (m * n * kp < minWork || m < 2 * TILE) return null;
      return rowParts(m, parts).map(([r0, r1]) => {
        const b = a.slice();
        b[0] = dst + r0 * n * 4; b[1] = q + r0 * kp * 2; b[2] = sa + r0 * 4; b[3] = r1 - r0;
        return b;
      });
    },
  },
  // gemm_f32(dst, a, b, m, n, k, lda, ldbk, ldbp, ldc, scale, bias, bpad)
  gemm_f32: {
    code: 2,
    floats: [10],
    run(k, a) {
      const [dst, A, B, m, n, kk, lda, ldbk, ldbp, ldc, scale, bias, bpad] = a;
      for (let r0 = 0, rb = rowBlock(4 * kk); r0 < m; r0 += rb) {
        k.gemm_f32(dst + r0 * ldc * 4, A + r0 * lda * 4, B, Math.min(rb, m - r0), n, kk, lda, ldbk, ldbp, ldc, scale, bias, bpad);
      }
    },
    split(a, parts, minWork) {
      const [dst, A, B, m, n, k, lda, , ldbp, ldc, , bias] = a;
      if (m * n * k < minWork) return null;
      if (m >= 2 * TILE * parts || n < 2 * PANEL) {
        if (m < 2 * TILE) return null;
        return rowParts(m, parts).map(([r0, r1]) => {
          const b = a.slice();
          b[0] = dst + r0 * ldc * 4; b[1] = A + r0 * lda * 4; b[3] = r1 - r0;
          return b;
        });
      }
      // few rows (the text tower's short sequences, the pooling head):
      // split the columns by whole panels
      const panels = Math.ceil(n / PANEL);
      const per = Math.ceil(panels / parts) * PANEL;
      const out = [];
      for (let j0 = 0; j0 < n; j0 += per) {
        const b = a.slice();
        b[0] = dst + j0 * 4; b[2] = B + (j0 / PANEL) * ldbp * 4; b[4] = Math.min(n, j0 + per) - j0;
        if (bias) b[11] = bias + j0 * 4;
        out.push(b);
      }
      return out;
    },
  },
  // quantize_rows(a, m, k, kp, q, sa): per-row, O(m·k)
  quantize_rows: {
    code: 3,
    floats: [],
    split(a, parts, minWork) {
      const [A, m, k, kp, q, sa] = a;
      if (m * k * 16 < minWork || m < 2) return null;
      const per = Math.ceil(m / parts);
      const out = [];
      for (let r0 = 0; r0 < m; r0 += per) {
        out.push([A + r0 * k * 4, Math.min(m, r0 + per) - r0, k, kp, q + r0 * kp * 2, sa + r0 * 4]);
      }
      return out;
    },
  },
};

// Row ops: cheap per element, but the attention softmax, the layernorms
// and GELU are the serial remainder of a forward pass once the matmuls are
// split; EW weighs an element against a multiply-add for minWork.
const EW = 8;

function rowSplit(m, parts, at) {
  const per = Math.ceil(m / parts);
  const out = [];
  for (let r0 = 0; r0 < m; r0 += per) out.push(at(r0, Math.min(m, r0 + per)));
  return out;
}

// softmax_rows(x, m, n, ld)
OPS.softmax_rows = {
  code: 4,
  floats: [],
  split(a, parts, minWork) {
    const [x, m, n, ld] = a;
    if (m * n * EW < minWork || m < 2) return null;
    return rowSplit(m, parts, (r0, r1) => [x + r0 * ld * 4, r1 - r0, n, ld]);
  },
};

// layernorm(dst, src, m, n, gamma, beta, eps)
OPS.layernorm = {
  code: 5,
  floats: [6],
  split(a, parts, minWork) {
    const [dst, src, m, n, gamma, beta, eps] = a;
    if (m * n * EW < minWork || m < 2) return null;
    return rowSplit(m, parts, (r0, r1) => [dst + r0 * n * 4, src + r0 * n * 4, r1 - r0, n, gamma, beta, eps]);
  },
};

// gelu_tanh(x, n): element-wise; parts start on 16-element boundaries so
// every element sits in the same vector lane position as in one call
OPS.gelu_tanh = {
  code: 6,
  floats: [],
  split(a, parts, minWork) {
    const [x, n] = a;
    if (n * EW < minWork || n < 32) return null;
    const per = Math.ceil(n / parts / 16) * 16;
    const out = [];
    for (let i0 = 0; i0 < n; i0 += per) out.push([x + i0 * 4, Math.min(n, i0 + per) - i0]);
    return out;
  },
};

// transpose(dst, src, rows, cols, lds, ldd): dst[c][r] = src[r][c], a
// scalar strided copy (Kᵀ for attention's Q·Kᵀ, once per head); split by
// source rows, i.e. destination columns
OPS.transpose = {
  code: 7,
  floats: [],
  split(a, parts, minWork) {
    const [dst, src, rows, cols, lds, ldd] = a;
    if (rows * cols * 2 * EW < minWork || rows < 16) return null;
    const per = Math.ceil(rows / parts / 8) * 8;
    const out = [];
    for (let r0 = 0; r0 < rows; r0 += per) out.push([dst + r0 * 4, src + r0 * lds * 4, Math.min(rows, r0 + per) - r0, cols, lds, ldd]);
    return out;
  },
};

// matmul_q8x4(dst, q, sa, m, w, scales, corr, bias, n, kp): the int8
// product over relaxed SIMD's 4-wide dot (simd_relaxed.wat); q holds one
// byte per k (quantize_rows_u8)
OPS.matmul_q8x4 = {
  code: 8,
  floats: [],
  run(k, a) {
    const [dst, q, sa, m, w, scales, corr, bias, n, kp] = a;
    for (let r0 = 0, rb = rowBlock(kp); r0 < m; r0 += rb) {
      k.matmul_q8x4(dst + r0 * n * 4, q + r0 * kp, sa + r0 * 4, Math.min(rb, m - r0), w, scales, corr, bias, n, kp);
    }
  },
  split(a, parts, minWork) {
    const [dst, q, sa, m, , , , , n, kp] = a;
    if (m * n * kp < minWork || m < 2 * TILE) return null;
    return rowParts(m, parts).map(([r0, r1]) => {
      const b = a.slice();
      b[0] = dst + r0 * n * 4; b[1] = q + r0 * kp; b[2] = sa + r0 * 4; b[3] = r1 - r0;
      return b;
    });
  },
};

// quantize_rows_u8(a, m, k, k4, q, sa): per row, one byte per value
OPS.quantize_rows_u8 = {
  code: 9,
  floats: [],
  split(a, parts, minWork) {
    const [A, m, k, k4, q, sa] = a;
    if (m * k * 16 < minWork || m < 2) return null;
    return rowSplit(m, parts, (r0, r1) => [A + r0 * k * 4, r1 - r0, k, k4, q + r0 * k4, sa + r0 * 4]);
  },
};

// add_inplace(x, y, n): x[i] += y[i] (the residual adds)
OPS.add_inplace = {
  code: 10,
  floats: [],
  split(a, parts, minWork) {
    const [x, y, n] = a;
    if (n * 2 < minWork || n < 64) return null;
    const per = Math.ceil(n / parts / 16) * 16;
    const out = [];
    for (let i0 = 0; i0 < n; i0 += per) out.push([x + i0 * 4, y + i0 * 4, Math.min(n, i0 + per) - i0]);
    return out;
  },
};

// matmul_q4(dst, q, sa, m, w, sc, bias, n, nb, tmp, ntmp): by rows, part i
// with the i-th of the ntmp scratch areas of nb·144 bytes Go allocated
// after tmp (each part unpacks the weights into its own).
OPS.matmul_q4 = {
  code: 11,
  floats: [],
  split(a, parts, minWork) {
    const [dst, q, sa, m, , , , n, nb, tmp, ntmp] = a;
    parts = Math.min(parts, ntmp);
    if (parts < 2 || m * n * nb * 32 < minWork || m < 2) return null;
    const per = Math.ceil(m / parts);
    const out = [];
    for (let r0 = 0, i = 0; r0 < m; r0 += per, i++) {
      const b = a.slice();
      b[0] = dst + r0 * n * 4; b[1] = q + r0 * nb * 32; b[2] = sa + r0 * nb * 4;
      b[3] = Math.min(m, r0 + per) - r0; b[9] = tmp + i * nb * 144;
      out.push(b);
    }
    return out;
  },
};

export const OP_BY_CODE = Object.fromEntries(Object.entries(OPS).map(([name, op]) => [op.code, name]));
