;; The relaxed-SIMD forms: the f32 matrix product with the fused multiply-add
;; (f32x4.relaxed_madd; gemm_f32.wat.in, shared with simd.wat), and the int8
;; product over i32x4.relaxed_dot_i8x16_i7x16_add_s (matmul_q8x4, used only
;; where dot_exact() says it is exact), for hosts that have relaxed SIMD
;; (Chromium ≥ 114; not Node 20 without --experimental-wasm-relaxed-simd).
;; web/kernels/loader.mjs instantiates this module only when
;; WebAssembly.validate accepts it; Go imports its exports as the module
;; "simd_relaxed" and decides where they run (kernel/simd_js.go).
(module
  (import "env" "mem" (memory 1))

  ;; @include gemm_f32.wat.in

  ;; ------------------------------------- int8 product with a 4-wide dot

  ;; dot_exact() reports whether i32x4.relaxed_dot_i8x16_i7x16_add_s is the
  ;; exact "signed a × unsigned b" dot product for every b in 0..255 on this
  ;; host (x64 with AVX-VNNI: V8 emits vpdpbusd). Relaxed SIMD leaves b ≥ 128
  ;; implementation-defined (pmaddubsw saturates, ARM may read b as signed),
  ;; so Go uses matmul_q8x4 only where this probe answers 1: then its int32
  ;; sums are exact and the product stays bit-identical to RefMatMulQ8.
  (func (export "dot_exact") (result i32)
    (local $ok i32)
    (local.set $ok (i32.eq (i32x4.extract_lane 0 (i32x4.relaxed_dot_i8x16_i7x16_add_s
      (i8x16.splat (i32.const 127)) (i8x16.splat (i32.const 255)) (v128.const i32x4 0 0 0 0))) (i32.const 129540)))
    (local.set $ok (i32.and (local.get $ok) (i32.eq (i32x4.extract_lane 3 (i32x4.relaxed_dot_i8x16_i7x16_add_s
      (i8x16.splat (i32.const -127)) (i8x16.splat (i32.const 255)) (v128.const i32x4 7 7 7 7))) (i32.const -129533))))
    (local.set $ok (i32.and (local.get $ok) (i32.eq (i32x4.extract_lane 1 (i32x4.relaxed_dot_i8x16_i7x16_add_s
      (v128.const i8x16 -127 1 -127 1 -127 1 -127 1 -127 1 -127 1 -127 1 -127 1)
      (v128.const i8x16 200 128 200 128 200 128 200 128 200 128 200 128 200 128 200 128)
      (v128.const i32x4 0 0 0 0))) (i32.const -50544))))
    (local.get $ok))

  ;; $q8_out writes one output row of a panel:
  ;; y = float32(float32(acc) * float32(sa*scale)) + bias, cnt valid lanes.
  (func $q8_out (param $dp i32) (param $lo v128) (param $hi v128) (param $sa f32)
                (param $slo v128) (param $shi v128) (param $blo v128) (param $bhi v128) (param $cnt i32)
    (local $s v128)
    (local.set $s (f32x4.splat (local.get $sa)))
    (call $st4p (local.get $dp)
      (f32x4.add (f32x4.mul (f32x4.convert_i32x4_s (local.get $lo)) (f32x4.mul (local.get $s) (local.get $slo)))
                 (local.get $blo))
      (local.get $cnt))
    (call $st4p (i32.add (local.get $dp) (i32.const 16))
      (f32x4.add (f32x4.mul (f32x4.convert_i32x4_s (local.get $hi)) (f32x4.mul (local.get $s) (local.get $shi)))
                 (local.get $bhi))
      (i32.sub (local.get $cnt) (i32.const 4))))

  ;; $ld4i loads min(cnt,4) i32 lanes from p, zero-filling the rest.
  (func $ld4i (param $p i32) (param $cnt i32) (result v128)
    (call $ld4p (local.get $p) (local.get $cnt)))

;; matmul_q8x4(dst, q, sa, m, w, scales, corr, bias, n, kp): Y[m][n] =
  ;; A·Wᵀ with the int8 semantics of kernel/doc.go, for hosts where
  ;; dot_exact() = 1, over the same PackedQ8 as matmul_q8 (kp a multiple of
  ;; 4). q: activations of quantize_rows_u8, one byte per k, qa+128 (1..255),
  ;; rows of kp bytes. Each step reads two k-pairs of a panel (32 bytes) and
  ;; interleaves them so that lane j holds output j's 4 consecutive weights;
  ;; one relaxed dot (vpdpbusd) then adds 4 products into each of 4 outputs
  ;; (16 MACs), where the pairwise i32x4.dot_i16x8_s adds 8 and needs the
  ;; activations widened to i16. corr[n] = 128·Σ_k Q[n][k] removes the +128
  ;; offset: Σ Q·(qa+128) − corr = Σ Q·qa exactly (|sum| < 2^31 for
  ;; K < 66000). Tile: 5 rows × one 8-output panel, as matmul_q8.
  (func (export "matmul_q8x4")
    (param $dst i32) (param $q i32) (param $sa i32) (param $m i32)
    (param $w i32) (param $scales i32) (param $corr i32) (param $bias i32) (param $n i32) (param $kp i32)
    (local $p i32) (local $np i32) (local $n0 i32) (local $cnt i32) (local $wp0 i32) (local $wp i32)
    (local $i0 i32) (local $rs i32) (local $last i32) (local $off i32) (local $end i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $a4 i32)
    (local $slo v128) (local $shi v128) (local $blo v128) (local $bhi v128) (local $klo v128) (local $khi v128)
    (local $wl v128) (local $wh v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128)
    (local $c21 v128) (local $c30 v128) (local $c31 v128) (local $c40 v128) (local $c41 v128)
    (if (i32.le_s (local.get $m) (i32.const 0)) (then (return)))
    (local.set $np (i32.shr_u (i32.add (local.get $n) (i32.const 7)) (i32.const 3)))
    (local.set $rs (local.get $kp))                                  ;; bytes per activation row
    (local.set $end (local.get $kp))
    (local.set $last (i32.add (local.get $q) (i32.mul (i32.sub (local.get $m) (i32.const 1)) (local.get $rs))))
    (block $pdone (loop $panels
      (br_if $pdone (i32.ge_s (local.get $p) (local.get $np)))
      (local.set $n0 (i32.shl (local.get $p) (i32.const 3)))
      (local.set $cnt (i32.sub (local.get $n) (local.get $n0)))
      (local.set $wp0 (i32.add (local.get $w) (i32.mul (local.get $p) (i32.shl (local.get $kp) (i32.const 3)))))
      (local.set $slo (call $ld4p (i32.add (local.get $scales) (i32.shl (local.get $n0) (i32.const 2))) (local.get $cnt)))
      (local.set $shi (call $ld4p (i32.add (local.get $scales) (i32.shl (i32.add (local.get $n0) (i32.const 4)) (i32.const 2)))
                                  (i32.sub (local.get $cnt) (i32.const 4))))
      (local.set $klo (call $ld4i (i32.add (local.get $corr) (i32.shl (local.get $n0) (i32.const 2))) (local.get $cnt)))
      (local.set $khi (call $ld4i (i32.add (local.get $corr) (i32.shl (i32.add (local.get $n0) (i32.const 4)) (i32.const 2)))
                                  (i32.sub (local.get $cnt) (i32.const 4))))
      (local.set $blo (call $bias4 (select (i32.add (local.get $bias) (i32.shl (local.get $n0) (i32.const 2))) (i32.const 0) (local.get $bias))
                                   (local.get $cnt)))
      (local.set $bhi (call $bias4 (select (i32.add (local.get $bias) (i32.shl (i32.add (local.get $n0) (i32.const 4)) (i32.const 2))) (i32.const 0) (local.get $bias))
                                   (i32.sub (local.get $cnt) (i32.const 4))))
      (local.set $i0 (i32.const 0))
      (block $rdone (loop $rows
        (br_if $rdone (i32.ge_s (local.get $i0) (local.get $m)))
        (local.set $a0 (i32.add (local.get $q) (i32.mul (local.get $i0) (local.get $rs))))
        (local.set $a1 (i32.add (local.get $a0) (local.get $rs)))
        (if (i32.gt_u (local.get $a1) (local.get $last)) (then (local.set $a1 (local.get $last))))
        (local.set $a2 (i32.add (local.get $a1) (local.get $rs)))
        (if (i32.gt_u (local.get $a2) (local.get $last)) (then (local.set $a2 (local.get $last))))
        (local.set $a3 (i32.add (local.get $a2) (local.get $rs)))
        (if (i32.gt_u (local.get $a3) (local.get $last)) (then (local.set $a3 (local.get $last))))
        (local.set $a4 (i32.add (local.get $a3) (local.get $rs)))
        (if (i32.gt_u (local.get $a4) (local.get $last)) (then (local.set $a4 (local.get $last))))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
        (local.set $c40 (v128.const i32x4 0 0 0 0)) (local.set $c41 (v128.const i32x4 0 0 0 0))
        (local.set $wp (local.get $wp0))
        (local.set $off (i32.const 0))
        (block $kdone (loop $k
          (br_if $kdone (i32.ge_u (local.get $off) (local.get $end)))
          ;; two k-pairs of the PackedQ8 layout, interleaved by 16-bit units
          ;; (punpcklwd/punpckhwd): lane j of wl = output j's k..k+3 (j < 4),
          ;; of wh = output 4+j's
          (local.set $wl (v128.load (local.get $wp)))
          (local.set $wh (v128.load offset=16 (local.get $wp)))
          (local.set $x (local.get $wl))
          (local.set $wl (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $x) (local.get $wh)))
          (local.set $wh (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $x) (local.get $wh)))
          (local.set $x (i32x4.splat (i32.load (i32.add (local.get $a0) (local.get $off)))))
          (local.set $c00 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $wl) (local.get $x) (local.get $c00)))
          (local.set $c01 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $wh) (local.get $x) (local.get $c01)))
          (local.set $x (i32x4.splat (i32.load (i32.add (local.get $a1) (local.get $off)))))
          (local.set $c10 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $wl) (local.get $x) (local.get $c10)))
          (local.set $c11 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $wh) (local.get $x) (local.get $c11)))
          (local.set $x (i32x4.splat (i32.load (i32.add (local.get $a2) (local.get $off)))))
          (local.set $c20 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $wl) (local.get $x) (local.get $c20)))
          (local.set $c21 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $wh) (local.get $x) (local.get $c21)))
          (local.set $x (i32x4.splat (i32.load (i32.add (local.get $a3) (local.get $off)))))
          (local.set $c30 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $wl) (local.get $x) (local.get $c30)))
          (local.set $c31 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $wh) (local.get $x) (local.get $c31)))
          (local.set $x (i32x4.splat (i32.load (i32.add (local.get $a4) (local.get $off)))))
          (local.set $c40 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $wl) (local.get $x) (local.get $c40)))
          (local.set $c41 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $wh) (local.get $x) (local.get $c41)))
          (local.set $wp (i32.add (local.get $wp) (i32.const 32)))
          (local.set $off (i32.add (local.get $off) (i32.const 4)))
          (br $k)))
        (call $q8_out (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (local.get $i0) (i32.const 0)) (local.get $n)) (local.get $n0)) (i32.const 2)))
          (i32x4.sub (local.get $c00) (local.get $klo)) (i32x4.sub (local.get $c01) (local.get $khi))
          (f32.load offset=0 (i32.add (local.get $sa) (i32.shl (local.get $i0) (i32.const 2))))
          (local.get $slo) (local.get $shi) (local.get $blo) (local.get $bhi) (local.get $cnt))
        (if (i32.lt_s (i32.add (local.get $i0) (i32.const 1)) (local.get $m)) (then
          (call $q8_out (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (local.get $i0) (i32.const 1)) (local.get $n)) (local.get $n0)) (i32.const 2)))
          (i32x4.sub (local.get $c10) (local.get $klo)) (i32x4.sub (local.get $c11) (local.get $khi))
          (f32.load offset=4 (i32.add (local.get $sa) (i32.shl (local.get $i0) (i32.const 2))))
          (local.get $slo) (local.get $shi) (local.get $blo) (local.get $bhi) (local.get $cnt))))
        (if (i32.lt_s (i32.add (local.get $i0) (i32.const 2)) (local.get $m)) (then
          (call $q8_out (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (local.get $i0) (i32.const 2)) (local.get $n)) (local.get $n0)) (i32.const 2)))
          (i32x4.sub (local.get $c20) (local.get $klo)) (i32x4.sub (local.get $c21) (local.get $khi))
          (f32.load offset=8 (i32.add (local.get $sa) (i32.shl (local.get $i0) (i32.const 2))))
          (local.get $slo) (local.get $shi) (local.get $blo) (local.get $bhi) (local.get $cnt))))
        (if (i32.lt_s (i32.add (local.get $i0) (i32.const 3)) (local.get $m)) (then
          (call $q8_out (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (local.get $i0) (i32.const 3)) (local.get $n)) (local.get $n0)) (i32.const 2)))
          (i32x4.sub (local.get $c30) (local.get $klo)) (i32x4.sub (local.get $c31) (local.get $khi))
          (f32.load offset=12 (i32.add (local.get $sa) (i32.shl (local.get $i0) (i32.const 2))))
          (local.get $slo) (local.get $shi) (local.get $blo) (local.get $bhi) (local.get $cnt))))
        (if (i32.lt_s (i32.add (local.get $i0) (i32.const 4)) (local.get $m)) (then
          (call $q8_out (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (local.get $i0) (i32.const 4)) (local.get $n)) (local.get $n0)) (i32.const 2)))
          (i32x4.sub (local.get $c40) (local.get $klo)) (i32x4.sub (local.get $c41) (local.get $khi))
          (f32.load offset=16 (i32.add (local.get $sa) (i32.shl (local.get $i0) (i32.const 2))))
          (local.get $slo) (local.get $shi) (local.get $blo) (local.get $bhi) (local.get $cnt))))
        (local.set $i0 (i32.add (local.get $i0) (i32.const 5)))
        (br $rows)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $panels))))

  ;; ------------------------------------------------ 4-bit product, i7 dot

  ;; dot_i7_exact() reports whether i32x4.relaxed_dot_i8x16_i7x16_add_s is
  ;; the exact "signed a × b" dot product for b in 0..127 (its "i7" range,
  ;; which matmul_q4x4 uses: b = Q+8 in 0..15). Every lowering we know
  ;; computes that range exactly (x64 pmaddubsw + pmaddwd: |a·b + a'·b'|
  ;; ≤ 2·128·127 fits int16; vpdpbusd; arm64 sdot, or smull + addp): the
  ;; probe runs the values where a lowering could still go wrong (a = −128
  ;; and 127 at b = 127 on both bytes of a pmaddubsw pair, the most an int16
  ;; pair sum reaches; a read as unsigned; the accumulator added), so a host
  ;; that differs keeps matmul_q4.
  (func (export "dot_i7_exact") (result i32)
    (local $ok i32)
    (local.set $ok (i32.eq (i32x4.extract_lane 0 (i32x4.relaxed_dot_i8x16_i7x16_add_s
      (i8x16.splat (i32.const -128)) (i8x16.splat (i32.const 127)) (v128.const i32x4 0 0 0 0))) (i32.const -65024)))
    (local.set $ok (i32.and (local.get $ok) (i32.eq (i32x4.extract_lane 2 (i32x4.relaxed_dot_i8x16_i7x16_add_s
      (i8x16.splat (i32.const 127)) (i8x16.splat (i32.const 127)) (v128.const i32x4 5 5 5 5))) (i32.const 64521))))
    (local.set $ok (i32.and (local.get $ok) (i32.eq (i32x4.extract_lane 1 (i32x4.relaxed_dot_i8x16_i7x16_add_s
      (v128.const i8x16 -1 -127 15 0 -1 -127 15 0 -1 -127 15 0 -1 -127 15 0)
      (v128.const i8x16 1 15 0 127 1 15 0 127 1 15 0 127 1 15 0 127)
      (v128.const i32x4 -7 -7 -7 -7))) (i32.const -1913))))
    (local.get $ok))

  ;; sum_blocks_q4(q, cnt, corr): corr[i] = 8·Σ of the 32 int8 of block i
  ;; of q (cnt blocks): the offset matmul_q4x4 removes per block.
  (func (export "sum_blocks_q4") (param $q i32) (param $cnt i32) (param $corr i32)
    (local $s v128)
    (block $done (loop $l
      (br_if $done (i32.le_s (local.get $cnt) (i32.const 0)))
      (local.set $s (i32x4.extadd_pairwise_i16x8_s (i16x8.add
        (i16x8.extadd_pairwise_i8x16_s (v128.load (local.get $q)))
        (i16x8.extadd_pairwise_i8x16_s (v128.load offset=16 (local.get $q))))))
      (local.set $s (i32x4.add (local.get $s) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $s) (local.get $s))))
      (i32.store (local.get $corr) (i32.shl (i32.add (i32x4.extract_lane 0 (local.get $s)) (i32x4.extract_lane 1 (local.get $s))) (i32.const 3)))
      (local.set $q (i32.add (local.get $q) (i32.const 32)))
      (local.set $corr (i32.add (local.get $corr) (i32.const 4)))
      (local.set $cnt (i32.sub (local.get $cnt) (i32.const 1)))
      (br $l))))

  ;; $q4x_unpack4 lays out one block of 4 outputs for matmul_q4x4: src,
  ;; src+stride, … are their 16 packed bytes (kernel.PackedQ4); the low
  ;; nibbles (Q+8 of the even k, in the order of the activations' first 16
  ;; bytes) and the high ones (the odd k) are transposed by 4-byte groups, so
  ;; that vector i at t+16i holds, in lane j, output j's 4 nibbles for the
  ;; activation bytes 4i..4i+3 of the block (i < 4: low, else high).
  (func $q4x_unpack4 (param $src i32) (param $stride i32) (param $t i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $u0 v128) (local $u1 v128) (local $u2 v128) (local $u3 v128)
    (local $m v128) (local $h i32)
    (local.set $m (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $v0 (v128.load (local.get $src)))
    (local.set $v1 (v128.load (i32.add (local.get $src) (local.get $stride))))
    (local.set $v2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $stride) (i32.const 1)))))
    (local.set $v3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $stride) (i32.const 3)))))
    (loop $halves
      ;; h = 0: low nibbles; h = 1: high
      (local.set $u0 (v128.and (i16x8.shr_u (local.get $v0) (i32.shl (local.get $h) (i32.const 2))) (local.get $m)))
      (local.set $u1 (v128.and (i16x8.shr_u (local.get $v1) (i32.shl (local.get $h) (i32.const 2))) (local.get $m)))
      (local.set $u2 (v128.and (i16x8.shr_u (local.get $v2) (i32.shl (local.get $h) (i32.const 2))) (local.get $m)))
      (local.set $u3 (v128.and (i16x8.shr_u (local.get $v3) (i32.shl (local.get $h) (i32.const 2))) (local.get $m)))
      ;; 4×4 transpose of 32-bit lanes
      (local.set $v0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $u0) (local.get $u1)))
      (local.set $v1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $u0) (local.get $u1)))
      (local.set $v2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $u2) (local.get $u3)))
      (local.set $v3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $u2) (local.get $u3)))
      (v128.store offset=0 (local.get $t) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $v0) (local.get $v2)))
      (v128.store offset=16 (local.get $t) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $v0) (local.get $v2)))
      (v128.store offset=32 (local.get $t) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $v1) (local.get $v3)))
      (v128.store offset=48 (local.get $t) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $v1) (local.get $v3)))
      ;; reload the packed bytes for the high nibbles
      (local.set $v0 (v128.load (local.get $src)))
      (local.set $v1 (v128.load (i32.add (local.get $src) (local.get $stride))))
      (local.set $v2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $stride) (i32.const 1)))))
      (local.set $v3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $stride) (i32.const 3)))))
      (local.set $t (i32.add (local.get $t) (i32.const 64)))
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br_if $halves (i32.lt_u (local.get $h) (i32.const 2)))))

  ;; matmul_q4x4(dst, q, sa, corr, m, w, sc, bias, n, nb, tmp): matmul_q4's
  ;; product (bit-identical to kernel.RefMatMulQ4) over the relaxed dot's i7
  ;; form, where dot_i7_exact() = 1. q, sa as for matmul_q4 (quantize_blocks_q4);
  ;; corr[m][nb] = 8·Σ_block qa (sum_blocks_q4); n a multiple of 8; tmp:
  ;; nb·288 + 128 bytes. For each 8 outputs, tmp first receives per block
  ;; their 8 scales as f32 and their nibbles (Q+8, 0..15) laid out by
  ;; $q4x_unpack4 (8 vectors of 4 outputs × 4 bytes); then tiles of 4 rows
  ;; run through the blocks: per 4 bytes of a block, one splat of each row's
  ;; activations (v128.load32_splat: a load-port broadcast; i32.load +
  ;; i32x4.splat, a shuffle-port one, left q4 at 0.35–0.78× q8 with
  ;; AVX-VNNI, this 0.64–1.04×) and 2 relaxed dots (activations as the signed operand,
  ;; nibbles as the i7 one) add 4 products into each of 8 outputs (8
  ;; accumulators, started at −corr, so Σ (Q+8)·qa − 8·Σ qa = Σ Q·qa
  ;; exactly); then y = y + float32(acc)·float32(sa·sw), lane-wise in the
  ;; reference's order, y kept in tmp's last 128 bytes.
  (func (export "matmul_q4x4")
    (param $dst i32) (param $q i32) (param $sa i32) (param $corr i32) (param $m i32)
    (param $w i32) (param $sc i32) (param $bias i32) (param $n i32) (param $nb i32) (param $tmp i32)
    (local $n0 i32) (local $b i32) (local $j i32) (local $r0 i32) (local $t i32) (local $yt i32)
    (local $rowb i32) (local $ri i32) (local $dp i32)
    (local $a0 i32) (local $s0 i32) (local $c0 i32)
    (local $a1 i32) (local $s1 i32) (local $c1 i32)
    (local $a2 i32) (local $s2 i32) (local $c2 i32)
    (local $a3 i32) (local $s3 i32) (local $c3 i32)
    (local $d00 v128) (local $d01 v128)
    (local $d10 v128) (local $d11 v128)
    (local $d20 v128) (local $d21 v128)
    (local $d30 v128) (local $d31 v128)
    (local $w0 v128) (local $sw0 v128) (local $bv0 v128) (local $w1 v128) (local $sw1 v128) (local $bv1 v128)
    (local $x v128) (local $f v128)
    (if (i32.le_s (local.get $m) (i32.const 0)) (then (return)))
    (local.set $rowb (i32.shl (local.get $nb) (i32.const 5)))
    (local.set $yt (i32.add (local.get $tmp) (i32.mul (local.get $nb) (i32.const 288))))
    (block $ndone (loop $nl
      (br_if $ndone (i32.ge_s (local.get $n0) (local.get $n)))
      ;; lay out 8 outputs' scales and nibbles in tmp
      (local.set $b (i32.const 0))
      (local.set $t (local.get $tmp))
      (block $pdone (loop $pl
        (br_if $pdone (i32.ge_s (local.get $b) (local.get $nb)))
        (local.set $j (i32.const 0))
        (block $jdone (loop $jl
          (br_if $jdone (i32.ge_s (local.get $j) (i32.const 8)))
          (f32.store (i32.add (local.get $t) (i32.shl (local.get $j) (i32.const 2)))
            (call $half (i32.load16_u (i32.add (local.get $sc)
              (i32.shl (i32.add (i32.mul (i32.add (local.get $n0) (local.get $j)) (local.get $nb)) (local.get $b)) (i32.const 1))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jl)))
        (call $q4x_unpack4 (i32.add (local.get $w) (i32.shl (i32.add (i32.mul (i32.add (local.get $n0) (i32.const 0)) (local.get $nb)) (local.get $b)) (i32.const 4)))
          (i32.shl (local.get $nb) (i32.const 4)) (i32.add (local.get $t) (i32.const 32)))
        (call $q4x_unpack4 (i32.add (local.get $w) (i32.shl (i32.add (i32.mul (i32.add (local.get $n0) (i32.const 4)) (local.get $nb)) (local.get $b)) (i32.const 4)))
          (i32.shl (local.get $nb) (i32.const 4)) (i32.add (local.get $t) (i32.const 160)))
        (local.set $t (i32.add (local.get $t) (i32.const 288)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $pl)))
      ;; -0.0 is the additive identity (keeps a -0.0 sum's sign), as no bias
      (local.set $bv0 (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
      (local.set $bv1 (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
      (if (local.get $bias) (then
        (local.set $bv0 (v128.load offset=0 (i32.add (local.get $bias) (i32.shl (local.get $n0) (i32.const 2)))))
        (local.set $bv1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $n0) (i32.const 2)))))
      ))
      (local.set $r0 (i32.const 0))
      (block $rdone (loop $rl
        (br_if $rdone (i32.ge_s (local.get $r0) (local.get $m)))
        ;; the tile's rows, past the last one clamped to it (computed, not stored)
        (local.set $ri (select (i32.add (local.get $r0) (i32.const 0)) (i32.sub (local.get $m) (i32.const 1))
          (i32.lt_s (i32.add (local.get $r0) (i32.const 0)) (local.get $m))))
        (local.set $a0 (i32.add (local.get $q) (i32.mul (local.get $ri) (local.get $rowb))))
        (local.set $s0 (i32.add (local.get $sa) (i32.shl (i32.mul (local.get $ri) (local.get $nb)) (i32.const 2))))
        (local.set $c0 (i32.add (local.get $corr) (i32.shl (i32.mul (local.get $ri) (local.get $nb)) (i32.const 2))))
        (local.set $ri (select (i32.add (local.get $r0) (i32.const 1)) (i32.sub (local.get $m) (i32.const 1))
          (i32.lt_s (i32.add (local.get $r0) (i32.const 1)) (local.get $m))))
        (local.set $a1 (i32.add (local.get $q) (i32.mul (local.get $ri) (local.get $rowb))))
        (local.set $s1 (i32.add (local.get $sa) (i32.shl (i32.mul (local.get $ri) (local.get $nb)) (i32.const 2))))
        (local.set $c1 (i32.add (local.get $corr) (i32.shl (i32.mul (local.get $ri) (local.get $nb)) (i32.const 2))))
        (local.set $ri (select (i32.add (local.get $r0) (i32.const 2)) (i32.sub (local.get $m) (i32.const 1))
          (i32.lt_s (i32.add (local.get $r0) (i32.const 2)) (local.get $m))))
        (local.set $a2 (i32.add (local.get $q) (i32.mul (local.get $ri) (local.get $rowb))))
        (local.set $s2 (i32.add (local.get $sa) (i32.shl (i32.mul (local.get $ri) (local.get $nb)) (i32.const 2))))
        (local.set $c2 (i32.add (local.get $corr) (i32.shl (i32.mul (local.get $ri) (local.get $nb)) (i32.const 2))))
        (local.set $ri (select (i32.add (local.get $r0) (i32.const 3)) (i32.sub (local.get $m) (i32.const 1))
          (i32.lt_s (i32.add (local.get $r0) (i32.const 3)) (local.get $m))))
        (local.set $a3 (i32.add (local.get $q) (i32.mul (local.get $ri) (local.get $rowb))))
        (local.set $s3 (i32.add (local.get $sa) (i32.shl (i32.mul (local.get $ri) (local.get $nb)) (i32.const 2))))
        (local.set $c3 (i32.add (local.get $corr) (i32.shl (i32.mul (local.get $ri) (local.get $nb)) (i32.const 2))))
        (v128.store offset=0 (local.get $yt) (v128.const i32x4 0 0 0 0))
        (v128.store offset=16 (local.get $yt) (v128.const i32x4 0 0 0 0))
        (v128.store offset=32 (local.get $yt) (v128.const i32x4 0 0 0 0))
        (v128.store offset=48 (local.get $yt) (v128.const i32x4 0 0 0 0))
        (v128.store offset=64 (local.get $yt) (v128.const i32x4 0 0 0 0))
        (v128.store offset=80 (local.get $yt) (v128.const i32x4 0 0 0 0))
        (v128.store offset=96 (local.get $yt) (v128.const i32x4 0 0 0 0))
        (v128.store offset=112 (local.get $yt) (v128.const i32x4 0 0 0 0))
        (local.set $t (local.get $tmp))
        (local.set $b (i32.const 0))
        (block $bdone (loop $bl
          (br_if $bdone (i32.ge_s (local.get $b) (local.get $nb)))
          (local.set $d00 (i32x4.splat (i32.sub (i32.const 0) (i32.load (local.get $c0)))))
          (local.set $d01 (local.get $d00))
          (local.set $d10 (i32x4.splat (i32.sub (i32.const 0) (i32.load (local.get $c1)))))
          (local.set $d11 (local.get $d10))
          (local.set $d20 (i32x4.splat (i32.sub (i32.const 0) (i32.load (local.get $c2)))))
          (local.set $d21 (local.get $d20))
          (local.set $d30 (i32x4.splat (i32.sub (i32.const 0) (i32.load (local.get $c3)))))
          (local.set $d31 (local.get $d30))
          (local.set $w0 (v128.load offset=32 (local.get $t)))
          (local.set $w1 (v128.load offset=160 (local.get $t)))
          (local.set $x (v128.load32_splat offset=0 (local.get $a0)))
          (local.set $d00 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d00)))
          (local.set $d01 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d01)))
          (local.set $x (v128.load32_splat offset=0 (local.get $a1)))
          (local.set $d10 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d10)))
          (local.set $d11 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d11)))
          (local.set $x (v128.load32_splat offset=0 (local.get $a2)))
          (local.set $d20 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d20)))
          (local.set $d21 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d21)))
          (local.set $x (v128.load32_splat offset=0 (local.get $a3)))
          (local.set $d30 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d30)))
          (local.set $d31 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d31)))
          (local.set $w0 (v128.load offset=48 (local.get $t)))
          (local.set $w1 (v128.load offset=176 (local.get $t)))
          (local.set $x (v128.load32_splat offset=4 (local.get $a0)))
          (local.set $d00 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d00)))
          (local.set $d01 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d01)))
          (local.set $x (v128.load32_splat offset=4 (local.get $a1)))
          (local.set $d10 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d10)))
          (local.set $d11 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d11)))
          (local.set $x (v128.load32_splat offset=4 (local.get $a2)))
          (local.set $d20 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d20)))
          (local.set $d21 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d21)))
          (local.set $x (v128.load32_splat offset=4 (local.get $a3)))
          (local.set $d30 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d30)))
          (local.set $d31 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d31)))
          (local.set $w0 (v128.load offset=64 (local.get $t)))
          (local.set $w1 (v128.load offset=192 (local.get $t)))
          (local.set $x (v128.load32_splat offset=8 (local.get $a0)))
          (local.set $d00 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d00)))
          (local.set $d01 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d01)))
          (local.set $x (v128.load32_splat offset=8 (local.get $a1)))
          (local.set $d10 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d10)))
          (local.set $d11 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d11)))
          (local.set $x (v128.load32_splat offset=8 (local.get $a2)))
          (local.set $d20 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d20)))
          (local.set $d21 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d21)))
          (local.set $x (v128.load32_splat offset=8 (local.get $a3)))
          (local.set $d30 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d30)))
          (local.set $d31 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d31)))
          (local.set $w0 (v128.load offset=80 (local.get $t)))
          (local.set $w1 (v128.load offset=208 (local.get $t)))
          (local.set $x (v128.load32_splat offset=12 (local.get $a0)))
          (local.set $d00 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d00)))
          (local.set $d01 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d01)))
          (local.set $x (v128.load32_splat offset=12 (local.get $a1)))
          (local.set $d10 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d10)))
          (local.set $d11 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d11)))
          (local.set $x (v128.load32_splat offset=12 (local.get $a2)))
          (local.set $d20 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d20)))
          (local.set $d21 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d21)))
          (local.set $x (v128.load32_splat offset=12 (local.get $a3)))
          (local.set $d30 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d30)))
          (local.set $d31 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d31)))
          (local.set $w0 (v128.load offset=96 (local.get $t)))
          (local.set $w1 (v128.load offset=224 (local.get $t)))
          (local.set $x (v128.load32_splat offset=16 (local.get $a0)))
          (local.set $d00 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d00)))
          (local.set $d01 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d01)))
          (local.set $x (v128.load32_splat offset=16 (local.get $a1)))
          (local.set $d10 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d10)))
          (local.set $d11 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d11)))
          (local.set $x (v128.load32_splat offset=16 (local.get $a2)))
          (local.set $d20 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d20)))
          (local.set $d21 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d21)))
          (local.set $x (v128.load32_splat offset=16 (local.get $a3)))
          (local.set $d30 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d30)))
          (local.set $d31 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d31)))
          (local.set $w0 (v128.load offset=112 (local.get $t)))
          (local.set $w1 (v128.load offset=240 (local.get $t)))
          (local.set $x (v128.load32_splat offset=20 (local.get $a0)))
          (local.set $d00 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d00)))
          (local.set $d01 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d01)))
          (local.set $x (v128.load32_splat offset=20 (local.get $a1)))
          (local.set $d10 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d10)))
          (local.set $d11 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d11)))
          (local.set $x (v128.load32_splat offset=20 (local.get $a2)))
          (local.set $d20 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d20)))
          (local.set $d21 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d21)))
          (local.set $x (v128.load32_splat offset=20 (local.get $a3)))
          (local.set $d30 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d30)))
          (local.set $d31 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d31)))
          (local.set $w0 (v128.load offset=128 (local.get $t)))
          (local.set $w1 (v128.load offset=256 (local.get $t)))
          (local.set $x (v128.load32_splat offset=24 (local.get $a0)))
          (local.set $d00 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d00)))
          (local.set $d01 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d01)))
          (local.set $x (v128.load32_splat offset=24 (local.get $a1)))
          (local.set $d10 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d10)))
          (local.set $d11 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d11)))
          (local.set $x (v128.load32_splat offset=24 (local.get $a2)))
          (local.set $d20 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d20)))
          (local.set $d21 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d21)))
          (local.set $x (v128.load32_splat offset=24 (local.get $a3)))
          (local.set $d30 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d30)))
          (local.set $d31 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d31)))
          (local.set $w0 (v128.load offset=144 (local.get $t)))
          (local.set $w1 (v128.load offset=272 (local.get $t)))
          (local.set $x (v128.load32_splat offset=28 (local.get $a0)))
          (local.set $d00 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d00)))
          (local.set $d01 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d01)))
          (local.set $x (v128.load32_splat offset=28 (local.get $a1)))
          (local.set $d10 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d10)))
          (local.set $d11 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d11)))
          (local.set $x (v128.load32_splat offset=28 (local.get $a2)))
          (local.set $d20 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d20)))
          (local.set $d21 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d21)))
          (local.set $x (v128.load32_splat offset=28 (local.get $a3)))
          (local.set $d30 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w0) (local.get $d30)))
          (local.set $d31 (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get $x) (local.get $w1) (local.get $d31)))
          (local.set $sw0 (v128.load offset=0 (local.get $t)))
          (local.set $sw1 (v128.load offset=16 (local.get $t)))
          (local.set $f (f32x4.splat (f32.load (local.get $s0))))
          (v128.store offset=0 (local.get $yt) (f32x4.add (v128.load offset=0 (local.get $yt))
            (f32x4.mul (f32x4.convert_i32x4_s (local.get $d00)) (f32x4.mul (local.get $f) (local.get $sw0)))))
          (v128.store offset=16 (local.get $yt) (f32x4.add (v128.load offset=16 (local.get $yt))
            (f32x4.mul (f32x4.convert_i32x4_s (local.get $d01)) (f32x4.mul (local.get $f) (local.get $sw1)))))
          (local.set $f (f32x4.splat (f32.load (local.get $s1))))
          (v128.store offset=32 (local.get $yt) (f32x4.add (v128.load offset=32 (local.get $yt))
            (f32x4.mul (f32x4.convert_i32x4_s (local.get $d10)) (f32x4.mul (local.get $f) (local.get $sw0)))))
          (v128.store offset=48 (local.get $yt) (f32x4.add (v128.load offset=48 (local.get $yt))
            (f32x4.mul (f32x4.convert_i32x4_s (local.get $d11)) (f32x4.mul (local.get $f) (local.get $sw1)))))
          (local.set $f (f32x4.splat (f32.load (local.get $s2))))
          (v128.store offset=64 (local.get $yt) (f32x4.add (v128.load offset=64 (local.get $yt))
            (f32x4.mul (f32x4.convert_i32x4_s (local.get $d20)) (f32x4.mul (local.get $f) (local.get $sw0)))))
          (v128.store offset=80 (local.get $yt) (f32x4.add (v128.load offset=80 (local.get $yt))
            (f32x4.mul (f32x4.convert_i32x4_s (local.get $d21)) (f32x4.mul (local.get $f) (local.get $sw1)))))
          (local.set $f (f32x4.splat (f32.load (local.get $s3))))
          (v128.store offset=96 (local.get $yt) (f32x4.add (v128.load offset=96 (local.get $yt))
            (f32x4.mul (f32x4.convert_i32x4_s (local.get $d30)) (f32x4.mul (local.get $f) (local.get $sw0)))))
          (v128.store offset=112 (local.get $yt) (f32x4.add (v128.load offset=112 (local.get $yt))
            (f32x4.mul (f32x4.convert_i32x4_s (local.get $d31)) (f32x4.mul (local.get $f) (local.get $sw1)))))
          (local.set $a0 (i32.add (local.get $a0) (i32.const 32)))
          (local.set $s0 (i32.add (local.get $s0) (i32.const 4)))
          (local.set $c0 (i32.add (local.get $c0) (i32.const 4)))
          (local.set $a1 (i32.add (local.get $a1) (i32.const 32)))
          (local.set $s1 (i32.add (local.get $s1) (i32.const 4)))
          (local.set $c1 (i32.add (local.get $c1) (i32.const 4)))
          (local.set $a2 (i32.add (local.get $a2) (i32.const 32)))
          (local.set $s2 (i32.add (local.get $s2) (i32.const 4)))
          (local.set $c2 (i32.add (local.get $c2) (i32.const 4)))
          (local.set $a3 (i32.add (local.get $a3) (i32.const 32)))
          (local.set $s3 (i32.add (local.get $s3) (i32.const 4)))
          (local.set $c3 (i32.add (local.get $c3) (i32.const 4)))
          (local.set $t (i32.add (local.get $t) (i32.const 288)))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br $bl)))
        (local.set $dp (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $r0) (local.get $n)) (local.get $n0)) (i32.const 2))))
        (v128.store offset=0 (local.get $dp) (f32x4.add (v128.load offset=0 (local.get $yt)) (local.get $bv0)))
          (v128.store offset=16 (local.get $dp) (f32x4.add (v128.load offset=16 (local.get $yt)) (local.get $bv1)))
          (local.set $dp (i32.add (local.get $dp) (i32.shl (local.get $n) (i32.const 2))))
        (if (i32.lt_s (i32.add (local.get $r0) (i32.const 1)) (local.get $m)) (then
          (v128.store offset=0 (local.get $dp) (f32x4.add (v128.load offset=32 (local.get $yt)) (local.get $bv0)))
          (v128.store offset=16 (local.get $dp) (f32x4.add (v128.load offset=48 (local.get $yt)) (local.get $bv1)))
          (local.set $dp (i32.add (local.get $dp) (i32.shl (local.get $n) (i32.const 2))))))
        (if (i32.lt_s (i32.add (local.get $r0) (i32.const 2)) (local.get $m)) (then
          (v128.store offset=0 (local.get $dp) (f32x4.add (v128.load offset=64 (local.get $yt)) (local.get $bv0)))
          (v128.store offset=16 (local.get $dp) (f32x4.add (v128.load offset=80 (local.get $yt)) (local.get $bv1)))
          (local.set $dp (i32.add (local.get $dp) (i32.shl (local.get $n) (i32.const 2))))))
        (if (i32.lt_s (i32.add (local.get $r0) (i32.const 3)) (local.get $m)) (then
          (v128.store offset=0 (local.get $dp) (f32x4.add (v128.load offset=96 (local.get $yt)) (local.get $bv0)))
          (v128.store offset=16 (local.get $dp) (f32x4.add (v128.load offset=112 (local.get $yt)) (local.get $bv1)))
          (local.set $dp (i32.add (local.get $dp) (i32.shl (local.get $n) (i32.const 2))))))
        (local.set $r0 (i32.add (local.get $r0) (i32.const 4)))
        (br $rl)))
      (local.set $n0 (i32.add (local.get $n0) (i32.const 8)))
      (br $nl))))

)
