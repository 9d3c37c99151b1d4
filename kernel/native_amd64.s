#include "textflag.h"

// Inner products of the native kernels (native_amd64.go). Each computes
// the exact (int) or float32 sums of a few activation rows against one or
// two 8-row weight panels over all of K; Go does the scaling and stores.
// Row pointers come in an array so a caller short of rows repeats the
// last one (the duplicates' sums are discarded).

// quadShuf turns, in each 128-bit lane, [rows 0-3 × k0k1 | rows 0-3 × k2k3]
// (two 8-byte halves of 16-bit pairs) into rows 0-3 × k0k1k2k3: the
// 4-byte groups VPDPBUSD sums.
DATA quadShuf<>+0(SB)/8, $0x0b0a030209080100
DATA quadShuf<>+8(SB)/8, $0x0f0e07060d0c0504
DATA quadShuf<>+16(SB)/8, $0x0b0a030209080100
DATA quadShuf<>+24(SB)/8, $0x0f0e07060d0c0504
DATA quadShuf<>+32(SB)/8, $0x0b0a030209080100
DATA quadShuf<>+40(SB)/8, $0x0f0e07060d0c0504
DATA quadShuf<>+48(SB)/8, $0x0b0a030209080100
DATA quadShuf<>+56(SB)/8, $0x0f0e07060d0c0504
GLOBL quadShuf<>(SB), RODATA|NOPTR, $64

// VEX-encoded VPDPBUSD (AVX-VNNI, no AVX-512 needed): acc += u8(Y5)·s8(Y4),
// acc = Y0..Y3 (the assembler only knows the EVEX form).
#define VNNI_Y5_Y4(modrm) BYTE $0xC4; BYTE $0xE2; BYTE $0x55; BYTE $0x50; BYTE $modrm

