;; simd128 kernels for siglip-wasm (see kernel/doc.go for layouts and the
;; bit-exact int8 semantics). The module owns no memory: it imports the Go
;; instance's linear memory ("env" "mem"), and every pointer argument is a
;; byte address in it. Go calls the exports through //go:wasmimport
;; trampolines (kernel/simd_js.go, web/kernels/loader.mjs).
;;
;; Register budget: V8 has 16 xmm registers on x64, so the matmul tiles are
;; 5 rows × 8 outputs = 10 v128 accumulators (+ weights + one splat).
;; Larger tiles spill and run slower.
(module
  (import "env" "mem" (memory 1))

  ;; @include gemm_f32.wat.in

  ;; (pmin/pmax clamp: one minps/maxps each, where min/max need a NaN- and
  ;; -0-exact sequence; a NaN lane stays NaN either way.)
  ;; $exp4: e^x per lane, Cephes expf range reduction and polynomial
  ;; (relative error ~2 ulp on [-87, 88]). x ≥ 88.8 gives +Inf (as the true
  ;; value overflows float32); x ≤ -87.7 gives 0 (true value < 9e-39, below
  ;; float32's normal range).
  (func $exp4 (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.pmin (f32x4.pmax (local.get $x) (v128.const f32x4 -88 -88 -88 -88))
                             (v128.const f32x4 89 89 89 89)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x)
                   (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n)
                   (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
    (local.set $r (f32x4.add (local.get $r) (f32x4.mul (local.get $n)
                   (v128.const f32x4 2.12194440e-4 2.12194440e-4 2.12194440e-4 2.12194440e-4))))
    (local.set $p (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
                   (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
                   (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
                   (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
                   (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
                   (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $p (f32x4.add (f32x4.add
                     (f32x4.mul (f32x4.mul (local.get $p) (local.get $r)) (local.get $r))
                     (local.get $r))
                   (v128.const f32x4 1 1 1 1)))
    ;; 2^n built in the exponent field; n = 128 gives the Inf pattern and
    ;; n = -127 gives +0.
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n))
                            (v128.const i32x4 127 127 127 127))
                 (i32.const 23))))

  ;; ------------------------------------------------- int8 matrix product

  ;; quantize_rows(a, m, k, kp, q, sa): per-row symmetric quantization of
  ;; A[m][k] (f32) into Q[m][kp] (int16 holding -127..127, zero padding when
  ;; kp > k) and row scales sa[m], exactly as kernel.QuantizeRow. The values
  ;; are kept as int16 pairs so that the matmul's splat of one i32 gives
  ;; (q[k], q[k+1]) in every lane for i32x4.dot_i16x8_s.
  (func (export "quantize_rows")
    (param $a i32) (param $m i32) (param $k i32) (param $kp i32) (param $q i32) (param $sa i32)
    (local $r i32) (local $row i32) (local $qrow i32) (local $i i32)
    (local $vmax v128) (local $amax f32) (local $v f32) (local $inv f32) (local $vinv v128)
    (local $lo v128) (local $hi v128)
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $r) (local.get $m)))
        (local.set $row (i32.add (local.get $a) (i32.shl (i32.mul (local.get $r) (local.get $k)) (i32.const 2))))
        (local.set $qrow (i32.add (local.get $q) (i32.shl (i32.mul (local.get $r) (local.get $kp)) (i32.const 1))))
        ;; amax: f32x4.pmax(a, b) = a < b ? b : a ignores NaN like Go's `if v > amax`.
        (local.set $vmax (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (block $d1 (loop $l1
          (br_if $d1 (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $k)))
          (local.set $vmax (f32x4.pmax (local.get $vmax)
            (f32x4.abs (v128.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $l1)))
        (local.set $amax (f32x4.extract_lane 0 (local.get $vmax)))
        (if (f32.gt (f32x4.extract_lane 1 (local.get $vmax)) (local.get $amax))
          (then (local.set $amax (f32x4.extract_lane 1 (local.get $vmax)))))
        (if (f32.gt (f32x4.extract_lane 2 (local.get $vmax)) (local.get $amax))
          (then (local.set $amax (f32x4.extract_lane 2 (local.get $vmax)))))
        (if (f32.gt (f32x4.extract_lane 3 (local.get $vmax)) (local.get $amax))
          (then (local.set $amax (f32x4.extract_lane 3 (local.get $vmax)))))
        (block $d2 (loop $l2
          (br_if $d2 (i32.ge_s (local.get $i) (local.get $k)))
          (local.set $v (f32.abs (f32.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
          (if (f32.gt (local.get $v) (local.get $amax)) (then (local.set $amax (local.get $v))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l2)))
        (if (f32.eq (local.get $amax) (f32.const 0))
          (then
            (f32.store (i32.add (local.get $sa) (i32.shl (local.get $r) (i32.const 2))) (f32.const 0))
            (memory.fill (local.get $qrow) (i32.const 0) (i32.shl (local.get $kp) (i32.const 1))))
          (else
            (f32.store (i32.add (local.get $sa) (i32.shl (local.get $r) (i32.const 2)))
              (f32.div (local.get $amax) (f32.const 127)))
            (local.set $inv (f32.div (f32.const 127) (local.get $amax)))
            (local.set $vinv (f32x4.splat (local.get $inv)))
            (local.set $i (i32.const 0))
            (block $d3 (loop $l3
              (br_if $d3 (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $k)))
              (local.set $lo (i32x4.trunc_sat_f32x4_s
                (f32x4.pmin (f32x4.pmax
                  (f32x4.nearest (f32x4.mul (local.get $vinv)
                    (v128.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
                  (v128.const f32x4 -127 -127 -127 -127)) (v128.const f32x4 127 127 127 127))))
              (local.set $hi (i32x4.trunc_sat_f32x4_s
                (f32x4.pmin (f32x4.pmax
                  (f32x4.nearest (f32x4.mul (local.get $vinv)
                    (v128.load offset=16 (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
                  (v128.const f32x4 -127 -127 -127 -127)) (v128.const f32x4 127 127 127 127))))
              (v128.store (i32.add (local.get $qrow) (i32.shl (local.get $i) (i32.const 1)))
                (i16x8.narrow_i32x4_s (local.get $lo) (local.get $hi)))
              (local.set $i (i32.add (local.get $i) (i32.const 8)))
              (br $l3)))
            (block $d4 (loop $l4
              (br_if $d4 (i32.ge_s (local.get $i) (local.get $k)))
              (i32.store16 (i32.add (local.get $qrow) (i32.shl (local.get $i) (i32.const 1)))
                (i32.trunc_sat_f32_s (f32.min (f32.max
                  (f32.nearest (f32.mul (local.get $inv)
                    (f32.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
                  (f32.const -127)) (f32.const 127))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $l4)))
            (if (i32.gt_s (local.get $kp) (local.get $k))
              (then (i32.store16 (i32.add (local.get $qrow) (i32.shl (local.get $k) (i32.const 1))) (i32.const 0))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

  ;; quantize_rows_u8(a, m, k, k4, q, sa): quantize_rows with one byte per
  ;; value, qa+128 (1..255; 128 for qa = 0 and in the padding up to k4, a
  ;; multiple of 4), the activation form of matmul_q8x4 (simd_relaxed.wat).
  ;; Same qa and scales as kernel.QuantizeRow, bit for bit.
  (func (export "quantize_rows_u8")
    (param $a i32) (param $m i32) (param $k i32) (param $k4 i32) (param $q i32) (param $sa i32)
    (local $r i32) (local $row i32) (local $qrow i32) (local $i i32)
    (local $vmax v128) (local $amax f32) (local $v f32) (local $inv f32) (local $vinv v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $r) (local.get $m)))
        (local.set $row (i32.add (local.get $a) (i32.shl (i32.mul (local.get $r) (local.get $k)) (i32.const 2))))
        (local.set $qrow (i32.add (local.get $q) (i32.mul (local.get $r) (local.get $k4))))
        (local.set $vmax (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (block $d1 (loop $l1
          (br_if $d1 (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $k)))
          (local.set $vmax (f32x4.pmax (local.get $vmax)
            (f32x4.abs (v128.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br $l1)))
        (local.set $amax (f32x4.extract_lane 0 (local.get $vmax)))
        (if (f32.gt (f32x4.extract_lane 1 (local.get $vmax)) (local.get $amax))
          (then (local.set $amax (f32x4.extract_lane 1 (local.get $vmax)))))
        (if (f32.gt (f32x4.extract_lane 2 (local.get $vmax)) (local.get $amax))
          (then (local.set $amax (f32x4.extract_lane 2 (local.get $vmax)))))
        (if (f32.gt (f32x4.extract_lane 3 (local.get $vmax)) (local.get $amax))
          (then (local.set $amax (f32x4.extract_lane 3 (local.get $vmax)))))
        (block $d2 (loop $l2
          (br_if $d2 (i32.ge_s (local.get $i) (local.get $k)))
          (local.set $v (f32.abs (f32.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
          (if (f32.gt (local.get $v) (local.get $amax)) (then (local.set $amax (local.get $v))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l2)))
        (if (f32.eq (local.get $amax) (f32.const 0))
          (then
            (f32.store (i32.add (local.get $sa) (i32.shl (local.get $r) (i32.const 2))) (f32.const 0))
            (memory.fill (local.get $qrow) (i32.const 128) (local.get $k4)))
          (else
            (f32.store (i32.add (local.get $sa) (i32.shl (local.get $r) (i32.const 2)))
              (f32.div (local.get $amax) (f32.const 127)))
            (local.set $inv (f32.div (f32.const 127) (local.get $amax)))
            (local.set $vinv (f32x4.splat (local.get $inv)))
            (local.set $i (i32.const 0))
            (block $d3 (loop $l3
              (br_if $d3 (i32.gt_s (i32.add (local.get $i) (i32.const 16)) (local.get $k)))
              (local.set $x0 (i32x4.add (v128.const i32x4 128 128 128 128) (i32x4.trunc_sat_f32x4_s
                (f32x4.pmin (f32x4.pmax
                  (f32x4.nearest (f32x4.mul (local.get $vinv)
                    (v128.load offset=0 (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
                  (v128.const f32x4 -127 -127 -127 -127)) (v128.const f32x4 127 127 127 127)))))
              (local.set $x1 (i32x4.add (v128.const i32x4 128 128 128 128) (i32x4.trunc_sat_f32x4_s
                (f32x4.pmin (f32x4.pmax
                  (f32x4.nearest (f32x4.mul (local.get $vinv)
                    (v128.load offset=16 (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
                  (v128.const f32x4 -127 -127 -127 -127)) (v128.const f32x4 127 127 127 127)))))
              (local.set $x2 (i32x4.add (v128.const i32x4 128 128 128 128) (i32x4.trunc_sat_f32x4_s
                (f32x4.pmin (f32x4.pmax
                  (f32x4.nearest (f32x4.mul (local.get $vinv)
                    (v128.load offset=32 (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
                  (v128.const f32x4 -127 -127 -127 -127)) (v128.const f32x4 127 127 127 127)))))
              (local.set $x3 (i32x4.add (v128.const i32x4 128 128 128 128) (i32x4.trunc_sat_f32x4_s
                (f32x4.pmin (f32x4.pmax
                  (f32x4.nearest (f32x4.mul (local.get $vinv)
                    (v128.load offset=48 (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
                  (v128.const f32x4 -127 -127 -127 -127)) (v128.const f32x4 127 127 127 127)))))
              (v128.store (i32.add (local.get $qrow) (local.get $i))
                (i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_s (local.get $x0) (local.get $x1))
                                      (i16x8.narrow_i32x4_s (local.get $x2) (local.get $x3))))
              (local.set $i (i32.add (local.get $i) (i32.const 16)))
              (br $l3)))
            (block $d4 (loop $l4
              (br_if $d4 (i32.ge_s (local.get $i) (local.get $k)))
              (i32.store8 (i32.add (local.get $qrow) (local.get $i))
                (i32.add (i32.const 128) (i32.trunc_sat_f32_s (f32.min (f32.max
                  (f32.nearest (f32.mul (local.get $inv)
                    (f32.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
                  (f32.const -127)) (f32.const 127)))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $l4)))
            (if (i32.gt_s (local.get $k4) (local.get $k))
              (then (memory.fill (i32.add (local.get $qrow) (local.get $k)) (i32.const 128)
                                 (i32.sub (local.get $k4) (local.get $k)))))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))

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

  ;; matmul_q8(dst, q, sa, m, w, scales, bias, n, kp): Y[m][n] from the
  ;; quantized activations of quantize_rows and a PackedQ8 weight (Data at w,
  ;; Kp = kp). bias = 0 means no bias. Tile: 5 rows × one 8-output panel;
  ;; rows past m re-read row m-1 and are not stored.
  (func (export "matmul_q8")
    (param $dst i32) (param $q i32) (param $sa i32) (param $m i32)
    (param $w i32) (param $scales i32) (param $bias i32) (param $n i32) (param $kp i32)
    (local $p i32) (local $np i32) (local $n0 i32) (local $cnt i32) (local $wp0 i32) (local $wp i32)
    (local $i0 i32) (local $rs i32) (local $last i32) (local $off i32) (local $end i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $a4 i32)
    (local $slo v128) (local $shi v128) (local $blo v128) (local $bhi v128)
    (local $wl v128) (local $wh v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128)
    (local $c21 v128) (local $c30 v128) (local $c31 v128) (local $c40 v128) (local $c41 v128)
    (if (i32.le_s (local.get $m) (i32.const 0)) (then (return)))
    (local.set $np (i32.shr_u (i32.add (local.get $n) (i32.const 7)) (i32.const 3)))
    (local.set $rs (i32.shl (local.get $kp) (i32.const 1)))          ;; bytes per quantized row
    (local.set $end (i32.shl (local.get $kp) (i32.const 1)))         ;; kp/2 pairs × 4 bytes
    (local.set $last (i32.add (local.get $q) (i32.mul (i32.sub (local.get $m) (i32.const 1)) (local.get $rs))))
    (block $pdone (loop $panels
      (br_if $pdone (i32.ge_s (local.get $p) (local.get $np)))
      (local.set $n0 (i32.shl (local.get $p) (i32.const 3)))
      (local.set $cnt (i32.sub (local.get $n) (local.get $n0)))
      (local.set $wp0 (i32.add (local.get $w) (i32.mul (local.get $p) (i32.shl (local.get $kp) (i32.const 3)))))
      (local.set $slo (call $ld4p (i32.add (local.get $scales) (i32.shl (local.get $n0) (i32.const 2))) (local.get $cnt)))
      (local.set $shi (call $ld4p (i32.add (local.get $scales) (i32.shl (i32.add (local.get $n0) (i32.const 4)) (i32.const 2)))
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
          ;; load8x8_s loads and sign-extends 8 weights in one instruction
          ;; (pmovsxbw from memory): 7% faster than v128.load + two extends.
          ;; The activations stay i32.load + i32x4.splat: v128.load32_splat
          ;; measured 30% slower (V8/x64 broadcasts in the float domain and
          ;; each pmaddwd then pays a bypass delay); unrolling this loop by
          ;; two k-pairs measured 5% slower too. The splat is each dot's first
          ;; operand: without AVX, V8 emits pmaddwd into a copy of the first
          ;; operand, so the splat (dead after its second use) is copied
          ;; once per row rather than the weights (live for all five rows)
          ;; twice; with AVX (vpmaddwd) the order does not matter.
          (local.set $wl (v128.load8x8_s (local.get $wp)))
          (local.set $wh (v128.load8x8_s offset=8 (local.get $wp)))
          (local.set $x (i32x4.splat (i32.load (i32.add (local.get $a0) (local.get $off)))))
          (local.set $c00 (i32x4.add (local.get $c00) (i32x4.dot_i16x8_s (local.get $x) (local.get $wl))))
          (local.set $c01 (i32x4.add (local.get $c01) (i32x4.dot_i16x8_s (local.get $x) (local.get $wh))))
          (local.set $x (i32x4.splat (i32.load (i32.add (local.get $a1) (local.get $off)))))
          (local.set $c10 (i32x4.add (local.get $c10) (i32x4.dot_i16x8_s (local.get $x) (local.get $wl))))
          (local.set $c11 (i32x4.add (local.get $c11) (i32x4.dot_i16x8_s (local.get $x) (local.get $wh))))
          (local.set $x (i32x4.splat (i32.load (i32.add (local.get $a2) (local.get $off)))))
          (local.set $c20 (i32x4.add (local.get $c20) (i32x4.dot_i16x8_s (local.get $x) (local.get $wl))))
          (local.set $c21 (i32x4.add (local.get $c21) (i32x4.dot_i16x8_s (local.get $x) (local.get $wh))))
          (local.set $x (i32x4.splat (i32.load (i32.add (local.get $a3) (local.get $off)))))
          (local.set $c30 (i32x4.add (local.get $c30) (i32x4.dot_i16x8_s (local.get $x) (local.get $wl))))
          (local.set $c31 (i32x4.add (local.get $c31) (i32x4.dot_i16x8_s (local.get $x) (local.get $wh))))
          (local.set $x (i32x4.splat (i32.load (i32.add (local.get $a4) (local.get $off)))))
          (local.set $c40 (i32x4.add (local.get $c40) (i32x4.dot_i16x8_s (local.get $x) (local.get $wl))))
          (local.set $c41 (i32x4.add (local.get $c41) (i32x4.dot_i16x8_s (local.get $x) (local.get $wh))))
          (local.set $wp (i32.add (local.get $wp) (i32.const 16)))
          (local.set $off (i32.add (local.get $off) (i32.const 4)))
          (br $k)))
        ;; epilogue: rows i0..i0+4 that exist
        (call $q8_out (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $n)) (local.get $n0)) (i32.const 2)))
          (local.get $c00) (local.get $c01) (f32.load (i32.add (local.get $sa) (i32.shl (local.get $i0) (i32.const 2))))
          (local.get $slo) (local.get $shi) (local.get $blo) (local.get $bhi) (local.get $cnt))
        (if (i32.lt_s (i32.add (local.get $i0) (i32.const 1)) (local.get $m)) (then
          (call $q8_out (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (local.get $i0) (i32.const 1)) (local.get $n)) (local.get $n0)) (i32.const 2)))
            (local.get $c10) (local.get $c11) (f32.load offset=4 (i32.add (local.get $sa) (i32.shl (local.get $i0) (i32.const 2))))
            (local.get $slo) (local.get $shi) (local.get $blo) (local.get $bhi) (local.get $cnt))))
        (if (i32.lt_s (i32.add (local.get $i0) (i32.const 2)) (local.get $m)) (then
          (call $q8_out (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (local.get $i0) (i32.const 2)) (local.get $n)) (local.get $n0)) (i32.const 2)))
            (local.get $c20) (local.get $c21) (f32.load offset=8 (i32.add (local.get $sa) (i32.shl (local.get $i0) (i32.const 2))))
            (local.get $slo) (local.get $shi) (local.get $blo) (local.get $bhi) (local.get $cnt))))
        (if (i32.lt_s (i32.add (local.get $i0) (i32.const 3)) (local.get $m)) (then
          (call $q8_out (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (local.get $i0) (i32.const 3)) (local.get $n)) (local.get $n0)) (i32.const 2)))
            (local.get $c30) (local.get $c31) (f32.load offset=12 (i32.add (local.get $sa) (i32.shl (local.get $i0) (i32.const 2))))
            (local.get $slo) (local.get $shi) (local.get $blo) (local.get $bhi) (local.get $cnt))))
        (if (i32.lt_s (i32.add (local.get $i0) (i32.const 4)) (local.get $m)) (then
          (call $q8_out (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (i32.add (local.get $i0) (i32.const 4)) (local.get $n)) (local.get $n0)) (i32.const 2)))
            (local.get $c40) (local.get $c41) (f32.load offset=16 (i32.add (local.get $sa) (i32.shl (local.get $i0) (i32.const 2))))
            (local.get $slo) (local.get $shi) (local.get $blo) (local.get $bhi) (local.get $cnt))))
        (local.set $i0 (i32.add (local.get $i0) (i32.const 5)))
        (br $rows)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $panels))))


  ;; transpose(dst, src, rows, cols, lds, ldd): dst[c][r] = src[r][c]
  ;; (strides in floats). Q·Kᵀ is computed as gemm_f32 over Kᵀ, transposed
  ;; per head into a scratch buffer: the head is small (T×64) next to the
  ;; T×T×64 product, and the tiled NN kernel then serves both Q·Kᵀ and P·V.
  (func (export "transpose")
    (param $dst i32) (param $src i32) (param $rows i32) (param $cols i32) (param $lds i32) (param $ldd i32)
    (local $r i32) (local $c i32) (local $sp i32)
    (block $rdone (loop $rl
      (br_if $rdone (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $sp (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $lds)) (i32.const 2))))
      (local.set $c (i32.const 0))
      (block $cdone (loop $cl
        (br_if $cdone (i32.ge_s (local.get $c) (local.get $cols)))
        (f32.store (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $ldd)) (local.get $r)) (i32.const 2)))
          (f32.load (i32.add (local.get $sp) (i32.shl (local.get $c) (i32.const 2)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; ------------------------------------------------------ row operations

  ;; $hsum: the sum of the four lanes.
  (func $hsum (param $v v128) (result f32)
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
             (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; layernorm(dst, src, m, n, gamma, beta, eps): torch.nn.LayerNorm over
  ;; each row of src[m][n] (two passes in float32: mean, then the biased
  ;; variance of the deviations). dst may equal src.
  (func (export "layernorm")
    (param $dst i32) (param $src i32) (param $m i32) (param $n i32) (param $gamma i32) (param $beta i32) (param $eps f32)
    (local $r i32) (local $row i32) (local $out i32) (local $i i32) (local $o i32)
    (local $acc v128) (local $sum f32) (local $mean f32) (local $d f32) (local $inv f32)
    (local $vm v128) (local $vi v128) (local $x v128)
    (block $rdone (loop $rl
      (br_if $rdone (i32.ge_s (local.get $r) (local.get $m)))
      (local.set $row (i32.add (local.get $src) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (local.set $out (i32.add (local.get $dst) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      ;; mean
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $acc (f32x4.add (local.get $acc) (v128.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l1)))
      (local.set $sum (call $hsum (local.get $acc)))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $sum (f32.add (local.get $sum) (f32.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l2)))
      (local.set $mean (f32.div (local.get $sum) (f32.convert_i32_s (local.get $n))))
      (local.set $vm (f32x4.splat (local.get $mean)))
      ;; variance
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      (block $d3 (loop $l3
        (br_if $d3 (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $x (f32x4.sub (v128.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2)))) (local.get $vm)))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $x) (local.get $x))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l3)))
      (local.set $sum (call $hsum (local.get $acc)))
      (block $d4 (loop $l4
        (br_if $d4 (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $d (f32.sub (f32.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2)))) (local.get $mean)))
        (local.set $sum (f32.add (local.get $sum) (f32.mul (local.get $d) (local.get $d))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l4)))
      (local.set $inv (f32.div (f32.const 1)
        (f32.sqrt (f32.add (f32.div (local.get $sum) (f32.convert_i32_s (local.get $n))) (local.get $eps)))))
      (local.set $vi (f32x4.splat (local.get $inv)))
      ;; normalise
      (local.set $i (i32.const 0))
      (block $d5 (loop $l5
        (br_if $d5 (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (v128.store (i32.add (local.get $out) (local.get $o))
          (f32x4.add
            (f32x4.mul (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $row) (local.get $o))) (local.get $vm)) (local.get $vi))
                       (v128.load (i32.add (local.get $gamma) (local.get $o))))
            (v128.load (i32.add (local.get $beta) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l5)))
      (block $d6 (loop $l6
        (br_if $d6 (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (f32.store (i32.add (local.get $out) (local.get $o))
          (f32.add
            (f32.mul (f32.mul (f32.sub (f32.load (i32.add (local.get $row) (local.get $o))) (local.get $mean)) (local.get $inv))
                     (f32.load (i32.add (local.get $gamma) (local.get $o))))
            (f32.load (i32.add (local.get $beta) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l6)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; $gelu4: gelu_pytorch_tanh as x·sigmoid(2u) = x / (1 + e^(-2u)),
  ;; u = √(2/π)(x + 0.044715x³) — the same function as 0.5x(1+tanh u),
  ;; without tanh's cancellation for negative x.
  (func $gelu4 (param $x v128) (result v128)
    (local $u v128)
    (local.set $u (f32x4.mul (local.get $x)
      (f32x4.add (v128.const f32x4 -1.5957691216057308 -1.5957691216057308 -1.5957691216057308 -1.5957691216057308)
        (f32x4.mul (f32x4.mul (local.get $x) (local.get $x))
          (v128.const f32x4 -0.0713548162726 -0.0713548162726 -0.0713548162726 -0.0713548162726)))))
    (f32x4.div (local.get $x) (f32x4.add (v128.const f32x4 1 1 1 1) (call $exp4 (local.get $u)))))

  ;; gelu_tanh(x, n): in place over n floats.
  (func (export "gelu_tanh") (param $x i32) (param $n i32)
    (local $i i32) (local $p i32) (local $v v128)
    (local $v0 v128) (local $v1 v128) (local $x0 v128) (local $x1 v128) (local $n0 v128) (local $n1 v128)
    (local $r0 v128) (local $r1 v128) (local $e0 v128) (local $e1 v128)
    ;; Eight values per iteration with $gelu4/$exp4 written out inline (the
    ;; same operations in the same order, so the same bits): two independent
    ;; chains interleaved and no v128 spills around calls.
    (block $d0 (loop $l0
      (br_if $d0 (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $v0 (v128.load offset=0 (local.get $p)))
      (local.set $v1 (v128.load offset=16 (local.get $p)))
      (local.set $x0 (f32x4.mul (local.get $v0) (f32x4.add (v128.const f32x4 -1.5957691216057308 -1.5957691216057308 -1.5957691216057308 -1.5957691216057308) (f32x4.mul (f32x4.mul (local.get $v0) (local.get $v0)) (v128.const f32x4 -0.0713548162726 -0.0713548162726 -0.0713548162726 -0.0713548162726)))))
      (local.set $x1 (f32x4.mul (local.get $v1) (f32x4.add (v128.const f32x4 -1.5957691216057308 -1.5957691216057308 -1.5957691216057308 -1.5957691216057308) (f32x4.mul (f32x4.mul (local.get $v1) (local.get $v1)) (v128.const f32x4 -0.0713548162726 -0.0713548162726 -0.0713548162726 -0.0713548162726)))))
      (local.set $x0 (f32x4.pmin (f32x4.pmax (local.get $x0) (v128.const f32x4 -88 -88 -88 -88)) (v128.const f32x4 89 89 89 89)))
      (local.set $x1 (f32x4.pmin (f32x4.pmax (local.get $x1) (v128.const f32x4 -88 -88 -88 -88)) (v128.const f32x4 89 89 89 89)))
      (local.set $n0 (f32x4.nearest (f32x4.mul (local.get $x0) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
      (local.set $n1 (f32x4.nearest (f32x4.mul (local.get $x1) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
      (local.set $r0 (f32x4.sub (local.get $x0) (f32x4.mul (local.get $n0) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
      (local.set $r1 (f32x4.sub (local.get $x1) (f32x4.mul (local.get $n1) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
      (local.set $r0 (f32x4.add (local.get $r0) (f32x4.mul (local.get $n0) (v128.const f32x4 2.12194440e-4 2.12194440e-4 2.12194440e-4 2.12194440e-4))))
      (local.set $r1 (f32x4.add (local.get $r1) (f32x4.mul (local.get $n1) (v128.const f32x4 2.12194440e-4 2.12194440e-4 2.12194440e-4 2.12194440e-4))))
      (local.set $e0 (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $r0)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
      (local.set $e1 (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $r1)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
      (local.set $e0 (f32x4.add (f32x4.mul (local.get $e0) (local.get $r0)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
      (local.set $e1 (f32x4.add (f32x4.mul (local.get $e1) (local.get $r1)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
      (local.set $e0 (f32x4.add (f32x4.mul (local.get $e0) (local.get $r0)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
      (local.set $e1 (f32x4.add (f32x4.mul (local.get $e1) (local.get $r1)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
      (local.set $e0 (f32x4.add (f32x4.mul (local.get $e0) (local.get $r0)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
      (local.set $e1 (f32x4.add (f32x4.mul (local.get $e1) (local.get $r1)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
      (local.set $e0 (f32x4.add (f32x4.mul (local.get $e0) (local.get $r0)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
      (local.set $e1 (f32x4.add (f32x4.mul (local.get $e1) (local.get $r1)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
      (local.set $e0 (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $e0) (local.get $r0)) (local.get $r0)) (local.get $r0)) (v128.const f32x4 1 1 1 1)))
      (local.set $e1 (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $e1) (local.get $r1)) (local.get $r1)) (local.get $r1)) (v128.const f32x4 1 1 1 1)))
      (local.set $e0 (f32x4.mul (local.get $e0) (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n0)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
      (local.set $e1 (f32x4.mul (local.get $e1) (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n1)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
      (v128.store offset=0 (local.get $p) (f32x4.div (local.get $v0) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $e0))))
      (v128.store offset=16 (local.get $p) (f32x4.div (local.get $v1) (f32x4.add (v128.const f32x4 1 1 1 1) (local.get $e1))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $l0)))
    (block $d1 (loop $l1
      (br_if $d1 (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
      (v128.store (local.get $p) (call $gelu4 (v128.load (local.get $p))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1)))
    (if (i32.lt_s (local.get $i) (local.get $n)) (then
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2))))
      (local.set $v (call $gelu4 (call $ld4p (local.get $p) (i32.sub (local.get $n) (local.get $i)))))
      (call $st4p (local.get $p) (local.get $v) (i32.sub (local.get $n) (local.get $i))))))

  ;; add_inplace(x, y, n): x[i] += y[i] for n floats (the residual adds).
  (func (export "add_inplace") (param $x i32) (param $y i32) (param $n i32)
    (local $i i32) (local $e i32)
    (local.set $e (i32.shl (local.get $n) (i32.const 2)))
    (block $d0 (loop $l0
      (br_if $d0 (i32.gt_u (i32.add (local.get $i) (i32.const 32)) (local.get $e)))
      (v128.store (i32.add (local.get $x) (local.get $i))
        (f32x4.add (v128.load (i32.add (local.get $x) (local.get $i))) (v128.load (i32.add (local.get $y) (local.get $i)))))
      (v128.store offset=16 (i32.add (local.get $x) (local.get $i))
        (f32x4.add (v128.load offset=16 (i32.add (local.get $x) (local.get $i))) (v128.load offset=16 (i32.add (local.get $y) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 32)))
      (br $l0)))
    (block $d1 (loop $l1
      (br_if $d1 (i32.ge_u (local.get $i) (local.get $e)))
      (f32.store (i32.add (local.get $x) (local.get $i))
        (f32.add (f32.load (i32.add (local.get $x) (local.get $i))) (f32.load (i32.add (local.get $y) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $l1))))

  ;; softmax_rows(x, m, n, ld): numerically stable softmax of each of the m
  ;; rows (n values, rows ld floats apart), in place.
  (func (export "softmax_rows") (param $x i32) (param $m i32) (param $n i32) (param $ld i32)
    (local $r i32) (local $row i32) (local $i i32) (local $p i32) (local $cnt i32)
    (local $x0 v128) (local $x1 v128) (local $n0 v128) (local $n1 v128)
    (local $r0 v128) (local $r1 v128) (local $e0 v128) (local $e1 v128)
    (local $vmax v128) (local $mx f32) (local $acc v128) (local $v v128) (local $sum f32) (local $inv v128)
    (block $rdone (loop $rl
      (br_if $rdone (i32.ge_s (local.get $r) (local.get $m)))
      (local.set $row (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $ld)) (i32.const 2))))
      ;; max
      (local.set $vmax (v128.const f32x4 -inf -inf -inf -inf))
      (local.set $i (i32.const 0))
      (block $d1 (loop $l1
        (br_if $d1 (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $vmax (f32x4.pmax (local.get $vmax) (v128.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l1)))
      (local.set $mx (f32.max (f32.max (f32x4.extract_lane 0 (local.get $vmax)) (f32x4.extract_lane 1 (local.get $vmax)))
                              (f32.max (f32x4.extract_lane 2 (local.get $vmax)) (f32x4.extract_lane 3 (local.get $vmax)))))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $mx (f32.max (local.get $mx) (f32.load (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l2)))
      (local.set $vmax (f32x4.splat (local.get $mx)))
      ;; exp and sum (the partial tail vector is zero-padded by $ld4p, and
      ;; its padding lanes are masked out of the sum by storing/reloading
      ;; only cnt lanes)
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $i (i32.const 0))
      ;; eight at a time, $exp4 inline (as in gelu_tanh); the sum adds the
      ;; vectors in the same order as the loop below would
      (block $d30 (loop $l30
        (br_if $d30 (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
        (local.set $p (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $x0 (f32x4.sub (v128.load offset=0 (local.get $p)) (local.get $vmax)))
        (local.set $x1 (f32x4.sub (v128.load offset=16 (local.get $p)) (local.get $vmax)))
        (local.set $x0 (f32x4.pmin (f32x4.pmax (local.get $x0) (v128.const f32x4 -88 -88 -88 -88)) (v128.const f32x4 89 89 89 89)))
        (local.set $x1 (f32x4.pmin (f32x4.pmax (local.get $x1) (v128.const f32x4 -88 -88 -88 -88)) (v128.const f32x4 89 89 89 89)))
        (local.set $n0 (f32x4.nearest (f32x4.mul (local.get $x0) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
        (local.set $n1 (f32x4.nearest (f32x4.mul (local.get $x1) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
        (local.set $r0 (f32x4.sub (local.get $x0) (f32x4.mul (local.get $n0) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
        (local.set $r1 (f32x4.sub (local.get $x1) (f32x4.mul (local.get $n1) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))))
        (local.set $r0 (f32x4.add (local.get $r0) (f32x4.mul (local.get $n0) (v128.const f32x4 2.12194440e-4 2.12194440e-4 2.12194440e-4 2.12194440e-4))))
        (local.set $r1 (f32x4.add (local.get $r1) (f32x4.mul (local.get $n1) (v128.const f32x4 2.12194440e-4 2.12194440e-4 2.12194440e-4 2.12194440e-4))))
        (local.set $e0 (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $r0)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
        (local.set $e1 (f32x4.add (f32x4.mul (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4) (local.get $r1)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
        (local.set $e0 (f32x4.add (f32x4.mul (local.get $e0) (local.get $r0)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
        (local.set $e1 (f32x4.add (f32x4.mul (local.get $e1) (local.get $r1)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
        (local.set $e0 (f32x4.add (f32x4.mul (local.get $e0) (local.get $r0)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
        (local.set $e1 (f32x4.add (f32x4.mul (local.get $e1) (local.get $r1)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
        (local.set $e0 (f32x4.add (f32x4.mul (local.get $e0) (local.get $r0)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
        (local.set $e1 (f32x4.add (f32x4.mul (local.get $e1) (local.get $r1)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
        (local.set $e0 (f32x4.add (f32x4.mul (local.get $e0) (local.get $r0)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
        (local.set $e1 (f32x4.add (f32x4.mul (local.get $e1) (local.get $r1)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
        (local.set $e0 (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $e0) (local.get $r0)) (local.get $r0)) (local.get $r0)) (v128.const f32x4 1 1 1 1)))
        (local.set $e1 (f32x4.add (f32x4.add (f32x4.mul (f32x4.mul (local.get $e1) (local.get $r1)) (local.get $r1)) (local.get $r1)) (v128.const f32x4 1 1 1 1)))
        (local.set $e0 (f32x4.mul (local.get $e0) (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n0)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
        (local.set $e1 (f32x4.mul (local.get $e1) (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n1)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
        (v128.store offset=0 (local.get $p) (local.get $e0))
        (v128.store offset=16 (local.get $p) (local.get $e1))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $e0)))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $e1)))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $l30)))
      (block $d3 (loop $l3
        (br_if $d3 (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $p (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $v (call $exp4 (f32x4.sub (v128.load (local.get $p)) (local.get $vmax))))
        (v128.store (local.get $p) (local.get $v))
        (local.set $acc (f32x4.add (local.get $acc) (local.get $v)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l3)))
      (local.set $cnt (i32.sub (local.get $n) (local.get $i)))
      (if (i32.gt_s (local.get $cnt) (i32.const 0)) (then
        (local.set $p (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $v (call $exp4 (f32x4.sub (call $ld4p (local.get $p) (local.get $cnt)) (local.get $vmax))))
        (call $st4p (local.get $p) (local.get $v) (local.get $cnt))
        (local.set $acc (f32x4.add (local.get $acc) (call $ld4p (local.get $p) (local.get $cnt))))))
      (local.set $sum (call $hsum (local.get $acc)))
      ;; scale by 1/sum
      (local.set $inv (f32x4.splat (f32.div (f32.const 1) (local.get $sum))))
      (local.set $i (i32.const 0))
      (block $d4 (loop $l4
        (br_if $d4 (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $n)))
        (local.set $p (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))
        (v128.store (local.get $p) (f32x4.mul (v128.load (local.get $p)) (local.get $inv)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $l4)))
      (block $d5 (loop $l5
        (br_if $d5 (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $p (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))
        (f32.store (local.get $p) (f32.mul (f32.load (local.get $p)) (f32x4.extract_lane 0 (local.get $inv))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l5)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  ;; ---------------------------------------------------------------- q4

  ;; matmul_q4(dst, q, sa, m, w, sc, bias, n, nb, tmp): Y[m][n] = A·Wᵀ + bias
  ;; over a kernel.PackedQ4 weight, bit-identical to RefMatMulQ4.
  ;;   q    the activations quantized per block of 32 (int8, as QuantizeRow
  ;;        does a row), each block stored as its 16 even then 16 odd elements
  ;;        (the order of the weights' low and high nibbles); m rows of nb·32
  ;;   sa   their f32 block scales [m][nb]
  ;;   w    the packed nibbles [n][nb][16], sc the f16 block scales [n][nb]
  ;;   bias f32 [n], or 0 for none; tmp nb·272 bytes of scratch (a call
  ;;        split over kernel threads gives each part its own:
  ;;        kernel/simd_js.go)
  ;; n must be a multiple of 4. For each 4 outputs, tmp first receives per
  ;; block their 4 scales as f32 and their weights unpacked and widened to
  ;; int16 (low nibbles − 8, high nibbles − 8: 4×32 i16, so that every row
  ;; reuses the widening); then every row runs through the blocks: its 32
  ;; activations widened once, per output four i32x4.dot_i16x8_s (pmaddwd;
  ;; exact, |q·Q| ≤ 127·8) reduce to an i32x4, the four outputs' i32x4 are
  ;; transposed into one [acc0 acc1 acc2 acc3], and
  ;; y = y + float32(acc)·float32(sa·sw), lane-wise in the reference's order.
  (func (export "matmul_q4")
    (param $dst i32) (param $q i32) (param $sa i32) (param $m i32)
    (param $w i32) (param $sc i32) (param $bias i32) (param $n i32) (param $nb i32) (param $tmp i32)
    (local $n0 i32) (local $b i32) (local $j i32) (local $r i32) (local $idx i32)
    (local $t i32) (local $p i32) (local $qp i32) (local $sp i32) (local $dp i32) (local $rowb i32)
    (local $wv v128) (local $ae v128) (local $ah v128) (local $ao v128) (local $oh v128) (local $y v128) (local $bv v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (if (i32.le_s (local.get $m) (i32.const 0)) (then (return)))
    (local.set $rowb (i32.shl (local.get $nb) (i32.const 5)))
    (block $ndone (loop $nl
      (br_if $ndone (i32.ge_s (local.get $n0) (local.get $n)))
      ;; unpack 4 outputs' scales and weights into tmp
      (local.set $b (i32.const 0))
      (local.set $t (local.get $tmp))
      (block $pdone (loop $pl
        (br_if $pdone (i32.ge_s (local.get $b) (local.get $nb)))
        (local.set $j (i32.const 0))
        (block $jdone (loop $jl
          (br_if $jdone (i32.ge_s (local.get $j) (i32.const 4)))
          (local.set $idx (i32.add (i32.mul (i32.add (local.get $n0) (local.get $j)) (local.get $nb)) (local.get $b)))
          (f32.store (i32.add (local.get $t) (i32.shl (local.get $j) (i32.const 2)))
            (call $half (i32.load16_u (i32.add (local.get $sc) (i32.shl (local.get $idx) (i32.const 1))))))
          (local.set $wv (v128.load (i32.add (local.get $w) (i32.shl (local.get $idx) (i32.const 4)))))
          (local.set $p (i32.add (local.get $t) (i32.shl (local.get $j) (i32.const 6))))
          (local.set $v0 (i8x16.sub (v128.and (local.get $wv) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
                                    (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8)))
          (local.set $v1 (i8x16.sub (i8x16.shr_u (local.get $wv) (i32.const 4))
                                    (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8)))
          (v128.store offset=16 (local.get $p) (i16x8.extend_low_i8x16_s (local.get $v0)))
          (v128.store offset=32 (local.get $p) (i16x8.extend_high_i8x16_s (local.get $v0)))
          (v128.store offset=48 (local.get $p) (i16x8.extend_low_i8x16_s (local.get $v1)))
          (v128.store offset=64 (local.get $p) (i16x8.extend_high_i8x16_s (local.get $v1)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jl)))
        (local.set $t (i32.add (local.get $t) (i32.const 272)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $pl)))
      ;; -0.0 is the additive identity (keeps a -0.0 sum's sign), as no bias
      (local.set $bv (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))
      (if (local.get $bias)
        (then (local.set $bv (v128.load (i32.add (local.get $bias) (i32.shl (local.get $n0) (i32.const 2)))))))
      (local.set $r (i32.const 0))
      (local.set $qp (local.get $q))
      (local.set $sp (local.get $sa))
      (local.set $dp (i32.add (local.get $dst) (i32.shl (local.get $n0) (i32.const 2))))
      (block $rdone (loop $rl
        (br_if $rdone (i32.ge_s (local.get $r) (local.get $m)))
        (local.set $y (v128.const i32x4 0 0 0 0))
        (local.set $b (i32.const 0))
        (local.set $t (local.get $tmp))
        (local.set $p (local.get $qp))
        (block $bdone (loop $bl
          (br_if $bdone (i32.ge_s (local.get $b) (local.get $nb)))
          (local.set $wv (v128.load (local.get $p)))
          (local.set $ae (i16x8.extend_low_i8x16_s (local.get $wv)))
          (local.set $ah (i16x8.extend_high_i8x16_s (local.get $wv)))
          (local.set $wv (v128.load offset=16 (local.get $p)))
          (local.set $ao (i16x8.extend_low_i8x16_s (local.get $wv)))
          (local.set $oh (i16x8.extend_high_i8x16_s (local.get $wv)))
          (local.set $v0 (i32x4.add
            (i32x4.add (i32x4.dot_i16x8_s (v128.load offset=16 (local.get $t)) (local.get $ae))
                       (i32x4.dot_i16x8_s (v128.load offset=32 (local.get $t)) (local.get $ah)))
            (i32x4.add (i32x4.dot_i16x8_s (v128.load offset=48 (local.get $t)) (local.get $ao))
                       (i32x4.dot_i16x8_s (v128.load offset=64 (local.get $t)) (local.get $oh)))))
          (local.set $v1 (i32x4.add
            (i32x4.add (i32x4.dot_i16x8_s (v128.load offset=80 (local.get $t)) (local.get $ae))
                       (i32x4.dot_i16x8_s (v128.load offset=96 (local.get $t)) (local.get $ah)))
            (i32x4.add (i32x4.dot_i16x8_s (v128.load offset=112 (local.get $t)) (local.get $ao))
                       (i32x4.dot_i16x8_s (v128.load offset=128 (local.get $t)) (local.get $oh)))))
          (local.set $v2 (i32x4.add
            (i32x4.add (i32x4.dot_i16x8_s (v128.load offset=144 (local.get $t)) (local.get $ae))
                       (i32x4.dot_i16x8_s (v128.load offset=160 (local.get $t)) (local.get $ah)))
            (i32x4.add (i32x4.dot_i16x8_s (v128.load offset=176 (local.get $t)) (local.get $ao))
                       (i32x4.dot_i16x8_s (v128.load offset=192 (local.get $t)) (local.get $oh)))))
          (local.set $v3 (i32x4.add
            (i32x4.add (i32x4.dot_i16x8_s (v128.load offset=208 (local.get $t)) (local.get $ae))
                       (i32x4.dot_i16x8_s (v128.load offset=224 (local.get $t)) (local.get $ah)))
            (i32x4.add (i32x4.dot_i16x8_s (v128.load offset=240 (local.get $t)) (local.get $ao))
                       (i32x4.dot_i16x8_s (v128.load offset=256 (local.get $t)) (local.get $oh)))))
          ;; [a0 b0 a1 b1] + [a2 b2 a3 b3], likewise c, d; then the halves
          (local.set $v0 (i32x4.add
            (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1))
            (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1))))
          (local.set $v2 (i32x4.add
            (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3))
            (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3))))
          (local.set $v0 (i32x4.add
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $v0) (local.get $v2))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $v0) (local.get $v2))))
          (local.set $y (f32x4.add (local.get $y)
            (f32x4.mul (f32x4.convert_i32x4_s (local.get $v0))
                       (f32x4.mul (f32x4.splat (f32.load (i32.add (local.get $sp) (i32.shl (local.get $b) (i32.const 2)))))
                                  (v128.load (local.get $t))))))
          (local.set $t (i32.add (local.get $t) (i32.const 272)))
          (local.set $p (i32.add (local.get $p) (i32.const 32)))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br $bl)))
        (v128.store (local.get $dp) (f32x4.add (local.get $y) (local.get $bv)))
        (local.set $qp (i32.add (local.get $qp) (local.get $rowb)))
        (local.set $sp (i32.add (local.get $sp) (i32.shl (local.get $nb) (i32.const 2))))
        (local.set $dp (i32.add (local.get $dp) (i32.shl (local.get $n) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rl)))
      (local.set $n0 (i32.add (local.get $n0) (i32.const 4)))
      (br $nl))))

  ;; quantize_blocks_q4(a, m, nb, q, sa): the activations of matmul_q4.
  ;; a[m][nb·32] (f32) is quantized per block of 32 exactly as
  ;; kernel.QuantizeRow quantizes a row (amax, sa = amax/127, q =
  ;; clamp(nearest(v·(127/amax)), ±127)), and each block is stored as its 16
  ;; even then 16 odd int8 values; sa[m][nb] receives the block scales.
  (func (export "quantize_blocks_q4")
    (param $a i32) (param $m i32) (param $nb i32) (param $q i32) (param $sa i32)
    (local $i i32) (local $cnt i32) (local $amax f32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $x4 v128) (local $x5 v128) (local $x6 v128) (local $x7 v128)
    (local $mx v128) (local $vinv v128) (local $lo v128) (local $hi v128)
    (local.set $cnt (i32.mul (local.get $m) (local.get $nb)))
    (block $done (loop $blocks
      (br_if $done (i32.ge_s (local.get $i) (local.get $cnt)))
      (local.set $x0 (v128.load offset=0 (local.get $a)))
      (local.set $x1 (v128.load offset=16 (local.get $a)))
      (local.set $x2 (v128.load offset=32 (local.get $a)))
      (local.set $x3 (v128.load offset=48 (local.get $a)))
      (local.set $x4 (v128.load offset=64 (local.get $a)))
      (local.set $x5 (v128.load offset=80 (local.get $a)))
      (local.set $x6 (v128.load offset=96 (local.get $a)))
      (local.set $x7 (v128.load offset=112 (local.get $a)))
      ;; amax: f32x4.pmax(a, b) = a < b ? b : a ignores NaN like Go's `if v > amax`.
      (local.set $mx (f32x4.pmax
        (f32x4.pmax (f32x4.pmax (f32x4.abs (local.get $x0)) (f32x4.abs (local.get $x1)))
                    (f32x4.pmax (f32x4.abs (local.get $x2)) (f32x4.abs (local.get $x3))))
        (f32x4.pmax (f32x4.pmax (f32x4.abs (local.get $x4)) (f32x4.abs (local.get $x5)))
                    (f32x4.pmax (f32x4.abs (local.get $x6)) (f32x4.abs (local.get $x7))))))
      (local.set $mx (f32x4.pmax (local.get $mx) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $mx) (local.get $mx))))
      (local.set $mx (f32x4.pmax (local.get $mx) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $mx) (local.get $mx))))
      (local.set $amax (f32x4.extract_lane 0 (local.get $mx)))
      (if (f32.eq (local.get $amax) (f32.const 0))
        (then
          (f32.store (local.get $sa) (f32.const 0))
          (v128.store offset=0 (local.get $q) (v128.const i32x4 0 0 0 0))
          (v128.store offset=16 (local.get $q) (v128.const i32x4 0 0 0 0)))
        (else
          (f32.store (local.get $sa) (f32.div (local.get $amax) (f32.const 127)))
          (local.set $vinv (f32x4.splat (f32.div (f32.const 127) (local.get $amax))))
          ;; elements 0..15 and 16..31 as int8, in order
          (local.set $lo (i8x16.narrow_i16x8_s
            (i16x8.narrow_i32x4_s (call $q127 (local.get $x0) (local.get $vinv)) (call $q127 (local.get $x1) (local.get $vinv)))
            (i16x8.narrow_i32x4_s (call $q127 (local.get $x2) (local.get $vinv)) (call $q127 (local.get $x3) (local.get $vinv)))))
          (local.set $hi (i8x16.narrow_i16x8_s
            (i16x8.narrow_i32x4_s (call $q127 (local.get $x4) (local.get $vinv)) (call $q127 (local.get $x5) (local.get $vinv)))
            (i16x8.narrow_i32x4_s (call $q127 (local.get $x6) (local.get $vinv)) (call $q127 (local.get $x7) (local.get $vinv)))))
          (v128.store offset=0 (local.get $q)
            (i8x16.shuffle 0 2 4 6 8 10 12 14 16 18 20 22 24 26 28 30 (local.get $lo) (local.get $hi)))
          (v128.store offset=16 (local.get $q)
            (i8x16.shuffle 1 3 5 7 9 11 13 15 17 19 21 23 25 27 29 31 (local.get $lo) (local.get $hi)))))
      (local.set $a (i32.add (local.get $a) (i32.const 128)))
      (local.set $q (i32.add (local.get $q) (i32.const 32)))
      (local.set $sa (i32.add (local.get $sa) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $blocks))))

  ;; $q127: clamp(nearest(x·inv), ±127) as i32 lanes (QuantizeRow's rounding).
  (func $q127 (param $x v128) (param $inv v128) (result v128)
    (i32x4.trunc_sat_f32x4_s
      (f32x4.pmin (f32x4.pmax (f32x4.nearest (f32x4.mul (local.get $inv) (local.get $x)))
                              (v128.const f32x4 -127 -127 -127 -127))
                  (v128.const f32x4 127 127 127 127))))
)
