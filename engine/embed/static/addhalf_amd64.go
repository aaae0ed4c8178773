package static

import "golang.org/x/sys/cpu"

// useF16C is whether addHalf converts and adds eight values at a time
// with F16C and AVX.
var useF16C = cpu.X86.HasAVX && cpu.X86.HasF16C

// addHalfF16C adds w × row[:n] (float16) to v[:n]; n must be a multiple
// of 8.
//
//go:noescape
func addHalfF16C(v *float32, row *uint16, n int, w float32)

// addHalf adds w × row (float16) to v, which is as long.
func addHalf(v []float32, row []uint16, w float32) {
	v = v[:len(row)]
	n := len(row) &^ 7
	if !useF16C || n == 0 {
		addHalfGeneric(v, row, w)
		return
	}
	addHalfF16C(&v[0], &row[0], n, w)
	addHalfGeneric(v[n:], row[n:], w)
}