// func q8DotAVXVNNI(acc *[4][8]int32, a *[4]*byte, w *int8, nq int)
// a: u8 activations (qa+128); w: a PackedQ8 panel; nq = Kp/4 ≥ 1.
TEXT ·q8DotAVXVNNI(SB), NOSPLIT, $0-32
	MOVQ a+8(FP), SI
	MOVQ w+16(FP), DX
	MOVQ nq+24(FP), CX
	MOVQ 0(SI), R8
	MOVQ 8(SI), R9
	MOVQ 16(SI), R10
	MOVQ 24(SI), R11
	VMOVDQU quadShuf<>(SB), Y15
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
avxvnniLoop:
	VPERMQ $0xD8, (DX), Y4
	VPSHUFB Y15, Y4, Y4
	VPBROADCASTD (R8), Y5
	VNNI_Y5_Y4(0xC4)
	VPBROADCASTD (R9), Y5
	VNNI_Y5_Y4(0xCC)
	VPBROADCASTD (R10), Y5
	VNNI_Y5_Y4(0xD4)
	VPBROADCASTD (R11), Y5
	VNNI_Y5_Y4(0xDC)
	ADDQ $32, DX
	ADDQ $4, R8
	ADDQ $4, R9
	ADDQ $4, R10
	ADDQ $4, R11
	DECQ CX
	JNZ avxvnniLoop
	MOVQ acc+0(FP), DI
	VMOVDQU Y0, 0(DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	VZEROUPPER
	RET

// func q8DotAVX512(acc *[8][16]int32, a *[8]*byte, w0, w1 *int8, nq int, st *q8Store)
// Two panels at once (w0 in lanes 0-7, w1 in 8-15), eight u8 rows. With
// st nil the sums go to acc; otherwise each row i is finished as
// storeQ8Native does, y = float32(float32(acc−corr)·float32(sa_i·scale)) +
// bias (bias −0 when there is none: y + −0 = y, signed zeros too), and
// its 16 outputs stored at st.dst[i].
TEXT ·q8DotAVX512(SB), NOSPLIT, $0-48
	MOVQ a+8(FP), SI
	MOVQ w0+16(FP), DX
	MOVQ w1+24(FP), BX
	MOVQ nq+32(FP), CX
	MOVQ 0(SI), R8
	MOVQ 8(SI), R9
	MOVQ 16(SI), R10
	MOVQ 24(SI), R11
	MOVQ 32(SI), R12
	MOVQ 40(SI), R13
	MOVQ 48(SI), R14
	MOVQ 56(SI), R15
	VMOVDQU64 quadShuf<>(SB), Z31
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
avx512Loop:
	VMOVDQU32 (DX), Y16
	VINSERTI64X4 $1, (BX), Z16, Z16
	VPERMQ $0xD8, Z16, Z16
	VPSHUFB Z31, Z16, Z16
	VPBROADCASTD (R8), Z17
	VPDPBUSD Z16, Z17, Z0
	VPBROADCASTD (R9), Z18
	VPDPBUSD Z16, Z18, Z1
	VPBROADCASTD (R10), Z19
	VPDPBUSD Z16, Z19, Z2
	VPBROADCASTD (R11), Z20
	VPDPBUSD Z16, Z20, Z3
	VPBROADCASTD (R12), Z21
	VPDPBUSD Z16, Z21, Z4
	VPBROADCASTD (R13), Z22
	VPDPBUSD Z16, Z22, Z5
	VPBROADCASTD (R14), Z23
	VPDPBUSD Z16, Z23, Z6
	VPBROADCASTD (R15), Z24
	VPDPBUSD Z16, Z24, Z7
	ADDQ $32, DX
	ADDQ $32, BX
	ADDQ $4, R8
	ADDQ $4, R9
	ADDQ $4, R10
	ADDQ $4, R11
	ADDQ $4, R12
	ADDQ $4, R13
	ADDQ $4, R14
	ADDQ $4, R15
	DECQ CX
	JNZ avx512Loop
	MOVQ st+40(FP), AX
	TESTQ AX, AX
	JZ avx512Acc
	MOVQ 96(AX), BX
	VMOVDQU32 (BX), Z25
	MOVQ 104(AX), BX
	VMOVUPS (BX), Z26
	MOVQ 112(AX), BX
	VMOVUPS (BX), Z27
	VPSUBD Z25, Z0, Z0
	VCVTDQ2PS Z0, Z0
	VBROADCASTSS 64(AX), Z28
	VMULPS Z26, Z28, Z28
	VMULPS Z28, Z0, Z0
	VADDPS Z27, Z0, Z0
	MOVQ 0(AX), BX
	VMOVUPS Z0, (BX)
	VPSUBD Z25, Z1, Z1
	VCVTDQ2PS Z1, Z1
	VBROADCASTSS 68(AX), Z28
	VMULPS Z26, Z28, Z28
	VMULPS Z28, Z1, Z1
	VADDPS Z27, Z1, Z1
	MOVQ 8(AX), BX
	VMOVUPS Z1, (BX)
	VPSUBD Z25, Z2, Z2
	VCVTDQ2PS Z2, Z2
	VBROADCASTSS 72(AX), Z28
	VMULPS Z26, Z28, Z28
	VMULPS Z28, Z2, Z2
	VADDPS Z27, Z2, Z2
	MOVQ 16(AX), BX
	VMOVUPS Z2, (BX)
	VPSUBD Z25, Z3, Z3
	VCVTDQ2PS Z3, Z3
	VBROADCASTSS 76(AX), Z28
	VMULPS Z26, Z28, Z28
	VMULPS Z28, Z3, Z3
	VADDPS Z27, Z3, Z3
	MOVQ 24(AX), BX
	VMOVUPS Z3, (BX)
	VPSUBD Z25, Z4, Z4
	VCVTDQ2PS Z4, Z4
	VBROADCASTSS 80(AX), Z28
	VMULPS Z26, Z28, Z28
	VMULPS Z28, Z4, Z4
	VADDPS Z27, Z4, Z4
	MOVQ 32(AX), BX
	VMOVUPS Z4, (BX)
	VPSUBD Z25, Z5, Z5
	VCVTDQ2PS Z5, Z5
	VBROADCASTSS 84(AX), Z28
	VMULPS Z26, Z28, Z28
	VMULPS Z28, Z5, Z5
	VADDPS Z27, Z5, Z5
	MOVQ 40(AX), BX
	VMOVUPS Z5, (BX)
	VPSUBD Z25, Z6, Z6
	VCVTDQ2PS Z6, Z6
	VBROADCASTSS 88(AX), Z28
	VMULPS Z26, Z28, Z28
	VMULPS Z28, Z6, Z6
	VADDPS Z27, Z6, Z6
	MOVQ 48(AX), BX
	VMOVUPS Z6, (BX)
	VPSUBD Z25, Z7, Z7
	VCVTDQ2PS Z7, Z7
	VBROADCASTSS 92(AX), Z28
	VMULPS Z26, Z28, Z28
	VMULPS Z28, Z7, Z7
	VADDPS Z27, Z7, Z7
	MOVQ 56(AX), BX
	VMOVUPS Z7, (BX)
	VZEROUPPER
	RET
avx512Acc:
	MOVQ acc+0(FP), DI
	VMOVDQU32 Z0, 0(DI)
	VMOVDQU32 Z1, 64(DI)
	VMOVDQU32 Z2, 128(DI)
	VMOVDQU32 Z3, 192(DI)
	VMOVDQU32 Z4, 256(DI)
	VMOVDQU32 Z5, 320(DI)
	VMOVDQU32 Z6, 384(DI)
	VMOVDQU32 Z7, 448(DI)
	VZEROUPPER
	RET

// func q8DotAVX2(acc *[4][8]int32, a *[4]*byte, w *int8, np int)
// a: int16 activations (little-endian pairs); w: a PackedQ8 panel;
// np = Kp/2 ≥ 1. VPMADDWD on sign-extended weights: exact.
TEXT ·q8DotAVX2(SB), NOSPLIT, $0-32
	MOVQ a+8(FP), SI
	MOVQ w+16(FP), DX
	MOVQ np+24(FP), CX
	MOVQ 0(SI), R8
	MOVQ 8(SI), R9
	MOVQ 16(SI), R10
	MOVQ 24(SI), R11
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
avx2Loop:
	VPMOVSXBW (DX), Y4
	VPBROADCASTD (R8), Y5
	VPMADDWD Y5, Y4, Y5
	VPADDD Y5, Y0, Y0
	VPBROADCASTD (R9), Y6
	VPMADDWD Y6, Y4, Y6
	VPADDD Y6, Y1, Y1
	VPBROADCASTD (R10), Y7
	VPMADDWD Y7, Y4, Y7
	VPADDD Y7, Y2, Y2
	VPBROADCASTD (R11), Y8
	VPMADDWD Y8, Y4, Y8
	VPADDD Y8, Y3, Y3
	ADDQ $16, DX
	ADDQ $4, R8
	ADDQ $4, R9
	ADDQ $4, R10
	ADDQ $4, R11
	DECQ CX
	JNZ avx2Loop
	MOVQ acc+0(FP), DI
	VMOVDQU Y0, 0(DI)
	VMOVDQU Y1, 32(DI)
	VMOVDQU Y2, 64(DI)
	VMOVDQU Y3, 96(DI)
	VZEROUPPER
	RET

// func f32DotFMA(acc *[8][16]float32, a *[8]*float32, w0, w1 *float32, k int, st *f32Store)
// Six activation rows against two PackedF32 panels (w1 may equal w0),
// in k order with fused multiply-add; k ≥ 1. With st nil the sums go to
// acc; otherwise row i gets st.bias (16 values; −0 for none) added and
// its 16 outputs stored at st.dst[i].
TEXT ·f32DotFMA(SB), NOSPLIT, $0-48
	MOVQ a+8(FP), SI
	MOVQ w0+16(FP), DX
	MOVQ w1+24(FP), BX
	MOVQ k+32(FP), CX
	MOVQ 0(SI), R8
	MOVQ 8(SI), R9
	MOVQ 16(SI), R10
	MOVQ 24(SI), R11
	MOVQ 32(SI), R12
	MOVQ 40(SI), R13
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
fmaLoop:
	VMOVUPS (DX), Y12
	VMOVUPS (BX), Y13
	VBROADCASTSS (R8), Y14
	VFMADD231PS Y12, Y14, Y0
	VFMADD231PS Y13, Y14, Y1
	VBROADCASTSS (R9), Y15
	VFMADD231PS Y12, Y15, Y2
	VFMADD231PS Y13, Y15, Y3
	VBROADCASTSS (R10), Y14
	VFMADD231PS Y12, Y14, Y4
	VFMADD231PS Y13, Y14, Y5
	VBROADCASTSS (R11), Y15
	VFMADD231PS Y12, Y15, Y6
	VFMADD231PS Y13, Y15, Y7
	VBROADCASTSS (R12), Y14
	VFMADD231PS Y12, Y14, Y8
	VFMADD231PS Y13, Y14, Y9
	VBROADCASTSS (R13), Y15
	VFMADD231PS Y12, Y15, Y10
	VFMADD231PS Y13, Y15, Y11
	ADDQ $32, DX
	ADDQ $32, BX
	ADDQ $4, R8
	ADDQ $4, R9
	ADDQ $4, R10
	ADDQ $4, R11
	ADDQ $4, R12
	ADDQ $4, R13
	DECQ CX
	JNZ fmaLoop
	MOVQ st+40(FP), AX
	TESTQ AX, AX
	JZ fmaAcc
	MOVQ 64(AX), BX
	VMOVUPS (BX), Y12
	VMOVUPS 32(BX), Y13
	VADDPS Y12, Y0, Y0
	VADDPS Y13, Y1, Y1
	MOVQ 0(AX), BX
	VMOVUPS Y0, (BX)
	VMOVUPS Y1, 32(BX)
	VADDPS Y12, Y2, Y2
	VADDPS Y13, Y3, Y3
	MOVQ 8(AX), BX
	VMOVUPS Y2, (BX)
	VMOVUPS Y3, 32(BX)
	VADDPS Y12, Y4, Y4
	VADDPS Y13, Y5, Y5
	MOVQ 16(AX), BX
	VMOVUPS Y4, (BX)
	VMOVUPS Y5, 32(BX)
	VADDPS Y12, Y6, Y6
	VADDPS Y13, Y7, Y7
	MOVQ 24(AX), BX
	VMOVUPS Y6, (BX)
	VMOVUPS Y7, 32(BX)
	VADDPS Y12, Y8, Y8
	VADDPS Y13, Y9, Y9
	MOVQ 32(AX), BX
	VMOVUPS Y8, (BX)
	VMOVUPS Y9, 32(BX)
	VADDPS Y12, Y10, Y10
	VADDPS Y13, Y11, Y11
	MOVQ 40(AX), BX
	VMOVUPS Y10, (BX)
	VMOVUPS Y11, 32(BX)
	VZEROUPPER
	RET
fmaAcc:
	MOVQ acc+0(FP), DI
	VMOVUPS Y0, 0(DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	VMOVUPS Y4, 128(DI)
	VMOVUPS Y5, 160(DI)
	VMOVUPS Y6, 192(DI)
	VMOVUPS Y7, 224(DI)
	VMOVUPS Y8, 256(DI)
	VMOVUPS Y9, 288(DI)
	VMOVUPS Y10, 320(DI)
	VMOVUPS Y11, 352(DI)
	VZEROUPPER
	RET

// Constants of the vector row operations, each repeated 8 times (one ymm).
DATA rowC<>+0(SB)/8, $0x42b0000042b00000
DATA rowC<>+8(SB)/8, $0x42b0000042b00000
DATA rowC<>+16(SB)/8, $0x42b0000042b00000
DATA rowC<>+24(SB)/8, $0x42b0000042b00000
DATA rowC<>+32(SB)/8, $0xc2ae999ac2ae999a
DATA rowC<>+40(SB)/8, $0xc2ae999ac2ae999a
DATA rowC<>+48(SB)/8, $0xc2ae999ac2ae999a
DATA rowC<>+56(SB)/8, $0xc2ae999ac2ae999a
DATA rowC<>+64(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA rowC<>+72(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA rowC<>+80(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA rowC<>+88(SB)/8, $0x3fb8aa3b3fb8aa3b
DATA rowC<>+96(SB)/8, $0x3f3180003f318000
DATA rowC<>+104(SB)/8, $0x3f3180003f318000
DATA rowC<>+112(SB)/8, $0x3f3180003f318000
DATA rowC<>+120(SB)/8, $0x3f3180003f318000
DATA rowC<>+128(SB)/8, $0xb95e8083b95e8083
DATA rowC<>+136(SB)/8, $0xb95e8083b95e8083
DATA rowC<>+144(SB)/8, $0xb95e8083b95e8083
DATA rowC<>+152(SB)/8, $0xb95e8083b95e8083
DATA rowC<>+160(SB)/8, $0x3950696739506967
DATA rowC<>+168(SB)/8, $0x3950696739506967
DATA rowC<>+176(SB)/8, $0x3950696739506967
DATA rowC<>+184(SB)/8, $0x3950696739506967
DATA rowC<>+192(SB)/8, $0x3ab743ce3ab743ce
DATA rowC<>+200(SB)/8, $0x3ab743ce3ab743ce
DATA rowC<>+208(SB)/8, $0x3ab743ce3ab743ce
DATA rowC<>+216(SB)/8, $0x3ab743ce3ab743ce
DATA rowC<>+224(SB)/8, $0x3c0889083c088908
DATA rowC<>+232(SB)/8, $0x3c0889083c088908
DATA rowC<>+240(SB)/8, $0x3c0889083c088908
DATA rowC<>+248(SB)/8, $0x3c0889083c088908
DATA rowC<>+256(SB)/8, $0x3d2aa9c13d2aa9c1
DATA rowC<>+264(SB)/8, $0x3d2aa9c13d2aa9c1
DATA rowC<>+272(SB)/8, $0x3d2aa9c13d2aa9c1
DATA rowC<>+280(SB)/8, $0x3d2aa9c13d2aa9c1
DATA rowC<>+288(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA rowC<>+296(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA rowC<>+304(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA rowC<>+312(SB)/8, $0x3e2aaaaa3e2aaaaa
DATA rowC<>+320(SB)/8, $0x3f0000003f000000
DATA rowC<>+328(SB)/8, $0x3f0000003f000000
DATA rowC<>+336(SB)/8, $0x3f0000003f000000
DATA rowC<>+344(SB)/8, $0x3f0000003f000000
DATA rowC<>+352(SB)/8, $0x3f8000003f800000
DATA rowC<>+360(SB)/8, $0x3f8000003f800000
DATA rowC<>+368(SB)/8, $0x3f8000003f800000
DATA rowC<>+376(SB)/8, $0x3f8000003f800000
DATA rowC<>+384(SB)/8, $0x0000007f0000007f
DATA rowC<>+392(SB)/8, $0x0000007f0000007f
DATA rowC<>+400(SB)/8, $0x0000007f0000007f
DATA rowC<>+408(SB)/8, $0x0000007f0000007f
DATA rowC<>+416(SB)/8, $0x3d3727133d372713
DATA rowC<>+424(SB)/8, $0x3d3727133d372713
DATA rowC<>+432(SB)/8, $0x3d3727133d372713
DATA rowC<>+440(SB)/8, $0x3d3727133d372713
DATA rowC<>+448(SB)/8, $0xbfcc422abfcc422a
DATA rowC<>+456(SB)/8, $0xbfcc422abfcc422a
DATA rowC<>+464(SB)/8, $0xbfcc422abfcc422a
DATA rowC<>+472(SB)/8, $0xbfcc422abfcc422a
DATA rowC<>+480(SB)/8, $0x7fffffff7fffffff
DATA rowC<>+488(SB)/8, $0x7fffffff7fffffff
DATA rowC<>+496(SB)/8, $0x7fffffff7fffffff
DATA rowC<>+504(SB)/8, $0x7fffffff7fffffff
DATA rowC<>+512(SB)/8, $0x42fe000042fe0000
DATA rowC<>+520(SB)/8, $0x42fe000042fe0000
DATA rowC<>+528(SB)/8, $0x42fe000042fe0000
DATA rowC<>+536(SB)/8, $0x42fe000042fe0000
DATA rowC<>+544(SB)/8, $0xc2fe0000c2fe0000
DATA rowC<>+552(SB)/8, $0xc2fe0000c2fe0000
DATA rowC<>+560(SB)/8, $0xc2fe0000c2fe0000
DATA rowC<>+568(SB)/8, $0xc2fe0000c2fe0000
GLOBL rowC<>(SB), RODATA|NOPTR, $576

// EXP8(x, t, u, v): x = exp(x) on 8 lanes (Cephes expf: 2^n·p(r),
// |r| ≤ ln2/2, about 1 ulp of float32); t, u, v are clobbered. Arguments
// are clamped to [-87.3, 88]: below, the result is ~1e-38 instead of
// smaller (softmax and GELU need no more).
#define EXP8(x, t, u, v) \
	VMINPS rowC<>+0(SB), x, x \
	VMAXPS rowC<>+32(SB), x, x \
	VMULPS rowC<>+64(SB), x, t \
	VROUNDPS $0, t, t \
	VFNMADD231PS rowC<>+96(SB), t, x \
	VFNMADD231PS rowC<>+128(SB), t, x \
	VMOVUPS rowC<>+160(SB), u \
	VFMADD213PS rowC<>+192(SB), x, u \
	VFMADD213PS rowC<>+224(SB), x, u \
	VFMADD213PS rowC<>+256(SB), x, u \
	VFMADD213PS rowC<>+288(SB), x, u \
	VFMADD213PS rowC<>+320(SB), x, u \
	VMULPS x, x, v \
	VFMADD213PS x, v, u \
	VADDPS rowC<>+352(SB), u, u \
	VCVTPS2DQ t, t \
	VPADDD rowC<>+384(SB), t, t \
	VPSLLD $23, t, t \
	VMULPS t, u, x

// func expSubSumAVX2(x *float32, n int, sub float32) float32
// x[i] = exp(x[i] - sub) in place for n (a multiple of 8, ≥ 8) values;
// returns their float32 sum.
TEXT ·expSubSumAVX2(SB), NOSPLIT, $0-28
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	VBROADCASTSS sub+16(FP), Y6
	VXORPS Y7, Y7, Y7
expLoop:
	VMOVUPS (SI), Y0
	VSUBPS Y6, Y0, Y0
	EXP8(Y0, Y1, Y2, Y3)
	VMOVUPS Y0, (SI)
	VADDPS Y0, Y7, Y7
	ADDQ $32, SI
	DECQ CX
	JNZ expLoop
	VEXTRACTF128 $1, Y7, X0
	VADDPS X0, X7, X7
	VHADDPS X7, X7, X7
	VHADDPS X7, X7, X7
	VMOVSS X7, ret+24(FP)
	VZEROUPPER
	RET

// func geluTanhAVX2(x *float32, n int)
// x = x·σ(2u) = x / (1 + exp(-2u)), u = √(2/π)(x + 0.044715x³) — the same
// function as 0.5x(1 + tanh u) — for n (a multiple of 8, ≥ 8) values.
TEXT ·geluTanhAVX2(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
geluLoop:
	VMOVUPS (SI), Y4
	VMULPS Y4, Y4, Y0
	VMULPS rowC<>+416(SB), Y0, Y0
	VFMADD213PS Y4, Y4, Y0
	VMULPS rowC<>+448(SB), Y0, Y0
	EXP8(Y0, Y1, Y2, Y3)
	VADDPS rowC<>+352(SB), Y0, Y0
	VDIVPS Y0, Y4, Y4
	VMOVUPS Y4, (SI)
	ADDQ $32, SI
	DECQ CX
	JNZ geluLoop
	VZEROUPPER
	RET

// func absMaxAVX2(a *float32, n int) float32
// max |a[i]| over n (a multiple of 8, ≥ 8) values; NaNs are skipped, as
// QuantizeRow's comparison skips them (VMAXPS returns its second source
// when the first is NaN).
TEXT ·absMaxAVX2(SB), NOSPLIT, $0-20
	MOVQ a+0(FP), SI
	MOVQ n+8(FP), CX
	SHRQ $3, CX
	VMOVUPS rowC<>+480(SB), Y5
	VXORPS Y0, Y0, Y0
amaxLoop:
	VANDPS (SI), Y5, Y1
	VMAXPS Y0, Y1, Y0
	ADDQ $32, SI
	DECQ CX
	JNZ amaxLoop
	VEXTRACTF128 $1, Y0, X1
	VMAXPS X0, X1, X0
	VPERMILPS $0x4e, X0, X1
	VMAXPS X0, X1, X0
	VPERMILPS $0xb1, X0, X1
	VMAXPS X0, X1, X0
	VMOVSS X0, ret+16(FP)
	VZEROUPPER
	RET

// func quantRowAVX2(q *int8, a *float32, n int, inv float32)
// q[i] = clamp(roundHalfEven(float32(a[i]·inv)), -127, 127), 0 where the
// product is NaN (as Go's int8 conversion of NaN), for n (a multiple of 8,
// ≥ 8) values: VCVTPS2DQ rounds to nearest even (Go keeps MXCSR's default).
TEXT ·quantRowAVX2(SB), NOSPLIT, $0-28
	MOVQ q+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	VBROADCASTSS inv+24(FP), Y6
	VMOVUPS rowC<>+512(SB), Y7
	VMOVUPS rowC<>+544(SB), Y8
quantLoop:
	VMULPS (SI), Y6, Y0
	VCMPPS $0, Y0, Y0, Y1
	VMINPS Y7, Y0, Y0
	VMAXPS Y8, Y0, Y0
	VCVTPS2DQ Y0, Y0
	VPAND Y1, Y0, Y0
	VPACKSSDW Y0, Y0, Y0
	VPACKSSWB Y0, Y0, Y0
	VMOVD X0, (DI)
	VEXTRACTI128 $1, Y0, X0
	VMOVD X0, 4(DI)
	ADDQ $32, SI
	ADDQ $8, DI
	DECQ CX
	JNZ quantLoop
	VZEROUPPER
	RET

// func q4RowAVX512(y *float32, wq *byte, sw *float32, at *int8, sa *float32, corr *int32, groups, blocks int)
// One 4-bit weight row (wq: its values +8 as bytes, sw: its block scales)
// against groups of 16 activation rows interleaved per k-quad (at: for each
// quad, 16 rows × 4 bytes; sa, corr: per block, 16 rows' scales and
// 8·Σ_block a): per row, y = Σ_b float32(acc_b − corr_b)·float32(sa_b·sw_b),
// summed block by block in order, as RefMatMulQ4.
TEXT ·q4RowAVX512(SB), NOSPLIT, $0-64
	MOVQ y+0(FP), DI
	MOVQ at+24(FP), SI
	MOVQ sa+32(FP), R8
	MOVQ corr+40(FP), R9
	MOVQ groups+48(FP), R10
q4g512:
	MOVQ wq+8(FP), DX
	MOVQ sw+16(FP), BX
	MOVQ blocks+56(FP), CX
	VPXORD Z0, Z0, Z0
q4b512:
	VPBROADCASTD 0(DX), Z2
	VPXORD Z1, Z1, Z1
	VPDPBUSD 0(SI), Z2, Z1
	VPBROADCASTD 4(DX), Z3
	VPXORD Z4, Z4, Z4
	VPDPBUSD 64(SI), Z3, Z4
	VPBROADCASTD 8(DX), Z2
	VPDPBUSD 128(SI), Z2, Z1
	VPBROADCASTD 12(DX), Z3
	VPDPBUSD 192(SI), Z3, Z4
	VPBROADCASTD 16(DX), Z2
	VPDPBUSD 256(SI), Z2, Z1
	VPBROADCASTD 20(DX), Z3
	VPDPBUSD 320(SI), Z3, Z4
	VPBROADCASTD 24(DX), Z2
	VPDPBUSD 384(SI), Z2, Z1
	VPBROADCASTD 28(DX), Z3
	VPDPBUSD 448(SI), Z3, Z4
	VPADDD Z4, Z1, Z1
	VPSUBD (R9), Z1, Z1
	VCVTDQ2PS Z1, Z1
	VBROADCASTSS (BX), Z3
	VMULPS (R8), Z3, Z3
	VMULPS Z3, Z1, Z1
	VADDPS Z1, Z0, Z0
	ADDQ $32, DX
	ADDQ $4, BX
	ADDQ $512, SI
	ADDQ $64, R8
	ADDQ $64, R9
	DECQ CX
	JNZ q4b512
	VMOVUPS Z0, (DI)
	ADDQ $64, DI
	DECQ R10
	JNZ q4g512
	VZEROUPPER
	RET

DATA ones16<>+0(SB)/8, $0x0001000100010001
DATA ones16<>+8(SB)/8, $0x0001000100010001
DATA ones16<>+16(SB)/8, $0x0001000100010001
DATA ones16<>+24(SB)/8, $0x0001000100010001
GLOBL ones16<>(SB), RODATA|NOPTR, $32

// func q4RowAVX2(y *float32, wq *byte, sw *float32, at *int8, sa *float32, corr *int32, groups, blocks int)
// q4RowAVX512 for groups of 8 rows: VPMADDUBSW (u8 weights ≤ 15 times
// int8: each int16 pair sum ≤ 3810, eight of them ≤ 30480, no
// saturation), then VPMADDWD by ones into int32: exact.
TEXT ·q4RowAVX2(SB), NOSPLIT, $0-64
	MOVQ y+0(FP), DI
	MOVQ at+24(FP), SI
	MOVQ sa+32(FP), R8
	MOVQ corr+40(FP), R9
	MOVQ groups+48(FP), R10
	VMOVDQU ones16<>(SB), Y15
q4g2:
	MOVQ wq+8(FP), DX
	MOVQ sw+16(FP), BX
	MOVQ blocks+56(FP), CX
	VXORPS Y0, Y0, Y0
q4b2:
	VPBROADCASTD 0(DX), Y2
	VPMADDUBSW 0(SI), Y2, Y1
	VPBROADCASTD 4(DX), Y3
	VPMADDUBSW 32(SI), Y3, Y4
	VPBROADCASTD 8(DX), Y2
	VPMADDUBSW 64(SI), Y2, Y5
	VPBROADCASTD 12(DX), Y3
	VPMADDUBSW 96(SI), Y3, Y6
	VPADDW Y4, Y1, Y1
	VPADDW Y6, Y5, Y5
	VPBROADCASTD 16(DX), Y2
	VPMADDUBSW 128(SI), Y2, Y4
	VPBROADCASTD 20(DX), Y3
	VPMADDUBSW 160(SI), Y3, Y6
	VPADDW Y4, Y1, Y1
	VPADDW Y6, Y5, Y5
	VPBROADCASTD 24(DX), Y2
	VPMADDUBSW 192(SI), Y2, Y4
	VPBROADCASTD 28(DX), Y3
	VPMADDUBSW 224(SI), Y3, Y6
	VPADDW Y4, Y1, Y1
	VPADDW Y6, Y5, Y5
	VPADDW Y5, Y1, Y1
	VPMADDWD Y15, Y1, Y1
	VPSUBD (R9), Y1, Y1
	VCVTDQ2PS Y1, Y1
	VBROADCASTSS (BX), Y3
	VMULPS (R8), Y3, Y3
	VMULPS Y3, Y1, Y1
	VADDPS Y1, Y0, Y0
	ADDQ $32, DX
	ADDQ $4, BX
	ADDQ $256, SI
	ADDQ $32, R8
	ADDQ $32, R9
	DECQ CX
	JNZ q4b2
	VMOVUPS Y0, (DI)
	ADDQ $32, DI
	DECQ R10
	JNZ q4g2
	VZEROUPPER
	RET

// func f32DotAVX512(acc *[8][16]float32, a *[8]*float32, w0, w1 *float32, k int, st *f32Store)
// f32DotFMA with eight rows and both panels in one zmm (w0 in lanes 0-7,
// w1 in 8-15): one insert and eight FMAs with a broadcast operand per k.
TEXT ·f32DotAVX512(SB), NOSPLIT, $0-48
	MOVQ a+8(FP), SI
	MOVQ w0+16(FP), DX
	MOVQ w1+24(FP), BX
	MOVQ k+32(FP), CX
	MOVQ 0(SI), R8
	MOVQ 8(SI), R9
	MOVQ 16(SI), R10
	MOVQ 24(SI), R11
	MOVQ 32(SI), R12
	MOVQ 40(SI), R13
	MOVQ 48(SI), R14
	MOVQ 56(SI), R15
	VPXORD Z0, Z0, Z0
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	VPXORD Z3, Z3, Z3
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
f512Loop:
	VMOVUPS (DX), Y16
	VINSERTF64X4 $1, (BX), Z16, Z16
	VFMADD231PS.BCST (R8), Z16, Z0
	VFMADD231PS.BCST (R9), Z16, Z1
	VFMADD231PS.BCST (R10), Z16, Z2
	VFMADD231PS.BCST (R11), Z16, Z3
	VFMADD231PS.BCST (R12), Z16, Z4
	VFMADD231PS.BCST (R13), Z16, Z5
	VFMADD231PS.BCST (R14), Z16, Z6
	VFMADD231PS.BCST (R15), Z16, Z7
	ADDQ $32, DX
	ADDQ $32, BX
	ADDQ $4, R8
	ADDQ $4, R9
	ADDQ $4, R10
	ADDQ $4, R11
	ADDQ $4, R12
	ADDQ $4, R13
	ADDQ $4, R14
	ADDQ $4, R15
	DECQ CX
	JNZ f512Loop
	MOVQ st+40(FP), AX
	TESTQ AX, AX
	JZ f512Acc
	MOVQ 64(AX), BX
	VMOVUPS (BX), Z17
	VADDPS Z17, Z0, Z0
	MOVQ 0(AX), BX
	VMOVUPS Z0, (BX)
	VADDPS Z17, Z1, Z1
	MOVQ 8(AX), BX
	VMOVUPS Z1, (BX)
	VADDPS Z17, Z2, Z2
	MOVQ 16(AX), BX
	VMOVUPS Z2, (BX)
	VADDPS Z17, Z3, Z3
	MOVQ 24(AX), BX
	VMOVUPS Z3, (BX)
	VADDPS Z17, Z4, Z4
	MOVQ 32(AX), BX
	VMOVUPS Z4, (BX)
	VADDPS Z17, Z5, Z5
	MOVQ 40(AX), BX
	VMOVUPS Z5, (BX)
	VADDPS Z17, Z6, Z6
	MOVQ 48(AX), BX
	VMOVUPS Z6, (BX)
	VADDPS Z17, Z7, Z7
	MOVQ 56(AX), BX
	VMOVUPS Z7, (BX)
	VZEROUPPER
	RET
f512Acc:
	MOVQ acc+0(FP), DI
	VMOVUPS Z0, 0(DI)
	VMOVUPS Z1, 64(DI)
	VMOVUPS Z2, 128(DI)
	VMOVUPS Z3, 192(DI)
	VMOVUPS Z4, 256(DI)
	VMOVUPS Z5, 320(DI)
	VMOVUPS Z6, 384(DI)
	VMOVUPS Z7, 448(DI)
	VZEROUPPER
	RET
