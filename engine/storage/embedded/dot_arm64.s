#include "textflag.h"

// The Go assembler has no SXTL, SMLAL or SMLAL2, so they are written as
// WORDs; each comment is the instruction (checked with llvm-mc).

// func dotI8NEON(a *int16, b *int8, n int) int32
// n must be a multiple of 16. Each int8 is widened to int16 (SXTL) and
// multiplied into eight int32x4 sums (SMLAL): plain integer arithmetic,
// so the sum is exactly the scalar loop's, wrapping included.
TEXT ·dotI8NEON(SB), NOSPLIT, $0-28
	MOVD a+0(FP), R0
	MOVD b+8(FP), R1
	MOVD n+16(FP), R2
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16

loop32:
	CMP  $32, R2
	BLT  tail16
	VLD1.P 32(R1), [V0.B16, V1.B16]
	VLD1.P 64(R0), [V2.H8, V3.H8, V4.H8, V5.H8]
	WORD $0x0F08A406 // sxtl   v6.8h, v0.8b
	WORD $0x4F08A407 // sxtl2  v7.8h, v0.16b
	WORD $0x0F08A428 // sxtl   v8.8h, v1.8b
	WORD $0x4F08A429 // sxtl2  v9.8h, v1.16b
	WORD $0x0E668050 // smlal  v16.4s, v2.4h, v6.4h
	WORD $0x4E668051 // smlal2 v17.4s, v2.8h, v6.8h
	WORD $0x0E678072 // smlal  v18.4s, v3.4h, v7.4h
	WORD $0x4E678073 // smlal2 v19.4s, v3.8h, v7.8h
	WORD $0x0E688094 // smlal  v20.4s, v4.4h, v8.4h
	WORD $0x4E688095 // smlal2 v21.4s, v4.8h, v8.8h
	WORD $0x0E6980B6 // smlal  v22.4s, v5.4h, v9.4h
	WORD $0x4E6980B7 // smlal2 v23.4s, v5.8h, v9.8h
	SUB  $32, R2
	B    loop32

tail16:
	CBZ  R2, done
	VLD1 (R1), [V0.B16]
	VLD1 (R0), [V2.H8, V3.H8]
	WORD $0x0F08A406 // sxtl   v6.8h, v0.8b
	WORD $0x4F08A407 // sxtl2  v7.8h, v0.16b
	WORD $0x0E668050 // smlal  v16.4s, v2.4h, v6.4h
	WORD $0x4E668051 // smlal2 v17.4s, v2.8h, v6.8h
	WORD $0x0E678072 // smlal  v18.4s, v3.4h, v7.4h
	WORD $0x4E678073 // smlal2 v19.4s, v3.8h, v7.8h

done:
	VADD V17.S4, V16.S4, V16.S4
	VADD V19.S4, V18.S4, V18.S4
	VADD V21.S4, V20.S4, V20.S4
	VADD V23.S4, V22.S4, V22.S4
	VADD V18.S4, V16.S4, V16.S4
	VADD V22.S4, V20.S4, V20.S4
	VADD V20.S4, V16.S4, V16.S4
	VADDV V16.S4, V16
	VMOV V16.S[0], R3
	MOVW R3, ret+24(FP)
	RET
