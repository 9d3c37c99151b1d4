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
)
